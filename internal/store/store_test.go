package store

import (
	"errors"
	"regexp"
	"testing"

	"github.com/blason-badges/blason/issuer"
)

func TestBitOrder(t *testing.T) {
	bits := make([]byte, 2)
	SetBit(bits, 0, true)
	SetBit(bits, 9, true)
	SetBit(bits, 15, true)
	if bits[0] != 0x80 || bits[1] != 0x41 {
		t.Fatalf("bits = %08b %08b, want 10000000 01000001", bits[0], bits[1])
	}
	if !Bit(bits, 0) || Bit(bits, 1) || !Bit(bits, 9) || !Bit(bits, 15) {
		t.Fatal("Bit disagrees with SetBit")
	}
	SetBit(bits, 9, false)
	if bits[1] != 0x01 {
		t.Fatalf("clear: %08b", bits[1])
	}
}

func TestNewList(t *testing.T) {
	a, err := NewList("did:x", issuer.PurposeRevocation, 131072)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewList("did:x", issuer.PurposeRevocation, 131072)
	if !regexp.MustCompile(`^[a-z2-7]{26}$`).MatchString(a.ID) || a.ID == b.ID {
		t.Fatalf("ids %q %q", a.ID, b.ID)
	}
	if len(a.Key) != 32 || string(a.Key) == string(b.Key) || len(a.Bits) != 16384 || a.Version != 1 || a.Used != 0 {
		t.Fatalf("list %+v", a)
	}
}

func TestCheckAward(t *testing.T) {
	R, S := issuer.PurposeRevocation, issuer.PurposeSuspension
	ok := []struct {
		p    []issuer.StatusPurpose
		size int
	}{{nil, 8}, {[]issuer.StatusPurpose{R}, 16}, {[]issuer.StatusPurpose{S, R}, 131072}}
	for _, c := range ok {
		if err := CheckAward("i", c.p, c.size); err != nil {
			t.Errorf("%v %d: %v", c.p, c.size, err)
		}
	}
	bad := []struct {
		p    []issuer.StatusPurpose
		size int
	}{{nil, 0}, {nil, 4}, {nil, 12}, {nil, MaxListSize + 8}, {[]issuer.StatusPurpose{"x"}, 8}, {[]issuer.StatusPurpose{S, S}, 8}}
	for _, c := range bad {
		if err := CheckAward("i", c.p, c.size); !errors.Is(err, ErrInvalid) {
			t.Errorf("%v %d: %v", c.p, c.size, err)
		}
	}
	if err := CheckAward("", nil, 8); !errors.Is(err, ErrInvalid) {
		t.Error("empty issuer accepted")
	}
	if got := LockOrder([]issuer.StatusPurpose{S, R}); got[0] != 1 || got[1] != 0 {
		t.Errorf("LockOrder = %v", got)
	}
}

func TestDecide(t *testing.T) {
	rev := issuer.StatusSlot{ListID: "r", Purpose: issuer.PurposeRevocation, Index: 3}
	sus := issuer.StatusSlot{ListID: "s", Purpose: issuer.PurposeSuspension, Index: 5}
	both := []issuer.StatusSlot{rev, sus}
	A, Rv, Su := issuer.StatusActive, issuer.StatusRevoked, issuer.StatusSuspended
	for _, c := range []struct {
		cur, action string
		slots       []issuer.StatusSlot
		conflict    bool
		want        Change
	}{
		{A, issuer.ActionRevoke, both, false, Change{Status: Rv, Slot: &rev, Set: true}},
		{A, issuer.ActionRevoke, nil, false, Change{Status: Rv, Set: true}},
		{Su, issuer.ActionRevoke, both, false, Change{Status: Rv, Slot: &rev, Set: true}},
		{Rv, issuer.ActionRevoke, both, false, Change{NoOp: true, Status: Rv}},
		{A, issuer.ActionSuspend, both, false, Change{Status: Su, Slot: &sus, Set: true}},
		{A, issuer.ActionSuspend, []issuer.StatusSlot{rev}, true, Change{}},
		{Su, issuer.ActionSuspend, both, false, Change{NoOp: true, Status: Su}},
		{Rv, issuer.ActionSuspend, both, true, Change{}},
		{Su, issuer.ActionReinstate, both, false, Change{Status: A, Slot: &sus, Set: false}},
		{A, issuer.ActionReinstate, both, true, Change{}},
		{Rv, issuer.ActionReinstate, both, true, Change{}},
	} {
		got, err := Decide(c.cur, c.slots, c.action)
		if c.conflict {
			if !errors.Is(err, issuer.ErrConflict) {
				t.Errorf("%s on %s: err %v, want ErrConflict", c.action, c.cur, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s on %s: %v", c.action, c.cur, err)
			continue
		}
		if got.NoOp != c.want.NoOp || got.Status != c.want.Status || got.Set != c.want.Set ||
			(got.Slot == nil) != (c.want.Slot == nil) || (got.Slot != nil && *got.Slot != *c.want.Slot) {
			t.Errorf("%s on %s = %+v, want %+v", c.action, c.cur, got, c.want)
		}
	}
	if _, err := Decide(A, both, "delete"); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown action: %v", err)
	}
}

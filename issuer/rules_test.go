package issuer

import (
	"errors"
	"regexp"
	"testing"
)

func TestNewList(t *testing.T) {
	a, err := NewList("did:x", PurposeRevocation, 131072)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewList("did:x", PurposeRevocation, 131072)
	if !regexp.MustCompile(`^[a-z2-7]{26}$`).MatchString(a.ID) || a.ID == b.ID {
		t.Fatalf("ids %q %q", a.ID, b.ID)
	}
	if len(a.Key) != 32 || string(a.Key) == string(b.Key) || len(a.Bits) != 16384 || a.Version != 1 || a.Used != 0 {
		t.Fatalf("list %+v", a)
	}
}

func TestCheckAward(t *testing.T) {
	R, S := PurposeRevocation, PurposeSuspension
	ok := []struct {
		p    []StatusPurpose
		size int
	}{{nil, 8}, {[]StatusPurpose{R}, 16}, {[]StatusPurpose{S, R}, 131072}}
	for _, c := range ok {
		if err := CheckAward("i", c.p, c.size); err != nil {
			t.Errorf("%v %d: %v", c.p, c.size, err)
		}
	}
	bad := []struct {
		p    []StatusPurpose
		size int
	}{{nil, 0}, {nil, 4}, {nil, 12}, {nil, MaxListSize + 8}, {[]StatusPurpose{"x"}, 8}, {[]StatusPurpose{S, S}, 8}}
	for _, c := range bad {
		if err := CheckAward("i", c.p, c.size); !errors.Is(err, ErrInvalid) {
			t.Errorf("%v %d: %v", c.p, c.size, err)
		}
	}
	if err := CheckAward("", nil, 8); !errors.Is(err, ErrInvalid) {
		t.Error("empty issuer accepted")
	}
	if got := LockOrder([]StatusPurpose{S, R}); got[0] != 1 || got[1] != 0 {
		t.Errorf("LockOrder = %v", got)
	}
}

func TestDecide(t *testing.T) {
	rev := StatusSlot{ListID: "r", Purpose: PurposeRevocation, Index: 3}
	sus := StatusSlot{ListID: "s", Purpose: PurposeSuspension, Index: 5}
	both := []StatusSlot{rev, sus}
	A, Rv, Su := StatusActive, StatusRevoked, StatusSuspended
	for _, c := range []struct {
		cur, action string
		slots       []StatusSlot
		conflict    bool
		want        Change
	}{
		{A, ActionRevoke, both, false, Change{Status: Rv, Slot: &rev, Set: true}},
		{A, ActionRevoke, nil, false, Change{Status: Rv, Set: true}},
		{Su, ActionRevoke, both, false, Change{Status: Rv, Slot: &rev, Set: true}},
		{Rv, ActionRevoke, both, false, Change{NoOp: true, Status: Rv}},
		{A, ActionSuspend, both, false, Change{Status: Su, Slot: &sus, Set: true}},
		{A, ActionSuspend, []StatusSlot{rev}, true, Change{}},
		{Su, ActionSuspend, both, false, Change{NoOp: true, Status: Su}},
		{Rv, ActionSuspend, both, true, Change{}},
		{Su, ActionReinstate, both, false, Change{Status: A, Slot: &sus, Set: false}},
		{A, ActionReinstate, both, true, Change{}},
		{Rv, ActionReinstate, both, true, Change{}},
	} {
		got, err := Decide(c.cur, c.slots, c.action)
		if c.conflict {
			if !errors.Is(err, ErrConflict) {
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

func TestAllocate(t *testing.T) {
	R, S := PurposeRevocation, PurposeSuspension
	purposes := []StatusPurpose{S, R} // allocated in LockOrder: R first
	open := []*OpenList{nil, {ID: "r0", Size: 16, Used: 13, Key: make([]byte, 32)}}
	a, err := Allocate("i", purposes, open, 8, 20)
	if err != nil {
		t.Fatal(err)
	}
	// r0 gives 3, then new lists of 8: R 8, 8, 1; S 8, 8, 4. Creation order
	// as single awards: S1 (award 0), R1 (award 3), S2 (8), R2 (11), S3 (16), R3 (19).
	type use struct {
		p        StatusPurpose
		new      bool
		from, to int
	}
	var got []use
	for _, u := range a.Lists {
		got = append(got, use{u.Purpose, u.New != nil, u.From, u.To})
		if u.New != nil && (u.New.Used != u.To || u.New.ID != u.ID || u.New.Size != 8) {
			t.Errorf("new list %+v", u.New)
		}
	}
	want := []use{{R, false, 13, 16}, {S, true, 0, 8}, {R, true, 0, 8}, {S, true, 0, 8}, {R, true, 0, 8}, {S, true, 0, 4}, {R, true, 0, 1}}
	if len(got) != len(want) {
		t.Fatalf("lists %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("list %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if len(a.Slots) != 20 || a.Slots[0][1].ListID != "r0" || a.Slots[0][0].Purpose != S || a.Slots[3][1].ListID != a.Lists[2].ID {
		t.Fatalf("slots %+v", a.Slots[:4])
	}
	for k := range 3 {
		if a.Slots[k][1].Index != StatusIndex(open[1].Key, 16, 13+k) {
			t.Fatalf("slot %d index %d", k, a.Slots[k][1].Index)
		}
	}
	if _, err := Allocate("i", purposes, []*OpenList{nil, {ID: "x", Size: 16, Used: 16, Key: make([]byte, 32)}}, 8, 1); err == nil {
		t.Error("full open list accepted")
	}
	if _, err := Allocate("i", purposes, nil, 8, 1); err == nil {
		t.Error("missing open lists accepted")
	}
}

func TestCheckBatch(t *testing.T) {
	for _, n := range []int{0, -1, MaxBatch + 1} {
		if err := CheckBatch("i", nil, 8, n); !errors.Is(err, ErrInvalid) {
			t.Errorf("n = %d: %v", n, err)
		}
	}
	for _, n := range []int{1, MaxBatch} {
		if err := CheckBatch("i", nil, 8, n); err != nil {
			t.Errorf("n = %d: %v", n, err)
		}
	}
	if err := CheckBatch("i", nil, 4, 1); !errors.Is(err, ErrInvalid) {
		t.Error("bad size accepted")
	}
}

func TestPrepareRecords(t *testing.T) {
	slots := [][]StatusSlot{{{ListID: "a", Index: 1}}, {{ListID: "a", Index: 2}}}
	recs := []*CredentialRecord{{ID: "x"}, {ID: "y"}}
	out, err := PrepareRecords(recs, 2, "i", slots)
	if err != nil || out[1].Slots[0].Index != 2 || out[0].IssuerID != "i" || out[1].Status != StatusActive {
		t.Fatalf("%+v, %v", out, err)
	}
	if _, err := PrepareRecords(recs[:1], 2, "i", slots); !errors.Is(err, ErrInvalid) {
		t.Errorf("short: %v", err)
	}
	if _, err := PrepareRecords([]*CredentialRecord{{ID: "x"}, {ID: "x"}}, 2, "i", slots); !errors.Is(err, ErrExists) {
		t.Errorf("duplicate: %v", err)
	}
}

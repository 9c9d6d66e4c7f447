// Package store holds what the issuer.Store implementations (store/sqlite,
// the embedded default, and store/postgres) share: input checks, status list
// identifiers and keys, the bit order, and the status-change rules. The one
// test suite that both pass lives in store/storetest.
package store

import (
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"

	"github.com/blason-badges/blason/issuer"
)

// MaxListSize bounds a status list (bits): 2^26 entries, an 8 MiB bitstring.
const MaxListSize = 1 << 26

// ErrInvalid reports an argument a store cannot act on (a caller bug, not a
// state of the data).
var ErrInvalid = errors.New("invalid store argument")

var listIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewList returns a fresh, empty status list for issuerID and purpose: a
// random URL-safe ID (16 random bytes, lower-case base32), a random 32-byte
// permutation key, size/8 zero bytes and Version 1. Times are left to the
// caller.
func NewList(issuerID string, purpose issuer.StatusPurpose, size int) (*issuer.StatusList, error) {
	var id [16]byte
	key := make([]byte, 32)
	if _, err := rand.Read(id[:]); err != nil {
		return nil, fmt.Errorf("new status list id: %w", err)
	}
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("new status list key: %w", err)
	}
	return &issuer.StatusList{
		ID:       listIDEncoding.EncodeToString(id[:]),
		IssuerID: issuerID,
		Purpose:  purpose,
		Size:     size,
		Key:      key,
		Bits:     make([]byte, size/8),
		Version:  1,
	}, nil
}

// CheckAward validates Award's arguments: a list size that is a multiple of
// 8 in [8, MaxListSize] and known, distinct purposes.
func CheckAward(issuerID string, purposes []issuer.StatusPurpose, listSize int) error {
	if issuerID == "" {
		return fmt.Errorf("%w: empty issuer id", ErrInvalid)
	}
	if listSize < 8 || listSize > MaxListSize || listSize%8 != 0 {
		return fmt.Errorf("%w: status list size %d (need a multiple of 8 in [8, %d])", ErrInvalid, listSize, MaxListSize)
	}
	seen := map[issuer.StatusPurpose]bool{}
	for _, p := range purposes {
		if p != issuer.PurposeRevocation && p != issuer.PurposeSuspension {
			return fmt.Errorf("%w: unknown status purpose %q", ErrInvalid, p)
		}
		if seen[p] {
			return fmt.Errorf("%w: status purpose %q given twice", ErrInvalid, p)
		}
		seen[p] = true
	}
	return nil
}

// LockOrder returns the indices of purposes in the order in which a store
// locks or allocates their lists: sorted by purpose, so that two concurrent
// awards listing the purposes in different orders cannot deadlock.
func LockOrder(purposes []issuer.StatusPurpose) []int {
	order := make([]int, len(purposes))
	for i := range order {
		order[i] = i
	}
	// At most two purposes: a swap is a sort.
	if len(order) == 2 && purposes[1] < purposes[0] {
		order[0], order[1] = 1, 0
	}
	return order
}

// PrepareRecord checks the record build returned and returns the copy to
// store: Slots are the allocated slots, IssuerID is issuerID (an empty one is
// filled in, a different one is an error), Status is active (an empty one is
// filled in, any other is an error), and ID must be set.
func PrepareRecord(rec *issuer.CredentialRecord, issuerID string, slots []issuer.StatusSlot) (*issuer.CredentialRecord, error) {
	if rec == nil {
		return nil, fmt.Errorf("%w: build returned no record", ErrInvalid)
	}
	r := *rec
	if r.ID == "" {
		return nil, fmt.Errorf("%w: credential record without id", ErrInvalid)
	}
	switch r.IssuerID {
	case "":
		r.IssuerID = issuerID
	case issuerID:
	default:
		return nil, fmt.Errorf("%w: credential record for issuer %q awarded by %q", ErrInvalid, r.IssuerID, issuerID)
	}
	switch r.Status {
	case "":
		r.Status = issuer.StatusActive
	case issuer.StatusActive:
	default:
		return nil, fmt.Errorf("%w: new credential with status %q", ErrInvalid, r.Status)
	}
	if len(slots) == 0 {
		r.Slots = nil
	} else {
		r.Slots = append([]issuer.StatusSlot(nil), slots...)
	}
	r.Document = append([]byte(nil), rec.Document...)
	return &r, nil
}

// Bit reports bit i of a bitstring: bit 0 is the most significant bit of
// byte 0 (Bitstring Status List §4.1).
func Bit(bits []byte, i int) bool {
	return bits[i/8]&(0x80>>(i%8)) != 0
}

// SetBit sets (v) or clears bit i of bits in place.
func SetBit(bits []byte, i int, v bool) {
	if v {
		bits[i/8] |= 0x80 >> (i % 8)
	} else {
		bits[i/8] &^= 0x80 >> (i % 8)
	}
}

// Change is the effect of a status action on one credential.
type Change struct {
	// NoOp: the credential is already in the requested state (revoke of a
	// revoked one, suspend of a suspended one). Nothing is written and no
	// event is recorded: events record changes.
	NoOp bool
	// Status is the credential's new status.
	Status string
	// Slot is the bit to write, nil when no bit changes (revoking a
	// credential that has no revocation slot).
	Slot *issuer.StatusSlot
	// Set: the bit is set (revoke, suspend) or cleared (reinstate).
	Set bool
}

// Decide applies the status rules to a credential in status cur with the
// given slots:
//
//   - revoke sets the revocation bit (if the credential has a revocation
//     slot) and makes it revoked, which is final;
//   - suspend sets the suspension bit and makes it suspended; ErrConflict if
//     it is revoked or has no suspension slot;
//   - reinstate clears the suspension bit and makes it active; ErrConflict
//     unless it is suspended.
//
// Repeating the action that led to the current state is a no-op.
func Decide(cur string, slots []issuer.StatusSlot, action string) (Change, error) {
	slot := func(p issuer.StatusPurpose) *issuer.StatusSlot {
		for i := range slots {
			if slots[i].Purpose == p {
				s := slots[i]
				return &s
			}
		}
		return nil
	}
	switch action {
	case issuer.ActionRevoke:
		if cur == issuer.StatusRevoked {
			return Change{NoOp: true, Status: cur}, nil
		}
		return Change{Status: issuer.StatusRevoked, Slot: slot(issuer.PurposeRevocation), Set: true}, nil
	case issuer.ActionSuspend:
		switch {
		case cur == issuer.StatusRevoked:
			return Change{}, fmt.Errorf("suspend a revoked credential: %w", issuer.ErrConflict)
		case cur == issuer.StatusSuspended:
			return Change{NoOp: true, Status: cur}, nil
		}
		s := slot(issuer.PurposeSuspension)
		if s == nil {
			return Change{}, fmt.Errorf("suspend a credential without a suspension status entry: %w", issuer.ErrConflict)
		}
		return Change{Status: issuer.StatusSuspended, Slot: s, Set: true}, nil
	case issuer.ActionReinstate:
		if cur != issuer.StatusSuspended {
			return Change{}, fmt.Errorf("reinstate a credential that is %s: %w", cur, issuer.ErrConflict)
		}
		return Change{Status: issuer.StatusActive, Slot: slot(issuer.PurposeSuspension), Set: false}, nil
	}
	return Change{}, fmt.Errorf("%w: unknown status action %q", ErrInvalid, action)
}

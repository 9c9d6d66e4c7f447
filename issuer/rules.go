package issuer

// The rules an issuer.Store applies in its transactions, written once for
// every store: which status slots an award takes (Allocate, NewList,
// LockOrder), what a recorded credential must be (PrepareRecords), and what
// a status action does (Decide). A store reads the state under its lock,
// calls these, and writes what they return.

import (
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"

	"github.com/blason-badges/blason/internal/limits"
)

// MaxListSize bounds a status list (bits): 2^26 entries, an 8 MiB bitstring.
const MaxListSize = limits.StatusListEntries

// ErrInvalid reports an argument a store cannot act on (a caller bug, not a
// state of the data).
var ErrInvalid = errors.New("invalid store argument")

var listIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewList returns a fresh, empty status list for issuerID and purpose: a
// random URL-safe ID (16 random bytes, lower-case base32), a random 32-byte
// permutation key, size/8 zero bytes and Version 1. Times are left to the
// caller.
func NewList(issuerID string, purpose StatusPurpose, size int) (*StatusList, error) {
	var id [16]byte
	key := make([]byte, 32)
	if _, err := rand.Read(id[:]); err != nil {
		return nil, fmt.Errorf("new status list id: %w", err)
	}
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("new status list key: %w", err)
	}
	return &StatusList{
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
func CheckAward(issuerID string, purposes []StatusPurpose, listSize int) error {
	if issuerID == "" {
		return fmt.Errorf("%w: empty issuer id", ErrInvalid)
	}
	if listSize < 8 || listSize > MaxListSize || listSize%8 != 0 {
		return fmt.Errorf("%w: status list size %d (need a multiple of 8 in [8, %d])", ErrInvalid, listSize, MaxListSize)
	}
	seen := map[StatusPurpose]bool{}
	for _, p := range purposes {
		if p != PurposeRevocation && p != PurposeSuspension {
			return fmt.Errorf("%w: unknown status purpose %q", ErrInvalid, p)
		}
		if seen[p] {
			return fmt.Errorf("%w: status purpose %q given twice", ErrInvalid, p)
		}
		seen[p] = true
	}
	return nil
}

// CheckBatch validates AwardBatch's arguments: CheckAward's, and a batch of
// 1 to MaxBatch credentials.
func CheckBatch(issuerID string, purposes []StatusPurpose, listSize, n int) error {
	if n < 1 || n > MaxBatch {
		return fmt.Errorf("%w: batch of %d credentials (need 1 to %d)", ErrInvalid, n, MaxBatch)
	}
	return CheckAward(issuerID, purposes, listSize)
}

// OpenList is an issuer's newest list of one purpose that is not full, as a
// store reads it under its write lock.
type OpenList struct {
	ID   string
	Size int
	Used int
	Key  []byte
}

// ListUse is one list an allocation takes slots from: its Used goes from
// From to To.
type ListUse struct {
	ID       string
	Purpose  StatusPurpose
	From, To int
	// New, if not nil, is a list the allocation started: the store inserts
	// it (with Used = To) instead of advancing a stored counter.
	New *StatusList
}

// Allocation is the outcome of Allocate.
type Allocation struct {
	// Slots[i] are credential i's slots, in the caller's purposes order.
	Slots [][]StatusSlot
	// Lists are the lists the slots come from, in the order n single
	// awards would have touched them first (so new lists are created in
	// the same order, and get the same creation sequence).
	Lists []ListUse
}

// Allocate hands out n slots per purpose, exactly as n single awards would,
// one after the other: credential i takes, for each purpose (in LockOrder),
// StatusIndex(key, size, used) of that purpose's open list and advances
// used; a list that fills is closed, and the next credential that needs a
// slot of that purpose starts a new list of listSize (NewList) — a list that
// fills with the last credential does not start one. open[j] is the open
// list of purposes[j] (nil: there is none). The caller validates the
// arguments (CheckBatch) and holds the lock that makes open current.
func Allocate(issuerID string, purposes []StatusPurpose, open []*OpenList, listSize, n int) (*Allocation, error) {
	if len(open) != len(purposes) {
		return nil, fmt.Errorf("%w: %d open lists for %d purposes", ErrInvalid, len(open), len(purposes))
	}
	type cursor struct {
		use  int // index in Lists; -1: none yet
		size int
		used int
		key  []byte
	}
	cur := make([]cursor, len(purposes))
	for j, o := range open {
		cur[j].use = -1
		if o == nil {
			continue
		}
		if o.Size < 2 || o.Used < 0 || o.Used >= o.Size || len(o.Key) == 0 {
			return nil, fmt.Errorf("status list %s: corrupt counters used=%d size=%d", o.ID, o.Used, o.Size)
		}
	}
	a := &Allocation{Slots: make([][]StatusSlot, n)}
	flat := make([]StatusSlot, n*len(purposes))
	order := LockOrder(purposes)
	for i := range n {
		a.Slots[i] = flat[i*len(purposes) : (i+1)*len(purposes) : (i+1)*len(purposes)]
		for _, j := range order {
			c := &cur[j]
			if c.use < 0 || c.used == c.size {
				u := ListUse{Purpose: purposes[j]}
				if o := open[j]; c.use < 0 && o != nil {
					u.ID, u.From = o.ID, o.Used
					c.size, c.used, c.key = o.Size, o.Used, o.Key
				} else {
					l, err := NewList(issuerID, purposes[j], listSize)
					if err != nil {
						return nil, err
					}
					u.ID, u.New = l.ID, l
					c.size, c.used, c.key = l.Size, 0, l.Key
				}
				u.To = u.From
				a.Lists = append(a.Lists, u)
				c.use = len(a.Lists) - 1
			}
			a.Slots[i][j] = StatusSlot{ListID: a.Lists[c.use].ID, Purpose: purposes[j], Index: StatusIndex(c.key, c.size, c.used)}
			c.used++
			a.Lists[c.use].To = c.used
		}
	}
	for _, u := range a.Lists {
		if u.New != nil {
			u.New.Used = u.To
		}
	}
	return a, nil
}

// PrepareRecords checks what AwardBatch's build returned, n records, and
// returns the copies to store (PrepareRecord with slots[i] for record i). A
// record id given twice is ErrExists.
func PrepareRecords(recs []*CredentialRecord, n int, issuerID string, slots [][]StatusSlot) ([]*CredentialRecord, error) {
	if len(recs) != n {
		return nil, fmt.Errorf("%w: build returned %d records for a batch of %d", ErrInvalid, len(recs), n)
	}
	out := make([]*CredentialRecord, n)
	seen := make(map[string]bool, n)
	for i, rec := range recs {
		r, err := PrepareRecord(rec, issuerID, slots[i])
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", i, err)
		}
		if seen[r.ID] {
			return nil, fmt.Errorf("credential %s given twice in the batch: %w", r.ID, ErrExists)
		}
		seen[r.ID] = true
		out[i] = r
	}
	return out, nil
}

// LockOrder returns the indices of purposes in the order in which a store
// locks or allocates their lists: sorted by purpose, so that two concurrent
// awards listing the purposes in different orders cannot deadlock.
func LockOrder(purposes []StatusPurpose) []int {
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
func PrepareRecord(rec *CredentialRecord, issuerID string, slots []StatusSlot) (*CredentialRecord, error) {
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
		r.Status = StatusActive
	case StatusActive:
	default:
		return nil, fmt.Errorf("%w: new credential with status %q", ErrInvalid, r.Status)
	}
	if len(slots) == 0 {
		r.Slots = nil
	} else {
		r.Slots = append([]StatusSlot(nil), slots...)
	}
	r.Document = append([]byte(nil), rec.Document...)
	return &r, nil
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
	Slot *StatusSlot
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
func Decide(cur string, slots []StatusSlot, action string) (Change, error) {
	slot := func(p StatusPurpose) *StatusSlot {
		for i := range slots {
			if slots[i].Purpose == p {
				s := slots[i]
				return &s
			}
		}
		return nil
	}
	switch action {
	case ActionRevoke:
		if cur == StatusRevoked {
			return Change{NoOp: true, Status: cur}, nil
		}
		return Change{Status: StatusRevoked, Slot: slot(PurposeRevocation), Set: true}, nil
	case ActionSuspend:
		switch {
		case cur == StatusRevoked:
			return Change{}, fmt.Errorf("suspend a revoked credential: %w", ErrConflict)
		case cur == StatusSuspended:
			return Change{NoOp: true, Status: cur}, nil
		}
		s := slot(PurposeSuspension)
		if s == nil {
			return Change{}, fmt.Errorf("suspend a credential without a suspension status entry: %w", ErrConflict)
		}
		return Change{Status: StatusSuspended, Slot: s, Set: true}, nil
	case ActionReinstate:
		if cur != StatusSuspended {
			return Change{}, fmt.Errorf("reinstate a credential that is %s: %w", cur, ErrConflict)
		}
		return Change{Status: StatusActive, Slot: slot(PurposeSuspension), Set: false}, nil
	}
	return Change{}, fmt.Errorf("%w: unknown status action %q", ErrInvalid, action)
}

package issuer

import (
	"context"
	"errors"
	"time"
)

// Store is the issuer's persistent state, as much of it as Service uses
// (a store has more: listing for the operator's tools). Implementation:
// internal/store/issuerdb, on SQLite (embedded, the default) or
// PostgreSQL; one test suite
// (internal/store/storetest) runs against both.
//
// Every write that matters is one transaction: the status slots an award
// reserves (with the lists' counters), a credential together with its
// slots, and a status change together with its bits and its audit event.
type Store interface {
	// CreateIssuer records a new issuer; ErrExists if the id is taken.
	CreateIssuer(ctx context.Context, r *IssuerRecord) error
	// GetIssuer returns ErrNotFound for an unknown id.
	GetIssuer(ctx context.Context, id string) (*IssuerRecord, error)

	// Award reserves one status slot per purpose for the issuer, calls
	// build with them holding no lock (build signs and verifies, which
	// takes long), and stores the record build returns. The reservation is
	// atomic and durable before build runs: a slot is handed out once,
	// ever. If build fails, the record is refused, or the process dies
	// before the record is stored, nothing is recorded and the reserved
	// slots stay unused forever (a gap in the list, whose bit is never
	// set: harmless, and invisible to verifiers). A slot is never used
	// twice.
	//
	// Slot indices are unique per list and never reused: each list hands
	// out StatusIndex(list.Key, list.Size, list.Used) and increments Used,
	// so concurrent reservations serialise on the issuer. A list with
	// Used == Size is full, and a new list (with a fresh random Key) is
	// started for that issuer and purpose.
	Award(ctx context.Context, issuerID string, purposes []StatusPurpose, listSize int,
		build func(slots []StatusSlot) (*CredentialRecord, error)) (*CredentialRecord, error)

	// AwardBatch is Award for n credentials of one issuer: it reserves n
	// slots per purpose at once (consecutive outputs of each list's
	// StatusIndex; a list that fills mid-batch is closed and a new one
	// started, exactly as n single awards would), then calls build once
	// with all of them (slots[i] are credential i's slots, in purposes
	// order) and stores the n records it returns in one transaction, all or
	// nothing. build may do its work concurrently (it is called once, from
	// the calling goroutine). n must be ≥ 1 and at most MaxBatch (1,000);
	// build must return exactly n records.
	//
	// The records are stored in order: records[n-1] is the newest. If build
	// fails, returns the wrong number of records, or one record is refused
	// (a duplicate id: ErrExists), or the process dies before the records
	// are stored, nothing is recorded, and the slots stay reserved, unused.
	AwardBatch(ctx context.Context, issuerID string, purposes []StatusPurpose, listSize, n int,
		build func(slots [][]StatusSlot) ([]*CredentialRecord, error)) ([]*CredentialRecord, error)

	// GetCredential returns ErrNotFound for an unknown id.
	GetCredential(ctx context.Context, id string) (*CredentialRecord, error)

	// ChangeStatus applies ev to the credential ev.CredentialID in one
	// transaction: the bits of its status lists (revoke sets its
	// revocation bit, which is never cleared; suspend sets its suspension
	// bit; reinstate clears it), the lists' Version, the record's Status,
	// and the audit event. It returns ErrNotFound for an unknown credential
	// and ErrConflict for a change that does not apply (reinstating a
	// revoked credential; suspending one without a suspension slot).
	ChangeStatus(ctx context.Context, ev StatusEvent) (*CredentialRecord, error)

	// GetStatusList returns ErrNotFound for an unknown list.
	GetStatusList(ctx context.Context, id string) (*StatusList, error)
}

// ListVersioner is an optional Store method: a status list's Version
// without its bits (ErrNotFound for an unknown list). A Service whose Store
// has it checks the lists it keeps decoded in memory with this one small
// read per verification, and reads the whole list only when it changed.
type ListVersioner interface {
	StatusListVersion(ctx context.Context, id string) (int64, error)
}

// MaxBatch is the largest n of Store.AwardBatch.
const MaxBatch = 1000

// Store errors.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
	ErrConflict = errors.New("status change does not apply")
)

// StatusPurpose is a Bitstring Status List statusPurpose.
type StatusPurpose string

const (
	PurposeRevocation StatusPurpose = "revocation"
	PurposeSuspension StatusPurpose = "suspension"
)

// Credential states.
const (
	StatusActive    = "active"
	StatusRevoked   = "revoked"
	StatusSuspended = "suspended"
)

// Status actions.
const (
	ActionRevoke    = "revoke"
	ActionSuspend   = "suspend"
	ActionReinstate = "reinstate"
)

// IssuerRecord is a stored issuer: its profile and its sealed signing key.
type IssuerRecord struct {
	ID                 string // the issuer's DID
	Profile            Profile
	KeyType            string // Ed25519, P-256, P-384
	VerificationMethod string
	// SealedKey is the secret key (secret Multikey) sealed with
	// AES-256-GCM under the operator's master key, the issuer id as
	// additional data. The store never sees the key in clear.
	SealedKey []byte
	CreatedAt time.Time
}

// StatusSlot is one index in one status list.
type StatusSlot struct {
	ListID  string
	Purpose StatusPurpose
	Index   int
}

// StatusList is one Bitstring Status List of an issuer.
type StatusList struct {
	ID       string // stable, URL-safe identifier; the server builds the list URL from it
	IssuerID string
	Purpose  StatusPurpose
	Size     int    // number of entries (bits), ≥ 131,072
	Used     int    // slots handed out so far
	Key      []byte // 32-byte secret key of the index permutation
	Bits     []byte // the bitstring, Size/8 bytes, bit 0 = MSB of byte 0
	// Version increases with every bit change; it makes ETags and tells
	// the publisher when to re-sign.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CredentialRecord is an issued credential.
type CredentialRecord struct {
	ID             string
	IssuerID       string
	AchievementID  string
	RecipientEmail string // as given by the issuer (the credential holds only its salted hash)
	RecipientDID   string
	Slots          []StatusSlot
	Status         string // active, revoked, suspended
	ValidFrom      time.Time
	ValidUntil     time.Time // zero: no expiry
	IssuedAt       time.Time
	Document       []byte // the signed credential as issued
}

// StatusEvent is one recorded status change: who, when, why.
type StatusEvent struct {
	CredentialID string
	Action       string // revoke, suspend, reinstate
	Reason       string
	Actor        string
	At           time.Time
}

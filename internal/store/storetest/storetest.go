// Package storetest is the one test suite the Store passes on each
// engine (issuerdb on SQLite and PostgreSQL): Run for the behaviour,
// RunTokens for the account.Store (tokendb), Crash,
// CrashBatch and HelperBulkAward for crash safety, BenchAward for
// throughput.
package storetest

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blason-badges/blason/issuer"
)

// Store is what the suite tests: the issuer.Store, and the reads that
// let it look at everything the store holds.
type Store interface {
	issuer.Store
	// ListIssuers returns all issuers, oldest first.
	ListIssuers(ctx context.Context) ([]*issuer.IssuerRecord, error)
	// ListCredentials returns an issuer's credentials, newest first, and
	// the total count (limit <= 0: no limit).
	ListCredentials(ctx context.Context, issuerID string, offset, limit int) ([]*issuer.CredentialRecord, int, error)
	// Events returns a credential's status changes, oldest first;
	// ErrNotFound for an unknown credential.
	Events(ctx context.Context, credentialID string) ([]issuer.StatusEvent, error)
	// ListStatusLists returns an issuer's lists, oldest first.
	ListStatusLists(ctx context.Context, issuerID string) ([]*issuer.StatusList, error)
	Close() error
}

// ListSize is the status list size the suite uses, so that lists fill up.
const ListSize = 16

var both = []issuer.StatusPurpose{issuer.PurposeRevocation, issuer.PurposeSuspension}

// base is a time with microseconds and a non-UTC zone: stores must keep the
// instant to the microsecond at least.
var base = time.Date(2025, 3, 14, 15, 9, 26, 535897000, time.FixedZone("CET", 3600))

// Run runs the suite. open returns a fresh, empty store and arranges (with
// t.Cleanup) for it to be closed and removed.
func Run(t *testing.T, open func(t *testing.T) Store) {
	t.Run("Issuers", func(t *testing.T) { testIssuers(t, open(t)) })
	t.Run("AwardRoundTrip", func(t *testing.T) { testAwardRoundTrip(t, open(t)) })
	t.Run("AwardNoStatus", func(t *testing.T) { testAwardNoStatus(t, open(t)) })
	t.Run("AwardUnknownIssuer", func(t *testing.T) { testAwardUnknownIssuer(t, open(t)) })
	t.Run("AwardInvalidArguments", func(t *testing.T) { testAwardInvalid(t, open(t)) })
	t.Run("AwardBuildErrorNeverReusesSlots", func(t *testing.T) { testAwardBuildError(t, open(t)) })
	t.Run("AwardDuplicateID", func(t *testing.T) { testAwardDuplicateID(t, open(t)) })
	t.Run("ListFills", func(t *testing.T) { testListFills(t, open(t)) })
	t.Run("ListsPerIssuer", func(t *testing.T) { testListsPerIssuer(t, open(t)) })
	t.Run("ConcurrentAwards", func(t *testing.T) { testConcurrentAwards(t, open(t)) })
	t.Run("ConcurrentDuplicateAwards", func(t *testing.T) { testConcurrentDuplicates(t, open(t)) })
	t.Run("ChangeStatusRules", func(t *testing.T) { testChangeStatusRules(t, open) })
	t.Run("ChangeStatusBits", func(t *testing.T) { testChangeStatusBits(t, open(t)) })
	t.Run("ChangeStatusWithoutSlots", func(t *testing.T) { testChangeStatusWithoutSlots(t, open(t)) })
	t.Run("ChangeStatusUnknown", func(t *testing.T) { testChangeStatusUnknown(t, open(t)) })
	t.Run("ConcurrentStatusChanges", func(t *testing.T) { testConcurrentStatusChanges(t, open(t)) })
	t.Run("Events", func(t *testing.T) { testEvents(t, open(t)) })
	t.Run("ListCredentials", func(t *testing.T) { testListCredentials(t, open(t)) })
	t.Run("StatusLists", func(t *testing.T) { testStatusLists(t, open(t)) })
	t.Run("StatusListVersion", func(t *testing.T) { testStatusListVersion(t, open(t)) })
	runBatch(t, open)
}

// ---------------------------------------------------------------- helpers

func newIssuer(t testing.TB, s Store, id string) *issuer.IssuerRecord {
	t.Helper()
	r := &issuer.IssuerRecord{
		ID:                 id,
		Profile:            issuer.Profile{ID: id, Name: "Issuer " + id, URL: "https://example.org/" + id, Email: "badges@example.org", Description: "Ünïcode — ok"},
		KeyType:            "Ed25519",
		VerificationMethod: id + "#key-1",
		SealedKey:          []byte{1, 0, 2, 0xff, 3},
		CreatedAt:          base,
	}
	if err := s.CreateIssuer(context.Background(), r); err != nil {
		t.Fatalf("CreateIssuer(%s): %v", id, err)
	}
	return r
}

var (
	credSeq atomic.Int64
	// runID keeps credential ids unique across processes (the crash child).
	runID = rand.Uint32()
)

// record returns what a build function would: a full record with a ~2 KB
// document that embeds the slots.
func record(issuerID string, slots []issuer.StatusSlot) *issuer.CredentialRecord {
	n := credSeq.Add(1)
	id := fmt.Sprintf("urn:uuid:%08x-0000-4000-8000-%012d", runID, n)
	return &issuer.CredentialRecord{
		ID:             id,
		IssuerID:       issuerID,
		AchievementID:  "https://example.org/achievements/" + fmt.Sprint(n%7),
		RecipientEmail: fmt.Sprintf("learner%d@example.org", n),
		RecipientDID:   fmt.Sprintf("did:example:learner%d", n),
		Slots:          slots,
		ValidFrom:      base.Add(time.Duration(n) * time.Microsecond),
		ValidUntil:     base.AddDate(1, 0, 0),
		IssuedAt:       base.Add(time.Duration(n)*time.Microsecond + time.Second),
		Document:       document(id, issuerID, slots),
	}
}

// document is a realistic ~2 KB signed credential.
func document(id, issuerID string, slots []issuer.StatusSlot) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],`+
		`"id":%q,"type":["VerifiableCredential","OpenBadgeCredential"],"issuer":{"id":%q,"type":["Profile"],"name":"Example University"},`+
		`"validFrom":"2025-03-14T15:09:26Z","name":"Introduction to Open Badges",`+
		`"credentialSubject":{"type":["AchievementSubject"],"identifier":[{"type":"IdentityObject","identityHash":"sha256$`+
		`9d1f6e3c4b2a8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170","identityType":"emailAddress","hashed":true,"salt":"c2FsdA"}],`+
		`"achievement":{"id":"https://example.org/achievements/1","type":["Achievement"],"name":"Introduction to Open Badges",`+
		`"description":"Awarded for completing the introductory course on verifiable credentials and Open Badges 3.0, `+
		`including the practical exercises on issuing, verifying and revoking badges.","criteria":{"narrative":"Complete all `+
		`four modules and pass the final assessment with a score of at least 80 percent."},"image":{"id":"https://example.org/img/1.png","type":"Image"}}},`,
		id, issuerID)
	b.WriteString(`"credentialStatus":[`)
	for i, s := range slots {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"https://example.org/status/%s#%d","type":"BitstringStatusListEntry","statusPurpose":%q,"statusListIndex":"%d","statusListCredential":"https://example.org/status/%s"}`,
			s.ListID, s.Index, s.Purpose, s.Index, s.ListID)
	}
	sig := make([]byte, 64)
	for i := range sig {
		sig[i] = byte(i*31 + len(id))
	}
	fmt.Fprintf(&b, `],"proof":{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","created":"2025-03-14T15:09:26Z",`+
		`"verificationMethod":"%s#key-1","proofPurpose":"assertionMethod","proofValue":"z%s"}}`, issuerID, base64.RawURLEncoding.EncodeToString(sig))
	for b.Len() < 2048 {
		b.WriteString(" ")
	}
	return b.Bytes()
}

func award(t testing.TB, s Store, issuerID string, purposes []issuer.StatusPurpose, size int) *issuer.CredentialRecord {
	t.Helper()
	rec, err := s.Award(context.Background(), issuerID, purposes, size, func(slots []issuer.StatusSlot) (*issuer.CredentialRecord, error) {
		return record(issuerID, slots), nil
	})
	if err != nil {
		t.Fatalf("Award: %v", err)
	}
	return rec
}

// diffRecord describes how got differs from want ("" if it does not).
func diffRecord(want, got *issuer.CredentialRecord) string {
	var d []string
	f := func(name string, eq bool, w, g any) {
		if !eq {
			d = append(d, fmt.Sprintf("%s: want %v, got %v", name, w, g))
		}
	}
	f("ID", want.ID == got.ID, want.ID, got.ID)
	f("IssuerID", want.IssuerID == got.IssuerID, want.IssuerID, got.IssuerID)
	f("AchievementID", want.AchievementID == got.AchievementID, want.AchievementID, got.AchievementID)
	f("RecipientEmail", want.RecipientEmail == got.RecipientEmail, want.RecipientEmail, got.RecipientEmail)
	f("RecipientDID", want.RecipientDID == got.RecipientDID, want.RecipientDID, got.RecipientDID)
	f("Slots", slices.Equal(want.Slots, got.Slots), want.Slots, got.Slots)
	f("Status", want.Status == got.Status, want.Status, got.Status)
	f("ValidFrom", want.ValidFrom.Equal(got.ValidFrom), want.ValidFrom, got.ValidFrom)
	f("ValidUntil", want.ValidUntil.Equal(got.ValidUntil), want.ValidUntil, got.ValidUntil)
	f("IssuedAt", want.IssuedAt.Equal(got.IssuedAt), want.IssuedAt, got.IssuedAt)
	f("Document", bytes.Equal(want.Document, got.Document), len(want.Document), len(got.Document))
	return strings.Join(d, "; ")
}

func getList(t testing.TB, s Store, id string) *issuer.StatusList {
	t.Helper()
	l, err := s.GetStatusList(context.Background(), id)
	if err != nil {
		t.Fatalf("GetStatusList(%s): %v", id, err)
	}
	return l
}

func bit(bits []byte, i int) bool { return bits[i/8]&(0x80>>(i%8)) != 0 }

func setBits(bits []byte) []int {
	var out []int
	for i := range len(bits) * 8 {
		if bit(bits, i) {
			out = append(out, i)
		}
	}
	return out
}

func slotOf(rec *issuer.CredentialRecord, p issuer.StatusPurpose) issuer.StatusSlot {
	for _, s := range rec.Slots {
		if s.Purpose == p {
			return s
		}
	}
	panic("storetest: no slot for " + string(p))
}

// ---------------------------------------------------------------- tests

func testIssuers(t *testing.T, s Store) {
	ctx := context.Background()
	if got, err := s.ListIssuers(ctx); err != nil || len(got) != 0 {
		t.Fatalf("ListIssuers on an empty store = %v, %v", got, err)
	}
	a := newIssuer(t, s, "did:web:a.example")
	b := newIssuer(t, s, "did:key:z6MkB")
	dup := *a
	dup.Profile.Name = "other"
	if err := s.CreateIssuer(ctx, &dup); !errors.Is(err, issuer.ErrExists) {
		t.Fatalf("CreateIssuer(duplicate) = %v, want ErrExists", err)
	}
	got, err := s.GetIssuer(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != a.ID || got.Profile != a.Profile || got.KeyType != a.KeyType || got.VerificationMethod != a.VerificationMethod ||
		!bytes.Equal(got.SealedKey, a.SealedKey) || !got.CreatedAt.Equal(a.CreatedAt) {
		t.Fatalf("GetIssuer = %+v, want %+v", got, a)
	}
	if _, err := s.GetIssuer(ctx, "did:web:nobody"); !errors.Is(err, issuer.ErrNotFound) {
		t.Fatalf("GetIssuer(unknown) = %v, want ErrNotFound", err)
	}
	all, err := s.ListIssuers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, r := range all {
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{b.ID, a.ID}) {
		t.Fatalf("ListIssuers ids = %v", ids)
	}
}

func testAwardRoundTrip(t *testing.T, s Store) {
	ctx := context.Background()
	is := newIssuer(t, s, "did:web:round.example")
	var built *issuer.CredentialRecord
	var buildSlots []issuer.StatusSlot
	calls := 0
	got, err := s.Award(ctx, is.ID, both, ListSize, func(slots []issuer.StatusSlot) (*issuer.CredentialRecord, error) {
		calls++
		buildSlots = slices.Clone(slots)
		built = record(is.ID, slots)
		// Nanoseconds below the microsecond are not promised.
		built.ValidUntil = time.Time{} // no expiry
		return built, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Fatalf("build called %d times", calls)
	}
	if len(buildSlots) != 2 {
		t.Fatalf("build got %d slots, want 2", len(buildSlots))
	}
	for i, sl := range buildSlots {
		if sl.Purpose != both[i] {
			t.Errorf("slot %d purpose %q, want %q", i, sl.Purpose, both[i])
		}
		if sl.Index < 0 || sl.Index >= ListSize {
			t.Errorf("slot %d index %d outside [0,%d)", i, sl.Index, ListSize)
		}
		l := getList(t, s, sl.ListID)
		if l.Purpose != sl.Purpose || l.IssuerID != is.ID || l.Size != ListSize || l.Used != 1 || l.Version != 1 ||
			len(l.Key) != 32 || len(l.Bits) != ListSize/8 || len(setBits(l.Bits)) != 0 {
			t.Errorf("list %s = %+v", sl.ListID, l)
		}
		if want := issuer.StatusIndex(l.Key, l.Size, 0); sl.Index != want {
			t.Errorf("slot %d index %d, want StatusIndex(key, size, 0) = %d", i, sl.Index, want)
		}
		if l.CreatedAt.IsZero() || l.UpdatedAt.IsZero() {
			t.Errorf("list %s without times: %+v", sl.ListID, l)
		}
		for _, c := range l.ID {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				t.Errorf("list id %q is not URL-safe", l.ID)
				break
			}
		}
	}
	if buildSlots[0].ListID == buildSlots[1].ListID {
		t.Fatalf("revocation and suspension share list %s", buildSlots[0].ListID)
	}
	want := *built
	want.Status = issuer.StatusActive
	if d := diffRecord(&want, got); d != "" {
		t.Fatalf("Award returned: %s", d)
	}
	stored, err := s.GetCredential(ctx, got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffRecord(&want, stored); d != "" {
		t.Fatalf("GetCredential: %s", d)
	}
	if _, err := s.GetCredential(ctx, "urn:uuid:unknown"); !errors.Is(err, issuer.ErrNotFound) {
		t.Fatalf("GetCredential(unknown) = %v, want ErrNotFound", err)
	}
	// The second award uses the same lists and the next permutation index.
	second := award(t, s, is.ID, both, ListSize)
	for i, sl := range second.Slots {
		if sl.ListID != buildSlots[i].ListID {
			t.Errorf("second award slot %d in list %s, want %s", i, sl.ListID, buildSlots[i].ListID)
		}
		l := getList(t, s, sl.ListID)
		if want := issuer.StatusIndex(l.Key, l.Size, 1); sl.Index != want || l.Used != 2 {
			t.Errorf("second award slot %d index %d (used %d), want %d", i, sl.Index, l.Used, want)
		}
	}
	// Purposes in the other order: slots follow the caller's order.
	rev := award(t, s, is.ID, []issuer.StatusPurpose{issuer.PurposeSuspension, issuer.PurposeRevocation}, ListSize)
	if rev.Slots[0].Purpose != issuer.PurposeSuspension || rev.Slots[0].ListID != buildSlots[1].ListID ||
		rev.Slots[1].Purpose != issuer.PurposeRevocation || rev.Slots[1].ListID != buildSlots[0].ListID {
		t.Fatalf("reversed purposes: slots %+v", rev.Slots)
	}
}

func testAwardNoStatus(t *testing.T, s Store) {
	ctx := context.Background()
	is := newIssuer(t, s, "did:web:nostatus.example")
	rec := award(t, s, is.ID, nil, ListSize)
	if len(rec.Slots) != 0 {
		t.Fatalf("slots %+v, want none", rec.Slots)
	}
	got, err := s.GetCredential(ctx, rec.ID)
	if err != nil || len(got.Slots) != 0 || got.Status != issuer.StatusActive {
		t.Fatalf("GetCredential = %+v, %v", got, err)
	}
	if lists, err := s.ListStatusLists(ctx, is.ID); err != nil || len(lists) != 0 {
		t.Fatalf("lists = %v, %v; want none", lists, err)
	}
}

func testAwardUnknownIssuer(t *testing.T, s Store) {
	_, err := s.Award(context.Background(), "did:web:nobody", both, ListSize, func([]issuer.StatusSlot) (*issuer.CredentialRecord, error) {
		t.Error("build called for an unknown issuer")
		return nil, errors.New("unreachable")
	})
	if !errors.Is(err, issuer.ErrNotFound) {
		t.Fatalf("Award(unknown issuer) = %v, want ErrNotFound", err)
	}
}

// testAwardInvalid: invalid arguments are refused before anything is
// reserved; an invalid record (build's output) is refused and not
// recorded, its slots staying unused.
func testAwardInvalid(t *testing.T, s Store) {
	ctx := context.Background()
	is := newIssuer(t, s, "did:web:invalid.example")
	build := func(slots []issuer.StatusSlot) (*issuer.CredentialRecord, error) { return record(is.ID, slots), nil }
	for name, c := range map[string]struct {
		purposes []issuer.StatusPurpose
		size     int
	}{
		"size 0":          {both, 0},
		"size 1":          {both, 1},
		"size not /8":     {both, 20},
		"negative size":   {both, -8},
		"unknown purpose": {[]issuer.StatusPurpose{"refresh"}, ListSize},
		"purpose twice":   {[]issuer.StatusPurpose{issuer.PurposeRevocation, issuer.PurposeRevocation}, ListSize},
	} {
		if _, err := s.Award(ctx, is.ID, c.purposes, c.size, build); err == nil {
			t.Errorf("%s: Award succeeded", name)
		}
	}
	if lists, err := s.ListStatusLists(ctx, is.ID); err != nil || len(lists) != 0 {
		t.Fatalf("after invalid arguments: lists %v, %v", lists, err)
	}
	for name, build := range map[string]func([]issuer.StatusSlot) (*issuer.CredentialRecord, error){
		"nil record": func([]issuer.StatusSlot) (*issuer.CredentialRecord, error) { return nil, nil },
		"record for other": func(sl []issuer.StatusSlot) (*issuer.CredentialRecord, error) {
			return record("did:web:other", sl), nil
		},
		"record without id": func(sl []issuer.StatusSlot) (*issuer.CredentialRecord, error) {
			r := record(is.ID, sl)
			r.ID = ""
			return r, nil
		},
		"revoked at birth": func(sl []issuer.StatusSlot) (*issuer.CredentialRecord, error) {
			r := record(is.ID, sl)
			r.Status = issuer.StatusRevoked
			return r, nil
		},
	} {
		if _, err := s.Award(ctx, is.ID, both, ListSize, build); err == nil {
			t.Errorf("%s: Award succeeded", name)
		}
	}
	if recs, total, err := s.ListCredentials(ctx, is.ID, 0, 100); err != nil || total != 0 || len(recs) != 0 {
		t.Fatalf("after invalid awards: %d records (total %d), %v", len(recs), total, err)
	}
	Check(t, s, is.ID, both)
}

// testAwardBuildError: build runs after the slots are reserved, outside the
// store's locks, so a failed build leaves its slots reserved: they are
// never handed out again (a gap in the list, whose bit is never set), and
// nothing is recorded.
func testAwardBuildError(t *testing.T, s Store) {
	ctx := context.Background()
	is := newIssuer(t, s, "did:web:builderr.example")
	errBuild := errors.New("signing failed")
	var failedSlots [][]issuer.StatusSlot
	failing := func(slots []issuer.StatusSlot) (*issuer.CredentialRecord, error) {
		failedSlots = append(failedSlots, slices.Clone(slots))
		return nil, errBuild
	}
	if _, err := s.Award(ctx, is.ID, both, ListSize, failing); !errors.Is(err, errBuild) {
		t.Fatalf("Award = %v, want the build error", err)
	}
	first := award(t, s, is.ID, both, ListSize)
	if _, err := s.Award(ctx, is.ID, both, ListSize, failing); !errors.Is(err, errBuild) {
		t.Fatalf("Award = %v, want the build error", err)
	}
	next := award(t, s, is.ID, both, ListSize)
	for j, sl := range first.Slots {
		l := getList(t, s, sl.ListID)
		if l.Used != 4 {
			t.Fatalf("list %s used = %d after two failed and two good awards, want 4", sl.ListID, l.Used)
		}
		// The awards took StatusIndex(key, size, 0..3) in turn, the
		// failed ones included.
		for k, got := range []issuer.StatusSlot{failedSlots[0][j], first.Slots[j], failedSlots[1][j], next.Slots[j]} {
			if got.ListID != l.ID || got.Index != issuer.StatusIndex(l.Key, l.Size, k) {
				t.Fatalf("award %d, purpose %s: slot %+v, want index %d of %s", k, l.Purpose, got, issuer.StatusIndex(l.Key, l.Size, k), l.ID)
			}
		}
	}
	if recs, total, err := s.ListCredentials(ctx, is.ID, 0, 0); err != nil || total != 2 || len(recs) != 2 {
		t.Fatalf("%d records (total %d), %v; want 2", len(recs), total, err)
	}
	// Context cancelled before the award: nothing reserved or recorded.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Award(cctx, is.ID, both, ListSize, func(sl []issuer.StatusSlot) (*issuer.CredentialRecord, error) {
		return record(is.ID, sl), nil
	}); err == nil {
		t.Fatal("Award with a cancelled context succeeded")
	}
	for _, sl := range first.Slots {
		if l := getList(t, s, sl.ListID); l.Used != 4 {
			t.Fatalf("list %s used = %d, want 4", sl.ListID, l.Used)
		}
	}
	Check(t, s, is.ID, both)
}

func testAwardDuplicateID(t *testing.T, s Store) {
	ctx := context.Background()
	is := newIssuer(t, s, "did:web:dup.example")
	first := award(t, s, is.ID, both, ListSize)
	_, err := s.Award(ctx, is.ID, both, ListSize, func(slots []issuer.StatusSlot) (*issuer.CredentialRecord, error) {
		r := record(is.ID, slots)
		r.ID = first.ID
		return r, nil
	})
	if !errors.Is(err, issuer.ErrExists) {
		t.Fatalf("Award(duplicate id) = %v, want ErrExists", err)
	}
	// The rejected award's slots stay reserved, unused.
	for _, sl := range first.Slots {
		if l := getList(t, s, sl.ListID); l.Used != 2 {
			t.Fatalf("list %s used = %d after a rejected award, want 2", sl.ListID, l.Used)
		}
	}
	got, err := s.GetCredential(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffRecord(first, got); d != "" {
		t.Fatalf("the first record changed: %s", d)
	}
}

func testListFills(t *testing.T, s Store) {
	ctx := context.Background()
	is := newIssuer(t, s, "did:web:fill.example")
	const n = 2*ListSize + ListSize/2
	perList := map[string][]int{}
	var order []string
	for range n {
		rec := award(t, s, is.ID, []issuer.StatusPurpose{issuer.PurposeRevocation}, ListSize)
		sl := rec.Slots[0]
		if _, ok := perList[sl.ListID]; !ok {
			order = append(order, sl.ListID)
		}
		perList[sl.ListID] = append(perList[sl.ListID], sl.Index)
	}
	if len(order) != 3 {
		t.Fatalf("%d awards on lists of %d used %d lists, want 3", n, ListSize, len(order))
	}
	lists, err := s.ListStatusLists(ctx, is.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(lists) != 3 {
		t.Fatalf("ListStatusLists: %d lists, want 3", len(lists))
	}
	keys := map[string]bool{}
	for i, id := range order {
		l := getList(t, s, id)
		wantUsed := ListSize
		if i == 2 {
			wantUsed = ListSize / 2
		}
		if l.Used != wantUsed || len(perList[id]) != wantUsed {
			t.Errorf("list %d: used %d, %d slots; want %d", i, l.Used, len(perList[id]), wantUsed)
		}
		for k, idx := range perList[id] {
			if want := issuer.StatusIndex(l.Key, l.Size, k); idx != want {
				t.Errorf("list %d award %d: index %d, want %d", i, k, idx, want)
			}
		}
		if i < 2 {
			got := slices.Sorted(slices.Values(perList[id]))
			for k := range ListSize {
				if got[k] != k {
					t.Fatalf("full list %d does not hand out every index exactly once: %v", i, got)
				}
			}
		}
		if keys[string(l.Key)] {
			t.Errorf("list %d reuses a key", i)
		}
		keys[string(l.Key)] = true
	}
}

func testListsPerIssuer(t *testing.T, s Store) {
	ctx := context.Background()
	a := newIssuer(t, s, "did:web:pa.example")
	b := newIssuer(t, s, "did:web:pb.example")
	ra := award(t, s, a.ID, both, ListSize)
	rb := award(t, s, b.ID, both, ListSize)
	for i := range both {
		if ra.Slots[i].ListID == rb.Slots[i].ListID {
			t.Fatal("two issuers share a status list")
		}
	}
	la, _ := s.ListStatusLists(ctx, a.ID)
	lb, _ := s.ListStatusLists(ctx, b.ID)
	if len(la) != 2 || len(lb) != 2 {
		t.Fatalf("lists: %d and %d, want 2 each", len(la), len(lb))
	}
}

// Check verifies the allocation invariants of an issuer's data: every
// record has one slot per purpose (in the lists of that purpose), no (list,
// index) pair is handed out twice, every recorded slot of a list is one of
// StatusIndex(key, size, 0..Used-1) (so at most Used are recorded: an award
// that failed after its slots were reserved leaves them unused), and at
// most one list per purpose has room. It returns the number of records.
func Check(t testing.TB, s Store, issuerID string, purposes []issuer.StatusPurpose) int {
	t.Helper()
	return check(t, s, issuerID, purposes, false)
}

// CheckExact is Check for an issuer none of whose awards failed: every
// slot a list handed out is recorded.
func CheckExact(t testing.TB, s Store, issuerID string, purposes []issuer.StatusPurpose) int {
	t.Helper()
	return check(t, s, issuerID, purposes, true)
}

func check(t testing.TB, s Store, issuerID string, purposes []issuer.StatusPurpose, exact bool) int {
	t.Helper()
	ctx := context.Background()
	recs, total, err := s.ListCredentials(ctx, issuerID, 0, 0)
	if err != nil {
		t.Fatalf("ListCredentials: %v", err)
	}
	if total != len(recs) {
		t.Fatalf("ListCredentials: %d records, total %d", len(recs), total)
	}
	lists, err := s.ListStatusLists(ctx, issuerID)
	if err != nil {
		t.Fatalf("ListStatusLists: %v", err)
	}
	byID := map[string]*issuer.StatusList{}
	for _, l := range lists {
		byID[l.ID] = l
	}
	type pair struct {
		list  string
		index int
	}
	seen := map[pair]string{}
	perList := map[string][]int{}
	ids := map[string]bool{}
	for _, r := range recs {
		if ids[r.ID] {
			t.Fatalf("record %s listed twice", r.ID)
		}
		ids[r.ID] = true
		if len(r.Slots) != len(purposes) {
			t.Fatalf("record %s has %d slots, want %d", r.ID, len(r.Slots), len(purposes))
		}
		for i, sl := range r.Slots {
			l := byID[sl.ListID]
			if l == nil || sl.Purpose != purposes[i] || l.Purpose != sl.Purpose {
				t.Fatalf("record %s slot %d = %+v: unknown list or wrong purpose", r.ID, i, sl)
			}
			if sl.Index < 0 || sl.Index >= l.Size {
				t.Fatalf("record %s slot %d index %d outside [0,%d)", r.ID, i, sl.Index, l.Size)
			}
			p := pair{sl.ListID, sl.Index}
			if other, dup := seen[p]; dup {
				t.Fatalf("index %d of list %s handed out twice: %s and %s", sl.Index, sl.ListID, other, r.ID)
			}
			seen[p] = r.ID
			perList[sl.ListID] = append(perList[sl.ListID], sl.Index)
		}
	}
	open := map[issuer.StatusPurpose]int{}
	for _, l := range lists {
		got := perList[l.ID]
		// A list's Used counts the slots it handed out: the recorded ones,
		// and those of awards that failed (or were killed) after their
		// slots were reserved, which stay unused forever.
		if l.Used < len(got) {
			t.Fatalf("list %s: used %d but %d slots recorded", l.ID, l.Used, len(got))
		}
		handed := map[int]bool{}
		for k := range l.Used {
			handed[issuer.StatusIndex(l.Key, l.Size, k)] = true
		}
		for _, idx := range got {
			if !handed[idx] {
				t.Fatalf("list %s: recorded index %d is not StatusIndex(key, size, 0..%d)", l.ID, idx, l.Used-1)
			}
		}
		if exact && l.Used != len(got) {
			t.Fatalf("list %s: used %d but %d slots recorded, and no award failed", l.ID, l.Used, len(got))
		}
		if l.Used < l.Size {
			open[l.Purpose]++
		}
	}
	for p, n := range open {
		if n > 1 {
			t.Fatalf("%d lists for %s are not full: a list was started while another had room", n, p)
		}
	}
	return len(recs)
}

func testConcurrentAwards(t *testing.T, s Store) {
	const (
		workers = 16
		total   = 2000
		size    = 256 // 2000 awards fill 7 lists per purpose and start an 8th
	)
	is := newIssuer(t, s, "did:web:concurrent.example")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var (
		next atomic.Int64
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		ids  = map[string]bool{}
	)
	for range workers {
		wg.Go(func() {
			for next.Add(1) <= total {
				rec, err := s.Award(ctx, is.ID, both, size, func(slots []issuer.StatusSlot) (*issuer.CredentialRecord, error) {
					return record(is.ID, slots), nil
				})
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					ids[rec.ID] = true
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d awards failed, first: %v", len(errs), errs[0])
	}
	if n := CheckExact(t, s, is.ID, both); n != total || len(ids) != total {
		t.Fatalf("%d records stored, %d returned; want %d", n, len(ids), total)
	}
	lists, _ := s.ListStatusLists(ctx, is.ID)
	sum := map[issuer.StatusPurpose]int{}
	for _, l := range lists {
		sum[l.Purpose] += l.Used
	}
	if sum[issuer.PurposeRevocation] != total || sum[issuer.PurposeSuspension] != total {
		t.Fatalf("used counters sum to %v, want %d each", sum, total)
	}
	if want := 2 * ((total + size - 1) / size); len(lists) != want {
		t.Fatalf("%d lists, want %d", len(lists), want)
	}
}

// testConcurrentDuplicates: awards recorded at the same moment (SQLite
// commits them together) stay all or nothing each: of two concurrent
// awards with one id, exactly one is recorded and the other is ErrExists,
// and neither takes the awards around it down.
func testConcurrentDuplicates(t *testing.T, s Store) {
	const (
		workers = 16
		total   = 400 // awards 2k and 2k+1 share an id
	)
	is := newIssuer(t, s, "did:web:duplicates.example")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var (
		next              atomic.Int64
		wg                sync.WaitGroup
		mu                sync.Mutex
		recorded, existed int
		other             []error
		ids               = map[string]int{}
	)
	for range workers {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= total {
					return
				}
				rec, err := s.Award(ctx, is.ID, both, 64, func(slots []issuer.StatusSlot) (*issuer.CredentialRecord, error) {
					r := record(is.ID, slots)
					r.ID = fmt.Sprintf("urn:uuid:%08x-0000-4000-9000-%012d", runID, i/2)
					r.Document = document(r.ID, is.ID, slots)
					return r, nil
				})
				mu.Lock()
				switch {
				case err == nil:
					recorded++
					ids[rec.ID]++
				case errors.Is(err, issuer.ErrExists):
					existed++
				default:
					other = append(other, err)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(other) > 0 {
		t.Fatalf("%d awards failed otherwise, first: %v", len(other), other[0])
	}
	if recorded != total/2 || existed != total/2 {
		t.Fatalf("%d recorded, %d ErrExists; want %d each", recorded, existed, total/2)
	}
	for id, n := range ids {
		if n != 1 {
			t.Fatalf("%s returned as recorded %d times", id, n)
		}
	}
	if n := check(t, s, is.ID, both, false); n != total/2 {
		t.Fatalf("%d records stored, want %d", n, total/2)
	}
}

type step struct {
	action   string
	conflict bool
	status   string // status after the step
}

func testChangeStatusRules(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	ctx := context.Background()
	is := newIssuer(t, s, "did:web:rules.example")
	R, S, I := issuer.ActionRevoke, issuer.ActionSuspend, issuer.ActionReinstate
	active, revoked, suspended := issuer.StatusActive, issuer.StatusRevoked, issuer.StatusSuspended
	cases := []struct {
		name     string
		purposes []issuer.StatusPurpose
		steps    []step
	}{
		{"revoke", both, []step{{R, false, revoked}}},
		{"revoke twice is idempotent", both, []step{{R, false, revoked}, {R, false, revoked}}},
		{"reinstate revoked", both, []step{{R, false, revoked}, {I, true, revoked}}},
		{"suspend revoked", both, []step{{R, false, revoked}, {S, true, revoked}}},
		{"suspend", both, []step{{S, false, suspended}}},
		{"suspend twice is idempotent", both, []step{{S, false, suspended}, {S, false, suspended}}},
		{"suspend reinstate", both, []step{{S, false, suspended}, {I, false, active}}},
		{"suspend reinstate suspend", both, []step{{S, false, suspended}, {I, false, active}, {S, false, suspended}}},
		{"reinstate active", both, []step{{I, true, active}}},
		{"reinstate twice", both, []step{{S, false, suspended}, {I, false, active}, {I, true, active}}},
		{"revoke suspended", both, []step{{S, false, suspended}, {R, false, revoked}, {I, true, revoked}}},
		{"suspend without suspension slot", []issuer.StatusPurpose{issuer.PurposeRevocation}, []step{{S, true, active}, {R, false, revoked}}},
		{"revoke without revocation slot", []issuer.StatusPurpose{issuer.PurposeSuspension}, []step{{R, false, revoked}, {I, true, revoked}}},
		{"no slots", nil, []step{{S, true, active}, {I, true, active}, {R, false, revoked}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := award(t, s, is.ID, c.purposes, ListSize)
			for i, st := range c.steps {
				got, err := s.ChangeStatus(ctx, issuer.StatusEvent{CredentialID: rec.ID, Action: st.action, Actor: "admin", Reason: "test", At: base})
				if st.conflict {
					if !errors.Is(err, issuer.ErrConflict) {
						t.Fatalf("step %d %s: err = %v, want ErrConflict", i, st.action, err)
					}
				} else if err != nil {
					t.Fatalf("step %d %s: %v", i, st.action, err)
				} else if got.Status != st.status {
					t.Fatalf("step %d %s: returned status %s, want %s", i, st.action, got.Status, st.status)
				}
				stored, err := s.GetCredential(ctx, rec.ID)
				if err != nil {
					t.Fatal(err)
				}
				if stored.Status != st.status {
					t.Fatalf("step %d %s: stored status %s, want %s", i, st.action, stored.Status, st.status)
				}
			}
		})
	}
	t.Run("unknown action", func(t *testing.T) {
		rec := award(t, s, is.ID, both, ListSize)
		if _, err := s.ChangeStatus(ctx, issuer.StatusEvent{CredentialID: rec.ID, Action: "delete"}); err == nil {
			t.Fatal("unknown action accepted")
		}
		if evs, err := s.Events(ctx, rec.ID); err != nil || len(evs) != 0 {
			t.Fatalf("events = %v, %v", evs, err)
		}
	})
}

func testChangeStatusBits(t *testing.T, s Store) {
	ctx := context.Background()
	is := newIssuer(t, s, "did:web:bits.example")
	// Several records, so that the lists hold more than one slot.
	var recs []*issuer.CredentialRecord
	for range 5 {
		recs = append(recs, award(t, s, is.ID, both, ListSize))
	}
	target := recs[2]
	rs, ss := slotOf(target, issuer.PurposeRevocation), slotOf(target, issuer.PurposeSuspension)
	expect := func(what string, listID string, wantBits []int, wantVersion int64) {
		t.Helper()
		l := getList(t, s, listID)
		if got := setBits(l.Bits); !slices.Equal(got, wantBits) {
			t.Fatalf("%s: list %s set bits %v, want %v", what, listID, got, wantBits)
		}
		if l.Version != wantVersion {
			t.Fatalf("%s: list %s version %d, want %d", what, listID, l.Version, wantVersion)
		}
	}
	change := func(action string) {
		t.Helper()
		if _, err := s.ChangeStatus(ctx, issuer.StatusEvent{CredentialID: target.ID, Action: action, Actor: "a"}); err != nil {
			t.Fatalf("%s: %v", action, err)
		}
	}
	before := getList(t, s, ss.ListID)
	change(issuer.ActionSuspend)
	expect("suspend", ss.ListID, []int{ss.Index}, 2)
	expect("suspend", rs.ListID, nil, 1)
	// Bit order: bit 0 is the most significant bit of byte 0.
	l := getList(t, s, ss.ListID)
	if l.Bits[ss.Index/8] != 0x80>>(ss.Index%8) {
		t.Fatalf("suspension bit %d: byte %d = %08b", ss.Index, ss.Index/8, l.Bits[ss.Index/8])
	}
	if l.UpdatedAt.Before(before.UpdatedAt) {
		t.Fatalf("UpdatedAt went back: %v -> %v", before.UpdatedAt, l.UpdatedAt)
	}
	change(issuer.ActionSuspend) // idempotent: no bit change, no version bump
	expect("suspend again", ss.ListID, []int{ss.Index}, 2)
	change(issuer.ActionReinstate)
	expect("reinstate", ss.ListID, nil, 3)
	// Another record suspended alongside.
	other := recs[4]
	if _, err := s.ChangeStatus(ctx, issuer.StatusEvent{CredentialID: other.ID, Action: issuer.ActionSuspend}); err != nil {
		t.Fatal(err)
	}
	os := slotOf(other, issuer.PurposeSuspension)
	change(issuer.ActionSuspend)
	expect("two suspended", ss.ListID, slices.Sorted(slices.Values([]int{ss.Index, os.Index})), 5)
	change(issuer.ActionRevoke)
	expect("revoke", rs.ListID, []int{rs.Index}, 2)
	l = getList(t, s, rs.ListID)
	if l.Bits[rs.Index/8] != 0x80>>(rs.Index%8) {
		t.Fatalf("revocation bit %d: byte %d = %08b", rs.Index, rs.Index/8, l.Bits[rs.Index/8])
	}
	change(issuer.ActionRevoke)
	expect("revoke again", rs.ListID, []int{rs.Index}, 2)
	// Used never moves with status changes.
	if l.Used != 5 {
		t.Fatalf("used = %d, want 5", l.Used)
	}
	// The other records are untouched.
	for _, r := range recs {
		got, err := s.GetCredential(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := issuer.StatusActive
		switch r.ID {
		case target.ID:
			want = issuer.StatusRevoked
		case other.ID:
			want = issuer.StatusSuspended
		}
		if got.Status != want {
			t.Fatalf("%s: status %s, want %s", r.ID, got.Status, want)
		}
	}
}

func testChangeStatusWithoutSlots(t *testing.T, s Store) {
	ctx := context.Background()
	is := newIssuer(t, s, "did:web:noslot.example")
	rec := award(t, s, is.ID, []issuer.StatusPurpose{issuer.PurposeSuspension}, ListSize)
	got, err := s.ChangeStatus(ctx, issuer.StatusEvent{CredentialID: rec.ID, Action: issuer.ActionRevoke})
	if err != nil || got.Status != issuer.StatusRevoked {
		t.Fatalf("revoke without a revocation slot = %+v, %v", got, err)
	}
	l := getList(t, s, rec.Slots[0].ListID)
	if len(setBits(l.Bits)) != 0 || l.Version != 1 {
		t.Fatalf("revoke touched the suspension list: bits %v, version %d", setBits(l.Bits), l.Version)
	}
}

func testChangeStatusUnknown(t *testing.T, s Store) {
	_, err := s.ChangeStatus(context.Background(), issuer.StatusEvent{CredentialID: "urn:uuid:nope", Action: issuer.ActionRevoke})
	if !errors.Is(err, issuer.ErrNotFound) {
		t.Fatalf("ChangeStatus(unknown) = %v, want ErrNotFound", err)
	}
}

// testConcurrentStatusChanges: status changes of different credentials on
// the same lists, concurrent with awards, lose no bit (the lists' bits are
// read-modify-written).
func testConcurrentStatusChanges(t *testing.T, s Store) {
	ctx := context.Background()
	is := newIssuer(t, s, "did:web:concstatus.example")
	const n = 64
	var recs []*issuer.CredentialRecord
	for range n {
		recs = append(recs, award(t, s, is.ID, both, 128))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i, r := range recs {
		wg.Go(func() {
			action := issuer.ActionRevoke
			if i%2 == 1 {
				action = issuer.ActionSuspend
			}
			if _, err := s.ChangeStatus(ctx, issuer.StatusEvent{CredentialID: r.ID, Action: action, Actor: "bulk"}); err != nil {
				errs <- err
			}
		})
	}
	for range 8 {
		wg.Go(func() {
			if _, err := s.Award(ctx, is.ID, both, 128, func(sl []issuer.StatusSlot) (*issuer.CredentialRecord, error) {
				return record(is.ID, sl), nil
			}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	revList := getList(t, s, recs[0].Slots[0].ListID)
	susList := getList(t, s, recs[0].Slots[1].ListID)
	var wantRev, wantSus []int
	for i, r := range recs {
		if i%2 == 0 {
			wantRev = append(wantRev, r.Slots[0].Index)
		} else {
			wantSus = append(wantSus, r.Slots[1].Index)
		}
	}
	slices.Sort(wantRev)
	slices.Sort(wantSus)
	if got := setBits(revList.Bits); !slices.Equal(got, wantRev) {
		t.Fatalf("revocation bits %v, want %v", got, wantRev)
	}
	if got := setBits(susList.Bits); !slices.Equal(got, wantSus) {
		t.Fatalf("suspension bits %v, want %v", got, wantSus)
	}
	if revList.Version != 1+n/2 || susList.Version != 1+n/2 {
		t.Fatalf("versions %d and %d, want %d", revList.Version, susList.Version, 1+n/2)
	}
	CheckExact(t, s, is.ID, both)
}

func testEvents(t *testing.T, s Store) {
	ctx := context.Background()
	is := newIssuer(t, s, "did:web:events.example")
	rec := award(t, s, is.ID, both, ListSize)
	if evs, err := s.Events(ctx, rec.ID); err != nil || len(evs) != 0 {
		t.Fatalf("Events of a new credential = %v, %v", evs, err)
	}
	want := []issuer.StatusEvent{
		{CredentialID: rec.ID, Action: issuer.ActionSuspend, Reason: "under review", Actor: "alice@example.org", At: base.Add(time.Hour)},
		{CredentialID: rec.ID, Action: issuer.ActionReinstate, Reason: "cleared", Actor: "bob@example.org", At: base.Add(2 * time.Hour)},
		// Times need not be increasing: events are kept in the order applied.
		{CredentialID: rec.ID, Action: issuer.ActionRevoke, Reason: "fraud — confirmed", Actor: "alice@example.org", At: base.Add(90 * time.Minute)},
	}
	for _, ev := range want {
		if _, err := s.ChangeStatus(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	// Refused and idempotent changes are not events.
	if _, err := s.ChangeStatus(ctx, issuer.StatusEvent{CredentialID: rec.ID, Action: issuer.ActionReinstate, At: base}); !errors.Is(err, issuer.ErrConflict) {
		t.Fatalf("reinstate revoked = %v", err)
	}
	if _, err := s.ChangeStatus(ctx, issuer.StatusEvent{CredentialID: rec.ID, Action: issuer.ActionRevoke, At: base}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Events(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i].CredentialID != want[i].CredentialID || got[i].Action != want[i].Action || got[i].Reason != want[i].Reason ||
			got[i].Actor != want[i].Actor || !got[i].At.Equal(want[i].At) {
			t.Fatalf("event %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// An event without a time gets the store's clock.
	rec2 := award(t, s, is.ID, both, ListSize)
	before := time.Now().Add(-time.Minute)
	if _, err := s.ChangeStatus(ctx, issuer.StatusEvent{CredentialID: rec2.ID, Action: issuer.ActionRevoke, Actor: "x"}); err != nil {
		t.Fatal(err)
	}
	evs, err := s.Events(ctx, rec2.ID)
	if err != nil || len(evs) != 1 || evs[0].At.Before(before) || evs[0].At.After(time.Now().Add(time.Minute)) {
		t.Fatalf("events = %+v, %v; want one stamped now", evs, err)
	}
	if _, err := s.Events(ctx, "urn:uuid:nope"); !errors.Is(err, issuer.ErrNotFound) {
		t.Fatalf("Events(unknown) = %v, want ErrNotFound", err)
	}
}

func testListCredentials(t *testing.T, s Store) {
	ctx := context.Background()
	is := newIssuer(t, s, "did:web:page.example")
	other := newIssuer(t, s, "did:web:other.example")
	const n = 25
	var ids []string
	for i := range n {
		ids = append(ids, award(t, s, is.ID, both, ListSize).ID)
		if i%5 == 0 {
			award(t, s, other.ID, both, ListSize)
		}
	}
	slices.Reverse(ids) // newest first
	var got []string
	for offset := 0; offset < n+10; offset += 10 {
		page, total, err := s.ListCredentials(ctx, is.ID, offset, 10)
		if err != nil {
			t.Fatal(err)
		}
		if total != n {
			t.Fatalf("total = %d, want %d", total, n)
		}
		if want := min(10, max(0, n-offset)); len(page) != want {
			t.Fatalf("page at %d has %d records, want %d", offset, len(page), want)
		}
		for _, r := range page {
			if len(r.Slots) != 2 || r.IssuerID != is.ID || len(r.Document) < 2000 {
				t.Fatalf("paged record %s incomplete: %d slots, issuer %s", r.ID, len(r.Slots), r.IssuerID)
			}
			full, err := s.GetCredential(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if d := diffRecord(full, r); d != "" {
				t.Fatalf("paged record %s: %s", r.ID, d)
			}
			got = append(got, r.ID)
		}
	}
	if !slices.Equal(got, ids) {
		t.Fatalf("paged ids (newest first) = %v, want %v", got, ids)
	}
	all, total, err := s.ListCredentials(ctx, is.ID, 0, 0)
	if err != nil || total != n || len(all) != n {
		t.Fatalf("limit 0: %d records, total %d, %v; want all %d", len(all), total, err, n)
	}
	if page, total, err := s.ListCredentials(ctx, "did:web:nobody", 0, 10); err != nil || total != 0 || len(page) != 0 {
		t.Fatalf("unknown issuer: %v, %d, %v", page, total, err)
	}
	if _, total, _ := s.ListCredentials(ctx, other.ID, 0, 1); total != 5 {
		t.Fatalf("other issuer total = %d, want 5", total)
	}
}

func testStatusLists(t *testing.T, s Store) {
	ctx := context.Background()
	is := newIssuer(t, s, "did:web:lists.example")
	if _, err := s.GetStatusList(ctx, "nolist"); !errors.Is(err, issuer.ErrNotFound) {
		t.Fatalf("GetStatusList(unknown) = %v, want ErrNotFound", err)
	}
	if lists, err := s.ListStatusLists(ctx, is.ID); err != nil || len(lists) != 0 {
		t.Fatalf("ListStatusLists before awards = %v, %v", lists, err)
	}
	for range ListSize + 1 {
		award(t, s, is.ID, both, ListSize)
	}
	lists, err := s.ListStatusLists(ctx, is.ID)
	if err != nil || len(lists) != 4 {
		t.Fatalf("ListStatusLists = %d lists, %v; want 4", len(lists), err)
	}
	for _, l := range lists {
		got := getList(t, s, l.ID)
		if got.ID != l.ID || got.IssuerID != is.ID || got.Purpose != l.Purpose || got.Size != l.Size || got.Used != l.Used ||
			!bytes.Equal(got.Key, l.Key) || !bytes.Equal(got.Bits, l.Bits) || got.Version != l.Version ||
			!got.CreatedAt.Equal(l.CreatedAt) || !got.UpdatedAt.Equal(l.UpdatedAt) {
			t.Fatalf("GetStatusList = %+v, ListStatusLists had %+v", got, l)
		}
	}
	CheckExact(t, s, is.ID, both)
	if got, err := s.ListStatusLists(ctx, "did:web:nobody"); err != nil || len(got) != 0 {
		t.Fatalf("ListStatusLists(unknown issuer) = %v, %v", got, err)
	}
}

// shuffle is used by the crash helper to vary the kill point.
func shuffle(n int) int { return n/2 + rand.IntN(n) }

// testStatusListVersion: a store with the optional ListVersioner gives a
// list's Version as GetStatusList does, however it changes, and
// ErrNotFound for an unknown list.
func testStatusListVersion(t *testing.T, s Store) {
	lv, ok := s.(issuer.ListVersioner)
	if !ok {
		t.Skipf("%T has no StatusListVersion", s)
	}
	ctx := context.Background()
	is := newIssuer(t, s, "did:web:version.example")
	a := award(t, s, is.ID, both, ListSize)
	b := award(t, s, is.ID, both, ListSize)
	for i, step := range []struct {
		id, action string
	}{{"", ""}, {a.ID, issuer.ActionSuspend}, {a.ID, issuer.ActionSuspend}, {b.ID, issuer.ActionRevoke}, {a.ID, issuer.ActionReinstate}} {
		if step.id != "" {
			if _, err := s.ChangeStatus(ctx, issuer.StatusEvent{CredentialID: step.id, Action: step.action, Actor: "test"}); err != nil {
				t.Fatal(err)
			}
		}
		for _, sl := range a.Slots {
			v, err := lv.StatusListVersion(ctx, sl.ListID)
			if want := getList(t, s, sl.ListID).Version; err != nil || v != want {
				t.Fatalf("step %d: version of %s = %d, %v; GetStatusList says %d", i, sl.ListID, v, err, want)
			}
		}
	}
	if v := getList(t, s, slotOf(a, issuer.PurposeSuspension).ListID).Version; v != 3 {
		t.Fatalf("suspension list version %d after a suspend and a reinstate, want 3", v)
	}
	if _, err := lv.StatusListVersion(ctx, "no-such-list"); !errors.Is(err, issuer.ErrNotFound) {
		t.Fatalf("unknown list: %v, want ErrNotFound", err)
	}
}

package storetest

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blason-badges/blason/issuer"
)

// runBatch runs the AwardBatch tests (called by Run).
func runBatch(t *testing.T, open func(t *testing.T) Store) {
	t.Run("AwardBatchRoundTrip", func(t *testing.T) { testBatchRoundTrip(t, open(t)) })
	t.Run("AwardBatchEqualsSingleAwards", func(t *testing.T) { testBatchEqualsSingles(t, open) })
	t.Run("AwardBatchListFills", func(t *testing.T) { testBatchListFills(t, open(t)) })
	t.Run("AwardBatchBuildErrorNeverReusesSlots", func(t *testing.T) { testBatchBuildError(t, open(t)) })
	t.Run("AwardBatchWrongRecords", func(t *testing.T) { testBatchWrongRecords(t, open(t)) })
	t.Run("AwardBatchInvalidArguments", func(t *testing.T) { testBatchInvalid(t, open(t)) })
	t.Run("AwardBatchMax", func(t *testing.T) { testBatchMax(t, open(t)) })
	t.Run("ConcurrentAwardBatches", func(t *testing.T) { testConcurrentBatches(t, open(t)) })
}

// buildRecords is an AwardBatch build: one record per slot set, built
// concurrently (as a signing service would).
func buildRecords(issuerID string) func([][]issuer.StatusSlot) ([]*issuer.CredentialRecord, error) {
	return func(slots [][]issuer.StatusSlot) ([]*issuer.CredentialRecord, error) {
		recs := make([]*issuer.CredentialRecord, len(slots))
		var wg sync.WaitGroup
		const workers = 4
		for w := range workers {
			wg.Go(func() {
				for i := w; i < len(slots); i += workers {
					recs[i] = record(issuerID, slots[i])
				}
			})
		}
		wg.Wait()
		return recs, nil
	}
}

func awardBatch(t testing.TB, s Store, issuerID string, purposes []issuer.StatusPurpose, size, n int) []*issuer.CredentialRecord {
	t.Helper()
	recs, err := s.AwardBatch(context.Background(), issuerID, purposes, size, n, buildRecords(issuerID))
	if err != nil {
		t.Fatalf("AwardBatch(%d): %v", n, err)
	}
	if len(recs) != n {
		t.Fatalf("AwardBatch(%d) returned %d records", n, len(recs))
	}
	return recs
}

// slotShape is a slot seen through its list: the list's position among the
// issuer's lists (creation order) and the counter value that handed it out
// (StatusIndex(key, size, Used) = Index).
type slotShape struct {
	list    int
	purpose issuer.StatusPurpose
	used    int
}

type listShape struct {
	purpose    issuer.StatusPurpose
	size, used int
}

// shape describes an issuer's records (oldest first) and lists
// independently of the lists' random ids and keys, so that two stores that
// allocated the same way have equal shapes. It also checks that no slot is
// handed out twice and that each list's Used counts its slots.
func shape(t testing.TB, s Store, issuerID string) ([][]slotShape, []listShape) {
	t.Helper()
	ctx := context.Background()
	lists, err := s.ListStatusLists(ctx, issuerID)
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	inverse := map[string]map[int]int{} // list id -> index -> counter
	var ls []listShape
	for i, l := range lists {
		pos[l.ID] = i
		inv := map[int]int{}
		for u := range l.Used {
			inv[issuer.StatusIndex(l.Key, l.Size, u)] = u
		}
		inverse[l.ID] = inv
		ls = append(ls, listShape{l.Purpose, l.Size, l.Used})
	}
	recs, _, err := s.ListCredentials(ctx, issuerID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(recs)
	var rs [][]slotShape
	seen := map[slotShape]bool{}
	for _, r := range recs {
		var ss []slotShape
		for _, sl := range r.Slots {
			u, ok := inverse[sl.ListID][sl.Index]
			if !ok {
				t.Fatalf("record %s: slot %+v is not StatusIndex(key, size, 0..used-1) of its list", r.ID, sl)
			}
			sh := slotShape{pos[sl.ListID], sl.Purpose, u}
			if seen[sh] || lists[sh.list].Purpose != sl.Purpose {
				t.Fatalf("record %s: slot %+v handed out twice or in a list of another purpose", r.ID, sl)
			}
			seen[sh] = true
			ss = append(ss, sh)
		}
		rs = append(rs, ss)
	}
	if len(seen) != func() (n int) {
		for _, l := range lists {
			n += l.Used
		}
		return n
	}() {
		t.Fatalf("%d slots recorded, the lists' Used counters sum to something else", len(seen))
	}
	return rs, ls
}

func testBatchRoundTrip(t *testing.T, s Store) {
	ctx := context.Background()
	is := newIssuer(t, s, "did:web:batchround.example")
	const n = 40
	var (
		calls  int
		given  [][]issuer.StatusSlot
		builtR []*issuer.CredentialRecord
	)
	got, err := s.AwardBatch(ctx, is.ID, both, ListSize, n, func(slots [][]issuer.StatusSlot) ([]*issuer.CredentialRecord, error) {
		calls++
		given = make([][]issuer.StatusSlot, len(slots))
		for i := range slots {
			given[i] = slices.Clone(slots[i])
		}
		recs, err := buildRecords(is.ID)(slots)
		builtR = recs
		// build owns what it was given: scribbling over it changes nothing.
		for i := range slots {
			for j := range slots[i] {
				slots[i][j] = issuer.StatusSlot{ListID: "scribbled", Index: -1}
			}
		}
		return recs, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Fatalf("build called %d times", calls)
	}
	if len(given) != n || len(got) != n {
		t.Fatalf("build got %d slot sets, AwardBatch returned %d records; want %d", len(given), len(got), n)
	}
	for i := range n {
		if len(given[i]) != len(both) {
			t.Fatalf("credential %d: %d slots", i, len(given[i]))
		}
		for j, sl := range given[i] {
			if sl.Purpose != both[j] {
				t.Fatalf("credential %d slot %d purpose %s, want %s", i, j, sl.Purpose, both[j])
			}
		}
		want := *builtR[i]
		want.Slots = given[i]
		want.Status = issuer.StatusActive
		if d := diffRecord(&want, got[i]); d != "" {
			t.Fatalf("returned record %d: %s", i, d)
		}
		stored, err := s.GetCredential(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffRecord(&want, stored); d != "" {
			t.Fatalf("stored record %d: %s", i, d)
		}
	}
	// Stored in order: the batch's last record is the newest.
	page, total, err := s.ListCredentials(ctx, is.ID, 0, 0)
	if err != nil || total != n {
		t.Fatalf("ListCredentials: total %d, %v", total, err)
	}
	for i, r := range page {
		if r.ID != got[n-1-i].ID {
			t.Fatalf("ListCredentials[%d] = %s, want record %d (%s)", i, r.ID, n-1-i, got[n-1-i].ID)
		}
	}
	if CheckExact(t, s, is.ID, both) != n {
		t.Fatal("record count")
	}
	// A batch without status purposes.
	plain := awardBatch(t, s, is.ID, nil, ListSize, 3)
	for _, r := range plain {
		if len(r.Slots) != 0 {
			t.Fatalf("record without purposes has slots %+v", r.Slots)
		}
	}
	if _, err := s.AwardBatch(ctx, "did:web:nobody", both, ListSize, 5, func([][]issuer.StatusSlot) ([]*issuer.CredentialRecord, error) {
		t.Error("build called for an unknown issuer")
		return nil, errors.New("unreachable")
	}); !errors.Is(err, issuer.ErrNotFound) {
		t.Fatalf("AwardBatch(unknown issuer) = %v, want ErrNotFound", err)
	}
}

// testBatchEqualsSingles: a batch allocates exactly as single awards do,
// in the same store state: same lists (sizes, counters, creation order,
// purposes interleaved), same counter values in the same order.
func testBatchEqualsSingles(t *testing.T, open func(t *testing.T) Store) {
	const id = "did:web:equal.example"
	reversed := []issuer.StatusPurpose{issuer.PurposeSuspension, issuer.PurposeRevocation}
	type phase struct {
		purposes []issuer.StatusPurpose
		size, n  int
	}
	phases := []phase{
		{both, ListSize, 37},     // fresh store: 3 lists per purpose
		{both, ListSize, 11},     // fills the third exactly: no fourth list
		{reversed, ListSize, 21}, // a fourth and fifth, purposes the other way round
		{[]issuer.StatusPurpose{issuer.PurposeRevocation}, 32, 30}, // revocation only, new lists of another size
		{both, 8, 1},
	}
	single, batch := open(t), open(t)
	newIssuer(t, single, id)
	newIssuer(t, batch, id)
	for k, p := range phases {
		for range p.n {
			award(t, single, id, p.purposes, p.size)
		}
		awardBatch(t, batch, id, p.purposes, p.size, p.n)
		sr, sl := shape(t, single, id)
		br, bl := shape(t, batch, id)
		if !slices.Equal(sl, bl) {
			t.Fatalf("phase %d: lists after single awards %v, after batches %v", k, sl, bl)
		}
		if len(sr) != len(br) {
			t.Fatalf("phase %d: %d records vs %d", k, len(sr), len(br))
		}
		for i := range sr {
			if !slices.Equal(sr[i], br[i]) {
				t.Fatalf("phase %d: record %d: single award slots %v, batch slots %v", k, i, sr[i], br[i])
			}
		}
	}
}

func testBatchListFills(t *testing.T, s Store) {
	ctx := context.Background()
	is := newIssuer(t, s, "did:web:batchfill.example")
	rev := []issuer.StatusPurpose{issuer.PurposeRevocation}
	for range 5 {
		award(t, s, is.ID, rev, ListSize)
	}
	// Exactly fills the first list: no new list is started.
	awardBatch(t, s, is.ID, rev, ListSize, ListSize-5)
	lists, err := s.ListStatusLists(ctx, is.ID)
	if err != nil || len(lists) != 1 || lists[0].Used != ListSize {
		t.Fatalf("after filling a list exactly: %d lists (%v), first used %d", len(lists), err, lists[0].Used)
	}
	// Spans two new lists and half a third.
	recs := awardBatch(t, s, is.ID, rev, ListSize, 2*ListSize+ListSize/2)
	lists, err = s.ListStatusLists(ctx, is.ID)
	if err != nil || len(lists) != 4 {
		t.Fatalf("%d lists, %v; want 4", len(lists), err)
	}
	for i, want := range []int{ListSize, ListSize, ListSize, ListSize / 2} {
		if lists[i].Used != want || lists[i].Size != ListSize {
			t.Fatalf("list %d: used %d size %d, want used %d", i, lists[i].Used, lists[i].Size, want)
		}
	}
	// In batch order: list 1's counters 0..15, list 2's, then list 3's 0..7.
	for i, r := range recs {
		l := lists[1+i/ListSize]
		if sl := r.Slots[0]; sl.ListID != l.ID || sl.Index != issuer.StatusIndex(l.Key, l.Size, i%ListSize) {
			t.Fatalf("record %d: slot %+v, want list %s counter %d", i, sl, l.ID, i%ListSize)
		}
	}
	if n := CheckExact(t, s, is.ID, rev); n != 5+ListSize-5+len(recs) {
		t.Fatalf("%d records", n)
	}
}

// usedOf sums the Used of an issuer's lists of each purpose: the slots
// handed out so far.
func usedOf(t testing.TB, s Store, issuerID string) map[issuer.StatusPurpose]int {
	t.Helper()
	lists, err := s.ListStatusLists(context.Background(), issuerID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[issuer.StatusPurpose]int{}
	for _, l := range lists {
		out[l.Purpose] += l.Used
	}
	return out
}

// testBatchBuildError: a failed batch's slots stay reserved and are never
// handed out again; nothing of it is recorded.
func testBatchBuildError(t *testing.T, s Store) {
	ctx := context.Background()
	is := newIssuer(t, s, "did:web:batchbuilderr.example")
	errBuild := errors.New("signing failed")
	failed := map[issuer.StatusSlot]bool{}
	failing := func(slots [][]issuer.StatusSlot) ([]*issuer.CredentialRecord, error) {
		for _, sl := range slots {
			for _, x := range sl {
				failed[x] = true
			}
		}
		return nil, errBuild
	}
	// The issuer's first batch fails: it started lists, and used 40 slots
	// of each purpose.
	if _, err := s.AwardBatch(ctx, is.ID, both, ListSize, 40, failing); !errors.Is(err, errBuild) {
		t.Fatalf("AwardBatch = %v, want the build error", err)
	}
	if u := usedOf(t, s, is.ID); u[issuer.PurposeRevocation] != 40 || u[issuer.PurposeSuspension] != 40 {
		t.Fatalf("after a failed batch of 40: used %v", u)
	}
	first := awardBatch(t, s, is.ID, both, ListSize, 3)
	if _, err := s.AwardBatch(ctx, is.ID, both, ListSize, 40, failing); !errors.Is(err, errBuild) {
		t.Fatalf("AwardBatch = %v, want the build error", err)
	}
	next := awardBatch(t, s, is.ID, both, ListSize, 40)
	for _, r := range append(slices.Clone(first), next...) {
		for _, sl := range r.Slots {
			if failed[sl] {
				t.Fatalf("record %s got slot %+v of a failed batch", r.ID, sl)
			}
		}
	}
	if u := usedOf(t, s, is.ID); u[issuer.PurposeRevocation] != 123 || u[issuer.PurposeSuspension] != 123 {
		t.Fatalf("after 80 failed and 43 good awards: used %v", u)
	}
	// Context cancelled: nothing recorded either.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.AwardBatch(cctx, is.ID, both, ListSize, 10, buildRecords(is.ID)); err == nil {
		t.Fatal("AwardBatch with a cancelled context succeeded")
	}
	// A build that takes its time and is then cancelled.
	cctx, cancel = context.WithCancel(ctx)
	if _, err := s.AwardBatch(cctx, is.ID, both, ListSize, 10, func(sl [][]issuer.StatusSlot) ([]*issuer.CredentialRecord, error) {
		cancel()
		return buildRecords(is.ID)(sl)
	}); err == nil {
		t.Fatal("AwardBatch cancelled during build succeeded")
	}
	if n := Check(t, s, is.ID, both); n != len(first)+len(next) {
		t.Fatalf("%d records, want %d", n, len(first)+len(next))
	}
}

// testBatchWrongRecords: a build that returns the wrong number of records,
// or a record the store refuses, records nothing; its slots stay reserved.
func testBatchWrongRecords(t *testing.T, s Store) {
	ctx := context.Background()
	is := newIssuer(t, s, "did:web:batchwrong.example")
	existing := awardBatch(t, s, is.ID, both, ListSize, 5)
	const n = 20
	cases := []struct {
		name   string
		edit   func([]*issuer.CredentialRecord) []*issuer.CredentialRecord
		exists bool
	}{
		{"one short", func(r []*issuer.CredentialRecord) []*issuer.CredentialRecord { return r[:n-1] }, false},
		{"one too many", func(r []*issuer.CredentialRecord) []*issuer.CredentialRecord {
			return append(r, record(is.ID, r[0].Slots))
		}, false},
		{"none", func([]*issuer.CredentialRecord) []*issuer.CredentialRecord { return nil }, false},
		{"a nil record", func(r []*issuer.CredentialRecord) []*issuer.CredentialRecord { r[7] = nil; return r }, false},
		{"a record for another issuer", func(r []*issuer.CredentialRecord) []*issuer.CredentialRecord {
			r[n-1].IssuerID = "did:web:other"
			return r
		}, false},
		{"a record without id", func(r []*issuer.CredentialRecord) []*issuer.CredentialRecord { r[3].ID = ""; return r }, false},
		{"a record revoked at birth", func(r []*issuer.CredentialRecord) []*issuer.CredentialRecord {
			r[0].Status = issuer.StatusRevoked
			return r
		}, false},
		{"an id twice in the batch", func(r []*issuer.CredentialRecord) []*issuer.CredentialRecord { r[9].ID = r[2].ID; return r }, true},
		{"an existing id, last", func(r []*issuer.CredentialRecord) []*issuer.CredentialRecord { r[n-1].ID = existing[0].ID; return r }, true},
		{"an existing id, first", func(r []*issuer.CredentialRecord) []*issuer.CredentialRecord { r[0].ID = existing[4].ID; return r }, true},
	}
	for _, c := range cases {
		before := usedOf(t, s, is.ID)
		_, err := s.AwardBatch(ctx, is.ID, both, ListSize, n, func(slots [][]issuer.StatusSlot) ([]*issuer.CredentialRecord, error) {
			recs, _ := buildRecords(is.ID)(slots)
			return c.edit(recs), nil
		})
		if err == nil {
			t.Fatalf("%s: AwardBatch succeeded", c.name)
		}
		if c.exists && !errors.Is(err, issuer.ErrExists) {
			t.Fatalf("%s: %v, want ErrExists", c.name, err)
		}
		after := usedOf(t, s, is.ID)
		for _, p := range both {
			if after[p] != before[p]+n {
				t.Fatalf("%s: %s slots used %d, was %d; want %d more (reserved, unused)", c.name, p, after[p], before[p], n)
			}
		}
		if n := Check(t, s, is.ID, both); n != len(existing) {
			t.Fatalf("%s: %d records, want %d", c.name, n, len(existing))
		}
	}
	for _, r := range existing {
		got, err := s.GetCredential(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffRecord(r, got); d != "" {
			t.Fatalf("record %s changed: %s", r.ID, d)
		}
	}
}

func testBatchInvalid(t *testing.T, s Store) {
	ctx := context.Background()
	is := newIssuer(t, s, "did:web:batchinvalid.example")
	build := func(slots [][]issuer.StatusSlot) ([]*issuer.CredentialRecord, error) {
		t.Error("build called for invalid arguments")
		return buildRecords(is.ID)(slots)
	}
	for _, c := range []struct {
		name     string
		purposes []issuer.StatusPurpose
		size, n  int
	}{
		{"n = 0", both, ListSize, 0},
		{"n < 0", both, ListSize, -1},
		{"n > MaxBatch", both, ListSize, issuer.MaxBatch + 1},
		{"n > MaxBatch, no purposes", nil, ListSize, issuer.MaxBatch + 1},
		{"size 0", both, 0, 5},
		{"size not /8", both, 20, 5},
		{"unknown purpose", []issuer.StatusPurpose{"refresh"}, ListSize, 5},
		{"purpose twice", []issuer.StatusPurpose{issuer.PurposeSuspension, issuer.PurposeSuspension}, ListSize, 5},
	} {
		if recs, err := s.AwardBatch(ctx, is.ID, c.purposes, c.size, c.n, build); err == nil {
			t.Errorf("%s: AwardBatch succeeded with %d records", c.name, len(recs))
		}
	}
	if _, err := s.AwardBatch(ctx, "", both, ListSize, 5, build); err == nil {
		t.Error("AwardBatch for an empty issuer id succeeded")
	}
	if recs, total, err := s.ListCredentials(ctx, is.ID, 0, 0); err != nil || total != 0 || len(recs) != 0 {
		t.Fatalf("after invalid batches: %d records (total %d), %v", len(recs), total, err)
	}
	if lists, err := s.ListStatusLists(ctx, is.ID); err != nil || len(lists) != 0 {
		t.Fatalf("after invalid batches: lists %v, %v", lists, err)
	}
}

// testBatchMax: a batch of MaxBatch on small lists (63 new lists per
// purpose) and one on a large list.
func testBatchMax(t *testing.T, s Store) {
	is := newIssuer(t, s, "did:web:batchmax.example")
	other := newIssuer(t, s, "did:web:batchmax2.example")
	awardBatch(t, s, is.ID, both, ListSize, issuer.MaxBatch)
	if n := CheckExact(t, s, is.ID, both); n != issuer.MaxBatch {
		t.Fatalf("%d records, want %d", n, issuer.MaxBatch)
	}
	lists, _ := s.ListStatusLists(context.Background(), is.ID)
	if want := 2 * ((issuer.MaxBatch + ListSize - 1) / ListSize); len(lists) != want {
		t.Fatalf("%d lists, want %d", len(lists), want)
	}
	awardBatch(t, s, other.ID, both, 131072, issuer.MaxBatch)
	if n := CheckExact(t, s, other.ID, both); n != issuer.MaxBatch {
		t.Fatalf("%d records, want %d", n, issuer.MaxBatch)
	}
}

// testConcurrentBatches: batches and single awards of one issuer from
// several goroutines hand out no index twice and count exactly; a second
// issuer's batches run alongside.
func testConcurrentBatches(t *testing.T, s Store) {
	const (
		workers = 8
		total   = 3000
		size    = 256
	)
	is := newIssuer(t, s, "did:web:concbatch.example")
	is2 := newIssuer(t, s, "did:web:concbatch2.example")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var (
		left    atomic.Int64
		wg      sync.WaitGroup
		mu      sync.Mutex
		errs    []error
		ids     = map[string]bool{}
		batches atomic.Int64
	)
	left.Store(total)
	take := func(want int64) int {
		for {
			l := left.Load()
			if l <= 0 {
				return 0
			}
			k := min(want, l)
			if left.CompareAndSwap(l, l-k) {
				return int(k)
			}
		}
	}
	for w := range workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for {
				var (
					recs []*issuer.CredentialRecord
					err  error
				)
				if w%2 == 0 {
					k := take(1 + r.Int64N(60))
					if k == 0 {
						return
					}
					batches.Add(1)
					recs, err = s.AwardBatch(ctx, is.ID, both, size, k, buildRecords(is.ID))
				} else {
					if take(1) == 0 {
						return
					}
					var rec *issuer.CredentialRecord
					rec, err = s.Award(ctx, is.ID, both, size, func(sl []issuer.StatusSlot) (*issuer.CredentialRecord, error) {
						return record(is.ID, sl), nil
					})
					recs = []*issuer.CredentialRecord{rec}
				}
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					for _, r := range recs {
						ids[r.ID] = true
					}
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Go(func() {
		for range 10 {
			if _, err := s.AwardBatch(ctx, is2.ID, both, size, 50, buildRecords(is2.ID)); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				return
			}
		}
	})
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d awards failed, first: %v", len(errs), errs[0])
	}
	if n := CheckExact(t, s, is.ID, both); n != total || len(ids) != total {
		t.Fatalf("%d records stored, %d returned; want %d", n, len(ids), total)
	}
	if n := CheckExact(t, s, is2.ID, both); n != 500 {
		t.Fatalf("second issuer: %d records, want 500", n)
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
	t.Logf("%d batches alongside single awards", batches.Load())
}

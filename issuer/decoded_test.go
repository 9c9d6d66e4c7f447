package issuer_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/status"
	"github.com/blason-badges/blason/internal/testissuer"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

// TestDecodedStatusList: the decoded list is what a verifier reads from the
// published credential; it is decoded once per list version; and two
// Services on one database (two serve processes) never disagree: a
// revocation through one is seen by the other's next call, because the
// version is read from the store each time.
func TestDecodedStatusList(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "blason.db")
	open := func() *issuer.Service {
		return testissuer.NewService(testissuer.SQLite(t, path), "https://badges.lab.example", clock)
	}
	a, b := open(), open()
	k := testissuer.AddIssuer(t, a, 1)
	rec, err := a.Award(ctx, k.DID, issuer.Award{Achievement: achievement(), Recipient: issuer.Recipient{Email: "a@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := credential.Parse(rec.Document, credential.Limits{})
	entries, err := status.ParseEntries(c.Doc["credentialStatus"])
	if err != nil || len(entries) != 1 {
		t.Fatalf("entries %v %v", entries, err)
	}
	listID := strings.TrimPrefix(entries[0].ListCredential, a.BaseURL+"/status/")

	for _, f := range []issuer.ListFormat{issuer.FormatBitstring, issuer.FormatStatusList2021} {
		got, err := a.DecodedStatusList(ctx, listID, f)
		if err != nil {
			t.Fatal(err)
		}
		doc, _, err := a.StatusList(ctx, listID, f)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		if v, err := credential.ParseJSON(doc, credential.Limits{}); err == nil {
			m, _ = v.(map[string]any)
		}
		want, err := status.ParseListCredential(m)
		if err != nil {
			t.Fatal(err)
		}
		if got.Type != want.Type || got.ID != want.ID || got.Issuer != want.Issuer || got.SubjectID != want.SubjectID ||
			strings.Join(got.Purposes, ",") != strings.Join(want.Purposes, ",") || got.TTL != want.TTL ||
			!got.ValidFrom.Equal(want.ValidFrom) || !bytes.Equal(got.Bits.Bytes(), want.Bits.Bytes()) {
			t.Fatalf("format %d: decoded %+v, published %+v", f, got, want)
		}
		again, err := a.DecodedStatusList(ctx, listID, f)
		if err != nil || again != got {
			t.Fatalf("format %d: an unchanged list must come from memory, not be decoded again (%v)", f, err)
		}
	}

	v := verifier.New(verifier.Options{Now: clock, Fetcher: testissuer.NewOnlyDecoded(a)})
	if r, err := v.Verify(ctx, rec.Document); err != nil || r.Check(verifier.CheckStatus).Message != "status.ok" {
		t.Fatalf("before revocation: %v %+v", err, r.Check(verifier.CheckStatus))
	}
	before, _ := a.DecodedStatusList(ctx, listID, issuer.FormatBitstring)
	// Revoked through the other Service: a's memory must not hide it.
	if _, err := b.ChangeStatus(ctx, rec.ID, issuer.ActionRevoke, "test", "test:operator"); err != nil {
		t.Fatal(err)
	}
	after, err := a.DecodedStatusList(ctx, listID, issuer.FormatBitstring)
	if err != nil {
		t.Fatal(err)
	}
	if set, _ := after.Bits.Get(entries[0].Index); after == before || !set {
		t.Fatalf("after a revocation in another process the list must be re-read: bit %v", set)
	}
	r, err := v.Verify(ctx, rec.Document)
	if err == nil || r.Check(verifier.CheckStatus).Message != "status.revoked" {
		t.Fatalf("verified right after revocation: %v %+v", err, r.Check(verifier.CheckStatus))
	}
	if _, err := a.DecodedStatusList(ctx, "no-such-list", issuer.FormatBitstring); !errors.Is(err, issuer.ErrNotFound) {
		t.Fatalf("unknown list: %v", err)
	}
}

// versionedStore counts a store's whole-list reads and version reads
// (issuerdb's ListVersioner).
type versionedStore struct {
	issuer.Store
	lists, versions atomic.Int64
}

func (s *versionedStore) GetStatusList(ctx context.Context, id string) (*issuer.StatusList, error) {
	s.lists.Add(1)
	return s.Store.GetStatusList(ctx, id)
}

func (s *versionedStore) StatusListVersion(ctx context.Context, id string) (int64, error) {
	s.versions.Add(1)
	return s.Store.(issuer.ListVersioner).StatusListVersion(ctx, id)
}

// TestListVersioner: with a Store that reads a list's version alone, an
// unchanged list costs one version read per call and no whole-list read;
// a changed one is signed and decoded once, however many ask at the same
// time (they all get the same list).
func TestListVersioner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	vs := &versionedStore{Store: testissuer.SQLite(t, "")}
	svc := testissuer.NewService(vs, "https://badges.lab.example", clock)
	k := testissuer.AddIssuer(t, svc, 1)
	rec, err := svc.Award(ctx, k.DID, issuer.Award{Achievement: achievement(), Recipient: issuer.Recipient{Email: "a@example.org"}})
	if err != nil || len(rec.Slots) == 0 {
		t.Fatalf("award: %v %+v", err, rec)
	}
	listID := rec.Slots[0].ListID
	first, err := svc.DecodedStatusList(ctx, listID, issuer.FormatBitstring)
	if err != nil {
		t.Fatal(err)
	}
	vs.lists.Store(0)
	vs.versions.Store(0)
	for i := 0; i < 5; i++ {
		if l, err := svc.DecodedStatusList(ctx, listID, issuer.FormatBitstring); err != nil || l != first {
			t.Fatalf("unchanged list: %v, same list %v", err, l == first)
		}
	}
	if l, v := vs.lists.Load(), vs.versions.Load(); l != 0 || v != 5 {
		t.Fatalf("5 calls on an unchanged list read it whole %d times and its version %d times, want 0 and 5", l, v)
	}
	if _, err := svc.ChangeStatus(ctx, rec.ID, issuer.ActionRevoke, "test", "test:operator"); err != nil {
		t.Fatal(err)
	}
	vs.lists.Store(0)
	var wg sync.WaitGroup
	got := make([]*status.List, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], _ = svc.DecodedStatusList(ctx, listID, issuer.FormatBitstring)
		}()
	}
	wg.Wait()
	for i, l := range got {
		if l == nil || l != got[0] || l == first {
			t.Fatalf("caller %d after the change: not the one new list", i)
		}
	}
	if set, _ := got[0].Bits.Get(rec.Slots[0].Index); !set {
		t.Fatal("the revocation bit is not set in the new list")
	}
	if n := vs.lists.Load(); n < 1 || n > 8 {
		t.Fatalf("%d whole-list reads for 8 callers", n)
	}
	if _, err := svc.DecodedStatusList(ctx, "no-such-list", issuer.FormatBitstring); !errors.Is(err, issuer.ErrNotFound) {
		t.Fatalf("unknown list: %v", err)
	}
}

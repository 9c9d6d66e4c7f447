package issuer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/status"
	"github.com/blason-badges/blason/internal/testissuer"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

type service struct {
	svc      *issuer.Service
	store    *testissuer.Store // the Service's store, for what Service does not read
	issuerID string
	verify   func(t *testing.T, b []byte) (*verifier.Report, error)
}

func newService(t *testing.T) *service {
	t.Helper()
	st := testissuer.SQLite(t, "")
	svc := testissuer.NewService(st, "https://badges.lab.example", clock)
	k := testissuer.AddIssuer(t, svc, 1)
	v := verifier.New(verifier.Options{Now: clock, Fetcher: testissuer.Lists{Service: svc}, AcceptGeneric: true})
	return &service{svc, st, k.DID, func(t *testing.T, b []byte) (*verifier.Report, error) { return v.Verify(context.Background(), b) }}
}

func TestServiceAwardRevokeSuspend(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	rec, err := s.svc.Award(ctx, s.issuerID, issuer.Award{Achievement: achievement(), Recipient: issuer.Recipient{Email: "a@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := credential.Parse(rec.Document, credential.Limits{})
	if _, ok := c.Doc["credentialStatus"].(map[string]any); !ok {
		t.Fatalf("credentialStatus must be one object (OB 3.0 [0..1]): %v", c.Doc["credentialStatus"])
	}
	entries, err := status.ParseEntries(c.Doc["credentialStatus"])
	if err != nil || len(entries) != 1 || entries[0].Purpose != "revocation" {
		t.Fatalf("status entries %v %v", entries, err)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.ListCredential, "https://badges.lab.example/status/") || e.Type != status.TypeBitstringEntry {
			t.Fatalf("entry %+v", e)
		}
	}
	if r, err := s.verify(t, rec.Document); err != nil || r.Check(verifier.CheckStatus).Outcome != verifier.Passed {
		t.Fatalf("fresh award: %v %+v", err, r.Check(verifier.CheckStatus))
	}

	// An OB credential has no suspension entry: suspending it is refused
	// with a reason, and nothing changes.
	if _, err := s.svc.ChangeStatus(ctx, rec.ID, issuer.ActionSuspend, "", "test:operator"); !errors.Is(err, issuer.ErrConflict) {
		t.Fatalf("suspend without a suspension slot: %v", err)
	}
	steps := []struct {
		action, message string
		verified        bool
	}{
		{issuer.ActionRevoke, "status.revoked", false},
	}
	for _, st := range steps {
		if _, err := s.svc.ChangeStatus(ctx, rec.ID, st.action, "because "+st.action, "test:operator"); err != nil {
			t.Fatalf("%s: %v", st.action, err)
		}
		// A fresh verifier: the list must be re-signed with the new bit.
		v := verifier.New(verifier.Options{Now: clock, Fetcher: testissuer.Lists{Service: s.svc}})
		r, err := v.Verify(ctx, rec.Document)
		if (err == nil) != st.verified || r.Check(verifier.CheckStatus).Message != st.message {
			t.Fatalf("after %s: %v %+v", st.action, err, r.Check(verifier.CheckStatus))
		}
	}
	if _, err := s.svc.ChangeStatus(ctx, rec.ID, issuer.ActionReinstate, "", "test:operator"); !errors.Is(err, issuer.ErrConflict) {
		t.Fatalf("reinstating a revoked credential: %v", err)
	}
	if _, err := s.svc.ChangeStatus(ctx, "urn:uuid:nope", issuer.ActionRevoke, "", "test:operator"); !errors.Is(err, issuer.ErrNotFound) {
		t.Fatalf("unknown credential: %v", err)
	}
	evs, err := s.store.Events(ctx, rec.ID)
	if err != nil || len(evs) != 1 || evs[0].Action != issuer.ActionRevoke || evs[0].Reason != "because revoke" || evs[0].Actor != "test:operator" {
		t.Fatalf("events %+v %v", evs, err)
	}
}

// TestServiceVCAPIStatus: a credential signed through the VC API gets a
// revocation entry; a VC 1.1 one a StatusList2021Entry (a type its
// contexts define) pointing at the StatusList2021 view of the same list.
func TestServiceVCAPIStatus(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	for _, v1 := range []bool{false, true} {
		doc := map[string]any{
			"@context":          []any{"https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"},
			"type":              []any{"VerifiableCredential"},
			"issuer":            s.issuerID,
			"validFrom":         "2026-01-01T00:00:00Z",
			"credentialSubject": map[string]any{"id": "did:example:1", "name": "x"},
		}
		if v1 {
			doc["@context"] = []any{"https://www.w3.org/2018/credentials/v1", "https://www.w3.org/ns/credentials/examples/v2"}
			delete(doc, "validFrom")
			doc["issuanceDate"] = "2026-01-01T00:00:00Z"
		}
		b, err := s.svc.SignWithStatus(ctx, s.issuerID, doc)
		if err != nil {
			t.Fatalf("v1=%v: %v", v1, err)
		}
		var signed map[string]any
		if err := json.Unmarshal(b, &signed); err != nil {
			t.Fatal(err)
		}
		cs := signed["credentialStatus"].(map[string]any)
		wantType := status.TypeBitstringEntry
		if v1 {
			wantType = status.TypeStatusList2021
		}
		if cs["type"] != wantType || cs["statusPurpose"] != "revocation" {
			t.Fatalf("v1=%v: credentialStatus %v", v1, cs)
		}
		if r, err := s.verify(t, b); err != nil || r.Check(verifier.CheckStatus).Outcome != verifier.Passed {
			t.Fatalf("v1=%v: %v %s", v1, err, r.Check(verifier.CheckStatus).Detail)
		}
		// The credential has no id: it is recorded, and revoked, under
		// its status entry's id.
		if _, has := signed["id"]; has {
			t.Fatal("an id was added to the credential")
		}
		id := cs["id"].(string)
		// Marshalled once: the bytes returned are the bytes recorded.
		if rec, err := s.svc.Store.GetCredential(ctx, id); err != nil || !bytes.Equal(rec.Document, b) {
			t.Fatalf("v1=%v: recorded document differs from the one returned (%v)", v1, err)
		}
		if _, err := s.svc.ChangeStatus(ctx, id, issuer.ActionRevoke, "test", "test:operator"); err != nil {
			t.Fatal(err)
		}
		v := verifier.New(verifier.Options{Now: clock, Fetcher: testissuer.Lists{Service: s.svc}, AcceptGeneric: true})
		if r, err := v.Verify(ctx, b); err == nil || r.Check(verifier.CheckStatus).Message != "status.revoked" {
			t.Fatalf("v1=%v revoked: %v %+v", v1, err, r.Check(verifier.CheckStatus))
		}
	}
}

// TestServiceConcurrentAwards: awards from many goroutines get distinct
// indices, all recorded.
func TestServiceConcurrentAwards(t *testing.T) {
	s := newService(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 8; i++ {
				if _, err := s.svc.Award(context.Background(), s.issuerID, issuer.Award{Achievement: achievement(), Recipient: issuer.Recipient{DID: "did:example:x"}}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	recs, total, err := s.store.ListCredentials(context.Background(), s.issuerID, 0, 100)
	if err != nil || total != 64 {
		t.Fatalf("%d records: %v", total, err)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		for _, sl := range r.Slots {
			k := fmt.Sprintf("%s/%d", sl.ListID, sl.Index)
			if seen[k] {
				t.Fatalf("index %s handed out twice", k)
			}
			seen[k] = true
		}
	}
}

// TestServiceWrongMasterKey: a store opened with another master key cannot
// sign (the sealed issuer key does not open), and says so.
func TestServiceWrongMasterKey(t *testing.T) {
	s := newService(t)
	other := &issuer.Service{Store: s.svc.Store, MasterKey: make([]byte, 32)}
	_, err := other.Issuer(context.Background(), s.issuerID)
	if err == nil || !strings.Contains(err.Error(), "master key") {
		t.Fatalf("wrong master key: %v", err)
	}
}

func TestStatusListHTTPShape(t *testing.T) {
	s := newService(t)
	rec, err := s.svc.Award(context.Background(), s.issuerID, issuer.Award{Achievement: achievement(), Recipient: issuer.Recipient{DID: "did:example:x"}})
	if err != nil {
		t.Fatal(err)
	}
	doc, v1, err := s.svc.StatusList(context.Background(), rec.Slots[0].ListID, issuer.FormatBitstring)
	if err != nil {
		t.Fatal(err)
	}
	again, v2, _ := s.svc.StatusList(context.Background(), rec.Slots[0].ListID, issuer.FormatBitstring)
	if v1 != v2 || string(doc) != string(again) {
		t.Fatal("an unchanged list was re-signed")
	}
	var m map[string]any
	json.Unmarshal(doc, &m)
	if m["issuer"] != s.issuerID || m["validFrom"] == nil || m["credentialSubject"].(map[string]any)["ttl"] == nil {
		t.Fatalf("list credential %s", doc)
	}
}

// TestServiceAwardMany: bulk awards in batches, all verifiable, distinct
// indices, progress reported per batch.
func TestServiceAwardMany(t *testing.T) {
	s := newService(t)
	awards := make([]issuer.Award, 1203)
	for i := range awards {
		awards[i] = issuer.Award{Achievement: achievement(), Recipient: issuer.Recipient{Email: fmt.Sprintf("learner%d@example.org", i)}}
	}
	var progress []int
	recs, err := s.svc.AwardMany(context.Background(), s.issuerID, awards, func(done int) { progress = append(progress, done) })
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(awards) || fmt.Sprint(progress) != "[1000 1203]" {
		t.Fatalf("%d records, progress %v", len(recs), progress)
	}
	seen := map[int]bool{}
	for _, r := range recs {
		if seen[r.Slots[0].Index] {
			t.Fatalf("index %d twice", r.Slots[0].Index)
		}
		seen[r.Slots[0].Index] = true
	}
	for _, i := range []int{0, 999, 1000, 1202} {
		if _, err := s.verify(t, recs[i].Document); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	// A bad award fails its batch: nothing of that batch is recorded.
	bad := append([]issuer.Award{}, awards[:3]...)
	bad[1] = issuer.Award{Achievement: map[string]any{"name": "no id"}, Recipient: issuer.Recipient{Email: "x@example.org"}}
	if _, err := s.svc.AwardMany(context.Background(), s.issuerID, bad, nil); err == nil || !strings.Contains(err.Error(), "award 2") {
		t.Fatalf("bad batch: %v", err)
	}
	if _, total, _ := s.store.ListCredentials(context.Background(), s.issuerID, 0, 1); total != len(awards) {
		t.Fatalf("%d records after a failed batch, want %d", total, len(awards))
	}
}

// TestServiceVCAPIStatusJWT: a VC-JWT issued through the VC API carries a
// recorded status entry, so its issuer can revoke it.
func TestServiceVCAPIStatusJWT(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	doc := map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"},
		"id":                "urn:uuid:7a1c9f7e-0c1a-4c53-9f4e-6e6c2a0c7f10",
		"type":              []any{"VerifiableCredential"},
		"issuer":            s.issuerID,
		"validFrom":         "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"id": "did:example:1", "name": "x"},
	}
	jws, err := s.svc.SignWithStatusJWT(ctx, s.issuerID, doc)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := s.verify(t, []byte(jws)); err != nil || r.Check(verifier.CheckStatus).Outcome != verifier.Passed {
		t.Fatalf("%v %+v", err, r.Check(verifier.CheckStatus))
	}
	rec, err := s.svc.ChangeStatus(ctx, "urn:uuid:7a1c9f7e-0c1a-4c53-9f4e-6e6c2a0c7f10", issuer.ActionRevoke, "test", "test:operator")
	if err != nil {
		t.Fatal(err)
	}
	if string(rec.Document) != jws {
		t.Fatal("the record does not hold the JWT that was returned")
	}
	v := verifier.New(verifier.Options{Now: clock, Fetcher: testissuer.Lists{Service: s.svc}, AcceptGeneric: true})
	if r, err := v.Verify(ctx, []byte(jws)); err == nil || r.Check(verifier.CheckStatus).Message != "status.revoked" {
		t.Fatalf("revoked: %v %+v", err, r.Check(verifier.CheckStatus))
	}
}

// TestServiceAwardJWT: Award and AwardMany issue VC-JWTs too (OB 3.0
// §8.2). The record takes its dates from the credential, not from
// re-reading the compact JWS as JSON (which always failed), and a
// revocation reaches the JWT's verifier through its status entry.
func TestServiceAwardJWT(t *testing.T) {
	t.Parallel()
	s := newService(t)
	ctx := context.Background()
	until := clock().AddDate(1, 0, 0)
	one := issuer.Award{Achievement: achievement(), Recipient: issuer.Recipient{DID: "did:example:learner"}, Format: issuer.FormatJWT, ValidUntil: until}
	rec, err := s.svc.Award(ctx, s.issuerID, one)
	if err != nil {
		t.Fatalf("Award (jwt): %v", err)
	}
	many, err := s.svc.AwardMany(ctx, s.issuerID, []issuer.Award{one, one, one}, nil)
	if err != nil {
		t.Fatalf("AwardMany (jwt): %v", err)
	}
	for i, r := range append([]*issuer.CredentialRecord{rec}, many...) {
		if strings.Count(string(r.Document), ".") != 2 || strings.HasPrefix(string(r.Document), "{") {
			t.Fatalf("record %d: not a compact JWS: %.60s", i, r.Document)
		}
		if !r.ValidFrom.Equal(clock()) || !r.ValidUntil.Equal(until) {
			t.Fatalf("record %d: validity %v – %v, want %v – %v", i, r.ValidFrom, r.ValidUntil, clock(), until)
		}
		if rep, err := s.verify(t, r.Document); err != nil || rep.Check(verifier.CheckStatus).Outcome != verifier.Passed {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	if _, err := s.svc.ChangeStatus(ctx, many[1].ID, issuer.ActionRevoke, "test", "test:operator"); err != nil {
		t.Fatal(err)
	}
	// A fresh verifier: s.verify's caches the list for its ttl.
	v := verifier.New(verifier.Options{Now: clock, Fetcher: testissuer.Lists{Service: s.svc}})
	rep, err := v.Verify(ctx, many[1].Document)
	if err == nil || rep.Check(verifier.CheckStatus).Message != "status.revoked" {
		t.Fatalf("revoked JWT: %v %+v", err, rep.Check(verifier.CheckStatus))
	}
}

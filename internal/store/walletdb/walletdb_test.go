package walletdb_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/bake"
	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
	"github.com/blason-badges/blason/internal/store/walletdb"
	"github.com/blason-badges/blason/verifier"
	"github.com/blason-badges/blason/wallet"
)

// fakeVerify reads what a verifier would say from the badge's own JSON
// ("x-verdict" chooses the outcome), so that each import rule is tested
// apart from the cryptography (the API tests use the real verifier).
func fakeVerify(calls *atomic.Int32) wallet.Verify {
	return func(_ context.Context, b []byte) (*wallet.Verification, error) {
		calls.Add(1)
		var d struct {
			ID        string `json:"id"`
			Issuer    string `json:"issuer"`
			Name      string `json:"name"`
			ValidFrom string `json:"validFrom"`
			Verdict   string `json:"x-verdict"`
		}
		json.Unmarshal(b, &d)
		v := &wallet.Verification{Verified: true, Verdict: "verified", CredentialID: d.ID, IssuerID: d.Issuer, Name: d.Name,
			ValidFrom: d.ValidFrom, Report: json.RawMessage(`{"verified":true}`)}
		switch d.Verdict {
		case "forged":
			v.Verified, v.Verdict, v.Reason, v.Report = false, "not-verified", "proof.bad-signature", json.RawMessage(`{"verified":false}`)
		case "revoked":
			v.Verified, v.Verdict, v.Reason, v.Revoked = false, "not-verified", "status.revoked", true
		}
		return v, nil
	}
}

func badge(id, validFrom, verdict, subject string) []byte {
	if subject == "" {
		subject = `{"type":["AchievementSubject"]}`
	}
	return []byte(`{"id":"` + id + `","issuer":"did:key:z6Mkissuer","name":"Teamwork","validFrom":"` + validFrom +
		`","x-verdict":"` + verdict + `","credentialSubject":` + subject + `}`)
}

type env struct {
	svc   *wallet.Service
	calls *atomic.Int32
	now   *atomic.Int64
	db    *sqldb.DB
}

func newEnv(t *testing.T, db *sqldb.DB) *env {
	t.Helper()
	st, err := walletdb.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{calls: &atomic.Int32{}, now: &atomic.Int64{}, db: db}
	e.now.Store(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC).UnixNano())
	e.svc = &wallet.Service{Store: st, Verify: fakeVerify(e.calls), MasterKey: bytes.Repeat([]byte{7}, 32),
		Now: func() time.Time { return time.Unix(0, e.now.Load()) }}
	return e
}

func (e *env) count(t *testing.T, user string) int {
	t.Helper()
	l, err := e.svc.Credentials(context.Background(), user)
	if err != nil {
		t.Fatal(err)
	}
	return len(l)
}

func TestImportRules(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		v1 := badge("urn:uuid:1", "2026-01-01T00:00:00Z", "", "")
		res, err := e.svc.ImportCredential(ctx, "usr_a", wallet.Import{Data: v1, Source: "paste"})
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.Credential(ctx, "usr_a", res.Credential.ID)
		if err != nil || !bytes.Equal(got.Raw, v1) || !got.Verified || got.Source != "paste" || got.Name != "Teamwork" {
			t.Fatalf("kept %+v, %v", got, err)
		}
		// The exact bytes, whitespace and key order included.
		spaced := append([]byte("  \n"), bytes.ReplaceAll(badge("urn:uuid:sp", "2026-01-01T00:00:00Z", "", ""), []byte(`","`), []byte(`",  "`))...)
		res2, err := e.svc.ImportCredential(ctx, "usr_a", wallet.Import{Data: spaced})
		if err != nil {
			t.Fatal(err)
		}
		got, _ = e.svc.Credential(ctx, "usr_a", res2.Credential.ID)
		if !bytes.Equal(got.Raw, bytes.TrimSpace(spaced)) {
			t.Fatalf("bytes re-serialised:\n%s", got.Raw)
		}
		// A duplicate: refused, the one held returned.
		if r, err := e.svc.ImportCredential(ctx, "usr_a", wallet.Import{Data: v1}); !errors.Is(err, wallet.ErrDuplicate) || r.Credential.ID != res.Credential.ID {
			t.Fatalf("duplicate: %v", err)
		}
		// Another user may hold the same badge bytes (not a duplicate).
		if _, err := e.svc.ImportCredential(ctx, "usr_b", wallet.Import{Data: v1}); err != nil {
			t.Fatalf("the same badge in another wallet: %v", err)
		}
		// An older version of the same credential (issuer and id): refused.
		old := badge("urn:uuid:1", "2025-01-01T00:00:00Z", "", "")
		if _, err := e.svc.ImportCredential(ctx, "usr_a", wallet.Import{Data: old}); !errors.Is(err, wallet.ErrOlderVersion) {
			t.Fatalf("older version: %v", err)
		}
		// A newer one replaces it, with its share links.
		sh, err := e.svc.CreateShare(ctx, "usr_a", res.Credential.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		v2 := badge("urn:uuid:1", "2026-06-01T00:00:00Z", "", "")
		r3, err := e.svc.ImportCredential(ctx, "usr_a", wallet.Import{Data: v2})
		if err != nil || r3.Replaced != res.Credential.ID {
			t.Fatalf("newer version: %v %+v", err, r3)
		}
		if _, err := e.svc.Credential(ctx, "usr_a", res.Credential.ID); !errors.Is(err, wallet.ErrNotFound) {
			t.Fatalf("the old version is still there: %v", err)
		}
		if _, _, err := e.svc.OpenShare(ctx, sh.Token, ""); !errors.Is(err, wallet.ErrNotFound) {
			t.Fatalf("a link to the replaced version: %v", err)
		}
		if n := e.count(t, "usr_a"); n != 2 {
			t.Fatalf("%d badges, want 2", n)
		}
		// Not verified: refused and nothing stored, unless insisted.
		forged := badge("urn:uuid:2", "2026-01-01T00:00:00Z", "forged", "")
		r4, err := e.svc.ImportCredential(ctx, "usr_a", wallet.Import{Data: forged})
		if !errors.Is(err, wallet.ErrNotVerified) || r4 == nil || r4.Verification.Reason != "proof.bad-signature" || e.count(t, "usr_a") != 2 {
			t.Fatalf("forged: %v", err)
		}
		r5, err := e.svc.ImportCredential(ctx, "usr_a", wallet.Import{Data: forged, Insist: true})
		if err != nil || !r5.Credential.Insisted || r5.Credential.Verified {
			t.Fatalf("insisted: %v %+v", err, r5)
		}
		// Already revoked: the same rule, with the reason.
		r6, err := e.svc.ImportCredential(ctx, "usr_a", wallet.Import{Data: badge("urn:uuid:3", "2026-01-01T00:00:00Z", "revoked", "")})
		if !errors.Is(err, wallet.ErrNotVerified) || !r6.Verification.Revoked || e.count(t, "usr_a") != 3 {
			t.Fatalf("revoked: %v", err)
		}
	})
}

func TestImportRefusesBadInput(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		vp, err := os.ReadFile("../../../wallet/testdata/vp-one-badge.json")
		if err != nil {
			t.Fatal(err)
		}
		for name, tc := range map[string]struct {
			data []byte
			want error
		}{
			"empty":        {nil, wallet.ErrUnreadable},
			"garbage":      {[]byte("hello"), wallet.ErrUnreadable},
			"huge":         {bytes.Repeat([]byte("x"), 17<<20), wallet.ErrTooLarge},
			"huge json":    {append([]byte(`{"a":"`), append(bytes.Repeat([]byte("x"), 3<<20), '"', '}')...), wallet.ErrTooLarge},
			"presentation": {vp, wallet.ErrPresentationGiven},
			"png without":  {[]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x00IEND\xaeB`\x82"), wallet.ErrUnreadable},
			"bomb svg":     {[]byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg">&b;</svg>`), wallet.ErrUnreadable},
		} {
			if _, err := e.svc.ImportCredential(ctx, "usr_a", wallet.Import{Data: tc.data}); !errors.Is(err, tc.want) {
				t.Errorf("%s: %v, want %v", name, err, tc.want)
			}
		}
		if n := e.count(t, "usr_a"); n != 0 {
			t.Fatalf("%d badges stored from bad input", n)
		}
		if e.calls.Load() != 0 {
			t.Fatalf("the verifier ran %d times on unreadable input", e.calls.Load())
		}
	})
}

// A baked image keeps the image and the credential inside, byte for byte.
func TestImportBakedPNG(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, sqldbtest.SQLite(t))
	png, err := os.ReadFile("../../bake/testdata/simple-json.png")
	if err != nil {
		t.Skip("no baked PNG fixture:", err)
	}
	inside, ok, err := bake.ExtractCredential(png)
	if !ok || err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.ImportCredential(ctx, "usr_a", wallet.Import{Data: png, Source: "upload:badge.png", Insist: true})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := e.svc.Credential(ctx, "usr_a", res.Credential.ID)
	if !bytes.Equal(got.Image, png) || !bytes.Equal(got.Raw, bytes.TrimSpace(inside)) {
		t.Fatal("the baked image or its credential was not kept as given")
	}
}

func TestOtherHolderWarning(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, sqldbtest.SQLite(t))
	h, err := e.svc.Holder(ctx, "usr_a")
	if err != nil {
		t.Fatal(err)
	}
	mine := badge("urn:uuid:m", "2026-01-01T00:00:00Z", "", `{"id":"`+h.DID+`"}`)
	theirs := badge("urn:uuid:t", "2026-01-01T00:00:00Z", "", `{"id":"did:key:z6MkSomeoneElse"}`)
	// sha256("ada@example.org" + "salt")
	hashed := badge("urn:uuid:h", "2026-01-01T00:00:00Z", "", `{"identifier":[{"type":"IdentityObject","identityType":"emailAddress","hashed":true,"salt":"salt","identityHash":"sha256$`+sha("ada@example.orgsalt")+`"}]}`)
	for name, tc := range map[string]struct {
		data  []byte
		email string
		warn  string
	}{
		"my did":          {mine, "", ""},
		"another did":     {theirs, "", "wallet.warn.other-holder"},
		"my email":        {hashed, "ada@example.org", ""},
		"another's email": {hashed, "bob@example.org", "wallet.warn.other-holder"},
	} {
		res, err := e.svc.ImportCredential(ctx, "usr_"+strings.ReplaceAll(name, " ", ""), wallet.Import{Data: tc.data, Email: tc.email})
		if name == "my did" {
			res, err = e.svc.ImportCredential(ctx, "usr_a", wallet.Import{Data: tc.data, Email: tc.email})
		}
		if err != nil || res.Credential.Warning != tc.warn {
			t.Errorf("%s: warning %q, %v; want %q", name, res.Credential.Warning, err, tc.warn)
		}
	}
}

func TestSharesAndViews(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		res, err := e.svc.ImportCredential(ctx, "usr_a", wallet.Import{Data: badge("urn:uuid:s", "2026-01-01T00:00:00Z", "", "")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreateShare(ctx, "usr_b", res.Credential.ID, 0); !errors.Is(err, wallet.ErrNotFound) {
			t.Fatalf("sharing another's badge: %v", err)
		}
		sh, err := e.svc.CreateShare(ctx, "usr_a", res.Credential.ID, time.Hour)
		if err != nil || len(sh.Token) != 43 {
			t.Fatalf("share %+v %v", sh, err)
		}
		before := e.calls.Load()
		for _, viewer := range []string{"", "  ACME Recruiting  "} {
			c, v, err := e.svc.OpenShare(ctx, sh.Token, viewer)
			if err != nil || c.ID != res.Credential.ID || !v.Verified {
				t.Fatalf("open: %v", err)
			}
		}
		if e.calls.Load()-before != 2 {
			t.Fatal("a share view must verify the badge again (live status)")
		}
		views, err := e.svc.Views(ctx, "usr_a", sh.Token)
		if err != nil || len(views) != 2 || views[1].Viewer != "ACME Recruiting" || views[0].Viewer != "" {
			t.Fatalf("views %v %v", views, err)
		}
		if _, err := e.svc.Views(ctx, "usr_b", sh.Token); !errors.Is(err, wallet.ErrNotFound) {
			t.Fatalf("another user's views: %v", err)
		}
		if err := e.svc.RevokeShare(ctx, "usr_b", sh.Token); !errors.Is(err, wallet.ErrNotFound) {
			t.Fatalf("revoking another's link: %v", err)
		}
		if err := e.svc.RevokeShare(ctx, "usr_a", sh.Token); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.OpenShare(ctx, sh.Token, ""); !errors.Is(err, wallet.ErrShareGone) {
			t.Fatalf("revoked link: %v", err)
		}
		sh2, _ := e.svc.CreateShare(ctx, "usr_a", res.Credential.ID, time.Hour)
		e.now.Add(int64(time.Hour))
		if _, _, err := e.svc.OpenShare(ctx, sh2.Token, ""); !errors.Is(err, wallet.ErrShareGone) {
			t.Fatalf("expired link: %v", err)
		}
		if _, _, err := e.svc.OpenShare(ctx, "nope", ""); !errors.Is(err, wallet.ErrNotFound) {
			t.Fatalf("unknown link: %v", err)
		}
		// Deleting the badge deletes its links.
		sh3, _ := e.svc.CreateShare(ctx, "usr_a", res.Credential.ID, 0)
		if err := e.svc.Delete(ctx, "usr_b", res.Credential.ID); !errors.Is(err, wallet.ErrNotFound) {
			t.Fatalf("deleting another's badge: %v", err)
		}
		if err := e.svc.Delete(ctx, "usr_a", res.Credential.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.OpenShare(ctx, sh3.Token, ""); !errors.Is(err, wallet.ErrNotFound) {
			t.Fatalf("link of a deleted badge: %v", err)
		}
	})
}

// The holder key: made once, sealed under the master key and bound to its
// user; presentations signed with it verify for the verifier's challenge.
func TestHolderKeyAndPresent(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		h1, err := e.svc.Holder(ctx, "usr_a")
		if err != nil {
			t.Fatal(err)
		}
		h2, _ := e.svc.Holder(ctx, "usr_a")
		if h1.DID != h2.DID || !strings.HasPrefix(h1.DID, "did:key:z6Mk") {
			t.Fatalf("holder %s then %s", h1.DID, h2.DID)
		}
		other, _ := e.svc.Holder(ctx, "usr_b")
		if other.DID == h1.DID {
			t.Fatal("two users share a holder key")
		}
		wrong := &wallet.Service{Store: e.svc.Store, Verify: e.svc.Verify, MasterKey: bytes.Repeat([]byte{8}, 32)}
		if _, err := wrong.Holder(ctx, "usr_a"); err == nil {
			t.Fatal("the holder key opened under another master key")
		}
		b, err := os.ReadFile("../../../wallet/testdata/badge-for-holder.json")
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.svc.ImportCredential(ctx, "usr_a", wallet.Import{Data: b, Insist: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Present(ctx, "usr_a", wallet.PresentRequest{CredentialIDs: []string{res.Credential.ID}}); err == nil {
			t.Fatal("a presentation without a challenge")
		}
		if _, _, err := e.svc.Present(ctx, "usr_b", wallet.PresentRequest{CredentialIDs: []string{res.Credential.ID}, Challenge: "c"}); !errors.Is(err, wallet.ErrNotFound) {
			t.Fatalf("presenting another's badge: %v", err)
		}
		vp, mt, err := e.svc.Present(ctx, "usr_a", wallet.PresentRequest{CredentialIDs: []string{res.Credential.ID}, Challenge: "c-42", Domain: "jobs.example"})
		if err != nil || mt != "application/vp+ld+json" {
			t.Fatal(err)
		}
		rep, _ := verifier.New(verifier.Options{}).VerifyPresentation(ctx, vp, verifier.PresentationOptions{Challenge: "c-42", Domain: "jobs.example"})
		if rep == nil || rep.Holder != h1.DID {
			t.Fatalf("presentation report %+v", rep)
		}
		if c := rep.Check(verifier.CheckPresentation); c == nil || c.Outcome != verifier.Passed {
			b, _ := json.Marshal(rep.Checks)
			t.Fatalf("holder proof: %s", b)
		}
		if err := e.svc.DeleteUser(ctx, "usr_a"); err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, "usr_a"); n != 0 {
			t.Fatalf("%d badges after deleting the user", n)
		}
		if h3, _ := e.svc.Holder(ctx, "usr_a"); h3.DID == h1.DID {
			t.Fatal("the holder key survived the account")
		}
	})
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// Views are written in batches: within ViewFlushDelay for another process
// on the same database, at once for the process's own reads; a view of a
// link deleted meanwhile is dropped, not an error.
func TestViewLogBatches(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		other := &wallet.Service{Store: e.svc.Store, Verify: e.svc.Verify}
		res, err := e.svc.ImportCredential(ctx, "usr_a", wallet.Import{Data: badge("urn:uuid:v", "2026-01-01T00:00:00Z", "", "")})
		if err != nil {
			t.Fatal(err)
		}
		sh, _ := e.svc.CreateShare(ctx, "usr_a", res.Credential.ID, 0)
		for range 3 {
			if _, _, err := e.svc.OpenShare(ctx, sh.Token, "x"); err != nil {
				t.Fatal(err)
			}
		}
		if v, err := e.svc.Views(ctx, "usr_a", sh.Token); err != nil || len(v) != 3 {
			t.Fatalf("own read: %d views, %v", len(v), err)
		}
		e.svc.OpenShare(ctx, sh.Token, "late")
		deadline := time.Now().Add(20 * wallet.ViewFlushDelay)
		for {
			v, err := other.Store.Views(ctx, sh.Token)
			if err != nil {
				t.Fatal(err)
			}
			if len(v) == 4 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("another process sees %d views after %s", len(v), 20*wallet.ViewFlushDelay)
			}
			time.Sleep(wallet.ViewFlushDelay / 4)
		}
		// A view whose link goes away before it is written.
		e.svc.OpenShare(ctx, sh.Token, "gone")
		if err := e.svc.Store.DeleteCredential(ctx, "usr_a", res.Credential.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.FlushViews(ctx); err != nil {
			t.Fatalf("flush with a deleted link: %v", err)
		}
	})
}

// Recheck records a new verification (a badge revoked since its import).
func TestRecheck(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, sqldbtest.SQLite(t))
	res, err := e.svc.ImportCredential(ctx, "usr_a", wallet.Import{Data: badge("urn:uuid:r", "2026-01-01T00:00:00Z", "", "")})
	if err != nil {
		t.Fatal(err)
	}
	base := e.svc.Verify
	e.svc.Verify = func(ctx context.Context, b []byte) (*wallet.Verification, error) {
		v, err := base(ctx, b)
		v.Verified, v.Verdict, v.Revoked, v.Report = false, "not-verified", true, json.RawMessage(`{"verified":false}`)
		return v, err
	}
	c, _ := e.svc.Credential(ctx, "usr_a", res.Credential.ID)
	if _, err := e.svc.Recheck(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, _ := e.svc.Credential(ctx, "usr_a", res.Credential.ID)
	if got.Verified || got.Verdict != "not-verified" || string(got.Report) != `{"verified":false}` {
		t.Fatalf("after recheck: %v %s %s", got.Verified, got.Verdict, got.Report)
	}
}

// Many viewers at once: every view is written, none twice.
func TestViewLogConcurrent(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		res, err := e.svc.ImportCredential(ctx, "usr_a", wallet.Import{Data: badge("urn:uuid:c", "2026-01-01T00:00:00Z", "", "")})
		if err != nil {
			t.Fatal(err)
		}
		sh, _ := e.svc.CreateShare(ctx, "usr_a", res.Credential.ID, 0)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 25 {
					if _, _, err := e.svc.OpenShare(ctx, sh.Token, ""); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Go(func() {
			for range 10 {
				if err := e.svc.FlushViews(ctx); err != nil {
					t.Error(err)
				}
			}
		})
		wg.Wait()
		v, err := e.svc.Views(ctx, "usr_a", sh.Token)
		if err != nil || len(v) != 200 {
			t.Fatalf("%d views, %v; want 200", len(v), err)
		}
	})
}

package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/testissuer"
	"github.com/blason-badges/blason/internal/testissuer/testkit"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

// served fetches documents from the server's handler, as a verifier on
// the web would fetch https://HOST/... (only the path is used).
type served struct{ h http.Handler }

func (s served) GetJSON(_ context.Context, u string, _ ...string) ([]byte, error) {
	p, err := url.Parse(u)
	if err != nil {
		return nil, err
	}
	req := httptest.NewRequest("GET", p.Path, nil)
	req.Host = "localhost:8080"
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d", u, w.Code)
	}
	return w.Body.Bytes(), nil
}

// TestKeyRotation: a did:web issuer rotates its key. Badges (Data
// Integrity and VC-JWT) signed before still verify against the DID
// document and JWKS the server serves afterwards; new badges name the new
// key; a retired key is never used again, also by another Service sharing
// the store (a second serve process); a did:key issuer cannot rotate.
func TestKeyRotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testissuer.SQLite(t, "")
	svc := testissuer.NewService(st, "https://b.example", now)
	const id = "did:web:badges.example"
	k1, err := issuer.NewKey("")
	if err != nil {
		t.Fatal(err)
	}
	k1 = &issuer.Key{Signer: k1.Signer, DID: id, VerificationMethod: id + "#key-1", Type: k1.Type}
	if _, err := svc.AddIssuer(ctx, issuer.Profile{Name: "Lab"}, k1); err != nil {
		t.Fatal(err)
	}
	srv := New(Config{Service: svc, IssuerID: id, Tokens: newTokens(t)})
	web := served{srv.Handler()}
	// A verifier as on the web: the DID document fetched from the server
	// every time (no cache), the status lists the Service's own.
	v := verifier.New(verifier.Options{Now: now, Fetcher: testissuer.Lists{Service: svc},
		DIDs: did.MultiResolver{"key": did.Offline, "web": &did.WebResolver{Fetcher: web, TTL: -1}}})
	svc.Preflight = v.Preflight()
	// Another process on the same database, which signed before the rotation.
	other := testissuer.NewService(st, "https://b.example", now)
	other.Preflight = v.Preflight()

	award := func(s *issuer.Service, f issuer.Format) []byte {
		t.Helper()
		rec, err := s.Award(ctx, id, issuer.Award{Achievement: testkit.Badge(id, nil)["credentialSubject"].(map[string]any)["achievement"].(map[string]any),
			Recipient: issuer.Recipient{Email: "ada@lab.example"}, Format: f})
		if err != nil {
			t.Fatal(err)
		}
		return rec.Document
	}
	signer := func(doc []byte) string {
		t.Helper()
		if head, _, ok := strings.Cut(string(doc), "."); ok && !strings.HasPrefix(head, "{") {
			b, err := base64.RawURLEncoding.DecodeString(head)
			if err != nil {
				t.Fatal(err)
			}
			var h struct{ Kid string }
			if err := json.Unmarshal(b, &h); err != nil {
				t.Fatal(err)
			}
			return h.Kid
		}
		var c struct {
			Proof []struct{ VerificationMethod string }
		}
		if err := json.Unmarshal(doc, &c); err != nil || len(c.Proof) != 1 {
			t.Fatalf("proof: %v", err)
		}
		return c.Proof[0].VerificationMethod
	}
	verifies := func(name string, doc []byte) {
		t.Helper()
		rep, err := v.Verify(ctx, doc)
		if err != nil || !rep.Verified {
			t.Errorf("%s does not verify: %v", name, err)
		}
	}
	before, beforeJWT, beforeOther := award(svc, issuer.FormatDataIntegrity), award(svc, issuer.FormatJWT), award(other, issuer.FormatDataIntegrity)
	for _, d := range [][]byte{before, beforeJWT, beforeOther} {
		if got := signer(d); got != id+"#key-1" {
			t.Fatalf("signed before rotation by %s", got)
		}
	}

	ks, err := svc.RotateKey(ctx, id, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ks.VerificationMethod != id+"#key-2" || len(ks.Retired) != 1 || ks.Retired[0].VerificationMethod != id+"#key-1" {
		t.Fatalf("after rotation: %+v", ks)
	}
	// The served DID document: both keys may assert; only the new one authenticates.
	raw, err := web.GetJSON(ctx, "https://badges.example/.well-known/did.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc did.Document
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(doc.AssertionMethod, []string{id + "#key-2", id + "#key-1"}) || !slices.Equal(doc.Authentication, []string{id + "#key-2"}) ||
		len(doc.VerificationMethod) != 2 {
		t.Fatalf("served DID document: %s", raw)
	}
	raw, err = web.GetJSON(ctx, "https://badges.example/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	var jwks struct{ Keys []struct{ Kid string } }
	if err := json.Unmarshal(raw, &jwks); err != nil || len(jwks.Keys) != 2 || jwks.Keys[0].Kid != id+"#key-2" || jwks.Keys[1].Kid != id+"#key-1" {
		t.Fatalf("served JWKS: %s (%v)", raw, err)
	}

	after, afterJWT, afterOther := award(svc, issuer.FormatDataIntegrity), award(svc, issuer.FormatJWT), award(other, issuer.FormatDataIntegrity)
	for name, d := range map[string][]byte{"badge": after, "VC-JWT": afterJWT, "the other process's badge": afterOther} {
		if got := signer(d); got != id+"#key-2" {
			t.Errorf("%s after rotation signed by %s, want the new key", name, got)
		}
	}
	for name, d := range map[string][]byte{"badge signed before": before, "VC-JWT signed before": beforeJWT, "other's before": beforeOther,
		"badge after": after, "VC-JWT after": afterJWT, "other's after": afterOther} {
		verifies(name, d)
	}

	// A retired key, or the current one, is refused as the next key.
	for name, k := range map[string]*issuer.Key{"retired": k1, "current": nil} {
		if k == nil {
			cur, err := svc.Issuer(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			k = cur.Key
		}
		if _, err := svc.RotateKey(ctx, id, k); !errors.Is(err, issuer.ErrKeyRotation) {
			t.Errorf("rotating to the %s key: %v, want ErrKeyRotation", name, err)
		}
	}
	// A third key: key-3, and neither earlier key comes back.
	ks, err = other.RotateKey(ctx, id, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ks.VerificationMethod != id+"#key-3" || len(ks.Retired) != 2 {
		t.Fatalf("second rotation: %+v", ks)
	}
	third := award(svc, issuer.FormatDataIntegrity)
	if got := signer(third); got != id+"#key-3" {
		t.Errorf("after the second rotation (by the other process) signed by %s", got)
	}
	for name, d := range map[string][]byte{"key-1": before, "key-2": after, "key-3": third} {
		verifies(name, d)
	}
	// Its status list, signed before, and re-signed by the new key after a revocation.
	if _, err := svc.ChangeStatus(ctx, issuerCredID(t, before), issuer.ActionRevoke, "test", "t"); err != nil {
		t.Fatal(err)
	}
	if rep, _ := v.Verify(ctx, after); !rep.Verified {
		t.Error("a badge of key-2 does not verify once its list is re-signed by key-3")
	}
	if rep, _ := v.Verify(ctx, before); rep.Verified {
		t.Error("the revoked badge of key-1 still verifies")
	}

	// An https issuer cannot rotate yet (verifiers keep its profile).
	kh, err := issuer.NewKey("")
	if err != nil {
		t.Fatal(err)
	}
	const hid = "https://badges.example/issuers/lab"
	if _, err := svc.AddIssuer(ctx, issuer.Profile{Name: "Lab"}, &issuer.Key{Signer: kh.Signer, DID: hid, VerificationMethod: hid + "#key-1", Type: kh.Type}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RotateKey(ctx, hid, nil); !errors.Is(err, issuer.ErrKeyRotation) || !strings.Contains(err.Error(), "https issuer") {
		t.Errorf("https issuer rotation: %v", err)
	}
	// A did:key is its key.
	dk := testissuer.AddIssuer(t, svc, 7)
	if _, err := svc.RotateKey(ctx, dk.DID, nil); !errors.Is(err, issuer.ErrKeyRotation) || !strings.Contains(err.Error(), "did:web") {
		t.Errorf("did:key rotation: %v, want ErrKeyRotation naming did:web", err)
	}
}

func issuerCredID(t *testing.T, doc []byte) string {
	t.Helper()
	var c struct{ ID string }
	if err := json.Unmarshal(doc, &c); err != nil || c.ID == "" {
		t.Fatalf("credential id: %v", err)
	}
	return c.ID
}

package vcjwt

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/internal/testissuer/testkit"
)

var (
	_ KeyResolver         = (*HTTPSKeyResolver)(nil)
	_ BodyCache           = (*fetch.Cache[[]byte])(nil)
	_ did.Fetcher         = (*fetch.Client)(nil)
	_ did.FinalURLFetcher = (*fetch.Client)(nil)
)

// keyEnv is the shared loopback HTTPS web; bodies here are strings.
type keyEnv struct{ *testkit.HTTPS }

func newKeyEnv(t *testing.T) keyEnv { return keyEnv{testkit.NewHTTPS(t)} }

func (e keyEnv) serve(u, body, ct string) { e.Serve(u, []byte(body), ct) }

// pubJWK returns the public JWK of pub with kid (if non-empty) and extra
// members.
func pubJWK(t testing.TB, pub crypto.PublicKey, kid string, extra map[string]any) string {
	t.Helper()
	raw, err := did.PublicJWK(pub, kid)
	if err != nil {
		t.Fatal(err)
	}
	if len(extra) == 0 {
		return string(raw)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range extra {
		m[k] = v
	}
	return mustJSON(t, m)
}

func pubJWKS(keys ...string) string { return `{"keys":[` + strings.Join(keys, ",") + `]}` }

const jwkSetCT = "application/jwk-set+json"

func ctx5(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestHTTPSKeyResolverJWKS covers kids pointing into a JWKS, provenance
// from the issuer's well-known JWKS, and the relative-kid lookup.
func TestHTTPSKeyResolverJWKS(t *testing.T) {
	t.Parallel()
	ed, p256, rsaK := keys(t)
	e := newKeyEnv(t)
	issuer := e.Base("example.com") + "/issuers/876543"
	wk := e.Base("example.com") + WellKnownJWKSPath
	e.serve(wk, pubJWKS(
		pubJWK(t, ed.signer.Public(), "key-1", nil),
		pubJWK(t, p256.signer.Public(), wk+"#key-2", nil),
		pubJWK(t, rsaK.signer.Public(), "key-3", map[string]any{"iss": issuer, "use": "sig", "key_ops": []any{"verify"}}),
	), jwkSetCT)
	r := &HTTPSKeyResolver{Fetcher: e.Client()}
	tests := []struct {
		kid  string
		want crypto.PublicKey
	}{
		{wk + "#key-1", ed.signer.Public()},   // fragment = kid member
		{wk + "#key-2", p256.signer.Public()}, // full URL = kid member
		{wk + "#key-3", rsaK.signer.Public()}, // iss member equal to the issuer
		{"key-1", ed.signer.Public()},         // relative kid, issuer's JWKS
		{"#key-3", rsaK.signer.Public()},
	}
	for _, tt := range tests {
		key, controller, err := r.ResolveJWTKey(ctx5(t), tt.kid, issuer)
		if err != nil {
			t.Errorf("%s: %v", tt.kid, err)
			continue
		}
		if !sameKey(key, tt.want) || controller != issuer {
			t.Errorf("%s: key %T, controller %q; want the issuer", tt.kid, key, controller)
		}
	}
	// Another issuer on the same authority shares the JWKS (IMPL: the
	// authority vouches), except for a key whose iss names someone else.
	other := e.Base("example.com") + "/issuers/other"
	if _, c, err := r.ResolveJWTKey(ctx5(t), wk+"#key-1", other); err != nil || c != other {
		t.Errorf("same authority: %q, %v", c, err)
	}
	if _, _, err := r.ResolveJWTKey(ctx5(t), wk+"#key-3", other); !errors.Is(err, ErrKeyResolution) || !errors.Is(err, ErrKeyProvenance) {
		t.Errorf("iss member mismatch: %v", err)
	}
	// An issuer on another authority: the key resolves, provenance unknown.
	if _, c, err := r.ResolveJWTKey(ctx5(t), wk+"#key-1", e.Base("elsewhere.example.com")+"/i"); err != nil || c != "" {
		t.Errorf("foreign issuer: %q, %v", c, err)
	}
	for _, kid := range []string{wk + "#key-9", wk, "key-9", wk + "#"} {
		if _, _, err := r.ResolveJWTKey(ctx5(t), kid, issuer); !errors.Is(err, ErrKeyResolution) {
			t.Errorf("%s: %v, want ErrKeyResolution", kid, err)
		}
	}

	// Two keys answering to one kid: ambiguous.
	dup := e.Base("example.com") + "/dup/jwks.json"
	e.serve(dup, pubJWKS(pubJWK(t, ed.signer.Public(), "k", nil), pubJWK(t, p256.signer.Public(), dup+"#k", nil)), jwkSetCT)
	if _, _, err := r.ResolveJWTKey(ctx5(t), dup+"#k", issuer); !errors.Is(err, ErrKeyResolution) || !strings.Contains(err.Error(), "2 keys match") {
		t.Errorf("two matches: %v", err)
	}
	// A one-key set named without a fragment.
	one := e.Base("keys.example.com") + "/one.json"
	e.serve(one, pubJWKS(pubJWK(t, p256.signer.Public(), "", nil)), jwkSetCT)
	if key, c, err := r.ResolveJWTKey(ctx5(t), one, issuer); err != nil || !sameKey(key, p256.signer.Public()) || c != issuer {
		t.Errorf("one-key set: %q, %v", c, err)
	}
}

// TestHTTPSKeyResolverJWK covers kids dereferencing to a bare JWK.
func TestHTTPSKeyResolverJWK(t *testing.T) {
	t.Parallel()
	ed, p256, rsaK := keys(t)
	e := newKeyEnv(t)
	issuer := e.Base("example.com") + "/issuers/1"
	wk := e.Base("example.com") + WellKnownJWKSPath
	kidURL := e.Base("keys.example.com") + "/k/p256.json"
	e.serve(kidURL, pubJWK(t, p256.signer.Public(), "", nil), "application/jwk+json")
	f := e.Client()
	r := &HTTPSKeyResolver{Fetcher: f}

	// The kid is on another host and the issuer publishes no JWKS (404):
	// the key resolves, provenance is unknown.
	key, c, err := r.ResolveJWTKey(ctx5(t), kidURL, issuer)
	if err != nil || !sameKey(key, p256.signer.Public()) || c != "" {
		t.Fatalf("no issuer JWKS: %q, %v", c, err)
	}
	// The issuer's JWKS lists other keys only: still unknown.
	e.serve(wk, pubJWKS(pubJWK(t, ed.signer.Public(), "a", nil)), jwkSetCT)
	if _, c, err := r.ResolveJWTKey(ctx5(t), kidURL, issuer); err != nil || c != "" {
		t.Fatalf("not in the issuer JWKS: %q, %v", c, err)
	}
	// Listed there under another kid, with a matching iss: verified.
	e.serve(wk, pubJWKS(pubJWK(t, ed.signer.Public(), "a", nil), pubJWK(t, p256.signer.Public(), "b", map[string]any{"iss": issuer})), jwkSetCT)
	if _, c, err := r.ResolveJWTKey(ctx5(t), kidURL, issuer); err != nil || c != issuer {
		t.Fatalf("in the issuer JWKS: %q, %v", c, err)
	}
	// A JWKS entry naming another issuer does not vouch for this one.
	e.serve(wk, pubJWKS(pubJWK(t, p256.signer.Public(), "b", map[string]any{"iss": "https://example.com/issuers/2"})), jwkSetCT)
	if _, c, err := r.ResolveJWTKey(ctx5(t), kidURL, issuer); err != nil || c != "" {
		t.Fatalf("JWKS entry for another issuer: %q, %v", c, err)
	}
	// A JWK iss member alone establishes nothing, but must match.
	issKid := e.Base("keys.example.com") + "/k/iss.json"
	e.serve(issKid, pubJWK(t, ed.signer.Public(), "", map[string]any{"iss": issuer}), "application/json")
	if _, c, err := r.ResolveJWTKey(ctx5(t), issKid, issuer); err != nil || c != "" {
		t.Errorf("iss member, key not in the JWKS: %q, %v", c, err)
	}
	if _, _, err := r.ResolveJWTKey(ctx5(t), issKid, "https://example.com/issuers/2"); !errors.Is(err, ErrKeyProvenance) || !errors.Is(err, ErrKeyResolution) {
		t.Errorf("iss member mismatch: %v", err)
	}

	// Bad keys.
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	b64e := b64.EncodeToString
	small := fmt.Sprintf(`{"kty":"RSA","n":%q,"e":"AQAB"}`, b64e(rsa1024.N.Bytes()))
	p256Priv := p256.signer.(*ecdsa.PrivateKey)
	d, _ := p256Priv.Bytes()
	bad := map[string]string{
		"private-d":    pubJWK(t, p256.signer.Public(), "", map[string]any{"d": b64e(d)}),
		"private-p":    pubJWK(t, rsaK.signer.Public(), "", map[string]any{"p": "AQAB"}),
		"oct":          `{"kty":"oct","k":"c2VjcmV0"}`,
		"use-enc":      pubJWK(t, p256.signer.Public(), "", map[string]any{"use": "enc"}),
		"key-ops":      pubJWK(t, p256.signer.Public(), "", map[string]any{"key_ops": []any{"encrypt"}}),
		"iss-number":   pubJWK(t, p256.signer.Public(), "", map[string]any{"iss": 7}),
		"case-dup":     `{"kty":"EC","crv":"P-256","x":"AAAA","X":"BBBB","y":"CCCC"}`,
		"dup":          `{"kty":"EC","kty":"EC"}`,
		"rsa-1024":     small,
		"not-on-curve": `{"kty":"EC","crv":"P-256","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","y":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`,
		"both":         `{"kty":"EC","keys":[]}`,
		"array":        `[]`,
		"neither":      `{"hello":"world"}`,
		"set-private":  pubJWKS(pubJWK(t, ed.signer.Public(), "ok", nil), pubJWK(t, p256.signer.Public(), "x", map[string]any{"d": b64e(d)})),
		"set-empty":    `{"keys":[]}`,
		"set-not-objs": `{"keys":["a"]}`,
	}
	for name, body := range bad {
		u := e.Base("keys.example.com") + "/bad/" + name
		e.serve(u, body, "application/json")
		kid := u
		if strings.HasPrefix(name, "set-") {
			kid += "#ok"
		}
		if key, _, err := r.ResolveJWTKey(ctx5(t), kid, issuer); !errors.Is(err, ErrKeyResolution) {
			t.Errorf("%s: key %T, %v; want ErrKeyResolution", name, key, err)
		}
	}
	// 404 and a cross-origin redirect: could not check.
	if _, _, err := r.ResolveJWTKey(ctx5(t), e.Base("keys.example.com")+"/none.json", issuer); !errors.Is(err, ErrKeyResolution) || !errors.Is(err, did.ErrResolution) || !errors.Is(err, fetch.ErrStatus) {
		t.Errorf("404: %v", err)
	}
	moved := e.Base("keys.example.com") + "/moved.json"
	e.Redirect(moved, e.Base("evil.example.com")+"/k.json")
	e.serve(e.Base("evil.example.com")+"/k.json", pubJWK(t, ed.signer.Public(), "", nil), "application/json")
	if _, _, err := r.ResolveJWTKey(ctx5(t), moved, issuer); !errors.Is(err, did.ErrResolution) || !strings.Contains(err.Error(), "another origin") {
		t.Errorf("cross-origin redirect: %v", err)
	}
	// Not https.
	for _, kid := range []string{"http://example.com/k.json", "HTTPS://example.com/k.json", "https://user@example.com/k"} {
		if _, _, err := r.ResolveJWTKey(ctx5(t), kid, issuer); !errors.Is(err, ErrKeyResolution) || !errors.Is(err, did.ErrInvalidURL) {
			t.Errorf("%s: %v", kid, err)
		}
	}
}

// TestHTTPSKeyResolverControllerDocument covers kids naming a verification
// method of an issuer profile, and the fallback for DIDs.
func TestHTTPSKeyResolverControllerDocument(t *testing.T) {
	t.Parallel()
	ed, p256, _ := keys(t)
	e := newKeyEnv(t)
	issuer := e.Base("example.com") + "/issuers/7"
	mk, _ := did.EncodePublicMultikey(ed.signer.Public())
	e.serve(issuer, fmt.Sprintf(`{
  "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/security/jwk/v1"],
  "id": %q, "type": ["Profile"], "name": "Example",
  "verificationMethod": [
    {"id": "#key-1", "type": "JsonWebKey", "controller": %q, "publicKeyJwk": %s},
    {"id": "#mk", "type": "Multikey", "controller": %q, "publicKeyMultibase": %q},
    {"id": "#unlisted", "type": "Multikey", "controller": %q, "publicKeyMultibase": %q},
    {"id": "#evil", "type": "JsonWebKey", "controller": %q, "publicKeyJwk": %s}
  ],
  "assertionMethod": ["#key-1", "#mk", "#evil"]
}`, issuer, issuer, pubJWK(t, p256.signer.Public(), "", nil), issuer, mk, issuer, mk,
		issuer, pubJWK(t, p256.signer.Public(), "", map[string]any{"iss": "https://example.com/x"})), "application/ld+json")
	r := &HTTPSKeyResolver{Fetcher: e.Client(), Cache: fetch.NewCache[[]byte](16, nil)}
	for kid, want := range map[string]crypto.PublicKey{issuer + "#key-1": p256.signer.Public(), issuer + "#mk": ed.signer.Public()} {
		key, c, err := r.ResolveJWTKey(ctx5(t), kid, issuer)
		if err != nil || !sameKey(key, want) || c != issuer {
			t.Errorf("%s: %q, %v", kid, c, err)
		}
		// Without an issuer hint the document's id is the controller.
		if _, c, err := r.ResolveJWTKey(ctx5(t), kid, ""); err != nil || c != issuer {
			t.Errorf("%s, no hint: %q, %v", kid, c, err)
		}
		// For another issuer: unknown (it is not in that issuer's JWKS).
		if _, c, err := r.ResolveJWTKey(ctx5(t), kid, e.Base("example.com")+"/issuers/8"); err != nil || c != "" {
			t.Errorf("%s, other issuer: %q, %v", kid, c, err)
		}
	}
	for _, kid := range []string{issuer + "#unlisted", issuer + "#nope", issuer + "#evil", issuer} {
		if _, _, err := r.ResolveJWTKey(ctx5(t), kid, issuer); !errors.Is(err, ErrKeyResolution) {
			t.Errorf("%s: %v", kid, err)
		}
	}
	if n := e.Count(issuer); n != 1 {
		t.Errorf("profile fetched %d times, want 1 (cached)", n)
	}
	// An authentication resolver refuses assertion-only keys.
	auth := &HTTPSKeyResolver{Fetcher: e.Client(), Relationship: did.Authentication}
	if _, _, err := auth.ResolveJWTKey(ctx5(t), issuer+"#key-1", issuer); !errors.Is(err, did.ErrRelationship) {
		t.Errorf("authentication: %v", err)
	}
	// DIDs go to the fallback.
	if _, c, err := r.ResolveJWTKey(ctx5(t), ed.vm, ""); err != nil || c != ed.did {
		t.Errorf("did:key fallback: %q, %v", c, err)
	}
	if _, _, err := r.ResolveJWTKey(ctx5(t), strings.TrimPrefix(ed.vm, ed.did), ed.did); err != nil {
		t.Errorf("relative kid, DID issuer: %v", err)
	}
	if _, _, err := r.ResolveJWTKey(ctx5(t), "urn:example:k", ""); !errors.Is(err, ErrKeyResolution) {
		t.Errorf("urn kid: %v", err)
	}
	var nilR *HTTPSKeyResolver
	if _, _, err := nilR.ResolveJWTKey(ctx5(t), issuer+"#key-1", issuer); !errors.Is(err, ErrKeyResolution) || !errors.Is(err, did.ErrResolution) {
		t.Errorf("nil resolver: %v", err)
	}
}

// TestHTTPSKeyResolverCache counts fetches through a fake fetcher.
func TestHTTPSKeyResolverCache(t *testing.T) {
	t.Parallel()
	_, p256, _ := keys(t)
	const issuer = "https://example.com/issuers/1"
	const wk = "https://example.com/.well-known/jwks.json"
	const kid = "https://keys.example.com/k.json"
	f := &countingFetcher{bodies: map[string]string{}, calls: map[string]int{}}
	f.errs = map[string]error{kid: errors.New("test: down")}
	f.bodies[wk] = pubJWKS(pubJWK(t, p256.signer.Public(), "k", nil))
	r := &HTTPSKeyResolver{Fetcher: f, Cache: fetch.NewCache[[]byte](16, nil)}
	if _, _, err := r.ResolveJWTKey(bg, kid, issuer); !errors.Is(err, did.ErrResolution) {
		t.Fatalf("down: %v", err)
	}
	delete(f.errs, kid)
	f.bodies[kid] = `{"kty":"EC","kty":"EC"}`
	if _, _, err := r.ResolveJWTKey(bg, kid, issuer); !errors.Is(err, ErrKeyResolution) {
		t.Fatalf("bad body: %v", err)
	}
	f.bodies[kid] = pubJWK(t, p256.signer.Public(), "", nil)
	for range 4 {
		if _, c, err := r.ResolveJWTKey(bg, kid, issuer); err != nil || c != issuer {
			t.Fatalf("%q, %v", c, err)
		}
	}
	if f.count(kid) != 3 || f.count(wk) != 1 {
		t.Errorf("fetches: kid %d (want 3: failure, bad body, good), JWKS %d (want 1)", f.count(kid), f.count(wk))
	}
	nc := &HTTPSKeyResolver{Fetcher: f, Cache: fetch.NewCache[[]byte](16, nil), TTL: -1}
	nc.ResolveJWTKey(bg, kid, issuer)
	nc.ResolveJWTKey(bg, kid, issuer)
	if f.count(kid) != 5 {
		t.Errorf("TTL -1: %d fetches, want 5", f.count(kid))
	}
}

type countingFetcher struct {
	mu     sync.Mutex
	bodies map[string]string
	errs   map[string]error
	calls  map[string]int
}

func (f *countingFetcher) GetJSON(_ context.Context, u string, _ ...string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[u]++
	if err := f.errs[u]; err != nil {
		return nil, err
	}
	if b, ok := f.bodies[u]; ok {
		return []byte(b), nil
	}
	return nil, &fetch.StatusError{Code: 404, URL: u}
}

func (f *countingFetcher) count(u string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[u]
}

// TestVerifyWithHTTPSKid runs Verify end to end over the loopback server:
// RS256 (RSA-2048) and ES256 tokens whose kid is an https URL.
func TestVerifyWithHTTPSKid(t *testing.T) {
	t.Parallel()
	_, p256, rsaK := keys(t)
	e := newKeyEnv(t)
	issuer := e.Base("example.com") + "/issuers/876543"
	wk := e.Base("example.com") + WellKnownJWKSPath
	esKid := e.Base("keys.example.com") + "/es256.json"
	e.serve(wk, pubJWKS(pubJWK(t, rsaK.signer.Public(), "rsa-1", nil), pubJWK(t, p256.signer.Public(), "es-1", nil)), jwkSetCT)
	e.serve(esKid, pubJWK(t, p256.signer.Public(), "", nil), "application/jwk+json")
	r := &HTTPSKeyResolver{Fetcher: e.Client(), Cache: fetch.NewCache[[]byte](16, nil)}
	opts := VerifyOptions{Now: nowFn, Resolver: r, Algorithms: []Algorithm{RS256, ES256}, RequireProvenance: true}

	for _, tc := range []struct {
		k   testKey
		kid string
	}{
		{rsaK, wk + "#rsa-1"},
		{p256, esKid},
		{rsaK, "rsa-1"}, // relative kid, found in the issuer's JWKS
	} {
		tok, err := Sign(credV2(issuer), tc.k.signer, SignOptions{KeyID: tc.kid})
		if err != nil {
			t.Fatal(err)
		}
		res, err := Verify(ctx5(t), tok, opts)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.k.alg, tc.kid, err)
		}
		if res.Algorithm != tc.k.alg || res.Provenance != ProvenanceVerified || res.Controller != issuer || res.KeyID != tc.kid {
			t.Errorf("%s %s: alg %s, provenance %v, controller %q", tc.k.alg, tc.kid, res.Algorithm, res.Provenance, res.Controller)
		}
		if c := findCheck(res.Checks, "key-provenance"); c.Outcome != Passed {
			t.Errorf("%s: key-provenance %v %s", tc.kid, c.Outcome, c.Detail)
		}
	}

	// A key on another host that the issuer's JWKS does not list: the
	// signature verifies, provenance cannot be established.
	stranger, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	strangerKid := e.Base("keys.example.com") + "/stranger.json"
	e.serve(strangerKid, pubJWK(t, stranger.Public(), "", map[string]any{"iss": issuer}), "application/jwk+json")
	tok, err := Sign(credV2(issuer), stranger, SignOptions{KeyID: strangerKid})
	if err != nil {
		t.Fatal(err)
	}
	lax := opts
	lax.RequireProvenance = false
	res, err := Verify(ctx5(t), tok, lax)
	if err != nil || res.Provenance != ProvenanceUnknown || res.Controller != "" {
		t.Errorf("stranger key, lax: %+v, %v", res, err)
	}
	if _, err := Verify(ctx5(t), tok, opts); !errors.Is(err, ErrKeyProvenance) {
		t.Errorf("stranger key, RequireProvenance: %v", err)
	}
	// The stranger's key in the JWKS of an issuer on another authority
	// does not help a token claiming this issuer... and a token claiming
	// the other issuer is verified for that issuer only.
	otherIssuer := e.Base("other.example.com") + "/i"
	e.serve(e.Base("other.example.com")+WellKnownJWKSPath, pubJWKS(pubJWK(t, stranger.Public(), "s", nil)), jwkSetCT)
	if _, err := Verify(ctx5(t), tok, opts); !errors.Is(err, ErrKeyProvenance) {
		t.Errorf("stranger key listed elsewhere: %v", err)
	}
	e.serve(strangerKid, pubJWK(t, stranger.Public(), "", nil), "application/jwk+json")
	r.Cache = nil
	tok2, _ := Sign(credV2(otherIssuer), stranger, SignOptions{KeyID: strangerKid})
	if res, err := Verify(ctx5(t), tok2, opts); err != nil || res.Controller != otherIssuer {
		t.Errorf("other issuer: %+v, %v", res, err)
	}
	// The issuer JWKS also vouches for a jwk-header-only token, through
	// IssuerJWKSContains (Verify itself leaves it unknown).
	tok3, err := Sign(credV2(issuer), p256.signer, SignOptions{EmbedJWK: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err = Verify(ctx5(t), tok3, lax)
	if err != nil || res.Provenance != ProvenanceUnknown {
		t.Fatalf("jwk-only: %+v, %v", res, err)
	}
	if ok, err := r.IssuerJWKSContains(ctx5(t), issuer, res.Key); !ok || err != nil {
		t.Errorf("IssuerJWKSContains: %v, %v", ok, err)
	}
	if ok, err := r.IssuerJWKSContains(ctx5(t), issuer, stranger.Public()); ok || err != nil {
		t.Errorf("IssuerJWKSContains(stranger): %v, %v", ok, err)
	}
	if _, err := r.IssuerJWKSContains(ctx5(t), "did:example:1", stranger.Public()); !errors.Is(err, ErrKeyResolution) {
		t.Errorf("IssuerJWKSContains(did): %v", err)
	}
}

// FuzzHTTPSKeyDocument feeds arbitrary bodies as the kid document and as
// the issuer JWKS: resolution never panics, errors wrap ErrKeyResolution,
// and a controller, when returned, is the issuer.
func FuzzHTTPSKeyDocument(f *testing.F) {
	_, p256, rsaK := keys(f)
	const issuer = "https://example.com/issuers/1"
	const wk = "https://example.com/.well-known/jwks.json"
	pj := pubJWK(f, p256.signer.Public(), "k", nil)
	rj := pubJWK(f, rsaK.signer.Public(), "r", map[string]any{"iss": issuer})
	f.Add(pj, pubJWKS(pj), "#k")
	f.Add(pubJWKS(pj, rj), pubJWKS(rj), "#r")
	f.Add(`{"id":"https://keys.example.com/k","verificationMethod":[{"id":"#k","type":"JsonWebKey","controller":"https://keys.example.com/k","publicKeyJwk":`+pj+`}],"assertionMethod":["#k"]}`, `{}`, "#k")
	f.Add(`{"kty":"EC","crv":"P-256","x":"","y":""}`, `{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}`, "")
	f.Add(`{"keys":[{"kid":"k"},{"kid":"k"}]}`, `[`, "#k")
	f.Fuzz(func(t *testing.T, kidBody, jwksBody, frag string) {
		ff := &countingFetcher{bodies: map[string]string{"https://keys.example.com/k": kidBody, wk: jwksBody}, calls: map[string]int{}}
		r := &HTTPSKeyResolver{Fetcher: ff}
		for _, kid := range []string{"https://keys.example.com/k" + frag, wk + frag, strings.TrimPrefix(frag, "#")} {
			key, c, err := r.ResolveJWTKey(bg, kid, issuer)
			if err != nil {
				if !errors.Is(err, ErrKeyResolution) && !strings.HasPrefix(kid, "did:") {
					t.Fatalf("%q: error does not wrap ErrKeyResolution: %v", kid, err)
				}
				continue
			}
			if key == nil {
				t.Fatalf("%q: nil key without error", kid)
			}
			if c != "" && c != issuer && c != "https://keys.example.com/k" {
				t.Fatalf("%q: controller %q", kid, c)
			}
		}
	})
}

package vcjwt

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/blason-badges/blason/internal/did"
)

func TestFixturesPresent(t *testing.T) {
	for _, pat := range []string{"testdata/*.jwt", "testdata/*_jwt.txt"} {
		m, err := filepath.Glob(pat)
		if err != nil || len(m) != 2 {
			t.Fatalf("glob %s: %d files (%v), want 2", pat, len(m), err)
		}
	}
}

// simple.jwt (1EdTech validator): RS256, neither kid nor jwk. The validator's
// ExternalProofProbe rejects it ("Key must present in either jwk or kid
// value."); there is no key anywhere, offline or online.
func TestFixtureSimpleJWT(t *testing.T) {
	tok := readFixture(t, "simple.jwt")
	for _, algs := range [][]Algorithm{nil, {RS256, ES256}} {
		_, err := Verify(bg, tok, VerifyOptions{Algorithms: algs, Now: nowFn})
		wantErr(t, err, ErrNoKeySource, ErrKeyResolution)
	}
	// Restricting the allowlist to ES256 turns it into an algorithm error
	// before any key lookup.
	_, err := Verify(bg, tok, VerifyOptions{Algorithms: []Algorithm{ES256}})
	wantErr(t, err, ErrAlgorithm)
}

// velocity.jwt: RS256 with a did:velocity kid; the key lives in the Velocity
// Network's on-chain registry (encrypted), not in the fixture.
func TestFixtureVelocityJWT(t *testing.T) {
	tok := readFixture(t, "velocity.jwt")
	_, err := Verify(bg, tok, VerifyOptions{Algorithms: []Algorithm{RS256, ES256}, Now: nowFn})
	wantErr(t, err, ErrKeyResolution, did.ErrUnsupportedMethod)
}

// vc_jwt.txt (W3C VC 2.0 test suite): ES256, no kid, no jwk.
func TestFixtureVCJWT(t *testing.T) {
	tok := readFixture(t, "vc_jwt.txt")
	for _, p := range []Profile{ProfileOB3, ProfileVCJWT} {
		_, err := Verify(bg, tok, VerifyOptions{Profile: p, Now: nowFn})
		wantErr(t, err, ErrNoKeySource, ErrKeyResolution)
	}
}

// vp_jwt.txt: EdDSA VP-JWT (did:key holder) holding an enveloped ES256
// VC-JWT (P-256 did:key issuer). Both verify offline.
func TestFixtureVPJWT(t *testing.T) {
	tok := readFixture(t, "vp_jwt.txt")
	const holder = "did:key:z6Mkj8h3kzWZrPiucoyY9LGCTpXhCqBoX3doDmHz5MaPxnvi"
	res, err := VerifyPresentation(bg, tok, PresentationOptions{
		VerifyOptions: VerifyOptions{Now: nowFn},
		Challenge:     "123456789",
		Domain:        "example.com",
	})
	if err != nil {
		t.Fatalf("VerifyPresentation: %v", err)
	}
	if res.Holder != holder || res.Controller != holder || res.Algorithm != EdDSA {
		t.Fatalf("holder %q controller %q alg %q", res.Holder, res.Controller, res.Algorithm)
	}
	for _, name := range []string{"holder", "nonce", "aud"} {
		if c := findCheck(res.Checks, name); c.Outcome != Passed {
			t.Errorf("check %s: %v %s", name, c.Outcome, c.Detail)
		}
	}
	vcs, _ := res.Presentation["verifiableCredential"].([]any)
	if len(vcs) != 1 {
		t.Fatalf("verifiableCredential: %v", res.Presentation["verifiableCredential"])
	}
	env, _ := vcs[0].(map[string]any)
	inner, mt, err := ParseEnveloped(env)
	if err != nil || mt != MediaTypeJWT {
		t.Fatalf("ParseEnveloped: %q %v", mt, err)
	}
	// OB 3.0 profile: the inner token is VC-JWT 1.1 style carrying a VC 2.0
	// credential without id/validFrom: rejected as such.
	_, err = Verify(bg, inner, verifyOpts())
	var ce *ClaimError
	if !errors.As(err, &ce) || ce.Claim != "vc" {
		t.Fatalf("OB3 profile: want a vc claim error, got %v", err)
	}
	vr, err := Verify(bg, inner, VerifyOptions{Profile: ProfileVCJWT, Now: nowFn})
	if err != nil {
		t.Fatalf("inner Verify: %v", err)
	}
	const issuer = "did:key:zDnaeTQKDbXQT4batxKcnMQYQ8JynjqC5Xz1uMk5euG2ht8nq"
	if vr.Algorithm != ES256 || vr.Controller != issuer || vr.Provenance != ProvenanceVerified || !vr.VC11 {
		t.Fatalf("inner result: alg %s controller %s provenance %v vc11 %v", vr.Algorithm, vr.Controller, vr.Provenance, vr.VC11)
	}
	if c := vr.Check("sub"); c.Outcome != Passed {
		t.Errorf("sub: %v", c)
	}
	// Wrong challenge / domain.
	_, err = VerifyPresentation(bg, tok, PresentationOptions{VerifyOptions: verifyOpts(), Challenge: "987654321", Domain: "example.com"})
	wantErr(t, err, ErrNonce)
	_, err = VerifyPresentation(bg, tok, PresentationOptions{VerifyOptions: verifyOpts(), Challenge: "123456789", Domain: "evil.example"})
	wantErr(t, err, ErrAudience)
	// The 1EdTech validator's allowlist refuses EdDSA.
	_, err = VerifyPresentation(bg, tok, PresentationOptions{VerifyOptions: VerifyOptions{Algorithms: []Algorithm{RS256, ES256}}})
	wantErr(t, err, ErrAlgorithm)
	// A VP is not a credential: Verify on it fails its claim checks.
	if _, err := Verify(bg, tok, verifyOpts()); err == nil {
		t.Fatal("Verify accepted a VP-JWT as a credential")
	}
}

func findCheck(cs []Check, name string) Check {
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	return Check{Name: name}
}

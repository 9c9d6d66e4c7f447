package vcjwt

import (
	"errors"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/credential"
)

func TestRoundTrip(t *testing.T) {
	for _, k := range allKeys(t) {
		for _, tc := range []struct {
			name     string
			cred     map[string]any
			opts     SignOptions
			wantTyp  string
			wantVC11 bool
		}{
			{"v2-kid", credV2(k.did), SignOptions{KeyID: k.vm}, "JWT", false},
			{"v2-kid+jwk", credV2(k.did), SignOptions{KeyID: k.vm, EmbedJWK: true}, "JWT", false},
			{"v2-jwk-only", credV2(k.did), SignOptions{EmbedJWK: true}, "JWT", false},
			{"v2-envelope", credV2(k.did), SignOptions{KeyID: k.vm, Envelope: true}, "vc+jwt", false},
			{"v1-kid", credV1(k.did), SignOptions{KeyID: k.vm}, "JWT", true},
			{"v1-jwk", credV1(k.did), SignOptions{EmbedJWK: true}, "JWT", true},
		} {
			t.Run(k.name+"/"+tc.name, func(t *testing.T) {
				before := mustJSON(t, tc.cred)
				tok, err := Sign(tc.cred, k.signer, tc.opts)
				if err != nil {
					t.Fatalf("Sign: %v", err)
				}
				if mustJSON(t, tc.cred) != before {
					t.Fatal("Sign modified its input")
				}
				if tc.opts.Envelope {
					env := Envelope(tok)
					got, mt, err := ParseEnveloped(env)
					if err != nil || got != tok || mt != MediaTypeVCJWT {
						t.Fatalf("envelope round trip: %q %v", mt, err)
					}
				}
				res, err := Verify(bg, tok, verifyOpts())
				if err != nil {
					t.Fatalf("Verify: %v (checks %+v)", err, res)
				}
				if res.Algorithm != k.alg || res.Type != tc.wantTyp || res.VC11 != tc.wantVC11 {
					t.Fatalf("alg %s typ %s vc11 %v", res.Algorithm, res.Type, res.VC11)
				}
				if res.Provenance != ProvenanceVerified || res.Controller != k.did {
					t.Fatalf("provenance %v controller %q (issuer DID key should establish it, even for jwk-only)", res.Provenance, res.Controller)
				}
				if mustJSON(t, res.Credential) != before {
					t.Fatalf("credential changed:\n%s\n%s", mustJSON(t, res.Credential), before)
				}
				for _, name := range []string{"vc", "iss", "key-provenance", "sub", "nbf", "jti", "exp", "validity"} {
					if c := res.Check(name); c.Outcome != Passed {
						t.Errorf("check %s: %v %s", name, c.Outcome, c.Detail)
					}
				}
				wantVer := credential.V2
				if tc.wantVC11 {
					wantVer = credential.V1
				}
				if res.Version != wantVer {
					t.Errorf("version %v", res.Version)
				}
				// Round trip through the validator's allowlist for RS256/ES256.
				_, err = Verify(bg, tok, VerifyOptions{Algorithms: []Algorithm{RS256, ES256}, Now: nowFn})
				if k.alg == EdDSA {
					wantErr(t, err, ErrAlgorithm)
				} else if err != nil {
					t.Fatalf("validator allowlist: %v", err)
				}
			})
		}
	}
}

func TestHeaderAndPayloadShape(t *testing.T) {
	ed, _, _ := keys(t)
	tok, err := Sign(credV2(ed.did), ed.signer, SignOptions{KeyID: ed.vm})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok, ".")
	h, _ := b64.DecodeString(parts[0])
	if string(h) != `{"alg":"EdDSA","kid":"`+ed.vm+`","typ":"JWT"}` {
		t.Fatalf("header %s", h)
	}
	p, _ := b64.DecodeString(parts[1])
	for _, want := range []string{`"iss":"` + ed.did + `"`, `"sub":"did:example:learner"`, `"nbf":1735689600`, `"jti":"urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002"`, `"exp":1893456000`, `"name":"Teamwork <&>"`} {
		if !strings.Contains(string(p), want) {
			t.Errorf("payload lacks %s: %s", want, p)
		}
	}
	if strings.Contains(string(p), `"vc"`) {
		t.Error("VC 2.0 payload must not use a vc wrapper")
	}
	// jwk header carries public members only.
	tok, _ = Sign(credV2(ed.did), ed.signer, SignOptions{EmbedJWK: true})
	h, _ = b64.DecodeString(strings.Split(tok, ".")[0])
	if strings.Contains(string(h), `"d"`) || !strings.Contains(string(h), `"jwk":{`) || strings.Contains(string(h), "kid") {
		t.Fatalf("jwk header %s", h)
	}
}

// An issuer that is not a DID and a jwk-only header: provenance unknown,
// reported, error only with RequireProvenance.
func TestJWKProvenanceUnknown(t *testing.T) {
	_, p256, _ := keys(t)
	tok, err := Sign(credV2("https://issuer.example/profiles/1"), p256.signer, SignOptions{EmbedJWK: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Verify(bg, tok, verifyOpts())
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if res.Provenance != ProvenanceUnknown || !res.KeyFromJWK || res.Controller != "" {
		t.Fatalf("provenance %v fromJWK %v controller %q", res.Provenance, res.KeyFromJWK, res.Controller)
	}
	if c := res.Check("key-provenance"); c.Outcome != Skipped {
		t.Fatalf("key-provenance check %v", c)
	}
	o := verifyOpts()
	o.RequireProvenance = true
	_, err = Verify(bg, tok, o)
	wantErr(t, err, ErrKeyProvenance)
}

// A jwk-only token claiming an issuer DID whose key is another one.
func TestJWKProvenanceMismatch(t *testing.T) {
	ed, p256, _ := keys(t)
	tok, err := Sign(credV2(ed.did), p256.signer, SignOptions{EmbedJWK: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Verify(bg, tok, verifyOpts())
	wantErr(t, err, ErrKeyProvenance)
	if res == nil || res.Provenance != ProvenanceUnknown {
		t.Fatalf("result %+v", res)
	}
}

// kid of one DID, issuer another: the controller is not the issuer.
func TestKidControllerNotIssuer(t *testing.T) {
	ed, p256, _ := keys(t)
	tok, err := Sign(credV2(p256.did), ed.signer, SignOptions{KeyID: ed.vm})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Verify(bg, tok, verifyOpts())
	wantErr(t, err, ErrKeyProvenance)
}

// A bare-fragment kid is resolved against the issuer DID.
func TestRelativeKid(t *testing.T) {
	ed, _, _ := keys(t)
	frag := ed.vm[strings.Index(ed.vm, "#"):]
	for _, kid := range []string{frag, frag[1:]} {
		tok, err := Sign(credV2(ed.did), ed.signer, SignOptions{KeyID: kid})
		if err != nil {
			t.Fatal(err)
		}
		res, err := Verify(bg, tok, verifyOpts())
		if err != nil || res.Controller != ed.did {
			t.Fatalf("kid %q: %v", kid, err)
		}
	}
	// Relative kid with an HTTPS issuer: nothing to resolve against.
	tok, _ := Sign(credV2("https://issuer.example/1"), ed.signer, SignOptions{KeyID: "key-1"})
	_, err := Verify(bg, tok, verifyOpts())
	wantErr(t, err, ErrKeyResolution)
}

// An HTTPS kid goes through a pluggable resolver.
func TestHTTPSKidThroughResolver(t *testing.T) {
	_, _, rk := keys(t)
	const issuer = "https://issuer.example/profiles/1"
	const kid = "https://issuer.example/keys/1"
	tok, err := Sign(credV2(issuer), rk.signer, SignOptions{KeyID: kid})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Verify(bg, tok, verifyOpts())
	wantErr(t, err, ErrKeyResolution)
	o := verifyOpts()
	o.Resolver = fakeResolver{kid: {rk.signer.Public(), issuer}}
	res, err := Verify(bg, tok, o)
	if err != nil || res.Provenance != ProvenanceVerified {
		t.Fatalf("Verify: %v", err)
	}
	o.Resolver = fakeResolver{kid: {rk.signer.Public(), "https://someone.else/"}}
	_, err = Verify(bg, tok, o)
	wantErr(t, err, ErrKeyProvenance)
	// A resolver error that does not wrap ErrKeyResolution is wrapped.
	o.Resolver = fakeResolver{}
	_, err = Verify(bg, tok, o)
	wantErr(t, err, ErrKeyResolution)
}

// Identifier-only subject (digest §10 item 4): no sub is signed, and the
// check is skipped; a sub naming a subject the credential lacks fails.
func TestSubjectWithoutID(t *testing.T) {
	ed, _, _ := keys(t)
	c := credV2(ed.did)
	delete(c["credentialSubject"].(map[string]any), "id")
	c["credentialSubject"].(map[string]any)["identifier"] = []any{map[string]any{"type": "IdentityObject", "hashed": false, "identityType": "emailAddress", "identityHash": "a@example.org"}}
	tok, err := Sign(c, ed.signer, SignOptions{KeyID: ed.vm})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := b64.DecodeString(strings.Split(tok, ".")[1]); strings.Contains(string(p), `"sub"`) {
		t.Fatal("sub emitted for a subject without id")
	}
	res, err := Verify(bg, tok, verifyOpts())
	if err != nil {
		t.Fatal(err)
	}
	if res.Check("sub").Outcome != Skipped {
		t.Fatalf("sub check %v", res.Check("sub"))
	}
	bad := handToken(headerFor(ed), payloadFor(t, ed, func(p map[string]any) {
		delete(p["credentialSubject"].(map[string]any), "id")
	}), signWith(t, ed))
	_, err = Verify(bg, bad, verifyOpts())
	var ce *ClaimError
	if !errors.As(err, &ce) || ce.Claim != "sub" {
		t.Fatalf("want sub claim error, got %v", err)
	}
}

func TestSignErrors(t *testing.T) {
	ed, p256, _ := keys(t)
	c := credV2(ed.did)
	for name, tc := range map[string]struct {
		cred map[string]any
		opts SignOptions
		want error
	}{
		"no kid or jwk": {c, SignOptions{}, ErrCredential},
		"no issuer":     {func() map[string]any { m := credV2(""); delete(m, "issuer"); return m }(), SignOptions{KeyID: ed.vm}, ErrCredential},
		"no id":         {func() map[string]any { m := credV2(ed.did); delete(m, "id"); return m }(), SignOptions{KeyID: ed.vm}, ErrCredential},
		"no validFrom":  {func() map[string]any { m := credV2(ed.did); delete(m, "validFrom"); return m }(), SignOptions{KeyID: ed.vm}, ErrCredential},
		"claim clash":   {func() map[string]any { m := credV2(ed.did); m["iss"] = "x"; return m }(), SignOptions{KeyID: ed.vm}, ErrCredential},
		"no context":    {map[string]any{"id": "x"}, SignOptions{KeyID: ed.vm}, ErrCredential},
		"v1 envelope":   {credV1(ed.did), SignOptions{KeyID: ed.vm, Envelope: true}, ErrCredential},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Sign(tc.cred, ed.signer, tc.opts)
			wantErr(t, err, tc.want)
		})
	}
	_, err := Sign(c, nil, SignOptions{KeyID: ed.vm})
	wantErr(t, err, ErrKeyType)
	_ = p256
}

package vcjwt

import (
	"errors"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

func vpFor(holder string, vcs ...any) map[string]any {
	return map[string]any{
		"@context":             []any{"https://www.w3.org/ns/credentials/v2"},
		"type":                 []any{"VerifiablePresentation"},
		"id":                   "urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5",
		"holder":               holder,
		"verifiableCredential": vcs,
	}
}

func TestPresentationRoundTrip(t *testing.T) {
	issuer, _, _ := keys(t)
	for _, k := range allKeys(t) {
		t.Run(k.name, func(t *testing.T) {
			vcTok, err := Sign(credV2(issuer.did), issuer.signer, SignOptions{KeyID: issuer.vm, Envelope: true})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := SignPresentation(vpFor(k.did, Envelope(vcTok)), k.signer, k.vm, "c-123", "verifier.example")
			if err != nil {
				t.Fatal(err)
			}
			opts := PresentationOptions{VerifyOptions: VerifyOptions{Now: time.Now}, Challenge: "c-123", Domain: "verifier.example"}
			res, err := VerifyPresentation(bg, tok, opts)
			if err != nil {
				t.Fatalf("VerifyPresentation: %v", err)
			}
			if res.Holder != k.did || res.Controller != k.did || res.Algorithm != k.alg {
				t.Fatalf("holder %q controller %q", res.Holder, res.Controller)
			}
			for _, c := range []string{"holder", "nonce", "aud", "jti", "validity"} {
				if findCheck(res.Checks, c).Outcome != Passed {
					t.Errorf("check %s: %+v", c, findCheck(res.Checks, c))
				}
			}
			env := res.Presentation["verifiableCredential"].([]any)[0].(map[string]any)
			inner, _, err := ParseEnveloped(env)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Verify(bg, inner, verifyOpts()); err != nil {
				t.Fatalf("inner: %v", err)
			}
			opts.Challenge = "other"
			_, err = VerifyPresentation(bg, tok, opts)
			wantErr(t, err, ErrNonce)
			opts.Challenge, opts.Domain = "c-123", "other.example"
			_, err = VerifyPresentation(bg, tok, opts)
			wantErr(t, err, ErrAudience)
		})
	}
}

// Holder binding: a key of one DID presenting for another holder.
func TestPresentationHolderMismatch(t *testing.T) {
	ed, p256, _ := keys(t)
	tok, err := SignPresentation(vpFor(p256.did), ed.signer, ed.vm, "n", "a")
	if err != nil {
		t.Fatal(err)
	}
	_, err = VerifyPresentation(bg, tok, PresentationOptions{Challenge: "n", Domain: "a"})
	wantErr(t, err, ErrHolder)
	// iss right but vp.holder different.
	h := handToken(`{"alg":"EdDSA","kid":"`+ed.vm+`"}`, mustJSON(t, map[string]any{"iss": ed.did, "vp": vpFor(p256.did)}), signWith(t, ed))
	_, err = VerifyPresentation(bg, h, PresentationOptions{})
	wantErr(t, err, ErrHolder)
	// jwk-only presentation from a did:key holder whose key it is: accepted.
	h = handToken(`{"alg":"EdDSA","jwk":`+jwkJSON(t, ed)+`}`, mustJSON(t, map[string]any{"iss": ed.did, "vp": vpFor(ed.did)}), signWith(t, ed))
	if _, err := VerifyPresentation(bg, h, PresentationOptions{}); err != nil {
		t.Fatalf("jwk holder: %v", err)
	}
	// jwk-only with an https holder: cannot be bound.
	h = handToken(`{"alg":"EdDSA","jwk":`+jwkJSON(t, ed)+`}`, mustJSON(t, map[string]any{"iss": "https://holder.example", "vp": vpFor("https://holder.example")}), signWith(t, ed))
	_, err = VerifyPresentation(bg, h, PresentationOptions{})
	wantErr(t, err, ErrHolder)
}

func TestPresentationMissingVP(t *testing.T) {
	ed, _, _ := keys(t)
	h := handToken(`{"alg":"EdDSA","kid":"`+ed.vm+`"}`, `{"iss":"`+ed.did+`"}`, signWith(t, ed))
	_, err := VerifyPresentation(bg, h, PresentationOptions{})
	var ce *ClaimError
	if !errors.As(err, &ce) || ce.Claim != "vp" {
		t.Fatalf("got %v", err)
	}
}

func TestPresentationExpired(t *testing.T) {
	ed, _, _ := keys(t)
	h := handToken(`{"alg":"EdDSA","kid":"`+ed.vm+`"}`, mustJSON(t, map[string]any{"iss": ed.did, "vp": vpFor(ed.did), "exp": 1700000000}), signWith(t, ed))
	_, err := VerifyPresentation(bg, h, PresentationOptions{VerifyOptions: verifyOpts()})
	wantErr(t, err, ErrExpired)
}

func TestSignPresentationHolderFromKid(t *testing.T) {
	ed, _, _ := keys(t)
	vp := vpFor("")
	delete(vp, "holder")
	tok, err := SignPresentation(vp, ed.signer, ed.vm, "", "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := VerifyPresentation(bg, tok, PresentationOptions{})
	if err != nil || res.Holder != ed.did {
		t.Fatalf("%v %q", err, res.Holder)
	}
	_, err = SignPresentation(vp, ed.signer, "https://x.example/key", "", "")
	wantErr(t, err, ErrCredential)
	_, err = SignPresentation(vp, ed.signer, "", "", "")
	wantErr(t, err, ErrCredential)
}

func jwkJSON(t *testing.T, k testKey) string {
	t.Helper()
	b, err := jose.JSONWebKey{Key: k.signer.Public()}.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

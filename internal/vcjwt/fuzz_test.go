package vcjwt

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// validSeeds are tokens known to verify; only these (or, for ES256, another
// signature over the same signing input) may ever verify.
var (
	seedsOnce  sync.Once
	seedTokens []string
)

func fuzzSeeds(t testing.TB) []string {
	seedsOnce.Do(func() {
		for _, k := range allKeys(t) {
			for _, c := range []struct {
				cred map[string]any
				opts SignOptions
			}{
				{credV2(k.did), SignOptions{KeyID: k.vm}},
				{credV2(k.did), SignOptions{EmbedJWK: true, Envelope: true}},
				{credV1(k.did), SignOptions{KeyID: k.vm}},
			} {
				tok, err := Sign(c.cred, k.signer, c.opts)
				if err != nil {
					panic(err)
				}
				seedTokens = append(seedTokens, tok)
			}
			vp, err := SignPresentation(vpFor(k.did), k.signer, k.vm, "123", "example.com")
			if err != nil {
				panic(err)
			}
			seedTokens = append(seedTokens, vp)
		}
	})
	return seedTokens
}

func signingInput(tok string) string {
	if i := strings.LastIndexByte(tok, '.'); i >= 0 {
		return tok[:i]
	}
	return tok
}

// FuzzVerify: Verify, VerifyPresentation and ParseEnveloped never panic, and
// a token whose signature verifies is one of the valid seeds (byte for byte
// for deterministic EdDSA/RS256; same signing input for randomized ES256).
func FuzzVerify(f *testing.F) {
	seeds := fuzzSeeds(f)
	valid := map[string]bool{}
	inputs := map[string]bool{}
	for _, s := range seeds {
		valid[s] = true
		inputs[signingInput(s)] = true
		f.Add(s)
	}
	for _, name := range []string{"simple.jwt", "velocity.jwt", "vc_jwt.txt", "vp_jwt.txt"} {
		f.Add(readFixture(f, name))
	}
	fixtureVP := readFixture(f, "vp_jwt.txt")
	inner := "eyJhbGciOiJFUzI1NiIsImtpZCI6ImRpZDprZXk6ekRuYWVUUUtEYlhRVDRiYXR4S2NuTVFZUThKeW5qcUM1WHoxdU1rNWV1RzJodDhucSN6RG5hZVRRS0RiWFFUNGJhdHhLY25NUVlROEp5bmpxQzVYejF1TWs1ZXVHMmh0OG5xIn0"
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("..")

	now := func() time.Time { return testNow }
	f.Fuzz(func(t *testing.T, tok string) {
		known := valid[tok] || tok == fixtureVP || strings.HasPrefix(tok, inner+".")
		okInput := inputs[signingInput(tok)] && strings.HasPrefix(tok, "eyJhbGciOiJFUzI1NiI")
		for _, p := range []Profile{ProfileOB3, ProfileVCJWT} {
			res, err := Verify(bg, tok, VerifyOptions{Now: now, Profile: p})
			if res != nil && !known && !okInput {
				t.Fatalf("signature verified on a non-seed token %q (err %v)", tok, err)
			}
			if err == nil && res == nil {
				t.Fatal("nil result without error")
			}
		}
		pr, err := VerifyPresentation(bg, tok, PresentationOptions{VerifyOptions: VerifyOptions{Now: now}})
		if pr != nil && !known && !okInput {
			t.Fatalf("presentation signature verified on a non-seed token %q (err %v)", tok, err)
		}
		_, _, _ = ParseEnveloped(map[string]any{"@context": "https://www.w3.org/ns/credentials/v2", "type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt," + tok})
		_, _, _ = ParseEnveloped(map[string]any{"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "type": "EnvelopedVerifiablePresentation", "id": tok})
	})
}

// FuzzVerifySigned signs arbitrary header and payload JSON with a test key,
// so that the header rules and every claim check run on hostile but validly
// signed input. Property: no panic, and a nil error always comes with a
// Result whose checks all passed or were skipped.
func FuzzVerifySigned(f *testing.F) {
	ed, _, _ := keys(f)
	f.Add(headerFor(ed), payloadFor(f, ed, nil))
	f.Add(`{"alg":"EdDSA","jwk":{"kty":"OKP","crv":"Ed25519","x":"AA"}}`, `{"vc":{"@context":["https://www.w3.org/2018/credentials/v1"]},"iss":1}`)
	f.Add(`{"alg":"EdDSA","kid":"#x"}`, `{"iss":"did:key:z6Mk","nbf":1e308,"exp":-1e308,"vp":{"holder":{}}}`)
	sign := signWith(f, ed)
	now := func() time.Time { return testNow }
	f.Fuzz(func(t *testing.T, header, payload string) {
		tok := handToken(header, payload, sign)
		for _, p := range []Profile{ProfileOB3, ProfileVCJWT} {
			res, err := Verify(bg, tok, VerifyOptions{Now: now, Profile: p})
			if err == nil {
				for _, c := range res.Checks {
					if c.Outcome != Passed && c.Outcome != Skipped {
						t.Fatalf("nil error with check %+v", c)
					}
				}
			}
		}
		_, _ = VerifyPresentation(bg, tok, PresentationOptions{VerifyOptions: VerifyOptions{Now: now}, Challenge: "x", Domain: "y"})
	})
}

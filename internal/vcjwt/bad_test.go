package vcjwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/blason-badges/blason/internal/credential"
)

// goodToken returns a valid EdDSA token and its key.
func goodToken(t *testing.T) (string, testKey) {
	t.Helper()
	ed, _, _ := keys(t)
	tok, err := Sign(credV2(ed.did), ed.signer, SignOptions{KeyID: ed.vm})
	if err != nil {
		t.Fatal(err)
	}
	return tok, ed
}

func TestRejectAlgNone(t *testing.T) {
	_, ed := goodToken(t)
	for _, h := range []string{`{"alg":"none","kid":"` + ed.vm + `"}`, `{"alg":"None","typ":"JWT"}`} {
		tok := handToken(h, payloadFor(t, ed, nil), nil)
		tok = tok[:strings.LastIndex(tok, ".")+1] + "AA" // empty-ish signature
		_, err := Verify(bg, tok, verifyOpts())
		wantErr(t, err, ErrAlgorithm)
		// and with an empty signature segment
		_, err = Verify(bg, tok[:strings.LastIndex(tok, ".")+1], verifyOpts())
		if err == nil {
			t.Fatal("accepted an unsigned token")
		}
	}
}

// Algorithm confusion: HS256 with the issuer's public key bytes as the MAC key.
func TestRejectHS256AlgorithmConfusion(t *testing.T) {
	_, _, rk := keys(t)
	der, _ := x509.MarshalPKIXPublicKey(rk.signer.Public())
	secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	for _, alg := range []string{"HS256", "HS384", "HS512"} {
		h := `{"alg":"` + alg + `","kid":"` + rk.vm + `","typ":"JWT"}`
		tok := handToken(h, payloadFor(t, rk, nil), func(in []byte) []byte {
			m := hmac.New(sha256.New, secret)
			m.Write(in)
			return m.Sum(nil)
		})
		_, err := Verify(bg, tok, verifyOpts())
		wantErr(t, err, ErrAlgorithm)
	}
	// Nor can a caller allow them.
	_, err := Verify(bg, "a.b.c", VerifyOptions{Algorithms: []Algorithm{"HS256"}})
	wantErr(t, err, ErrAlgorithm)
	_, err = Verify(bg, "a.b.c", VerifyOptions{Algorithms: []Algorithm{}})
	wantErr(t, err, ErrAlgorithm)
}

func TestRejectJWKWithPrivateKey(t *testing.T) {
	_, p256, _ := keys(t)
	priv, _ := jose.JSONWebKey{Key: p256.signer}.MarshalJSON()
	h := `{"alg":"ES256","jwk":` + string(priv) + `,"typ":"JWT"}`
	tok := handToken(h, payloadFor(t, p256, nil), signWith(t, p256))
	_, err := Verify(bg, tok, verifyOpts())
	wantErr(t, err, ErrPrivateKeyInHeader)
	// A symmetric "k" member too.
	tok = handToken(`{"alg":"ES256","jwk":{"kty":"oct","k":"c2VjcmV0"}}`, payloadFor(t, p256, nil), signWith(t, p256))
	_, err = Verify(bg, tok, verifyOpts())
	wantErr(t, err, ErrPrivateKeyInHeader)
}

func TestRejectExtraHeaders(t *testing.T) {
	_, ed := goodToken(t)
	for name, h := range map[string]string{
		"x5u":    `{"alg":"EdDSA","kid":"` + ed.vm + `","x5u":"https://evil.example/cert"}`,
		"jku":    `{"alg":"EdDSA","kid":"` + ed.vm + `","jku":"https://evil.example/jwks"}`,
		"crit":   `{"alg":"EdDSA","kid":"` + ed.vm + `","crit":["exp"],"exp":1}`,
		"b64":    `{"alg":"EdDSA","kid":"` + ed.vm + `","b64":false,"crit":["b64"]}`,
		"cty":    `{"alg":"EdDSA","kid":"` + ed.vm + `","cty":"JWT"}`,
		"custom": `{"alg":"EdDSA","kid":"` + ed.vm + `","blason":1}`,
	} {
		t.Run(name, func(t *testing.T) {
			tok := handToken(h, payloadFor(t, ed, nil), signWith(t, ed))
			_, err := Verify(bg, tok, verifyOpts())
			wantErr(t, err, ErrHeader)
		})
	}
}

func TestRejectDuplicateHeaderMember(t *testing.T) {
	_, ed := goodToken(t)
	tok := handToken(`{"alg":"EdDSA","alg":"HS256","kid":"`+ed.vm+`"}`, payloadFor(t, ed, nil), signWith(t, ed))
	_, err := Verify(bg, tok, verifyOpts())
	wantErr(t, err, ErrHeader, credential.ErrDuplicateKey)
}

func TestRejectTyp(t *testing.T) {
	_, ed := goodToken(t)
	for _, typ := range []string{"vp+jwt", "vc+ld+jwt", "JOSE", "at+jwt", ""} {
		tok := handToken(`{"alg":"EdDSA","kid":"`+ed.vm+`","typ":"`+typ+`"}`, payloadFor(t, ed, nil), signWith(t, ed))
		_, err := Verify(bg, tok, verifyOpts())
		wantErr(t, err, ErrHeader)
	}
	for _, typ := range []string{"JWT", "jwt", "application/jwt", "vc+jwt", "application/vc+jwt"} {
		tok := handToken(`{"alg":"EdDSA","kid":"`+ed.vm+`","typ":"`+typ+`"}`, payloadFor(t, ed, nil), signWith(t, ed))
		if _, err := Verify(bg, tok, verifyOpts()); err != nil {
			t.Errorf("typ %q: %v", typ, err)
		}
	}
	// No typ at all is fine (§8.2.3: optional).
	tok := handToken(`{"alg":"EdDSA","kid":"`+ed.vm+`"}`, payloadFor(t, ed, nil), signWith(t, ed))
	if _, err := Verify(bg, tok, verifyOpts()); err != nil {
		t.Errorf("no typ: %v", err)
	}
	// vc+jwt is not a presentation type.
	vp := handToken(`{"alg":"EdDSA","kid":"`+ed.vm+`","typ":"vc+jwt"}`, `{"iss":"`+ed.did+`","vp":{}}`, signWith(t, ed))
	_, err := VerifyPresentation(bg, vp, PresentationOptions{})
	wantErr(t, err, ErrHeader)
}

func claimErr(t *testing.T, err error, claim string) {
	t.Helper()
	var ce *ClaimError
	if !errors.As(err, &ce) || !errors.Is(err, ErrClaim) {
		t.Fatalf("want a ClaimError for %s, got %v", claim, err)
	}
	if ce.Claim != claim {
		t.Fatalf("claim %s, want %s (%v)", ce.Claim, claim, err)
	}
}

func mismatch(t *testing.T, claim string, edit func(p map[string]any)) {
	t.Helper()
	_, ed := goodToken(t)
	tok := handToken(headerFor(ed), payloadFor(t, ed, edit), signWith(t, ed))
	res, err := Verify(bg, tok, verifyOpts())
	claimErr(t, err, claim)
	if res == nil || res.Check(claim).Outcome != Failed {
		t.Fatalf("result check %s: %+v", claim, res)
	}
}

func TestClaimIssMismatch(t *testing.T) {
	mismatch(t, "iss", func(p map[string]any) { p["iss"] = "did:example:other" })
}
func TestClaimIssMissing(t *testing.T) {
	mismatch(t, "iss", func(p map[string]any) { delete(p, "iss") })
}
func TestClaimSubMismatch(t *testing.T) {
	mismatch(t, "sub", func(p map[string]any) { p["sub"] = "did:example:other" })
}
func TestClaimSubMissing(t *testing.T) {
	mismatch(t, "sub", func(p map[string]any) { delete(p, "sub") })
}
func TestClaimJtiMismatch(t *testing.T) {
	mismatch(t, "jti", func(p map[string]any) { p["jti"] = "urn:uuid:other" })
}
func TestClaimJtiMissing(t *testing.T) {
	mismatch(t, "jti", func(p map[string]any) { delete(p, "jti") })
}
func TestClaimNbfMismatch(t *testing.T) {
	mismatch(t, "nbf", func(p map[string]any) { p["nbf"] = 1735689601 })
}
func TestClaimNbfMissing(t *testing.T) {
	mismatch(t, "nbf", func(p map[string]any) { delete(p, "nbf") })
}
func TestClaimNbfNotNumber(t *testing.T) {
	mismatch(t, "nbf", func(p map[string]any) { p["nbf"] = "1735689600" })
}
func TestClaimExpMismatch(t *testing.T) {
	mismatch(t, "exp", func(p map[string]any) { p["exp"] = 1893456001 })
}
func TestClaimExpMissing(t *testing.T) {
	mismatch(t, "exp", func(p map[string]any) { delete(p, "exp") })
}

// nbf with a fractional NumericDate equal at second precision passes.
func TestClaimNbfSecondPrecision(t *testing.T) {
	_, ed := goodToken(t)
	tok := handToken(headerFor(ed), payloadFor(t, ed, func(p map[string]any) { p["nbf"] = 1735689600.9 }), signWith(t, ed))
	if _, err := Verify(bg, tok, verifyOpts()); err != nil {
		t.Fatal(err)
	}
}

func TestExpired(t *testing.T) {
	tok, _ := goodToken(t)
	o := verifyOpts()
	o.Now = func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }
	res, err := Verify(bg, tok, o)
	wantErr(t, err, ErrExpired)
	if res == nil || res.Check("validity").Outcome != Failed || res.Check("exp").Outcome != Passed {
		t.Fatalf("checks %+v", res)
	}
	o.ClockSkew = time.Minute
	if _, err := Verify(bg, tok, o); err != nil {
		t.Fatalf("with skew: %v", err)
	}
}

func TestNotYetValid(t *testing.T) {
	tok, _ := goodToken(t)
	o := verifyOpts()
	o.Now = func() time.Time { return time.Date(2024, 12, 31, 23, 59, 0, 0, time.UTC) }
	_, err := Verify(bg, tok, o)
	wantErr(t, err, ErrNotYetValid)
	o.ClockSkew = 2 * time.Minute
	if _, err := Verify(bg, tok, o); err != nil {
		t.Fatalf("with skew: %v", err)
	}
}

func TestTamperedPayload(t *testing.T) {
	tok, ed := goodToken(t)
	parts := strings.Split(tok, ".")
	forged := handToken(headerFor(ed), payloadFor(t, ed, func(p map[string]any) { p["name"] = "Forged" }), nil)
	fp := strings.Split(forged, ".")
	_, err := Verify(bg, parts[0]+"."+fp[1]+"."+parts[2], verifyOpts())
	wantErr(t, err, ErrSignature)
}

func TestTamperedSignature(t *testing.T) {
	tok, _ := goodToken(t)
	b := []byte(tok)
	i := strings.LastIndex(tok, ".") + 5
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	_, err := Verify(bg, string(b), verifyOpts())
	wantErr(t, err, ErrSignature)
}

// Key type must match alg: an ES256 header with an Ed25519 kid.
func TestWrongKeyTypeForAlg(t *testing.T) {
	ed, p256, _ := keys(t)
	tok := handToken(`{"alg":"ES256","kid":"`+ed.vm+`"}`, payloadFor(t, ed, nil), signWith(t, p256))
	_, err := Verify(bg, tok, verifyOpts())
	wantErr(t, err, ErrKeyType)
	tok = handToken(`{"alg":"RS256","kid":"`+p256.vm+`"}`, payloadFor(t, p256, nil), nil)
	_, err = Verify(bg, tok, verifyOpts())
	wantErr(t, err, ErrKeyType)
	// ES256 with a P-384 key.
	k384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	_, err = Sign(credV2(ed.did), k384, SignOptions{EmbedJWK: true})
	wantErr(t, err, ErrKeyType)
	j, _ := jose.JSONWebKey{Key: k384.Public()}.MarshalJSON()
	tok = handToken(`{"alg":"ES256","jwk":`+string(j)+`}`, payloadFor(t, ed, nil), nil)
	_, err = Verify(bg, tok, verifyOpts())
	wantErr(t, err, ErrKeyType)
}

func TestRejectRSA1024(t *testing.T) {
	ed, _, _ := keys(t)
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Skip("RSA-1024 generation refused by this Go:", err)
	}
	_, err = Sign(credV2(ed.did), k, SignOptions{EmbedJWK: true})
	wantErr(t, err, ErrKeyType)
	j, _ := jose.JSONWebKey{Key: k.Public()}.MarshalJSON()
	tok := handToken(`{"alg":"RS256","jwk":`+string(j)+`}`, payloadFor(t, ed, nil), func(in []byte) []byte {
		d := sha256.Sum256(in)
		s, _ := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, d[:])
		return s
	})
	_, err = Verify(bg, tok, verifyOpts())
	wantErr(t, err, ErrKeyType)
}

func TestRejectTruncated(t *testing.T) {
	tok, _ := goodToken(t)
	for _, s := range []string{
		"", ".", "..", tok[:strings.Index(tok, ".")],
		tok[:strings.LastIndex(tok, ".")],
		tok[:strings.LastIndex(tok, ".")+1],
		tok[:len(tok)-10],
		tok + ".x",
	} {
		_, err := Verify(bg, s, verifyOpts())
		if err == nil {
			t.Fatalf("accepted %q", s)
		}
		if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrSignature) {
			t.Fatalf("%q: unexpected error %v", s, err)
		}
	}
}

func TestRejectNonBase64(t *testing.T) {
	tok, _ := goodToken(t)
	parts := strings.Split(tok, ".")
	for _, s := range []string{
		parts[0] + "=." + parts[1] + "." + parts[2],      // padding
		parts[0] + "." + parts[1] + "+/." + parts[2],     // std alphabet
		parts[0] + "." + parts[1] + "." + parts[2] + " ", // whitespace
		"e30." + parts[1] + "." + parts[2] + "!",
	} {
		_, err := Verify(bg, s, verifyOpts())
		wantErr(t, err, ErrMalformed)
	}
	// Non-canonical trailing bits in the signature.
	sig := []byte(parts[2])
	last := sig[len(sig)-1]
	sig[len(sig)-1] = b64Alphabet[int(b64Value[last])|1]
	_, err := Verify(bg, parts[0]+"."+parts[1]+"."+string(sig), verifyOpts())
	wantErr(t, err, ErrMalformed)
}

func TestRejectHeaderNotJSON(t *testing.T) {
	_, ed := goodToken(t)
	tok := handToken(`not json`, payloadFor(t, ed, nil), signWith(t, ed))
	_, err := Verify(bg, tok, verifyOpts())
	wantErr(t, err, ErrHeader, credential.ErrMalformed)
}

func TestRejectPayloadNotJSON(t *testing.T) {
	_, ed := goodToken(t)
	tok := handToken(headerFor(ed), `{"iss": nope}`, signWith(t, ed))
	_, err := Verify(bg, tok, verifyOpts())
	wantErr(t, err, ErrMalformed, credential.ErrMalformed)
	tok = handToken(headerFor(ed), `["array"]`, signWith(t, ed))
	_, err = Verify(bg, tok, verifyOpts())
	wantErr(t, err, ErrMalformed)
}

func TestRejectPayloadDuplicateKeys(t *testing.T) {
	_, ed := goodToken(t)
	p := payloadFor(t, ed, nil)
	p = `{"iss":"did:example:evil",` + p[1:] // iss twice; which one wins is parser-dependent
	tok := handToken(headerFor(ed), p, signWith(t, ed))
	_, err := Verify(bg, tok, verifyOpts())
	wantErr(t, err, ErrMalformed, credential.ErrDuplicateKey)
}

// A 10 MB token is refused before decoding (DefaultMaxBytes = 1 MiB).
func TestRejectHugeToken(t *testing.T) {
	tok, _ := goodToken(t)
	parts := strings.Split(tok, ".")
	huge := parts[0] + "." + strings.Repeat("A", 10<<20) + "." + parts[2]
	_, err := Verify(bg, huge, verifyOpts())
	wantErr(t, err, ErrTooLarge)
	_, err = VerifyPresentation(bg, huge, PresentationOptions{})
	wantErr(t, err, ErrTooLarge)
	o := verifyOpts()
	o.MaxBytes = 100
	_, err = Verify(bg, tok, o)
	wantErr(t, err, ErrTooLarge)
}

func TestRejectVersionMismatch(t *testing.T) {
	ed, _, _ := keys(t)
	// VC 1.1 credential without the vc wrapper (strict profile).
	p := credV1(ed.did)
	p["iss"], p["sub"], p["nbf"], p["jti"], p["exp"] = ed.did, "did:example:ebfeb1f712ebc6f1c276e12ec21", 1262304000, "http://example.edu/credentials/3732", 1924992000
	tok := handToken(headerFor(ed), mustJSON(t, p), signWith(t, ed))
	_, err := Verify(bg, tok, verifyOpts())
	claimErr(t, err, "vc")
	// vc claim that is not an object.
	tok = handToken(headerFor(ed), `{"iss":"`+ed.did+`","vc":"x"}`, signWith(t, ed))
	_, err = Verify(bg, tok, verifyOpts())
	claimErr(t, err, "vc")
}

func TestNoKeySource(t *testing.T) {
	_, ed := goodToken(t)
	tok := handToken(`{"alg":"EdDSA","typ":"JWT"}`, payloadFor(t, ed, nil), signWith(t, ed))
	_, err := Verify(bg, tok, verifyOpts())
	wantErr(t, err, ErrNoKeySource, ErrKeyResolution)
}

func TestUnknownVerificationMethod(t *testing.T) {
	_, ed := goodToken(t)
	tok := handToken(`{"alg":"EdDSA","kid":"`+ed.did+`#nope"}`, payloadFor(t, ed, nil), signWith(t, ed))
	_, err := Verify(bg, tok, verifyOpts())
	wantErr(t, err, ErrKeyResolution)
}

// kid and jwk both present must name the same key.
func TestKidJWKDisagree(t *testing.T) {
	ed, p256, _ := keys(t)
	j, _ := jose.JSONWebKey{Key: p256.signer.Public()}.MarshalJSON()
	tok := handToken(`{"alg":"EdDSA","kid":"`+ed.vm+`","jwk":`+string(j)+`}`, payloadFor(t, ed, nil), signWith(t, ed))
	_, err := Verify(bg, tok, verifyOpts())
	wantErr(t, err, ErrKeyProvenance)
}

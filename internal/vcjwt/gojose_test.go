package vcjwt

import (
	"crypto/elliptic"
	"encoding/json"
	"math/big"
	"strconv"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// verifyJWS checks signatures itself (checkAndDecode, verifySignature) instead
// of through jose.ParseSignedCompact and JSONWebSignature.Verify, which it
// used before. These tests prove the two accept exactly the same tokens,
// once our structural checks (checkAndDecode, parseHeader) have passed, as
// they did before go-jose was called.

// ourSignature is the signature step of verifyJWS, with key given.
func ourSignature(tok string, key any) (bool, bool) {
	seg, p, err := checkAndDecode(tok, 0)
	if err != nil {
		return false, false
	}
	defer p.release()
	h, err := parseHeader(seg[0], kindCredential)
	if err != nil {
		return false, false
	}
	switch h.alg {
	case RS256, ES256, EdDSA:
	default:
		return false, false // the allowlist refuses it before any signature check
	}
	return true, verifySignature(h.alg, key, p.input, p.sig) == nil
}

// goJoseSignature is what verifyJWS did before, with key given.
func goJoseSignature(tok string, key any) bool {
	jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA})
	if err != nil || len(jws.Signatures) != 1 {
		return false
	}
	_, err = jws.Verify(key)
	return err == nil
}

// agree checks tok against every test key, and reports how many
// (token, key) pairs verified.
func agree(t *testing.T, tok string) int {
	t.Helper()
	verified := 0
	for _, k := range allKeys(t) {
		checked, ours := ourSignature(tok, k.signer.Public())
		if !checked {
			continue
		}
		theirs := goJoseSignature(tok, k.signer.Public())
		if ours != theirs {
			t.Fatalf("key %s: our signature check says %v, go-jose says %v, for %q", k.name, ours, theirs, tok)
		}
		if ours {
			verified++
		}
	}
	return verified
}

func TestSignatureAgreesWithGoJose(t *testing.T) {
	t.Parallel()
	var toks []string
	toks = append(toks, fuzzSeeds(t)...)
	for _, name := range []string{"simple.jwt", "velocity.jwt", "vc_jwt.txt", "vp_jwt.txt"} {
		toks = append(toks, strings.TrimSpace(readFixture(t, name)))
	}
	valid := 0
	for _, tok := range fuzzSeeds(t) {
		valid += agree(t, tok)
	}
	if valid != len(fuzzSeeds(t)) {
		t.Fatalf("%d (token, key) pairs verified, want one per seed (%d)", valid, len(fuzzSeeds(t)))
	}
	// Mutations of every seed: each bit of the signature, a truncated, an
	// extended and an empty-ish signature, the other algorithms' headers
	// over the same payload and signature, and for ES256 the other S form
	// (both verify, with either implementation) and an S of n.
	n := elliptic.P256().Params().N
	for _, tok := range fuzzSeeds(t) {
		i := strings.LastIndexByte(tok, '.')
		in, sig64 := tok[:i], tok[i+1:]
		sig, err := b64.DecodeString(sig64)
		if err != nil {
			t.Fatal(err)
		}
		for bit := 0; bit < len(sig)*8; bit += 7 {
			m := append([]byte(nil), sig...)
			m[bit/8] ^= 1 << (bit % 8)
			toks = append(toks, in+"."+b64.EncodeToString(m))
		}
		toks = append(toks,
			in+"."+b64.EncodeToString(sig[:len(sig)-1]),
			in+"."+b64.EncodeToString(append(append([]byte(nil), sig...), 0)),
			in+"."+b64.EncodeToString([]byte{0}),
		)
		if len(sig) == 64 {
			s := new(big.Int).SetBytes(sig[32:])
			for _, alt := range []*big.Int{new(big.Int).Sub(n, s), n, new(big.Int).Add(s, n)} {
				if alt.BitLen() > 256 {
					continue // n + s does not fit in 32 bytes
				}
				m := make([]byte, 64)
				copy(m, sig[:32])
				alt.FillBytes(m[32:])
				toks = append(toks, in+"."+b64.EncodeToString(m))
			}
			r := new(big.Int).SetBytes(sig[:32])
			m := make([]byte, 64)
			new(big.Int).Sub(n, r).FillBytes(m[:32])
			copy(m[32:], sig[32:])
			toks = append(toks, in+"."+b64.EncodeToString(m))
		}
		hdr, _, _ := strings.Cut(in, ".")
		raw, _ := b64.DecodeString(hdr)
		var hm map[string]any
		if err := json.Unmarshal(raw, &hm); err != nil {
			t.Fatal(err)
		}
		for _, alg := range []string{"EdDSA", "ES256", "RS256"} {
			hm["alg"] = alg
			toks = append(toks, b64.EncodeToString([]byte(mustJSON(t, hm)))+in[len(hdr):]+"."+sig64)
		}
	}
	highS := 0
	for _, tok := range toks {
		if agree(t, tok) > 0 && !strings.Contains(strings.Join(fuzzSeeds(t), " "), tok) {
			highS++
		}
	}
	// The only mutations that verify are the ES256 seeds' other S forms.
	var es256 int
	for _, tok := range fuzzSeeds(t) {
		if strings.HasPrefix(tok, "eyJhbGciOiJFUzI1NiI") {
			es256++
		}
	}
	if highS != es256 {
		t.Fatalf("%d mutated tokens verified, want %d (the ES256 seeds with n-S)", highS, es256)
	}
}

// FuzzSignatureAgreesWithGoJose: for any token that passes our structural
// checks, our signature check and go-jose's accept the same (token, key)
// pairs.
func FuzzSignatureAgreesWithGoJose(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Fuzz(func(t *testing.T, tok string) {
		agree(t, tok)
	})
}

// TestHeaderMemo: a remembered header is the one parseHeaderUncached gives,
// for the kind of token it was checked for only; headers with a jwk and
// headers that fail are never remembered; the memo stays bounded.
func TestHeaderMemo(t *testing.T) {
	ed, _, _ := keys(t)
	seg := b64.EncodeToString([]byte(`{"alg":"EdDSA","kid":"` + ed.vm + `","typ":"vc+jwt"}`))
	want, err := parseHeaderUncached(seg, kindCredential)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		got, err := parseHeader(seg, kindCredential)
		if err != nil || got != want {
			t.Fatalf("parseHeader = %+v, %v; want %+v", got, err, want)
		}
	}
	// vc+jwt is refused for a presentation, remembered or not.
	if _, err := parseHeader(seg, kindPresentation); err == nil {
		t.Fatal("a presentation accepted typ vc+jwt")
	}
	if _, ok := headerMemo.get(seg, kindPresentation); ok {
		t.Fatal("a refused header was remembered")
	}
	tok, err := Sign(credV2(ed.did), ed.signer, SignOptions{EmbedJWK: true})
	if err != nil {
		t.Fatal(err)
	}
	jwkSeg, _, _ := strings.Cut(tok, ".")
	if h, err := parseHeader(jwkSeg, kindCredential); err != nil || h.jwk == nil {
		t.Fatalf("jwk header: %+v, %v", h, err)
	}
	if _, ok := headerMemo.get(jwkSeg, kindCredential); ok {
		t.Fatal("a header with a jwk was remembered")
	}
	for i := range headerMemoSize + 10 {
		headerMemo.put(seg+strings.Repeat("A", i%7)+string(rune('a'+i%26))+strconv.Itoa(i), kindCredential, want)
	}
	if n := len(headerMemo.m); n > headerMemoSize {
		t.Fatalf("memo holds %d headers, limit %d", n, headerMemoSize)
	}
}

// TestRegisteredClaimsAgree: the switch Verify uses names exactly the
// registered claims it strips.
func TestRegisteredClaimsAgree(t *testing.T) {
	for _, k := range registeredClaims {
		if !isRegisteredClaim(k) {
			t.Errorf("%q is not recognised", k)
		}
	}
	for _, k := range []string{"vc", "@context", "id", "type", "issuer", "ISS", "iss ", ""} {
		if isRegisteredClaim(k) {
			t.Errorf("%q is taken for a registered claim", k)
		}
	}
}

package vcjwt

import (
	"crypto/elliptic"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
)

// TestES256BothSForms: an ES256 VC-JWT verifies with its signature in
// either form (r, s) or (r, n-s), as RFC 7518 §3.4 (ECDSA per FIPS 186)
// does not require low S and signers (Go, JavaScript) do not normalise it;
// a tampered payload fails with either form. See the same decision for
// ecdsa-rdfc-2019 in internal/dataintegrity (verifySignature).
func TestES256BothSForms(t *testing.T) {
	t.Parallel()
	_, k, _ := keys(t)
	tok, err := Sign(credV2(k.did), k.signer, SignOptions{KeyID: k.vm})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok, ".")
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		t.Fatalf("signature: %v %d", err, len(sig))
	}
	n := elliptic.P256().Params().N
	s := new(big.Int).SetBytes(sig[32:])
	flipped := append([]byte(nil), sig...)
	new(big.Int).Sub(n, s).FillBytes(flipped[32:])
	other := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(flipped)

	// A payload with one claim changed, signed by nobody.
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	changed := strings.Replace(string(payload), "Works well in teams.", "Won a Nobel Prize.", 1)
	if changed == string(payload) {
		t.Fatal("payload has no criteria to change")
	}
	tamperedPayload := base64.RawURLEncoding.EncodeToString([]byte(changed))

	for form, t0 := range map[string]string{"as signed": tok, "other S": other} {
		if _, err := Verify(bg, t0, verifyOpts()); err != nil {
			t.Errorf("%s: %v", form, err)
		}
		p := strings.Split(t0, ".")
		if _, err := Verify(bg, p[0]+"."+tamperedPayload+"."+p[2], verifyOpts()); err == nil || !strings.Contains(err.Error(), "signature") {
			t.Errorf("%s: a tampered payload: %v", form, err)
		}
	}
}

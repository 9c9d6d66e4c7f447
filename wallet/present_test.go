package wallet

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/did"
)

func holder(t *testing.T) Holder {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	d, vm, err := did.KeyDID(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return Holder{Signer: priv, DID: d, VerificationMethod: vm}
}

const cred = `{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
  "issuer": "did:example:1", "credentialSubject": {"id": "did:example:2"}}`

func TestPresent(t *testing.T) {
	h := holder(t)
	now := func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	out, err := Present([][]byte{[]byte(cred)}, h, PresentOptions{Challenge: "c", Domain: "d.example", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var vp map[string]any
	json.Unmarshal(out, &vp)
	proof := vp["proof"].(map[string]any)
	if vp["holder"] != h.DID || proof["proofPurpose"] != "authentication" || proof["challenge"] != "c" ||
		proof["domain"] != "d.example" || proof["created"] != "2026-01-02T03:04:05Z" {
		t.Fatalf("presentation %s", out)
	}
	if len(vp["verifiableCredential"].([]any)) != 1 {
		t.Fatal("credential missing")
	}
}

func TestPresentRejects(t *testing.T) {
	h := holder(t)
	for name, c := range map[string]struct {
		creds [][]byte
		opts  PresentOptions
	}{
		"no challenge":   {[][]byte{[]byte(cred)}, PresentOptions{}},
		"not JSON":       {[][]byte{[]byte("{")}, PresentOptions{Challenge: "c"}},
		"not an object":  {[][]byte{[]byte(`"x"`)}, PresentOptions{Challenge: "c"}},
		"duplicate keys": {[][]byte{[]byte(`{"a":1,"a":2}`)}, PresentOptions{Challenge: "c"}},
		"undefined term": {[][]byte{[]byte(`{"@context": ["https://www.w3.org/ns/credentials/v2"], "colour": "x"}`)}, PresentOptions{Challenge: "c"}},
	} {
		if _, err := Present(c.creds, h, c.opts); !errors.Is(err, ErrPresentation) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestPresentJWTUsesClock: the VP-JWT's iat is the injected clock's time,
// as Present's proof.created is, not the machine's.
func TestPresentJWTUsesClock(t *testing.T) {
	t.Parallel()
	h := holder(t)
	for _, at := range []time.Time{
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		time.Date(2031, 7, 8, 9, 10, 11, 900_000_000, time.UTC), // fractions dropped (NumericDate, whole seconds)
	} {
		jws, err := PresentJWT([][]byte{[]byte(cred)}, h, PresentOptions{Challenge: "c", Domain: "d.example", Now: func() time.Time { return at }})
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(jws, ".")
		if len(parts) != 3 {
			t.Fatalf("not a compact JWS: %s", jws)
		}
		raw, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		var claims struct {
			IAT   int64  `json:"iat"`
			Nonce string `json:"nonce"`
			Aud   string `json:"aud"`
		}
		if err := json.Unmarshal(raw, &claims); err != nil {
			t.Fatal(err)
		}
		if claims.IAT != at.Unix() || claims.Nonce != "c" || claims.Aud != "d.example" {
			t.Fatalf("claims %s, want iat %d", raw, at.Unix())
		}
	}
}

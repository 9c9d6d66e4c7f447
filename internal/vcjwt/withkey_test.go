package vcjwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"testing"
)

// TestVerifyWithKey: a JWS verified with a caller-supplied key (OB 2.0
// signed assertions): the algorithm allowlist, the key's fit and the
// signature all hold; the header needs no kid or jwk.
func TestVerifyWithKey(t *testing.T) {
	t.Parallel()
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	enc := base64.RawURLEncoding
	payload := enc.EncodeToString([]byte(`{"id":"urn:uuid:1"}`))
	signRS := func(header string) string {
		in := enc.EncodeToString([]byte(header)) + "." + payload
		d := sha256.Sum256([]byte(in))
		sig, err := rk.Sign(rand.Reader, d[:], crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		return in + "." + enc.EncodeToString(sig)
	}
	good := signRS(`{"alg":"RS256"}`)
	tampered := good[:len(good)-4] + "AAAA"
	cases := []struct {
		name string
		tok  string
		key  crypto.PublicKey
		algs []Algorithm
		want error
	}{
		{"RS256", good, &rk.PublicKey, nil, nil},
		{"extra header members are tolerated", signRS(`{"alg":"RS256","typ":"JWT","x5u":"https://lab.example/k"}`), &rk.PublicKey, nil, nil},
		{"alg not in the allowlist", good, &rk.PublicKey, []Algorithm{ES256}, ErrAlgorithm},
		{"HS256", signRS(`{"alg":"HS256"}`), &rk.PublicKey, nil, ErrAlgorithm},
		{"none", enc.EncodeToString([]byte(`{"alg":"none"}`)) + "." + payload + ".", &rk.PublicKey, nil, ErrMalformed},
		{"no alg", signRS(`{"typ":"JWT"}`), &rk.PublicKey, nil, ErrAlgorithm},
		{"EC key for RS256", good, &ek.PublicKey, nil, ErrKeyType},
		{"bad signature", tampered, &rk.PublicKey, nil, ErrSignature},
		{"not a JWS", "a.b", &rk.PublicKey, nil, ErrMalformed},
	}
	for _, c := range cases {
		p, alg, err := VerifyWithKey(c.tok, c.key, c.algs, 0)
		switch {
		case c.want == nil && (err != nil || string(p) != `{"id":"urn:uuid:1"}` || alg != RS256):
			t.Errorf("%s: %q %s %v", c.name, p, alg, err)
		case c.want != nil && !errors.Is(err, c.want):
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

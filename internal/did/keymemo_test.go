package did

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"reflect"
	"testing"
)

// TestDecodeMemo: a remembered key equals a fresh decode, every call gets
// its own copy (modifying one changes no other), failures are not
// remembered, and the memo stays bounded.
func TestDecodeMemo(t *testing.T) {
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	r, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, pub := range []any{ed.Public(), p256.Public(), r.Public()} {
		s, err := EncodePublicMultikey(pub)
		if err != nil {
			t.Fatal(err)
		}
		first, err := DecodePublicMultikey(s)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := decodePublicMultikey(s)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(first, fresh) {
			t.Fatalf("%T: memoised %v differs from a fresh decode %v", pub, first, fresh)
		}
		// Spoil the first copy; the next call must not see it.
		switch k := first.(type) {
		case ed25519.PublicKey:
			k[0] ^= 0xff
		case *ecdsa.PublicKey:
			*k = ecdsa.PublicKey{}
		case *rsa.PublicKey:
			k.N.SetInt64(1)
			k.E = 1
		}
		second, err := DecodePublicMultikey(s)
		if err != nil || !reflect.DeepEqual(second, fresh) {
			t.Fatalf("%T: after modifying a returned key, a decode gives %v (%v)", pub, second, err)
		}
	}
	bad := "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2do"
	for range 2 {
		if _, err := DecodePublicMultikey(bad); err == nil {
			t.Fatal("a corrupted key decoded")
		}
	}
	if _, ok := decodedKeys.get(bad); ok {
		t.Fatal("a failure was remembered")
	}
	for i := range keyMemoSize + 10 {
		k := make(ed25519.PublicKey, 32)
		k[0], k[1] = byte(i), byte(i>>8)
		decodedKeys.put(string(k), k)
	}
	if n := len(decodedKeys.m); n > keyMemoSize {
		t.Fatalf("memo holds %d keys, limit %d", n, keyMemoSize)
	}
}

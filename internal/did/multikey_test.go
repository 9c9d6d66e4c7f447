package did

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/multibase"
)

type keyPairFile struct {
	Public  string `json:"publicKeyMultibase"`
	Secret  string `json:"secretKeyMultibase"`
	Private string `json:"privateKeyMultibase"` // eddsa vector's name
}

func readKeyPair(t testing.TB, name string) keyPairFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var kp keyPairFile
	if err := json.Unmarshal(b, &kp); err != nil {
		t.Fatal(err)
	}
	if kp.Secret == "" {
		kp.Secret = kp.Private
	}
	return kp
}

func publicOf(t testing.TB, s crypto.Signer) crypto.PublicKey {
	t.Helper()
	return s.Public()
}

func keysEqual(a, b crypto.PublicKey) bool {
	type eq interface{ Equal(crypto.PublicKey) bool }
	ea, ok := a.(eq)
	return ok && ea.Equal(b)
}

// TestW3CKeyPairVectors checks the Data Integrity test-vector key pairs:
// each public Multikey decodes and re-encodes, each secret Multikey decodes,
// re-encodes, and derives exactly the published public key.
func TestW3CKeyPairVectors(t *testing.T) {
	tests := []struct {
		file    string
		keyType KeyType
		prefix  string
	}{
		{"eddsa-rdfc-2022-keyPair.json", Ed25519, "z6Mk"},
		{"ecdsa-rdfc-2019-p256KeyPair.json", P256, "zDn"},
		{"ecdsa-rdfc-2019-p384KeyPair.json", P384, "z82"},
	}
	for _, tt := range tests {
		t.Run(string(tt.keyType), func(t *testing.T) {
			kp := readKeyPair(t, tt.file)
			if !strings.HasPrefix(kp.Public, tt.prefix) {
				t.Fatalf("vector public key %q lacks prefix %q", kp.Public, tt.prefix)
			}
			pub, err := DecodePublicMultikey(kp.Public)
			if err != nil {
				t.Fatalf("DecodePublicMultikey: %v", err)
			}
			if got, err := EncodePublicMultikey(pub); err != nil || got != kp.Public {
				t.Fatalf("EncodePublicMultikey = %q, %v; want %q", got, err, kp.Public)
			}
			priv, err := DecodeSecretMultikey(kp.Secret)
			if err != nil {
				t.Fatalf("DecodeSecretMultikey: %v", err)
			}
			if got, err := EncodeSecretMultikey(priv); err != nil || got != kp.Secret {
				t.Fatalf("EncodeSecretMultikey = %q, %v; want the vector", got, err)
			}
			if !keysEqual(publicOf(t, priv), pub) {
				t.Fatal("secret key does not derive the published public key")
			}
			if _, err := DecodeSecretMultikey(kp.Public); !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("public key accepted as secret key: %v", err)
			}
			if _, err := DecodePublicMultikey(kp.Secret); !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("secret key accepted as public key: %v", err)
			}
		})
	}
}

// TestOB3ImplementationGuideKey: the OB 3.0 implementation guide pairs the
// raw Ed25519 key 4bdeaf…c5a5 with z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi.
func TestOB3ImplementationGuideKey(t *testing.T) {
	raw, _ := hex.DecodeString("4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5")
	const mb = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
	got, err := EncodePublicMultikey(ed25519.PublicKey(raw))
	if err != nil || got != mb {
		t.Fatalf("EncodePublicMultikey = %q, %v; want %q", got, err, mb)
	}
	pub, err := DecodePublicMultikey(mb)
	if err != nil {
		t.Fatal(err)
	}
	if !keysEqual(pub, ed25519.PublicKey(raw)) {
		t.Fatalf("decoded %x, want %x", pub, raw)
	}
}

func TestGeneratedKeyRoundTrip(t *testing.T) {
	for _, kt := range []KeyType{Ed25519, P256, P384} {
		t.Run(string(kt), func(t *testing.T) {
			for range 20 {
				priv, err := GenerateKey(kt)
				if err != nil {
					t.Fatal(err)
				}
				pub := priv.Public()
				mb, err := EncodePublicMultikey(pub)
				if err != nil {
					t.Fatal(err)
				}
				pub2, err := DecodePublicMultikey(mb)
				if err != nil {
					t.Fatalf("DecodePublicMultikey(%q): %v", mb, err)
				}
				if !keysEqual(pub, pub2) {
					t.Fatalf("public key round trip mismatch for %q", mb)
				}
				smb, err := EncodeSecretMultikey(priv)
				if err != nil {
					t.Fatal(err)
				}
				priv2, err := DecodeSecretMultikey(smb)
				if err != nil {
					t.Fatal(err)
				}
				if !keysEqual(priv2.Public(), pub) {
					t.Fatal("secret key round trip mismatch")
				}
				if smb2, _ := EncodeSecretMultikey(priv2); smb2 != smb {
					t.Fatal("secret key re-encoding differs")
				}
			}
		})
	}
	if _, err := GenerateKey("secp256k1"); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("GenerateKey(secp256k1) error = %v", err)
	}
}

// notOnCurveP256 returns a compressed-point body (33 bytes) whose x has no
// matching y on P-256.
func notOnCurveP256(t testing.TB) []byte {
	t.Helper()
	p := elliptic.P256().Params()
	for i := int64(1); i < 1000; i++ {
		x := big.NewInt(i)
		rhs := new(big.Int).Exp(x, big.NewInt(3), p.P)
		rhs.Sub(rhs, new(big.Int).Mul(big.NewInt(3), x))
		rhs.Add(rhs, p.B)
		rhs.Mod(rhs, p.P)
		if new(big.Int).ModSqrt(rhs, p.P) == nil {
			b := make([]byte, 33)
			b[0] = 0x02
			x.FillBytes(b[1:])
			return b
		}
	}
	t.Fatal("no off-curve x found")
	return nil
}

// notOnCurveEd25519 returns a 32-byte encoding that is not an edwards25519
// point.
func notOnCurveEd25519(t testing.TB) []byte {
	t.Helper()
	for i := 2; i < 1000; i++ {
		b := make([]byte, 32)
		b[0] = byte(i)
		b[1] = byte(i >> 8)
		if !ed25519OnCurve(b) {
			return b
		}
	}
	t.Fatal("no off-curve y found")
	return nil
}

func mk(hdr [2]byte, body []byte) string {
	return multibase.EncodeBase58(append(hdr[:], body...))
}

func TestDecodePublicMultikeyErrors(t *testing.T) {
	p256 := readKeyPair(t, "ecdsa-rdfc-2019-p256KeyPair.json").Public
	p256Body, _ := multibase.Decode(p256)
	p256Body = p256Body[2:]
	allFF := make([]byte, 33)
	for i := range allFF {
		allFF[i] = 0xff
	}
	allFF[0] = 0x02
	badPrefix := append([]byte{0x04}, p256Body[1:]...)

	tests := []struct {
		name, in string
		sub      string // expected substring of the error
		also     error  // extra sentinel the error must wrap
	}{
		{"empty", "", "empty", nil},
		{"base64url header", "u7QE", "base58btc", nil},
		{"unknown multibase header", "m7QE", "base58btc", nil},
		{"bad base58 chars", "z6Mk0OIl", "not base58btc", multibase.ErrInvalid},
		{"z only", "z", "decoding", multibase.ErrEmpty},
		{"one byte", multibase.EncodeBase58([]byte{0xed}), "too short", nil},
		{"wrong multicodec secp256k1", mk([2]byte{0xe7, 0x01}, make([]byte, 33)), "multicodec 0xe7", nil},
		{"wrong multicodec x25519", mk([2]byte{0xec, 0x01}, make([]byte, 32)), "multicodec 0xec", nil},
		{"secret key header", mk(hdrEd25519Priv, make([]byte, 32)), "secret key", nil},
		{"ed25519 short", mk(hdrEd25519Pub, make([]byte, 31)), "31 key bytes", nil},
		{"ed25519 long", mk(hdrEd25519Pub, make([]byte, 33)), "33 key bytes", nil},
		{"ed25519 not on curve", mk(hdrEd25519Pub, notOnCurveEd25519(t)), "not a point", nil},
		{"p256 short", mk(hdrP256Pub, p256Body[:32]), "must be 33 bytes", nil},
		{"p256 uncompressed", mk(hdrP256Pub, make([]byte, 65)), "must be 33 bytes", nil},
		{"p256 bad point prefix", mk(hdrP256Pub, badPrefix), "0x02 or 0x03", nil},
		{"p256 not on curve", mk(hdrP256Pub, notOnCurveP256(t)), "not on the P-256 curve", nil},
		{"p256 x not reduced", mk(hdrP256Pub, allFF), "not on the P-256 curve", nil},
		{"p256 body under p384 header", mk(hdrP384Pub, p256Body), "must be 49 bytes", nil},
		{"too long", "z" + strings.Repeat("2", MaxMultikeyLen), "longer than", nil},
		{"huge", "z" + strings.Repeat("2", 1<<20), "longer than", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub, err := DecodePublicMultikey(tt.in)
			if err == nil {
				t.Fatalf("DecodePublicMultikey(%q) = %v, want error", tt.in, pub)
			}
			if !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("error %v does not wrap ErrInvalidKey", err)
			}
			if tt.also != nil && !errors.Is(err, tt.also) {
				t.Fatalf("error %v does not wrap %v", err, tt.also)
			}
			if !strings.Contains(err.Error(), tt.sub) {
				t.Fatalf("error %q does not mention %q", err, tt.sub)
			}
			if len(err.Error()) > 400 {
				t.Fatalf("error message is %d bytes; long inputs must be truncated", len(err.Error()))
			}
		})
	}
}

func TestDecodeSecretMultikeyErrors(t *testing.T) {
	n := elliptic.P256().Params().N
	order := make([]byte, 32)
	n.FillBytes(order)
	tests := []struct {
		name, in, sub string
	}{
		{"empty", "", "empty"},
		{"not base58btc header", "uAAAA", "base58btc"},
		{"bad base58", "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjx0", "not valid base58btc"},
		{"unknown codec", mk([2]byte{0x01, 0x02}, make([]byte, 32)), "multicodec"},
		{"public header", mk(hdrEd25519Pub, make([]byte, 32)), "public key"},
		{"ed25519 short seed", mk(hdrEd25519Priv, make([]byte, 31)), "31 bytes"},
		{"p256 short", mk(hdrP256Priv, make([]byte, 31)), "31 bytes"},
		{"p384 with p256 length", mk(hdrP384Priv, make([]byte, 32)), "32 bytes, want 48"},
		{"p256 zero scalar", mk(hdrP256Priv, make([]byte, 32)), "P-256"},
		{"p256 scalar = n", mk(hdrP256Priv, order), "P-256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := DecodeSecretMultikey(tt.in)
			if err == nil {
				t.Fatalf("DecodeSecretMultikey(%q) = %T, want error", tt.in, k)
			}
			if !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), tt.sub) {
				t.Fatalf("error = %q, want ErrInvalidKey mentioning %q", err, tt.sub)
			}
			if len(tt.in) > 20 && strings.Contains(err.Error(), tt.in[1:20]) {
				t.Fatalf("error %q echoes secret material", err)
			}
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), zeroReader{})
	edPriv := ed25519.NewKeyFromSeed(make([]byte, 32))
	pubs := []struct {
		name string
		key  crypto.PublicKey
	}{
		{"nil", nil},
		{"short ed25519", ed25519.PublicKey(make([]byte, 31))},
		{"private key", edPriv},
		{"nil ecdsa", (*ecdsa.PublicKey)(nil)},
		{"P-224", &p224.PublicKey},
		{"string", "z6Mk"},
	}
	for _, tt := range pubs {
		if s, err := EncodePublicMultikey(tt.key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("EncodePublicMultikey(%s) = %q, %v; want ErrInvalidKey", tt.name, s, err)
		}
		if d, _, err := KeyDID(tt.key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("KeyDID(%s) = %q, %v; want ErrInvalidKey", tt.name, d, err)
		}
		if d, _, err := JWKDID(tt.key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("JWKDID(%s) = %q, %v; want ErrInvalidKey", tt.name, d, err)
		}
	}
	privs := []struct {
		name string
		key  crypto.Signer
	}{
		{"nil", nil},
		{"short ed25519", ed25519.PrivateKey(make([]byte, 10))},
		{"nil ecdsa", (*ecdsa.PrivateKey)(nil)},
		{"P-224", p224},
	}
	for _, tt := range privs {
		if s, err := EncodeSecretMultikey(tt.key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("EncodeSecretMultikey(%s) = %q, %v; want ErrInvalidKey", tt.name, s, err)
		}
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 1
	}
	return len(p), nil
}

func BenchmarkDecodePublicMultikey(b *testing.B) {
	for _, tc := range []struct{ name, file string }{
		{"Ed25519", "eddsa-rdfc-2022-keyPair.json"},
		{"P-256", "ecdsa-rdfc-2019-p256KeyPair.json"},
		{"P-384", "ecdsa-rdfc-2019-p384KeyPair.json"},
	} {
		mb := readKeyPair(b, tc.file).Public
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := DecodePublicMultikey(mb); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

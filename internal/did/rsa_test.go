package did

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"

	"github.com/blason-badges/blason/internal/multibase"
)

// did:key method spec test vectors for RSA (https://w3c-ccg.github.io/did-method-key/
// "Test Vectors": RSA 2048-bit and 4096-bit, multicodec rsa-pub 0x1205 with a
// DER PKCS#1 RSAPublicKey).
const (
	specRSA2048DID = "did:key:z4MXj1wBzi9jUstyPMS4jQqB6KdJaiatPkAtVtGc6bQEQEEsKTic4G7Rou3iBf9vPmT5dbkm9qsZsuVNjq8HCuW1w24nhBFGkRE4cd2Uf2tfrB3N7h4mnyPp1BF3ZttHTYv3DLUPi1zMdkULiow3M1GfXkoC6DoxDUm1jmN6GBj22SjVsr6dxezRVQc7aj9TxE7JLbMH1wh5X3kA58H3DFW8rnYMakFGbca5CB2Jf6CnGQZmL7o5uJAdTwXfy2iiiyPxXEGerMhHwhjTA1mKYobyk2CpeEcmvynADfNZ5MBvcCS7m3XkFCMNUYBS9NQ3fze6vMSUPsNa6GVYmKx2x6JrdEjCk3qRMMmyjnjCMfR4pXbRMZa3i"
	specRSA4096DID = "did:key:zgghBUVkqmWS8e1ioRVp2WN9Vw6x4NvnE9PGAyQsPqM3fnfPf8EdauiRVfBTcVDyzhqM5FFC7ekAvuV1cJHawtfgB9wDcru1hPDobk3hqyedijhgWmsYfJCmodkiiFnjNWATE7PvqTyoCjcmrc8yMRXmFPnoASyT5beUd4YZxTE9VfgmavcPy3BSouNmASMQ8xUXeiRwjb7xBaVTiDRjkmyPD7NYZdXuS93gFhyDFr5b3XLg7Rfj9nHEqtHDa7NmAX7iwDAbMUFEfiDEf9hrqZmpAYJracAjTTR8Cvn6mnDXMLwayNG8dcsXFodxok2qksYF4D8ffUxMRmyyQVQhhhmdSi4YaMPqTnC1J6HTG9Yfb98yGSVaWi4TApUhLXFow2ZvB6vqckCNhjCRL2R4MDUSk71qzxWHgezKyDeyThJgdxydrn1osqH94oSeA346eipkJvKqYREXBKwgB5VL6WF4qAK6sVZxJp2dQBfCPVZ4EbsBQaJXaVK7cNcWG8tZBFWZ79gG9Cu6C4u8yjBS8Ux6dCcJPUTLtixQu4z2n5dCsVSNdnP1EEs8ZerZo5pBgc68w4Yuf9KL3xVxPnAB1nRCBfs9cMU6oL1EdyHbqrTfnjE8HpY164akBqe92LFVsk8RusaGsVPrMekT8emTq5y8v8CabuZg5rDs3f9NPEtogjyx49wiub1FecM5B7QqEcZSYiKHgF4mfkteT2"
)

// rsaTestKey is one RSA-2048 key shared by the tests (generation is slow).
var rsaTestKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := GenerateKey(RSA)
	if err != nil {
		panic(err)
	}
	return k.(*rsa.PrivateKey)
})

func TestRSAHeaders(t *testing.T) {
	for _, tt := range []struct {
		hdr  [2]byte
		code uint64
	}{{hdrRSAPub, 0x1205}, {hdrRSAPriv, 0x1305}} {
		if got := codecName(tt.hdr); got != "multicodec 0x"+big.NewInt(int64(tt.code)).Text(16) {
			t.Errorf("header %x decodes to %s, want 0x%x", tt.hdr, got, tt.code)
		}
	}
}

func TestRSASpecVectors(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		did  string
		bits int
	}{{specRSA2048DID, 2048}, {specRSA4096DID, 4096}} {
		mb := strings.TrimPrefix(tt.did, "did:key:")
		pub, err := DecodePublicMultikey(mb)
		if err != nil {
			t.Fatalf("DecodePublicMultikey(RSA-%d vector): %v", tt.bits, err)
		}
		k, ok := pub.(*rsa.PublicKey)
		if !ok || k.N.BitLen() != tt.bits || k.E != 65537 {
			t.Fatalf("RSA-%d vector decodes to %T", tt.bits, pub)
		}
		if d, vmID, err := KeyDID(k); err != nil || d != tt.did || vmID != tt.did+"#"+mb {
			t.Fatalf("KeyDID(RSA-%d vector) = %q, %q, %v", tt.bits, d, vmID, err)
		}
		if len(mb) > MaxRSAPublicMultikeyLen {
			t.Fatalf("RSA-%d vector is %d characters, over MaxRSAPublicMultikeyLen", tt.bits, len(mb))
		}
		vm, err := ResolveVerificationMethod(ctx, Offline, tt.did+"#"+mb, AssertionMethod)
		if err != nil {
			t.Fatalf("ResolveVerificationMethod(RSA-%d vector): %v", tt.bits, err)
		}
		if vm.Type != TypeMultikey || vm.Controller != tt.did || vm.PublicKeyMultibase != mb {
			t.Fatalf("RSA-%d vector verification method %+v", tt.bits, vm)
		}
	}
}

func TestRSAKeyRoundTrip(t *testing.T) {
	ctx := context.Background()
	priv := rsaTestKey()
	mb, err := EncodePublicMultikey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(mb, "z4MX") || len(mb) <= MaxMultikeyLen || len(mb) > MaxRSAPublicMultikeyLen {
		t.Fatalf("RSA-2048 public multikey %q (%d characters)", mb[:8], len(mb))
	}
	pub, err := DecodePublicMultikey(mb)
	if err != nil || !keysEqual(pub, priv.Public()) {
		t.Fatalf("DecodePublicMultikey: %v", err)
	}
	smb, err := EncodeSecretMultikey(priv)
	if err != nil {
		t.Fatal(err)
	}
	if len(smb) > MaxRSASecretMultikeyLen {
		t.Fatalf("RSA-2048 secret multikey is %d characters", len(smb))
	}
	priv2, err := DecodeSecretMultikey(smb)
	if err != nil {
		t.Fatal(err)
	}
	if !keysEqual(priv2.Public(), priv.Public()) || !priv2.(*rsa.PrivateKey).Equal(priv) {
		t.Fatal("secret key round trip mismatch")
	}
	if smb2, _ := EncodeSecretMultikey(priv2); smb2 != smb {
		t.Fatal("secret key re-encoding differs")
	}
	if _, err := DecodeSecretMultikey(mb); !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), "public key") {
		t.Fatalf("public key accepted as secret key: %v", err)
	}
	if _, err := DecodePublicMultikey(smb); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("secret key accepted as public key: %v", err)
	}
	// A secret key short enough for the public bound is still refused by header.
	if _, err := DecodePublicMultikey(mk(hdrRSAPriv, []byte{0x30, 0x00})); !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), "secret key") {
		t.Fatalf("rsa-priv header accepted as public key: %v", err)
	}

	// did:key: same Multikey verification method and relationships as the
	// other key types.
	d, vmID, err := KeyDID(priv.Public())
	if err != nil || d != "did:key:"+mb || vmID != d+"#"+mb {
		t.Fatalf("KeyDID = %q, %q, %v", d, vmID, err)
	}
	doc, err := Offline.Resolve(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.VerificationMethod) != 1 || doc.VerificationMethod[0].ID != vmID || doc.VerificationMethod[0].Type != TypeMultikey ||
		doc.VerificationMethod[0].PublicKeyMultibase != mb {
		t.Fatalf("document %+v", doc)
	}
	for name, rel := range map[string][]string{"assertionMethod": doc.AssertionMethod, "authentication": doc.Authentication,
		"capabilityInvocation": doc.CapabilityInvocation, "capabilityDelegation": doc.CapabilityDelegation} {
		if len(rel) != 1 || rel[0] != vmID {
			t.Errorf("%s = %v", name, rel)
		}
	}
	if doc.KeyAgreement != nil {
		t.Errorf("keyAgreement = %v", doc.KeyAgreement)
	}
	for _, rel := range []string{AssertionMethod, Authentication} {
		vm, err := ResolveVerificationMethod(ctx, Offline, vmID, rel)
		if err != nil {
			t.Fatalf("ResolveVerificationMethod(%s): %v", rel, err)
		}
		got, err := vm.PublicKey()
		if err != nil || !keysEqual(got, priv.Public()) {
			t.Fatalf("PublicKey: %v", err)
		}
	}
	// An RSA key is not an Ed25519VerificationKey2020.
	vm := VerificationMethod{ID: vmID, Type: TypeEd25519VerificationKey2020, Controller: d, PublicKeyMultibase: mb}
	if _, err := vm.PublicKey(); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("RSA Ed25519VerificationKey2020 accepted: %v", err)
	}
}

func TestGenerateRSA(t *testing.T) {
	for _, bits := range []int{0, 1024, 2047, 4097, 8192} {
		if _, err := GenerateRSA(bits); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("GenerateRSA(%d) error = %v, want ErrInvalidKey", bits, err)
		}
	}
	if testing.Short() {
		t.Skip("RSA-4096 generation is slow")
	}
	// The largest supported key fits the length bounds.
	priv, err := GenerateRSA(MaxRSABits)
	if err != nil {
		t.Fatal(err)
	}
	smb, err := EncodeSecretMultikey(priv)
	if err != nil {
		t.Fatal(err)
	}
	if len(smb) > MaxRSASecretMultikeyLen {
		t.Fatalf("RSA-4096 secret multikey is %d characters, over %d", len(smb), MaxRSASecretMultikeyLen)
	}
	if _, err := DecodeSecretMultikey(smb); err != nil {
		t.Fatal(err)
	}
	// The largest exponent crypto/x509 parses (2³¹−1) still fits.
	mb, err := EncodePublicMultikey(&rsa.PublicKey{N: priv.N, E: 1<<31 - 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(mb) > MaxRSAPublicMultikeyLen {
		t.Fatalf("RSA-4096 public multikey is %d characters, over %d", len(mb), MaxRSAPublicMultikeyLen)
	}
	if _, err := DecodePublicMultikey(mb); err != nil {
		t.Fatal(err)
	}
}

func TestRSABadKeys(t *testing.T) {
	priv := rsaTestKey()
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	n := priv.N
	evenN := new(big.Int).Sub(n, big.NewInt(1))
	// An odd 4104-bit "modulus": public keys are not checked for primality,
	// so the size check is what refuses it.
	bigN := new(big.Int).Lsh(big.NewInt(1), 4103)
	bigN.Add(bigN, big.NewInt(1))
	der := x509.MarshalPKCS1PublicKey(&priv.PublicKey)
	derOf := func(n *big.Int, e int) []byte { return x509.MarshalPKCS1PublicKey(&rsa.PublicKey{N: n, E: e}) }

	pubs := []struct {
		name string
		key  *rsa.PublicKey
		sub  string
	}{
		{"nil", nil, "nil"},
		{"nil modulus", &rsa.PublicKey{E: 65537}, "nil"},
		{"1024-bit", &small.PublicKey, "1024 bits"},
		{"4104-bit", &rsa.PublicKey{N: bigN, E: 65537}, "at most 4096"},
		{"even modulus", &rsa.PublicKey{N: evenN, E: 65537}, "modulus is even"},
		{"even exponent", &rsa.PublicKey{N: n, E: 65536}, "exponent 65536"},
		{"exponent 1", &rsa.PublicKey{N: n, E: 1}, "exponent 1"},
	}
	for _, tt := range pubs {
		if s, err := EncodePublicMultikey(tt.key); !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), tt.sub) {
			t.Errorf("EncodePublicMultikey(%s) = %.10q, %v; want ErrInvalidKey mentioning %q", tt.name, s, err, tt.sub)
		}
		if d, _, err := KeyDID(tt.key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("KeyDID(%s) = %.20q, %v; want ErrInvalidKey", tt.name, d, err)
		}
	}

	decode := []struct {
		name, in, sub string
	}{
		{"1024-bit", mk(hdrRSAPub, derOf(small.N, 65537)), "1024 bits"},
		{"4104-bit", mk(hdrRSAPub, derOf(bigN, 65537)), "at most 4096"},
		{"even exponent", mk(hdrRSAPub, derOf(n, 65536)), "exponent 65536"},
		{"exponent 1", mk(hdrRSAPub, derOf(n, 1)), "exponent 1"},
		{"even modulus", mk(hdrRSAPub, derOf(evenN, 65537)), "modulus is even"},
		{"truncated DER", mk(hdrRSAPub, der[:len(der)-1]), "PKCS#1"},
		{"trailing byte", mk(hdrRSAPub, append(der[:len(der):len(der)], 0)), "PKCS#1"},
		{"empty body", mk(hdrRSAPub, nil), "PKCS#1"},
		{"Ed25519 body", mk(hdrRSAPub, make([]byte, 32)), "PKCS#1"},
		{"PKIX not PKCS#1", mk(hdrRSAPub, mustPKIX(t, &priv.PublicKey)), "PKCS#1"},
		{"RSA DER under P-256 header", mk(hdrP256Pub, der), "longer than 128"},
		{"RSA DER under unknown codec", mk([2]byte{0x86, 0x24}, der), "longer than 128"},
		{"RSA DER under unknown short codec", mk([2]byte{0x86, 0x24}, der[:60]), "multicodec 0x1206"},
		{"oversize", "z" + strings.Repeat("2", MaxRSAPublicMultikeyLen), "longer than 740"},
	}
	for _, tt := range decode {
		t.Run("public/"+tt.name, func(t *testing.T) {
			pub, err := DecodePublicMultikey(tt.in)
			if err == nil {
				t.Fatalf("DecodePublicMultikey = %T, want error", pub)
			}
			if !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), tt.sub) {
				t.Fatalf("error = %q, want ErrInvalidKey mentioning %q", err, tt.sub)
			}
			if len(err.Error()) > 400 {
				t.Fatalf("error message is %d bytes", len(err.Error()))
			}
			if _, err := Offline.Resolve(context.Background(), "did:key:"+tt.in); !errors.Is(err, ErrInvalidDID) {
				t.Fatalf("Resolve: %v, want ErrInvalidDID", err)
			}
		})
	}

	sec := x509.MarshalPKCS1PrivateKey(priv)
	smallSec := x509.MarshalPKCS1PrivateKey(small)
	evenE := *priv
	evenE.E = 65536
	secrets := []struct {
		name, in, sub string
	}{
		{"1024-bit", mk(hdrRSAPriv, smallSec), "1024 bits"},
		{"even exponent", mk(hdrRSAPriv, x509.MarshalPKCS1PrivateKey(&evenE)), "RSA"},
		{"truncated DER", mk(hdrRSAPriv, sec[:len(sec)-1]), "PKCS#1"},
		{"trailing byte", mk(hdrRSAPriv, append(sec[:len(sec):len(sec)], 0)), "PKCS#1"},
		{"PKCS#8 not PKCS#1", mk(hdrRSAPriv, mustPKCS8(t, priv)), "PKCS#1"},
		{"public DER", mk(hdrRSAPriv, der), "PKCS#1"},
		{"RSA DER under Ed25519 header", mk(hdrEd25519Priv, sec), "longer than 128"},
		{"RSA DER under unknown codec", mk([2]byte{0x86, 0x26}, sec), "longer than 128"},
		{"oversize", "z" + strings.Repeat("2", MaxRSASecretMultikeyLen), "longer than 3300"},
	}
	secret := multibase.EncodeBase58(sec)
	for _, tt := range secrets {
		t.Run("secret/"+tt.name, func(t *testing.T) {
			k, err := DecodeSecretMultikey(tt.in)
			if err == nil {
				t.Fatalf("DecodeSecretMultikey = %T, want error", k)
			}
			if !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), tt.sub) {
				t.Fatalf("error = %q, want ErrInvalidKey mentioning %q", err, tt.sub)
			}
			if strings.Contains(err.Error(), tt.in[10:30]) || strings.Contains(err.Error(), secret[10:30]) {
				t.Fatalf("error %q echoes secret material", err)
			}
		})
	}

	// Encoding refuses unusable private keys too.
	//lint:ignore SA1019 testing that multi-prime keys are refused
	multi, err := rsa.GenerateMultiPrimeKey(rand.Reader, 3, 2048)
	if err != nil {
		t.Fatal(err)
	}
	bad := *priv
	bad.D = new(big.Int).Add(priv.D, big.NewInt(2))
	privs := []struct {
		name string
		key  crypto.Signer
		sub  string
	}{
		{"nil", (*rsa.PrivateKey)(nil), "nil"},
		{"1024-bit", small, "1024 bits"},
		{"even exponent", &evenE, "exponent 65536"},
		{"three primes", multi, "3 primes"},
		{"wrong d", &bad, "invalid RSA private key"},
	}
	for _, tt := range privs {
		if _, err := EncodeSecretMultikey(tt.key); !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), tt.sub) {
			t.Errorf("EncodeSecretMultikey(%s) error = %v; want ErrInvalidKey mentioning %q", tt.name, err, tt.sub)
		}
	}
}

func mustPKIX(t *testing.T, pub *rsa.PublicKey) []byte {
	t.Helper()
	b, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustPKCS8(t *testing.T, priv *rsa.PrivateKey) []byte {
	t.Helper()
	b, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func BenchmarkDecodeRSAMultikey(b *testing.B) {
	priv := rsaTestKey()
	mb, _ := EncodePublicMultikey(priv.Public())
	smb, _ := EncodeSecretMultikey(priv)
	b.Run("public-2048", func(b *testing.B) {
		for b.Loop() {
			if _, err := DecodePublicMultikey(mb); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("secret-2048", func(b *testing.B) {
		for b.Loop() {
			if _, err := DecodeSecretMultikey(smb); err != nil {
				b.Fatal(err)
			}
		}
	})
	long := "z" + strings.Repeat("z", MaxRSASecretMultikeyLen-1)
	b.Run("reject-longest-secret", func(b *testing.B) {
		for b.Loop() {
			if _, err := DecodeSecretMultikey(long); err == nil {
				b.Fatal("accepted")
			}
		}
	})
}

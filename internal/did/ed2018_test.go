package did

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"testing"
)

// TestEd25519VerificationKey2018: the key type behind Ed25519Signature2018
// proofs carries the raw key bytes in base58btc (publicKeyBase58). Key from
// Digital Bazaar's ed25519-signature-2018 test (see
// internal/dataintegrity/testdata/ed25519-2018/PROVENANCE.md); its hex was
// computed independently of this package.
func TestEd25519VerificationKey2018(t *testing.T) {
	t.Parallel()
	vm := &VerificationMethod{ID: "https://example.edu/issuers/565049#z6MkjLrk3gKS2nnkeWcmcxiZPGskmesDpuwRBorgHxUXfxnG",
		Type: TypeEd25519VerificationKey2018, PublicKeyBase58: "GycSSui454dpYRKiFdsQ5uaE8Gy3ac6dSMPcAoQsk8yq"}
	got, err := vm.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := hex.DecodeString("ed5fe66085c3ebfa212f3aa9153e375afb146811b9a409ca18fc346f06b0c114")
	if !got.(ed25519.PublicKey).Equal(ed25519.PublicKey(want)) {
		t.Fatalf("key %x, want %x", got, want)
	}
	for name, bad := range map[string]*VerificationMethod{
		"short":              {Type: TypeEd25519VerificationKey2018, PublicKeyBase58: "GycSSui454dpYRKiFdsQ5uaE8Gy3ac6dSMPcAoQsk8y"},
		"not base58":         {Type: TypeEd25519VerificationKey2018, PublicKeyBase58: "0OIl"},
		"multibase instead":  {Type: TypeEd25519VerificationKey2018, PublicKeyMultibase: "z6MkjLrk3gKS2nnkeWcmcxiZPGskmesDpuwRBorgHxUXfxnG"},
		"two keys":           {Type: TypeEd25519VerificationKey2018, PublicKeyBase58: vm.PublicKeyBase58, PublicKeyMultibase: "z6MkjLrk3gKS2nnkeWcmcxiZPGskmesDpuwRBorgHxUXfxnG"},
		"base58 on multikey": {Type: TypeMultikey, PublicKeyBase58: vm.PublicKeyBase58},
	} {
		if _, err := bad.PublicKey(); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

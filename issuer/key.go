package issuer

import (
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/limits"
)

// Key is an issuer's signing key and the verification method that
// identifies it. Signer is an interface so that a hardware or cloud key
// (HSM, KMS) can replace the in-memory key.
type Key struct {
	Signer crypto.Signer
	// DID is the DID that controls the key (the issuer's id for did:key).
	DID string
	// VerificationMethod is the URL verifiers dereference to find the public key.
	VerificationMethod string
	// Type is the key type (Ed25519, P-256, P-384, RSA). RSA keys sign
	// VC-JWTs (RS256) only.
	Type did.KeyType
}

// ErrKeyFile is wrapped by every error about a key file.
var ErrKeyFile = errors.New("invalid key file")

// keyFile is the on-disk form of a key, written with mode 0600.
type keyFile struct {
	Type               did.KeyType `json:"type"`
	Controller         string      `json:"controller"`
	ID                 string      `json:"id"`
	PublicKeyMultibase string      `json:"publicKeyMultibase"`
	SecretKeyMultibase string      `json:"secretKeyMultibase"`
}

// NewKey generates a key of type t (Ed25519 when empty; did.RSA makes a
// 2048-bit key) identified by a did:key.
func NewKey(t did.KeyType) (*Key, error) {
	if t == "" {
		t = did.Ed25519
	}
	signer, err := did.GenerateKey(t)
	if err != nil {
		return nil, fmt.Errorf("generate %s key: %w", t, err)
	}
	return keyFromSigner(signer, t)
}

func keyFromSigner(signer crypto.Signer, t did.KeyType) (*Key, error) {
	d, vm, err := did.KeyDID(signer.Public())
	if err != nil {
		return nil, err
	}
	return &Key{Signer: signer, DID: d, VerificationMethod: vm, Type: t}, nil
}

// WriteKeyFile saves k to path with mode 0600. It never overwrites an
// existing file: losing an issuer key orphans every credential it signed.
func WriteKeyFile(path string, k *Key) error {
	pub, err := did.EncodePublicMultikey(k.Signer.Public())
	if err != nil {
		return err
	}
	sec, err := did.EncodeSecretMultikey(k.Signer)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(keyFile{Type: k.Type, Controller: k.DID, ID: k.VerificationMethod,
		PublicKeyMultibase: pub, SecretKeyMultibase: sec}, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("write key: %s already exists; refusing to overwrite a key", path)
		}
		return fmt.Errorf("write key: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write key %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write key %s: %w", path, err)
	}
	return f.Close()
}

// ReadKeyFile loads a key written by WriteKeyFile. It refuses a file that
// others can read (as ssh does): a leaked issuer key lets anyone issue in
// the issuer's name.
func ReadKeyFile(path string) (*Key, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read key: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("read key %s: %w: mode %04o lets others read it (run: chmod 600 %s)", path, ErrKeyFile, st.Mode().Perm(), path)
	}
	// Bounded: a key file is a few KB; /dev/zero or a FIFO must not
	// exhaust memory.
	b, err := limits.ReadFile(path, limits.KeyFileBytes)
	if err != nil {
		return nil, fmt.Errorf("read key: %w", err)
	}
	var kf keyFile
	if err := json.Unmarshal(b, &kf); err != nil {
		return nil, fmt.Errorf("read key %s: %w: %v", path, ErrKeyFile, err)
	}
	signer, err := did.DecodeSecretMultikey(kf.SecretKeyMultibase)
	if err != nil {
		return nil, fmt.Errorf("read key %s: %w: %v", path, ErrKeyFile, err)
	}
	k, err := keyFromSigner(signer, kf.Type)
	if err != nil {
		return nil, fmt.Errorf("read key %s: %w: %v", path, ErrKeyFile, err)
	}
	// The stored identifiers must be the ones the secret key implies: a
	// hand-edited file must not make us sign under someone else's DID.
	if kf.Controller != k.DID || kf.ID != k.VerificationMethod {
		return nil, fmt.Errorf("read key %s: %w: the secret key does not match the DID %s", path, ErrKeyFile, kf.Controller)
	}
	return k, nil
}

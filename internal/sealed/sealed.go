// Package sealed encrypts secrets at rest (issuers' private keys) under the
// operator's master key: AES-256-GCM with a random nonce and the caller's
// additional data, so a sealed value only opens for the record it was sealed
// for.
//
// Sealed format (version 1):
//
//	version (1 byte, 0x01) || nonce (12 bytes) || ciphertext || GCM tag (16 bytes)
//
// The version byte is authenticated too: it is part of the additional data.
package sealed

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/blason-badges/blason/internal/limits"
)

// KeySize is the size of a master key in bytes.
const KeySize = 32

const (
	version1  = 0x01
	nonceSize = 12
	tagSize   = 16
	// Overhead is the number of bytes Seal adds to the plaintext.
	Overhead = 1 + nonceSize + tagSize
)

// Errors.
var (
	// ErrDecrypt is returned by Open for every sealed value that does not
	// open: wrong key, wrong additional data, tampered or truncated bytes,
	// unknown version. It deliberately says nothing more.
	ErrDecrypt = errors.New("sealed: cannot decrypt (wrong key, wrong context or corrupted data)")
	// ErrMasterKey is returned for a master key that is missing, malformed,
	// or stored insecurely.
	ErrMasterKey = errors.New("invalid master key")
)

// Seal encrypts plaintext under master (32 bytes) bound to aad.
func Seal(master, plaintext, aad []byte) ([]byte, error) {
	var nonce [nonceSize]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, fmt.Errorf("sealed: read random nonce: %w", err)
	}
	return seal(master, nonce, plaintext, aad)
}

func seal(master []byte, nonce [nonceSize]byte, plaintext, aad []byte) ([]byte, error) {
	aead, err := newAEAD(master)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 1+nonceSize, Overhead+len(plaintext))
	out[0] = version1
	copy(out[1:], nonce[:])
	return aead.Seal(out, nonce[:], plaintext, fullAAD(version1, aad)), nil
}

// Open decrypts a value produced by Seal with the same master key and aad.
// Any failure is ErrDecrypt (or an error about the master key itself).
func Open(master, sealed, aad []byte) ([]byte, error) {
	aead, err := newAEAD(master)
	if err != nil {
		return nil, err
	}
	if len(sealed) < Overhead || sealed[0] != version1 {
		return nil, ErrDecrypt
	}
	pt, err := aead.Open(nil, sealed[1:1+nonceSize], sealed[1+nonceSize:], fullAAD(version1, aad))
	if err != nil {
		return nil, ErrDecrypt
	}
	return pt, nil
}

func newAEAD(master []byte) (cipher.AEAD, error) {
	if len(master) != KeySize {
		return nil, fmt.Errorf("%w: need %d bytes, got %d", ErrMasterKey, KeySize, len(master))
	}
	block, err := aes.NewCipher(master)
	if err != nil {
		return nil, fmt.Errorf("sealed: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("sealed: %w", err)
	}
	return aead, nil
}

// fullAAD binds the format version to the caller's additional data.
func fullAAD(version byte, aad []byte) []byte {
	b := make([]byte, 0, 1+len(aad))
	b = append(b, version)
	return append(b, aad...)
}

// LoadOrCreateMasterKey reads the master key from path, or creates it (32
// random bytes, base64, mode 0600, never overwriting an existing file) when
// path does not exist; created reports which. Like ssh with private keys, it
// refuses a key file that its group or others can read or write.
func LoadOrCreateMasterKey(path string) (key []byte, created bool, err error) {
	key, err = readMasterKey(path)
	if err == nil {
		return key, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	key = make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, false, fmt.Errorf("master key: read random: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Someone created it between our read and our create: use theirs.
			key, err = readMasterKey(path)
			return key, false, err
		}
		return nil, false, fmt.Errorf("master key: create %s: %w", path, err)
	}
	_, werr := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		_ = os.Remove(path)
		return nil, false, fmt.Errorf("master key: write %s: %w", path, werr)
	}
	return key, true, nil
}

func readMasterKey(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrMasterKey, path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%w: permissions %04o for %s are too open: the master key file must not be accessible by group or others (chmod 600 %s)",
			ErrMasterKey, perm, path, path)
	}
	buf, err := limits.ReadAll(f, limits.MasterKeyFileBytes, path)
	if err != nil {
		return nil, fmt.Errorf("master key: read %s: %w", path, err)
	}
	key, err := decodeKey(string(buf))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

// MasterKeyFromEnv decodes the value of BLASON_MASTER_KEY: the standard
// base64 (padded or not) of exactly 32 bytes.
func MasterKeyFromEnv(value string) ([]byte, error) {
	if strings.TrimSpace(value) == "" {
		return nil, fmt.Errorf("%w: BLASON_MASTER_KEY is empty", ErrMasterKey)
	}
	key, err := decodeKey(value)
	if err != nil {
		return nil, fmt.Errorf("BLASON_MASTER_KEY: %w", err)
	}
	return key, nil
}

func decodeKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		key, err = base64.RawStdEncoding.DecodeString(s)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: not base64 (generate one with: head -c 32 /dev/urandom | base64)", ErrMasterKey)
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("%w: decodes to %d bytes, need %d", ErrMasterKey, len(key), KeySize)
	}
	return key, nil
}

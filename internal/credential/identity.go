package credential

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
)

// IdentityHash computes an OB 3.0 IdentityHash (App. B.1 "IdentityHash"):
// "<alg>$<lowercase hex of hash(UTF-8(identifier) || UTF-8(salt))>", the salt
// appended to the identifier. alg must be "sha256" or "md5", the only two the
// spec allows (issue sha256; md5 is for verifying old credentials). An empty
// salt means unsalted.
func IdentityHash(alg, identifier, salt string) (string, error) {
	h, err := newHash(alg)
	if err != nil {
		return "", err
	}
	h.Write([]byte(identifier))
	h.Write([]byte(salt))
	return alg + "$" + hex.EncodeToString(h.Sum(nil)), nil
}

func newHash(alg string) (hash.Hash, error) {
	switch alg {
	case "sha256":
		return sha256.New(), nil
	case "md5":
		return md5.New(), nil
	}
	return nil, fmt.Errorf("%w: algorithm must be sha256 or md5, got %q", ErrIdentityHash, alg)
}

// SaltBytes is the number of random bytes in a salt made by NewSalt.
const SaltBytes = 16

// NewSalt returns a fresh random salt for an IdentityObject: SaltBytes bytes
// from crypto/rand, base64url-encoded without padding (22 characters, safe in
// URLs and JSON).
func NewSalt() (string, error) {
	b := make([]byte, SaltBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("read random salt: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// MatchIdentifier implements OB 3.0 §9.3 (recipient verification by
// identifier): for each IdentityObject in subject["identifier"] (an object or
// an array), entries whose identityType differs from identityType are
// skipped; if hashed is true, IdentityHash(alg, known, salt) is compared with
// identityHash, alg being the prefix of identityHash and the hex compared
// case-insensitively; if hashed is false, known is compared with
// identityHash as plaintext. It reports whether any entry matches.
//
// A malformed entry of the requested identityType (hashed not a boolean,
// identityHash not a string, a hash with an unknown algorithm or bad hex)
// wraps ErrIdentityHash, unless another entry matched.
func MatchIdentifier(subject map[string]any, identityType, known string) (bool, error) {
	var firstErr error
	for i, id := range objects(subject["identifier"]) {
		if t, _ := id["identityType"].(string); t != identityType {
			continue
		}
		ok, err := matchOne(id, known)
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("identifier[%d]: %w", i, err)
			}
			continue
		}
		if ok {
			return true, nil
		}
	}
	return false, firstErr
}

func matchOne(id map[string]any, known string) (bool, error) {
	value, ok := id["identityHash"].(string)
	if !ok {
		return false, fmt.Errorf("%w: identityHash must be a string", ErrIdentityHash)
	}
	hashed, ok := id["hashed"].(bool)
	if !ok {
		return false, fmt.Errorf("%w: hashed must be a boolean", ErrIdentityHash)
	}
	if !hashed {
		return subtle.ConstantTimeCompare([]byte(value), []byte(known)) == 1, nil
	}
	alg, digest, found := strings.Cut(value, "$")
	if !found {
		return false, fmt.Errorf("%w: %q has no <alg>$ prefix", ErrIdentityHash, value)
	}
	want, err := hex.DecodeString(digest)
	if err != nil {
		return false, fmt.Errorf("%w: hash is not hex", ErrIdentityHash)
	}
	var salt string
	if s, present := id["salt"]; present {
		if salt, ok = s.(string); !ok {
			return false, fmt.Errorf("%w: salt must be a string", ErrIdentityHash)
		}
	}
	h, err := newHash(alg)
	if err != nil {
		return false, err
	}
	h.Write([]byte(known))
	h.Write([]byte(salt))
	return subtle.ConstantTimeCompare(h.Sum(nil), want) == 1, nil
}

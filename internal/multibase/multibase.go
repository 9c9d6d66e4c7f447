// Package multibase implements the subset of the Multibase data format
// (draft-multiformats-multibase) that Blason needs for W3C Data Integrity
// proofs and Multikey values:
//
//   - 'z' base58btc (Bitcoin alphabet), used by publicKeyMultibase,
//     secretKeyMultibase and eddsa/ecdsa proofValue;
//   - 'u' base64url without padding (RFC 4648 §5), used by selective
//     disclosure cryptosuites.
//
// "A multibase string is a single character prefix (the multibase code)
// followed by the encoded data." Any other prefix is reported as
// ErrUnsupported. Decoding is strict: a string decodes only if encoding the
// result again yields the identical string.
package multibase

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/blason-badges/blason/internal/limits"
	"github.com/mr-tron/base58"
)

// Multibase prefix characters supported by this package.
const (
	Base58BTC = 'z'
	Base64URL = 'u'
)

// MaxBase58Len is the longest base58btc payload (in characters, after the
// prefix) that Decode accepts. Base58 decoding costs time quadratic in the
// input length, and nothing in Data Integrity needs more than a few hundred
// characters, so longer input is refused with ErrTooLong instead of being
// decoded.
const MaxBase58Len = limits.Base58Length

// Sentinel errors; returned wrapped with context, test with errors.Is.
var (
	// ErrEmpty reports an empty string or a prefix with no data after it.
	ErrEmpty = errors.New("multibase: empty input")
	// ErrUnsupported reports a multibase prefix this package does not decode.
	ErrUnsupported = errors.New("multibase: unsupported encoding")
	// ErrInvalid reports characters or padding not valid for the encoding.
	ErrInvalid = errors.New("multibase: invalid encoding")
	// ErrTooLong reports a base58btc payload longer than MaxBase58Len.
	ErrTooLong = errors.New("multibase: input too long")
)

// b64 rejects '=' padding (Raw) and non-zero trailing bits (Strict).
var b64 = base64.RawURLEncoding.Strict()

// Decode decodes a multibase string. Supported prefixes are 'z'
// (base58btc) and 'u' (base64url, no padding); anything else yields an
// error wrapping ErrUnsupported that names the prefix character.
func Decode(s string) ([]byte, error) {
	if s == "" {
		return nil, ErrEmpty
	}
	prefix, payload := s[0], s[1:]
	switch prefix {
	case Base58BTC:
		if payload == "" {
			return nil, fmt.Errorf("%w: no data after prefix 'z'", ErrEmpty)
		}
		if len(payload) > MaxBase58Len {
			return nil, fmt.Errorf("%w: base58btc payload of %d characters exceeds %d", ErrTooLong, len(payload), MaxBase58Len)
		}
		if i := strings.IndexFunc(payload, notBase58); i >= 0 {
			r, _ := utf8.DecodeRuneInString(payload[i:])
			return nil, fmt.Errorf("%w: character %q at offset %d is not base58btc", ErrInvalid, r, i+1)
		}
		b, err := base58.Decode(payload)
		if err != nil {
			return nil, fmt.Errorf("%w: base58btc: %v", ErrInvalid, err)
		}
		return b, nil
	case Base64URL:
		if payload == "" {
			return nil, fmt.Errorf("%w: no data after prefix 'u'", ErrEmpty)
		}
		// encoding/base64 silently skips '\r' and '\n'; a multibase
		// string must not contain them.
		if i := strings.IndexAny(payload, "\r\n"); i >= 0 {
			return nil, fmt.Errorf("%w: line break at offset %d in base64url", ErrInvalid, i+1)
		}
		b, err := b64.DecodeString(payload)
		if err != nil {
			return nil, fmt.Errorf("%w: base64url (no padding): %v", ErrInvalid, err)
		}
		return b, nil
	default:
		return nil, fmt.Errorf("%w: prefix %q", ErrUnsupported, rune(prefix))
	}
}

// notBase58 reports whether r is outside the base58btc alphabet
// "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".
func notBase58(r rune) bool {
	switch {
	case r >= '1' && r <= '9':
		return false
	case r >= 'A' && r <= 'Z':
		return r == 'I' || r == 'O'
	case r >= 'a' && r <= 'z':
		return r == 'l'
	}
	return true
}

// EncodeBase58 returns "z" followed by the base58btc encoding of b.
// Encoding an empty slice yields "z", which Decode rejects with ErrEmpty.
func EncodeBase58(b []byte) string {
	return "z" + base58.Encode(b)
}

// EncodeBase64URL returns "u" followed by the unpadded base64url encoding
// of b. Encoding an empty slice yields "u", which Decode rejects with
// ErrEmpty.
func EncodeBase64URL(b []byte) string {
	return "u" + base64.RawURLEncoding.EncodeToString(b)
}

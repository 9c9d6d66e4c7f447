package did

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"math/big"
	"sync"

	"github.com/blason-badges/blason/internal/multibase"
)

// KeyType names a key algorithm supported by GenerateKey and Multikey.
type KeyType string

// Supported key types.
const (
	Ed25519 KeyType = "Ed25519"
	P256    KeyType = "P-256"
	P384    KeyType = "P-384"
	// RSA keys (DefaultRSABits by default, see GenerateRSA) sign VC-JWTs
	// with RS256 only: no Data Integrity cryptosuite uses RSA.
	RSA KeyType = "RSA"
)

// MaxMultikeyLen is the longest publicKeyMultibase / secretKeyMultibase
// string accepted for an Ed25519, P-256 or P-384 key. The longest such value
// (a P-384 public key, 2 + 49 bytes) encodes to 71 characters. Only RSA keys
// may be longer, up to MaxRSAPublicMultikeyLen / MaxRSASecretMultikeyLen;
// anything longer than those is refused before base58 decoding, whose cost
// is quadratic, and a longer value whose header is not RSA right after.
const MaxMultikeyLen = 128

// Multicodec headers: the unsigned-varint encoding of the multicodec code,
// as required by W3C Controlled Identifiers v1.0 §2.2.2 (Multikey).
var (
	hdrEd25519Pub  = [2]byte{0xed, 0x01} // ed25519-pub  0xed
	hdrP256Pub     = [2]byte{0x80, 0x24} // p256-pub     0x1200
	hdrP384Pub     = [2]byte{0x81, 0x24} // p384-pub     0x1201
	hdrEd25519Priv = [2]byte{0x80, 0x26} // ed25519-priv 0x1300
	hdrP256Priv    = [2]byte{0x86, 0x26} // p256-priv    0x1306
	hdrP384Priv    = [2]byte{0x87, 0x26} // p384-priv    0x1307
	hdrRSAPub      = [2]byte{0x85, 0x24} // rsa-pub      0x1205 (DER PKCS#1 RSAPublicKey)
	hdrRSAPriv     = [2]byte{0x85, 0x26} // rsa-priv     0x1305 (DER PKCS#1 RSAPrivateKey)
)

// GenerateKey returns a new random key of type t: an ed25519.PrivateKey for
// Ed25519, an *ecdsa.PrivateKey for P-256 and P-384, and a DefaultRSABits
// (2048-bit) *rsa.PrivateKey for RSA (use GenerateRSA for 3072 or 4096).
func GenerateKey(t KeyType) (crypto.Signer, error) {
	switch t {
	case Ed25519:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("%w: generating Ed25519 key: %w", ErrInvalidKey, err)
		}
		return priv, nil
	case P256, P384:
		curve := elliptic.P256()
		if t == P384 {
			curve = elliptic.P384()
		}
		priv, err := ecdsa.GenerateKey(curve, rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("%w: generating %s key: %w", ErrInvalidKey, t, err)
		}
		return priv, nil
	case RSA:
		return GenerateRSA(DefaultRSABits)
	default:
		return nil, fmt.Errorf("%w: unsupported key type %s", ErrInvalidKey, q(string(t)))
	}
}

// curveType maps an ECDSA curve to its KeyType, or "" if unsupported.
func curveType(c elliptic.Curve) KeyType {
	switch c {
	case elliptic.P256():
		return P256
	case elliptic.P384():
		return P384
	}
	return ""
}

// EncodePublicMultikey returns the publicKeyMultibase of pub, which must be
// an ed25519.PublicKey, an *ecdsa.PublicKey on P-256 or P-384, or an
// *rsa.PublicKey of MinRSABits to MaxRSABits bits with an odd exponent ≥ 3.
//
// Controlled Identifiers §2.2.2: "The encoding of an Ed25519 public key MUST
// start with the two-byte prefix 0xed01 (the varint expression of 0xed),
// followed by the 32-byte public key data"; a P-256 key uses 0x8024 (0x1200)
// followed by the 33-byte compressed point, a P-384 key 0x8124 (0x1201)
// followed by the 49-byte compressed point. "The resulting 35-byte value
// MUST then be encoded using the base-58-btc alphabet ... and then prepended
// with the base-58-btc Multibase header (z)." An RSA key uses the multicodec
// rsa-pub (0x1205, varint 0x8524) followed by the DER encoding of the PKCS#1
// RSAPublicKey (RFC 8017 App. A.1.1), as the did:key method specifies.
func EncodePublicMultikey(pub crypto.PublicKey) (string, error) {
	var hdr [2]byte
	var body []byte
	switch k := pub.(type) {
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return "", fmt.Errorf("%w: Ed25519 public key must be %d bytes, got %d", ErrInvalidKey, ed25519.PublicKeySize, len(k))
		}
		hdr, body = hdrEd25519Pub, k
	case *ecdsa.PublicKey:
		if k == nil {
			return "", fmt.Errorf("%w: nil *ecdsa.PublicKey", ErrInvalidKey)
		}
		switch curveType(k.Curve) {
		case P256:
			hdr = hdrP256Pub
		case P384:
			hdr = hdrP384Pub
		default:
			return "", fmt.Errorf("%w: unsupported ECDSA curve (want P-256 or P-384)", ErrInvalidKey)
		}
		c, err := compressPoint(k)
		if err != nil {
			return "", fmt.Errorf("%w: encoding ECDSA public key: %w", ErrInvalidKey, err)
		}
		body = c
	case *rsa.PublicKey:
		if err := checkRSAPublic(k); err != nil {
			return "", fmt.Errorf("%w: %w", ErrInvalidKey, err)
		}
		hdr, body = hdrRSAPub, x509.MarshalPKCS1PublicKey(k)
	default:
		return "", fmt.Errorf("%w: unsupported public key type %T (want ed25519.PublicKey, *ecdsa.PublicKey or *rsa.PublicKey)", ErrInvalidKey, pub)
	}
	return multibase.EncodeBase58(append(hdr[:], body...)), nil
}

// decodeMultikey multibase-decodes s (which must use base58btc, 'z') and
// splits off the two-byte multicodec header. Secret values are never
// echoed in error messages.
//
// Length bounds: s may be at most MaxRSAPublicMultikeyLen (public) or
// MaxRSASecretMultikeyLen (secret) characters, checked before decoding; a
// value longer than MaxMultikeyLen must carry an RSA header.
func decodeMultikey(s string, secret bool) (hdr [2]byte, body []byte, err error) {
	what, limit := "publicKeyMultibase "+q(s), MaxRSAPublicMultikeyLen
	if secret {
		what, limit = "secretKeyMultibase", MaxRSASecretMultikeyLen
	}
	if s == "" {
		return hdr, nil, fmt.Errorf("%w: empty %s", ErrInvalidKey, what)
	}
	if len(s) > limit {
		return hdr, nil, fmt.Errorf("%w: %s is %d characters, longer than %d", ErrInvalidKey, what, len(s), limit)
	}
	if s[0] != multibase.Base58BTC {
		return hdr, nil, fmt.Errorf("%w: %s must start with the base58btc multibase header 'z'", ErrInvalidKey, what)
	}
	b, err := multibase.Decode(s)
	if err != nil {
		if secret {
			return hdr, nil, fmt.Errorf("%w: decoding %s: not valid base58btc", ErrInvalidKey, what)
		}
		return hdr, nil, fmt.Errorf("%w: decoding %s: %w", ErrInvalidKey, what, err)
	}
	if len(b) < 2 {
		return hdr, nil, fmt.Errorf("%w: %s is too short for a multicodec header", ErrInvalidKey, what)
	}
	copy(hdr[:], b)
	if len(s) > MaxMultikeyLen && hdr != hdrRSAPub && hdr != hdrRSAPriv {
		return hdr, nil, fmt.Errorf("%w: %s is %d characters, longer than %d (only RSA keys may be longer)", ErrInvalidKey, what, len(s), MaxMultikeyLen)
	}
	return hdr, b[2:], nil
}

// codecName describes an unrecognised multicodec header for error messages.
func codecName(hdr [2]byte) string {
	if code, n := binary.Uvarint(hdr[:]); n > 0 {
		return fmt.Sprintf("multicodec 0x%x", code)
	}
	return fmt.Sprintf("multicodec header 0x%02x%02x", hdr[0], hdr[1])
}

// DecodePublicMultikey parses a publicKeyMultibase value into an
// ed25519.PublicKey, *ecdsa.PublicKey or *rsa.PublicKey. It enforces the
// Multikey rules quoted on EncodePublicMultikey: base58btc 'z' header, a
// known two-byte multicodec header, the exact key length for that header,
// and a point on the curve (a compressed P-256/P-384 point with a valid
// 0x02/0x03 prefix and reduced X; an Ed25519 encoding that decompresses per
// RFC 8032 §5.1.3). An RSA key must be canonical DER PKCS#1, with a modulus
// of MinRSABits to MaxRSABits bits and an odd exponent ≥ 3. A value that
// decodes re-encodes to the identical string.
//
// Decoded keys are remembered (a bounded memo of successful decodes): a
// verifier meets the same few issuer keys again and again, and the curve
// check alone costs as much as a tenth of verifying a badge. Each call gets
// its own copy of the key, so a caller that modifies one cannot change what
// another call returns.
func DecodePublicMultikey(s string) (crypto.PublicKey, error) {
	if pub, ok := decodedKeys.get(s); ok {
		return copyKey(pub), nil
	}
	pub, err := decodePublicMultikey(s)
	if err != nil {
		return nil, err
	}
	decodedKeys.put(s, pub)
	return copyKey(pub), nil
}

// keyMemo maps publicKeyMultibase values to their decoded keys. When full it
// is emptied: the working set of issuer keys is small, and a miss only
// costs a decode.
type keyMemo struct {
	mu sync.RWMutex
	m  map[string]crypto.PublicKey
}

const keyMemoSize = 1024

var decodedKeys = &keyMemo{m: make(map[string]crypto.PublicKey)}

func (k *keyMemo) get(s string) (crypto.PublicKey, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	pub, ok := k.m[s]
	return pub, ok
}

func (k *keyMemo) put(s string, pub crypto.PublicKey) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.m) >= keyMemoSize {
		clear(k.m)
	}
	k.m[s] = pub
}

// copyKey returns a copy of a decoded key that a caller can change without
// changing the remembered one (an RSA modulus is copied too).
func copyKey(pub crypto.PublicKey) crypto.PublicKey {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		return append(ed25519.PublicKey(nil), k...)
	case *ecdsa.PublicKey:
		// A copy of the struct: its coordinates are shared, as changing
		// them in place is deprecated (Go 1.26) and nothing here does.
		c := *k
		return &c
	case *rsa.PublicKey:
		return &rsa.PublicKey{N: new(big.Int).Set(k.N), E: k.E}
	}
	return pub
}

func decodePublicMultikey(s string) (crypto.PublicKey, error) {
	hdr, body, err := decodeMultikey(s, false)
	if err != nil {
		return nil, err
	}
	var curve elliptic.Curve
	switch hdr {
	case hdrEd25519Pub:
		if len(body) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: Ed25519 public key %s has %d key bytes, want %d", ErrInvalidKey, q(s), len(body), ed25519.PublicKeySize)
		}
		if !ed25519OnCurve(body) {
			return nil, fmt.Errorf("%w: Ed25519 public key %s is not a point on the curve", ErrInvalidKey, q(s))
		}
		return ed25519.PublicKey(body), nil
	case hdrP256Pub:
		curve = elliptic.P256()
	case hdrP384Pub:
		curve = elliptic.P384()
	case hdrRSAPub:
		pub, err := parseRSAPublicDER(body)
		if err != nil {
			return nil, fmt.Errorf("%w: RSA public key %s: %w", ErrInvalidKey, q(s), err)
		}
		return pub, nil
	case hdrEd25519Priv, hdrP256Priv, hdrP384Priv, hdrRSAPriv:
		return nil, fmt.Errorf("%w: %s is a secret key, not a public key", ErrInvalidKey, q(s))
	default:
		return nil, fmt.Errorf("%w: %s has unsupported %s (want Ed25519 0xed, P-256 0x1200, P-384 0x1201 or RSA 0x1205)", ErrInvalidKey, q(s), codecName(hdr))
	}
	pub, err := decompressPoint(curve, body)
	if err != nil {
		return nil, fmt.Errorf("%w: public key %s: %w", ErrInvalidKey, q(s), err)
	}
	return pub, nil
}

// EncodeSecretMultikey returns the secretKeyMultibase of priv, which must be
// an ed25519.PrivateKey, an *ecdsa.PrivateKey on P-256 or P-384, or a
// two-prime *rsa.PrivateKey of MinRSABits to MaxRSABits bits.
//
// Controlled Identifiers §2.2.2: "The encoding of an Ed25519 secret key MUST
// start with the two-byte prefix 0x8026 (the varint expression of 0x1300),
// followed by the 32-byte secret key data"; P-256 uses 0x8626 (0x1306) and
// P-384 0x8726 (0x1307), each followed by the fixed-length secret scalar.
// An RSA key uses the multicodec rsa-priv (0x1305, varint 0x8526) followed
// by the DER encoding of the PKCS#1 RSAPrivateKey (RFC 8017 App. A.1.2).
func EncodeSecretMultikey(priv crypto.Signer) (string, error) {
	var hdr [2]byte
	var body []byte
	switch k := priv.(type) {
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return "", fmt.Errorf("%w: Ed25519 private key must be %d bytes, got %d", ErrInvalidKey, ed25519.PrivateKeySize, len(k))
		}
		hdr, body = hdrEd25519Priv, k.Seed()
	case *ecdsa.PrivateKey:
		if k == nil {
			return "", fmt.Errorf("%w: nil *ecdsa.PrivateKey", ErrInvalidKey)
		}
		switch curveType(k.Curve) {
		case P256:
			hdr = hdrP256Priv
		case P384:
			hdr = hdrP384Priv
		default:
			return "", fmt.Errorf("%w: unsupported ECDSA curve (want P-256 or P-384)", ErrInvalidKey)
		}
		b, err := k.Bytes()
		if err != nil {
			return "", fmt.Errorf("%w: encoding ECDSA private key: %w", ErrInvalidKey, err)
		}
		body = b
	case *rsa.PrivateKey:
		if err := checkRSAPrivate(k); err != nil {
			return "", fmt.Errorf("%w: %w", ErrInvalidKey, err)
		}
		hdr, body = hdrRSAPriv, x509.MarshalPKCS1PrivateKey(k)
	default:
		return "", fmt.Errorf("%w: unsupported private key type %T (want ed25519.PrivateKey, *ecdsa.PrivateKey or *rsa.PrivateKey)", ErrInvalidKey, priv)
	}
	return multibase.EncodeBase58(append(hdr[:], body...)), nil
}

// DecodeSecretMultikey parses a secretKeyMultibase value (see
// EncodeSecretMultikey for the rules enforced) into an ed25519.PrivateKey,
// *ecdsa.PrivateKey or *rsa.PrivateKey. ECDSA scalars must be in [1, n-1];
// an RSA key must be canonical DER PKCS#1, two-prime, pass
// rsa.PrivateKey.Validate and have a public half DecodePublicMultikey
// accepts.
func DecodeSecretMultikey(s string) (crypto.Signer, error) {
	hdr, body, err := decodeMultikey(s, true)
	if err != nil {
		return nil, err
	}
	var curve elliptic.Curve
	switch hdr {
	case hdrEd25519Priv:
		if len(body) != ed25519.SeedSize {
			return nil, fmt.Errorf("%w: Ed25519 secret key has %d bytes, want %d", ErrInvalidKey, len(body), ed25519.SeedSize)
		}
		return ed25519.NewKeyFromSeed(body), nil
	case hdrP256Priv:
		curve = elliptic.P256()
	case hdrP384Priv:
		curve = elliptic.P384()
	case hdrRSAPriv:
		priv, err := parseRSAPrivateDER(body)
		if err != nil {
			return nil, fmt.Errorf("%w: RSA secret key: %w", ErrInvalidKey, err)
		}
		return priv, nil
	case hdrEd25519Pub, hdrP256Pub, hdrP384Pub, hdrRSAPub:
		return nil, fmt.Errorf("%w: secretKeyMultibase holds a public key (%s)", ErrInvalidKey, codecName(hdr))
	default:
		// Do not echo secret material: name only the header.
		return nil, fmt.Errorf("%w: secret key has unsupported %s (want Ed25519 0x1300, P-256 0x1306, P-384 0x1307 or RSA 0x1305)", ErrInvalidKey, codecName(hdr))
	}
	size := (curve.Params().BitSize + 7) / 8
	if len(body) != size {
		return nil, fmt.Errorf("%w: %s secret key has %d bytes, want %d", ErrInvalidKey, curve.Params().Name, len(body), size)
	}
	priv, err := ecdsa.ParseRawPrivateKey(curve, body)
	if err != nil {
		return nil, fmt.Errorf("%w: %s secret key: %w", ErrInvalidKey, curve.Params().Name, err)
	}
	return priv, nil
}

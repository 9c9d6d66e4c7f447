package did

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
)

// RSA key sizes. GenerateKey(RSA) makes a DefaultRSABits key; GenerateRSA
// makes any size in [MinRSABits, MaxRSABits]. RSA Multikeys (and so RSA
// did:key DIDs) whose modulus falls outside that range are refused
// (MinRSABits is the RS256 minimum of OB 3.0 §8.2.3 and RFC 7518 §3.3;
// MaxRSABits bounds the cost of parsing and verifying untrusted keys and the
// length of the Multikey). did:jwk applies MinRSABits only.
const (
	DefaultRSABits = 2048
	MaxRSABits     = 4096
)

// MaxRSAPublicMultikeyLen and MaxRSASecretMultikeyLen are the longest
// publicKeyMultibase / secretKeyMultibase strings accepted for RSA keys: a
// MaxRSABits public key (with the largest exponent crypto/x509 accepts,
// 2³¹−1) encodes to at most 724 characters, a MaxRSABits PKCS#1 private key
// to about 3,210. Only values whose multicodec header is rsa-pub / rsa-priv
// may exceed MaxMultikeyLen.
const (
	MaxRSAPublicMultikeyLen = 740
	MaxRSASecretMultikeyLen = 3300
)

// GenerateRSA returns a new random RSA key with a modulus of bits bits
// (MinRSABits ≤ bits ≤ MaxRSABits; 2048, 3072 and 4096 are the usual sizes)
// and public exponent 65537.
func GenerateRSA(bits int) (*rsa.PrivateKey, error) {
	if bits < MinRSABits || bits > MaxRSABits {
		return nil, fmt.Errorf("%w: RSA key size %d bits is outside [%d, %d]", ErrInvalidKey, bits, MinRSABits, MaxRSABits)
	}
	priv, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, fmt.Errorf("%w: generating RSA-%d key: %w", ErrInvalidKey, bits, err)
	}
	return priv, nil
}

// checkRSAPublic enforces the RSA Multikey (and did:key) rules: MinRSABits ≤ modulus size ≤ MaxRSABits, an odd modulus, and an
// odd public exponent of at least 3 (RFC 8017 §3.1).
func checkRSAPublic(k *rsa.PublicKey) error {
	if k == nil || k.N == nil {
		return errors.New("nil RSA public key")
	}
	bits := k.N.BitLen()
	switch {
	case bits < MinRSABits:
		return fmt.Errorf("RSA modulus is %d bits, want at least %d", bits, MinRSABits)
	case bits > MaxRSABits:
		return fmt.Errorf("RSA modulus is %d bits, want at most %d", bits, MaxRSABits)
	case k.N.Bit(0) == 0:
		return errors.New("RSA modulus is even")
	case k.E < 3 || k.E%2 == 0:
		return fmt.Errorf("invalid RSA public exponent %d (must be odd and at least 3)", k.E)
	}
	return nil
}

// checkRSAPrivate checks priv's public half with checkRSAPublic and the
// private key itself: two primes (multi-prime keys are not supported) and
// rsa.PrivateKey.Validate.
func checkRSAPrivate(priv *rsa.PrivateKey) error {
	if priv == nil {
		return errors.New("nil RSA private key")
	}
	if err := checkRSAPublic(&priv.PublicKey); err != nil {
		return err
	}
	if len(priv.Primes) != 2 {
		return fmt.Errorf("RSA private key has %d primes; only two-prime keys are supported", len(priv.Primes))
	}
	if err := priv.Validate(); err != nil {
		return fmt.Errorf("invalid RSA private key: %w", err)
	}
	return nil
}

// parseRSAPublicDER parses the body of an rsa-pub Multikey: a DER PKCS#1
// RSAPublicKey (RFC 8017 App. A.1.1). It must be canonical DER, so that
// a value that decodes re-encodes to the identical bytes.
func parseRSAPublicDER(der []byte) (*rsa.PublicKey, error) {
	pub, err := x509.ParsePKCS1PublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("not a DER PKCS#1 RSAPublicKey: %w", err)
	}
	if err := checkRSAPublic(pub); err != nil {
		return nil, err
	}
	if !bytes.Equal(x509.MarshalPKCS1PublicKey(pub), der) {
		return nil, errors.New("RSAPublicKey is not canonical DER")
	}
	return pub, nil
}

// parseRSAPrivateDER parses the body of an rsa-priv Multikey: a DER PKCS#1
// RSAPrivateKey (RFC 8017 App. A.1.2), two-prime, canonical DER. Errors
// never include key material.
func parseRSAPrivateDER(der []byte) (*rsa.PrivateKey, error) {
	priv, err := x509.ParsePKCS1PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("not a valid DER PKCS#1 RSAPrivateKey: %w", err)
	}
	if err := checkRSAPrivate(priv); err != nil {
		return nil, err
	}
	if !bytes.Equal(x509.MarshalPKCS1PrivateKey(priv), der) {
		return nil, errors.New("RSAPrivateKey is not canonical DER")
	}
	return priv, nil
}

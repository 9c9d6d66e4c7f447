package did

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// MinRSABits is the smallest RSA modulus accepted, in a JWK or a Multikey.
const MinRSABits = 2048

// privateJWKMembers are the JWK members that carry private key material
// (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2).
var privateJWKMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// parsePublicJWK parses a public JWK, returning the key and its "use"
// member. It accepts OKP Ed25519, EC P-256/P-384 and RSA keys of at least
// MinRSABits and rejects private key members.
func parsePublicJWK(raw []byte) (crypto.PublicKey, string, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil, "", fmt.Errorf("%w: JWK is not a JSON object: %w", ErrInvalidKey, err)
	}
	if members == nil {
		return nil, "", fmt.Errorf("%w: JWK is not a JSON object (got null)", ErrInvalidKey)
	}
	for _, m := range privateJWKMembers {
		if _, ok := members[m]; ok {
			return nil, "", fmt.Errorf("%w: JWK contains private key member %q", ErrInvalidKey, m)
		}
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(raw); err != nil {
		return nil, "", fmt.Errorf("%w: parsing JWK: %w", ErrInvalidKey, err)
	}
	if !jwk.IsPublic() || !jwk.Valid() {
		return nil, "", fmt.Errorf("%w: JWK is not a valid public key", ErrInvalidKey)
	}
	switch k := jwk.Key.(type) {
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return nil, "", fmt.Errorf("%w: Ed25519 JWK has %d-byte key", ErrInvalidKey, len(k))
		}
		if !ed25519OnCurve(k) {
			return nil, "", fmt.Errorf("%w: Ed25519 JWK key is not a point on the curve", ErrInvalidKey)
		}
		return k, jwk.Use, nil
	case *ecdsa.PublicKey:
		if curveType(k.Curve) == "" {
			return nil, "", fmt.Errorf("%w: EC JWK on unsupported curve (want P-256 or P-384)", ErrInvalidKey)
		}
		// Re-parse the point through crypto/ecdsa, which validates it.
		b, err := k.Bytes()
		if err != nil {
			return nil, "", fmt.Errorf("%w: EC JWK: %w", ErrInvalidKey, err)
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(k.Curve, b)
		if err != nil {
			return nil, "", fmt.Errorf("%w: EC JWK point: %w", ErrInvalidKey, err)
		}
		return pub, jwk.Use, nil
	case *rsa.PublicKey:
		if n := k.N.BitLen(); n < MinRSABits {
			return nil, "", fmt.Errorf("%w: RSA JWK modulus is %d bits, want at least %d", ErrInvalidKey, n, MinRSABits)
		}
		if k.E < 3 || k.E%2 == 0 {
			return nil, "", fmt.Errorf("%w: RSA JWK has invalid public exponent %d", ErrInvalidKey, k.E)
		}
		return k, jwk.Use, nil
	default:
		return nil, "", fmt.Errorf("%w: unsupported JWK key type %T", ErrInvalidKey, jwk.Key)
	}
}

var b64 = base64.RawURLEncoding

// publicJWK returns the minimal JWK of pub: only the required members of
// RFC 7638 §3.2, in lexicographic order, as compact JSON.
func publicJWK(pub crypto.PublicKey) ([]byte, error) {
	var m map[string]string
	switch k := pub.(type) {
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: Ed25519 public key must be %d bytes, got %d", ErrInvalidKey, ed25519.PublicKeySize, len(k))
		}
		m = map[string]string{"kty": "OKP", "crv": "Ed25519", "x": b64.EncodeToString(k)}
	case *ecdsa.PublicKey:
		if k == nil {
			return nil, fmt.Errorf("%w: nil *ecdsa.PublicKey", ErrInvalidKey)
		}
		t := curveType(k.Curve)
		if t == "" {
			return nil, fmt.Errorf("%w: unsupported ECDSA curve (want P-256 or P-384)", ErrInvalidKey)
		}
		raw, err := k.Bytes()
		if err != nil {
			return nil, fmt.Errorf("%w: encoding ECDSA public key: %w", ErrInvalidKey, err)
		}
		size := (len(raw) - 1) / 2
		m = map[string]string{"kty": "EC", "crv": string(t),
			"x": b64.EncodeToString(raw[1 : 1+size]), "y": b64.EncodeToString(raw[1+size:])}
	case *rsa.PublicKey:
		if k == nil || k.N == nil {
			return nil, fmt.Errorf("%w: nil *rsa.PublicKey", ErrInvalidKey)
		}
		if n := k.N.BitLen(); n < MinRSABits {
			return nil, fmt.Errorf("%w: RSA modulus is %d bits, want at least %d", ErrInvalidKey, n, MinRSABits)
		}
		if k.E < 3 || k.E%2 == 0 {
			return nil, fmt.Errorf("%w: invalid RSA public exponent %d", ErrInvalidKey, k.E)
		}
		m = map[string]string{"kty": "RSA", "n": b64.EncodeToString(k.N.Bytes()),
			"e": b64.EncodeToString(big.NewInt(int64(k.E)).Bytes())}
	default:
		return nil, fmt.Errorf("%w: unsupported public key type %T (want ed25519.PublicKey, *ecdsa.PublicKey or *rsa.PublicKey)", ErrInvalidKey, pub)
	}
	return json.Marshal(m) // encoding/json sorts map keys
}

// JWKDID returns the did:jwk DID for pub (Ed25519, ECDSA P-256/P-384, or
// RSA ≥ 2048 bits) and the ID of its verification method, DID + "#0".
// did:jwk "Create": "Generate a JWK, serialize it as a UTF-8 string, encode
// that string using base64url" without padding. The JWK holds only the
// RFC 7638 required members, sorted, so the DID is deterministic.
func JWKDID(pub crypto.PublicKey) (did string, vmID string, err error) {
	j, err := publicJWK(pub)
	if err != nil {
		return "", "", err
	}
	did = "did:jwk:" + b64.EncodeToString(j)
	return did, did + "#0", nil
}

// JWKResolver resolves did:jwk DIDs without any I/O.
type JWKResolver struct{}

// Resolve implements did:jwk "Read": "Decode the base64url-encoded JWK ...
// ensure the JWK does not contain the private key value d" — here any
// private member is refused — and build a document with one verification
// method "did:jwk:…#0" of type JsonWebKey2020 whose publicKeyJwk is the
// decoded JWK. "If the JWK contains a use property with the value sig then
// the keyAgreement property is not included in the DID Document. If the
// use value is enc then only the keyAgreement property is included."
//
// Only OKP Ed25519, EC P-256/P-384 and RSA (≥ MinRSABits) keys are
// accepted. Errors wrap ErrInvalidDID and, for bad key material,
// ErrInvalidKey.
func (JWKResolver) Resolve(_ context.Context, did string) (*Document, error) {
	method, id, err := parseDID(did)
	if err != nil {
		return nil, err
	}
	if method != "jwk" {
		return nil, fmt.Errorf("%w: %s is not a did:jwk", ErrUnsupportedMethod, q(did))
	}
	if strings.Contains(id, "%") || strings.Contains(id, ":") || strings.Contains(id, ".") {
		return nil, fmt.Errorf("%w: did:jwk identifier %s is not base64url", ErrInvalidDID, q(id))
	}
	raw, err := b64.Strict().DecodeString(id)
	if err != nil {
		return nil, fmt.Errorf("%w: did:jwk identifier %s is not base64url (no padding): %w", ErrInvalidDID, q(id), err)
	}
	_, use, err := parsePublicJWK(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: resolving %s: %w", ErrInvalidDID, q(did), err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return nil, fmt.Errorf("%w: resolving %s: %w", ErrInvalidDID, q(did), err)
	}
	vmID := did + "#0"
	rel := []string{vmID}
	doc := &Document{
		Context: []any{ContextDIDv1, ContextJWS2020v1},
		ID:      did,
		VerificationMethod: []VerificationMethod{{
			ID:           vmID,
			Type:         TypeJsonWebKey2020,
			Controller:   did,
			PublicKeyJwk: json.RawMessage(compact.Bytes()),
		}},
	}
	if use != "enc" {
		doc.AssertionMethod = rel
		doc.Authentication = rel
		doc.CapabilityInvocation = rel
		doc.CapabilityDelegation = rel
	}
	if use != "sig" {
		doc.KeyAgreement = rel
	}
	return doc, nil
}

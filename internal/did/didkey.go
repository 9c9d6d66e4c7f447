package did

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"fmt"
)

func isEd25519(pub crypto.PublicKey) bool {
	_, ok := pub.(ed25519.PublicKey)
	return ok
}

// KeyDID returns the did:key DID for pub (an ed25519.PublicKey, an
// *ecdsa.PublicKey on P-256 or P-384, or an *rsa.PublicKey of MinRSABits to
// MaxRSABits bits) and the ID of its verification method. did:key §3.1.1: "did-key-format := did:key:MULTIBASE(base58-btc,
// MULTICODEC(public-key-type, raw-public-key-bytes))", and the verification
// method ID is the DID followed by "#" and the same multibase value.
func KeyDID(pub crypto.PublicKey) (did string, vmID string, err error) {
	mb, err := EncodePublicMultikey(pub)
	if err != nil {
		return "", "", err
	}
	did = "did:key:" + mb
	return did, did + "#" + mb, nil
}

// KeyResolver resolves did:key DIDs for Ed25519 (z6Mk…), P-256 (zDn…),
// P-384 (z82…) and RSA (z4MX… for 2048 bits, zgg… for 4096; multicodec
// rsa-pub 0x1205 with a DER PKCS#1 RSAPublicKey) keys without any I/O. An RSA
// key gets the same Multikey verification method as the others.
type KeyResolver struct{}

// Resolve implements the did:key "Document Creation Algorithm" (did:key
// §3.1.2 and §3.1.3) with publicKeyFormat Multikey:
//
//   - "the method-specific-id MUST be a multibase-encoded value starting
//     with z" and decode to a supported public key of the correct length
//     (invalidDid / invalidPublicKeyLength / invalidPublicKey); the
//     optional version segment ("did:key:1:…") is not supported;
//   - the document contains one verification method whose id is the DID
//     plus "#" plus the multibase value, type Multikey, controller the DID;
//   - that id is listed under authentication, assertionMethod,
//     capabilityInvocation and capabilityDelegation. (keyAgreement keys
//     derived from Ed25519 are optional in the spec and not produced.)
//
// Errors wrap ErrInvalidDID and, for bad key material, ErrInvalidKey.
func (KeyResolver) Resolve(_ context.Context, did string) (*Document, error) {
	method, id, err := parseDID(did)
	if err != nil {
		return nil, err
	}
	if method != "key" {
		return nil, fmt.Errorf("%w: %s is not a did:key", ErrUnsupportedMethod, q(did))
	}
	if id[0] != 'z' {
		return nil, fmt.Errorf("%w: did:key identifier %s must be base58btc multibase starting with 'z'", ErrInvalidDID, q(id))
	}
	if _, err := DecodePublicMultikey(id); err != nil {
		return nil, fmt.Errorf("%w: resolving %s: %w", ErrInvalidDID, q(did), err)
	}
	vmID := did + "#" + id
	rel := []string{vmID}
	return &Document{
		Context: []any{ContextDIDv1, ContextMultikey},
		ID:      did,
		VerificationMethod: []VerificationMethod{{
			ID:                 vmID,
			Type:               TypeMultikey,
			Controller:         did,
			PublicKeyMultibase: id,
		}},
		Authentication:       rel,
		AssertionMethod:      rel,
		CapabilityInvocation: rel,
		CapabilityDelegation: rel,
	}, nil
}

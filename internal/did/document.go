package did

import (
	"crypto"
	"encoding/json"
	"fmt"
)

// PublicJWK returns the public JWK of pub (RFC 7517), with kid set when
// non-empty: what an issuer publishes in its JWKS (OB 3.0 §8.5).
func PublicJWK(pub crypto.PublicKey, kid string) (json.RawMessage, error) {
	raw, err := publicJWK(pub)
	if err != nil {
		return nil, err
	}
	if kid == "" {
		return raw, nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	m["kid"] = kid
	return json.Marshal(m)
}

// ControllerDocument returns the DID document of a DID that controls one key,
// identified by vmID, as a did:web issuer publishes it: a Multikey
// verification method authorised for assertionMethod and authentication
// (DID Core §5.3; Controlled Identifiers "Multikey").
func ControllerDocument(did, vmID string, pub crypto.PublicKey) (*Document, error) {
	mk, err := EncodePublicMultikey(pub)
	if err != nil {
		return nil, fmt.Errorf("controller document: %w", err)
	}
	return &Document{
		Context:            []any{ContextDIDv1, ContextMultikey},
		ID:                 did,
		VerificationMethod: []VerificationMethod{{ID: vmID, Type: TypeMultikey, Controller: did, PublicKeyMultibase: mk}},
		AssertionMethod:    []string{vmID},
		Authentication:     []string{vmID},
	}, nil
}

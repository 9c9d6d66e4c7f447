// Package testkit is the part of the shared test fixture (see
// internal/testissuer) that imports no role and none of the proof
// machinery: deterministic keys, the unsigned Open Badge that tests sign,
// and two virtual webs (one in memory, one an HTTPS server on loopback
// reached through the production fetch client). The verifier's,
// dataintegrity's and vcjwt's own internal tests can use it without an
// import cycle; everything else uses internal/testissuer, which builds on it.
//
// It is imported by tests only.
package testkit

import (
	"crypto"
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/status"
)

// Key returns the Ed25519 key whose 32-byte seed is seed repeated: the same
// key on every run, so that a failure reproduces and golden output is stable.
func Key(seed byte) ed25519.PrivateKey {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed
	}
	return ed25519.NewKeyFromSeed(s)
}

// Signer is a key with its did:key identifier and verification method.
type Signer struct {
	Key crypto.Signer
	DID string
	VM  string
}

// NewSigner identifies key by a did:key.
func NewSigner(t testing.TB, key crypto.Signer) Signer {
	t.Helper()
	d, vm, err := did.KeyDID(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	return Signer{Key: key, DID: d, VM: vm}
}

// Ed25519 is NewSigner(Key(seed)).
func Ed25519(t testing.TB, seed byte) Signer { return NewSigner(t, Key(seed)) }

// IssuerPlaceholder stands for the issuer's ID in UnsignedBadge.
const IssuerPlaceholder = "ISSUER"

// UnsignedBadge is a minimal valid Open Badges 3.0 credential, before its
// proof, awarded to a hashed e-mail address (the hash of
// "learner@example.org" with salt "Kosher"), issued by IssuerPlaceholder.
const UnsignedBadge = `{
  "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
  "id": "urn:uuid:0b1f1d7e-0c1a-4c53-9f4e-6e6c2a0c7f10",
  "type": ["VerifiableCredential", "OpenBadgeCredential"],
  "issuer": {"id": "ISSUER", "type": ["Profile"], "name": "Science & Society Lab"},
  "validFrom": "2026-01-01T00:00:00Z",
  "name": "Teamwork",
  "credentialSubject": {
    "type": ["AchievementSubject"],
    "identifier": [{"type": "IdentityObject", "hashed": true, "identityType": "emailAddress",
      "identityHash": "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399", "salt": "Kosher"}],
    "achievement": {"id": "https://lab.example/achievements/teamwork", "type": ["Achievement"], "name": "Teamwork",
      "description": "Works well in a team.", "criteria": {"narrative": "Peer nominated."}}
  }
}`

// Badge returns UnsignedBadge issued by issuerID, decoded, after patch
// (which may be nil).
func Badge(issuerID string, patch func(map[string]any)) map[string]any {
	var doc map[string]any
	if err := json.Unmarshal([]byte(strings.Replace(UnsignedBadge, IssuerPlaceholder, issuerID, 1)), &doc); err != nil {
		panic(err) // a constant
	}
	if patch != nil {
		patch(doc)
	}
	return doc
}

// StatusList is an unsigned BitstringStatusListCredential (Bitstring Status
// List §2.2) published at url by issuerID, for purpose ("revocation",
// "suspension"), with the given indices set, valid from 2026-01-01 and
// cacheable for a minute.
func StatusList(t testing.TB, url, issuerID, purpose string, set ...int) map[string]any {
	t.Helper()
	bits, err := status.New(status.MinBits)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range set {
		if err := bits.Set(i, true); err != nil {
			t.Fatal(err)
		}
	}
	enc, err := bits.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return map[string]any{
		"@context":  []any{"https://www.w3.org/ns/credentials/v2"},
		"id":        url,
		"type":      []any{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":    issuerID,
		"validFrom": "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"id": url + "#list", "type": "BitstringStatusList",
			"statusPurpose": purpose, "encodedList": enc, "ttl": 60000},
	}
}

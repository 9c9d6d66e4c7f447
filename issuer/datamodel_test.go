package issuer

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/credential"
)

// TestSignCredentialRefusesVCDataModelRules: the issuer refuses to sign a
// credential that breaks a VC Data Model rule, naming it, whoever calls it.
func TestSignCredentialRefusesVCDataModelRules(t *testing.T) {
	t.Parallel()
	key, err := NewKey("")
	if err != nil {
		t.Fatal(err)
	}
	is := &Issuer{Profile: Profile{ID: key.DID, Name: "Lab"}, Key: key}
	doc := map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"},
		"type":              []any{"VerifiableCredential"},
		"issuer":            key.DID,
		"validFrom":         "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"id": "did:example:1", "alumniOf": "x"},
		"evidence":          map[string]any{"id": "https://example.org/e"},
	}
	_, err = is.SignCredential(context.Background(), doc)
	if !errors.Is(err, ErrCredential) || !errors.Is(err, credential.ErrDataModel) || !strings.Contains(err.Error(), "evidence-type") {
		t.Fatalf("err %v", err)
	}
	doc["evidence"] = map[string]any{"id": "https://example.org/e", "type": "Evidence"}
	if _, err := is.SignCredential(context.Background(), doc); err != nil {
		t.Fatalf("with a typed evidence: %v", err)
	}
}

package dataintegrity

import (
	"testing"

	"github.com/blason-badges/blason/contexts"
)

// TestVCDataModelJSONLDRules: the VC Data Model 2.0 MUSTs that JSON-LD
// processing itself enforces, when signing and when verifying (both go
// through Canonicalize): §5.2 "JSON-LD-based processors MUST produce an
// error when a JSON-LD context redefines any term in the active context"
// (the VC context's terms are @protected), and, for §4.6/§11.1 ("the value
// of the name property MUST be a string or a language value object"), a
// value object with members JSON-LD does not define (the rest of that rule
// is credential.CheckDataModel's "name-value").
func TestVCDataModelJSONLDRules(t *testing.T) {
	t.Parallel()
	base := func() map[string]any {
		return map[string]any{
			"@context":          []any{contexts.CredentialsV2, contexts.ExamplesV2},
			"type":              []any{"VerifiableCredential"},
			"issuer":            "did:example:issuer",
			"credentialSubject": map[string]any{"id": "did:example:1", "alumniOf": "x"},
		}
	}
	if _, err := Canonicalize(base()); err != nil {
		t.Fatalf("valid document: %v", err)
	}
	cases := map[string]func(m map[string]any){
		"redefines a protected type": func(m map[string]any) {
			m["@context"] = []any{contexts.CredentialsV2, map[string]any{"VerifiableCredential": "https://example.org/NotAVC"}}
		},
		"redefines a protected property": func(m map[string]any) {
			m["@context"] = []any{contexts.CredentialsV2, map[string]any{"issuer": "https://example.org/issuer"}}
		},
		"name value object with an extra member": func(m map[string]any) {
			m["name"] = map[string]any{"@value": "Alumni", "@language": "en", "extra": "x"}
		},
	}
	for name, patch := range cases {
		doc := base()
		patch(doc)
		if _, err := Canonicalize(doc); err == nil {
			t.Errorf("%s: canonicalised", name)
		}
	}
}

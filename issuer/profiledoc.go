package issuer

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/blason-badges/blason/contexts"
)

// ProfileDocument is what an issuer whose id is an https URL serves at that
// URL: its OB 3.0 Profile (App. B.1 "Profile": the current name, url,
// email, description) that is also its controller document (W3C
// Controlled Identifiers v1.0 §2), listing the key it signs with under
// assertionMethod and authentication. Verifiers dereference the issuer id
// to find the key (OB 3.0 §8.5: "This specification ... only requires
// HTTP URL support"), and people and platforms to read who the issuer is.
func (s *Service) ProfileDocument(ctx context.Context, issuerID string) ([]byte, error) {
	if !strings.HasPrefix(issuerID, "https://") {
		return nil, fmt.Errorf("%w: %s is not an https URL: only such an issuer is served at its id", ErrProfile, issuerID)
	}
	is, err := s.Issuer(ctx, issuerID)
	if err != nil {
		return nil, err
	}
	doc, err := s.DIDDocument(ctx, issuerID)
	if err != nil {
		return nil, err
	}
	m := map[string]any{
		"@context": []any{contexts.CredentialsV2, contexts.OB303},
		"id":       issuerID,
		"type":     []any{"Profile"},
		"name":     is.Profile.Name,
	}
	for k, v := range map[string]string{"url": is.Profile.URL, "email": is.Profile.Email, "description": is.Profile.Description} {
		if v != "" {
			m[k] = v
		}
	}
	m["verificationMethod"] = doc.VerificationMethod
	m["assertionMethod"] = doc.AssertionMethod
	m["authentication"] = doc.Authentication
	return json.Marshal(m)
}

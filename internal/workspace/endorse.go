package workspace

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blason-badges/blason/contexts"
)

// Endorsement is what an issuer says about another issuer's achievement
// or profile.
type Endorsement struct {
	// SubjectID is the id of the endorsed achievement or profile (a URI).
	SubjectID string
	// Comment is the endorsement's text (OB 3.0 EndorsementSubject
	// endorsementComment).
	Comment string
	// Name of the endorsement credential; empty means "Endorsement".
	Name string
}

// Endorse issues an OB 3.0 EndorsementCredential (App. B.1.7) from
// issuerID about another issuer's achievement or profile, with a
// revocation status entry like every credential the issuer signs, and
// records it in the audit log. It returns the signed credential's JSON
// (the bytes verified and recorded).
func (s *Service) Endorse(ctx context.Context, issuerID string, e Endorsement, actor string) ([]byte, error) {
	e.SubjectID, e.Comment = strings.TrimSpace(e.SubjectID), strings.TrimSpace(e.Comment)
	if !strings.Contains(e.SubjectID, ":") || strings.ContainsAny(e.SubjectID, " \t\n<>\"") {
		return nil, fieldErr("subject", "%q is not the id (a URI) of an achievement or issuer profile", e.SubjectID)
	}
	if e.SubjectID == issuerID {
		return nil, fieldErr("subject", "an issuer does not endorse itself")
	}
	if utf8.RuneCountInString(e.Comment) > MaxDescriptionLen {
		return nil, fieldErr("comment", "is longer than %d characters", MaxDescriptionLen)
	}
	if e.Name == "" {
		e.Name = "Endorsement"
	}
	is, err := s.Issuer.Issuer(ctx, issuerID)
	if err != nil {
		return nil, err
	}
	prof := map[string]any{"id": is.Profile.ID, "type": []any{"Profile"}, "name": is.Profile.Name}
	if is.Profile.URL != "" {
		prof["url"] = is.Profile.URL
	}
	subject := map[string]any{"id": e.SubjectID, "type": []any{"EndorsementSubject"}}
	if e.Comment != "" {
		subject["endorsementComment"] = e.Comment
	}
	doc := map[string]any{
		"@context":          []any{contexts.CredentialsV2, contexts.OB303},
		"id":                "urn:uuid:" + newID(),
		"type":              []any{"VerifiableCredential", "EndorsementCredential"},
		"issuer":            prof,
		"validFrom":         s.now().Truncate(time.Second).Format(time.RFC3339),
		"name":              e.Name,
		"credentialSubject": subject,
	}
	signed, err := s.Issuer.SignWithStatus(ctx, issuerID, doc)
	if err != nil {
		return nil, err
	}
	return signed, s.audit(ctx, issuerID, actor, "endorse", e.SubjectID, fmt.Sprint(doc["id"]))
}

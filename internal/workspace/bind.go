package workspace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/blason-badges/blason/issuer"
)

// ClaimForHolder uses a claim link for a learner's wallet and binds the
// badge to her holder DID (OB 3.0 AchievementSubject.id): the badge is
// issued again with the same achievement, narrative, result and evidence,
// to holderDID instead of the hashed e-mail address, so that she can prove
// it is hers when she presents it (a verifier's holder binding). The
// e-mail-bound credential, never handed out (the link is single-use), is
// revoked with a reason saying which credential replaced it, and the
// award and its claim now name the new one. holder records where the
// badge went ("wallet:USER").
func (s *Service) ClaimForHolder(ctx context.Context, token, holderDID, holder string) (*issuer.CredentialRecord, error) {
	if !strings.HasPrefix(holderDID, "did:") {
		return nil, fieldErr("holder", "%q is not a DID", holderDID)
	}
	v, err := s.LookupClaim(ctx, token)
	if err != nil {
		return nil, err
	}
	if v.Used {
		return nil, ErrClaim
	}
	old := v.Credential
	var doc map[string]any
	if err := json.Unmarshal(old.Document, &doc); err != nil {
		// A VC-JWT award would need its payload: Blason's awards are JSON.
		return nil, fmt.Errorf("claim: the badge is not a JSON credential: %w", err)
	}
	subject, ok := doc["credentialSubject"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("claim: the badge has no credentialSubject")
	}
	bound := make(map[string]any, len(subject))
	for k, val := range subject {
		if k != "identifier" {
			bound[k] = val
		}
	}
	bound["id"] = holderDID
	doc["credentialSubject"] = bound
	delete(doc, "proof")
	delete(doc, "credentialStatus")
	// validFrom and validUntil stay: the badge was awarded then.
	doc["id"] = "urn:uuid:" + newID()
	// Signed with a fresh status entry, preflight-verified and recorded by
	// the issuer (so it can be revoked like any award).
	if _, err := s.Issuer.SignWithStatus(ctx, old.IssuerID, doc); err != nil {
		return nil, err
	}
	newID, _ := doc["id"].(string)
	// Only now the link is used; a request that raced us to it wins, and
	// the credential we just issued is revoked unseen.
	if err := s.Store.UseClaim(ctx, ClaimHash(token), holder, s.now()); err != nil {
		_, _ = s.Issuer.ChangeStatus(ctx, newID, issuer.ActionRevoke, "claim link used meanwhile", "workspace")
		return nil, err
	}
	if err := s.Store.Rebind(ctx, old.ID, newID); err != nil {
		return nil, err
	}
	if _, err := s.Issuer.ChangeStatus(ctx, old.ID, issuer.ActionRevoke, "replaced at claim by "+newID+", bound to the holder's DID", "workspace"); err != nil &&
		!errors.Is(err, issuer.ErrConflict) {
		return nil, err
	}
	if err := s.audit(ctx, old.IssuerID, "learner", "claim.bind", newID, holder+" "+holderDID+" (replaces "+old.ID+")"); err != nil {
		return nil, err
	}
	return s.Issuer.Store.GetCredential(ctx, newID)
}

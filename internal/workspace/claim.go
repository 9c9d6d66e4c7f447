package workspace

import (
	"context"
	"errors"
	"strings"

	"github.com/blason-badges/blason/issuer"
)

// ClaimView is what the claim page shows before the learner takes the
// badge.
type ClaimView struct {
	Claim      *Claim
	Credential *issuer.CredentialRecord
	Award      *AwardRecord
	Used       bool
}

// LookupClaim returns the badge a claim token leads to, without using
// the link. Unknown and expired links are ErrClaim; a used link is
// returned with Used set (the page says it was used, and offers nothing).
func (s *Service) LookupClaim(ctx context.Context, token string) (*ClaimView, error) {
	if len(token) < 40 || len(token) > 64 || strings.ContainsAny(token, "/?#") {
		return nil, ErrClaim
	}
	c, err := s.Store.GetClaim(ctx, ClaimHash(token))
	if errors.Is(err, ErrNotFound) {
		return nil, ErrClaim
	}
	if err != nil {
		return nil, err
	}
	if !c.ExpiresAt.After(s.now()) && c.ClaimedAt.IsZero() {
		return nil, ErrClaim
	}
	cr, err := s.Issuer.Store.GetCredential(ctx, c.CredentialID)
	if err != nil {
		return nil, err
	}
	aw, err := s.Store.GetAward(ctx, c.CredentialID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	return &ClaimView{Claim: c, Credential: cr, Award: aw, Used: !c.ClaimedAt.IsZero()}, nil
}

// Claim uses a claim link: once, before it expires. holder records where
// the badge went ("download", "wallet:DID", ...). It returns the signed
// credential.
func (s *Service) Claim(ctx context.Context, token, holder string) (*issuer.CredentialRecord, error) {
	v, err := s.LookupClaim(ctx, token)
	if err != nil {
		return nil, err
	}
	if v.Used {
		return nil, ErrClaim
	}
	if err := s.Store.UseClaim(ctx, ClaimHash(token), holder, s.now()); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, v.Credential.IssuerID, "learner", "claim", v.Credential.ID, holder); err != nil {
		return nil, err
	}
	return v.Credential, nil
}

// ChangeStatus revokes, suspends or reinstates an award of issuerID with
// a reason, and writes it in the audit log.
func (s *Service) ChangeStatus(ctx context.Context, issuerID, credentialID, action, reason, actor string) (*issuer.CredentialRecord, error) {
	if action == issuer.ActionRevoke && strings.TrimSpace(reason) == "" {
		return nil, fieldErr("reason", "say why (it is recorded, and a revocation cannot be undone)")
	}
	rec, err := s.Issuer.ChangeStatusOf(ctx, issuerID, credentialID, action, reason, actor)
	if err != nil {
		return nil, err
	}
	return rec, s.audit(ctx, issuerID, actor, "award."+action, credentialID, reason)
}

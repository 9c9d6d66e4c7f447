package workspace

import (
	"context"
	"errors"
	"net/mail"
	"strings"
	"time"
)

// Roles in an issuer's workspace, per issuer profile.
const (
	// RoleAdmin does everything, including the profile and the audit log.
	RoleAdmin = "admin"
	// RoleIssuer edits the catalogue, awards, revokes and suspends.
	RoleIssuer = "issuer"
	// RoleViewer reads the catalogue and the awards.
	RoleViewer = "viewer"
)

// Member is a person's role in an issuer's workspace, by the e-mail
// address of their account.
type Member struct {
	IssuerID string
	Email    string
	Role     string
	AddedAt  time.Time
}

// SetMember gives the account with this e-mail address a role in the
// issuer's workspace; role "" removes it.
func (s *Service) SetMember(ctx context.Context, issuerID, email, role, actor string) error {
	addr, err := mail.ParseAddress(strings.TrimSpace(email))
	if err != nil || addr.Name != "" {
		return fieldErr("email", "%q is not an e-mail address", email)
	}
	email = strings.ToLower(addr.Address)
	switch role {
	case "":
		if err := s.Store.DeleteMember(ctx, issuerID, email); err != nil {
			return err
		}
		return s.audit(ctx, issuerID, actor, "member.remove", email, "")
	case RoleAdmin, RoleIssuer, RoleViewer:
	default:
		return fieldErr("role", "%q is not a role (admin, issuer or viewer)", role)
	}
	if err := s.Store.PutMember(ctx, &Member{IssuerID: issuerID, Email: email, Role: role, AddedAt: s.now()}); err != nil {
		return err
	}
	return s.audit(ctx, issuerID, actor, "member.set", email, role)
}

// ForgetAccount removes the roles of a deleted account (by its e-mail
// address) in every workspace, each noted in that workspace's audit log:
// an account made again with the same address gets no role by itself. A
// workspace left without an admin is run by the operator's token until
// one is named again.
func (s *Service) ForgetAccount(ctx context.Context, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	ms, err := s.Store.MembershipsOf(ctx, email)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := s.Store.DeleteMember(ctx, m.IssuerID, email); err != nil {
			return err
		}
		if err := s.audit(ctx, m.IssuerID, "account-deleted", "member.remove", email, m.Role); err != nil {
			return err
		}
	}
	return nil
}

// RoleOf returns the role of the account with this e-mail address in the
// issuer's workspace, or "" when it has none.
func (s *Service) RoleOf(ctx context.Context, issuerID, email string) (string, error) {
	m, err := s.Store.GetMember(ctx, issuerID, strings.ToLower(strings.TrimSpace(email)))
	if errors.Is(err, ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return m.Role, nil
}

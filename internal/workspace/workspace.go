// Package workspace is the issuer's workspace: editable issuer profiles,
// the achievements catalogue (with images and language variants), awards
// made one by one or from a spreadsheet, claim links and the mail outbox
// that delivers them, and the audit log. It holds the rules; storage is a
// Store (internal/store/workspacedb), signing is issuer.Service, and the
// HTTP pages and the CLI are thin callers. No HTTP, no SQL here.
package workspace

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/blason-badges/blason/issuer"
)

// Errors callers branch on.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
	ErrInvalid  = errors.New("invalid")
	// ErrClaim: a claim link that is unknown, used or expired. One error for
	// the three, so that a link cannot be probed for which it is.
	ErrClaim = errors.New("this claim link is not valid: it was already used, has expired, or never existed")
)

// Profile is an issuer profile as the coordinator edits it. It overrides
// the name, URL, e-mail and description recorded with the issuer's key.
type Profile struct {
	IssuerID    string
	Name        string
	URL         string
	Email       string
	Description string
	ImageID     string
	UpdatedAt   time.Time
}

// ProfileSource adapts a Store to issuer.ProfileSource: the badges an
// issuer.Service signs carry the workspace's profile (a name changed in
// the workspace or by `serve --issuer-name` is the name on new badges).
type ProfileSource struct{ Store Store }

// IssuerProfile implements issuer.ProfileSource.
func (p ProfileSource) IssuerProfile(ctx context.Context, id string) (issuer.Profile, bool, error) {
	wp, err := p.Store.GetProfile(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return issuer.Profile{}, false, nil
	}
	if err != nil {
		return issuer.Profile{}, false, err
	}
	return issuer.Profile{ID: id, Name: wp.Name, URL: wp.URL, Email: wp.Email, Description: wp.Description}, true, nil
}

// SetIssuerName records name as the issuer's name, keeping the rest of its
// profile. It returns whether the name changed.
func SetIssuerName(ctx context.Context, st Store, issuerID, name, actor string, now time.Time) (bool, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return false, fmt.Errorf("%w: an issuer name cannot be empty", ErrInvalid)
	}
	p, err := st.GetProfile(ctx, issuerID)
	if errors.Is(err, ErrNotFound) {
		p, err = &Profile{IssuerID: issuerID}, nil
	}
	if err != nil {
		return false, err
	}
	if p.Name == name {
		return false, nil
	}
	old := p.Name
	p.Name, p.UpdatedAt = name, now.UTC()
	if err := st.PutProfile(ctx, p); err != nil {
		return false, err
	}
	return true, st.Audit(ctx, AuditEntry{At: now.UTC(), IssuerID: issuerID, Actor: actor, Action: "profile.rename", Target: issuerID,
		Detail: fmt.Sprintf("%q -> %q", old, name)})
}

// SaveProfile validates and stores an issuer's profile: the name, web
// site, e-mail and description of the badges it awards from now on.
func (s *Service) SaveProfile(ctx context.Context, p *Profile, actor string) error {
	p.Name, p.URL = strings.TrimSpace(p.Name), strings.TrimSpace(p.URL)
	p.Email, p.Description = strings.TrimSpace(p.Email), strings.TrimSpace(p.Description)
	switch {
	case p.Name == "":
		return fieldErr("name", "is required (wallets and verification pages show it)")
	case len(p.Name) > 4*MaxNameLen:
		return fieldErr("name", "is too long")
	case p.URL != "" && !isHTTPURL(p.URL):
		return fieldErr("url", "%q is not an http(s) address", p.URL)
	case len(p.Description) > 4*MaxDescriptionLen:
		return fieldErr("description", "is too long")
	}
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
			return fieldErr("email", "%q is not an e-mail address", p.Email)
		}
	}
	p.UpdatedAt = s.now()
	if err := s.Store.PutProfile(ctx, p); err != nil {
		return err
	}
	return s.audit(ctx, p.IssuerID, actor, "profile.edit", p.IssuerID, p.Name)
}

// RotateKey gives a did:web issuer a new signing key
// (issuer.Service.RotateKey: the old one stays published, retired, and is
// never used again) and records who did it in the audit log.
func (s *Service) RotateKey(ctx context.Context, issuerID, actor string) (*issuer.IssuerKeys, error) {
	ks, err := s.Issuer.RotateKey(ctx, issuerID, nil)
	if err != nil {
		return nil, err
	}
	detail := ""
	if n := len(ks.Retired); n > 0 {
		detail = "retired " + ks.Retired[n-1].VerificationMethod
	}
	return ks, s.audit(ctx, issuerID, actor, "key.rotate", ks.VerificationMethod, detail)
}

// AuditEntry is one line of the audit log: who did what, when.
type AuditEntry struct {
	ID       int64
	At       time.Time
	IssuerID string
	Actor    string
	Action   string
	Target   string
	Detail   string
}

// newID returns a random UUID (version 4) in its text form.
func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms (Go 1.24+)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

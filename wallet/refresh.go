package wallet

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/blason-badges/blason/internal/input"
)

// Errors of a refresh.
var (
	// ErrNoRefresh: the badge names no refresh service Blason can use.
	ErrNoRefresh = errors.New("this badge names no refresh service (1EdTechCredentialRefresh) to ask for a newer version")
	// ErrRefreshFailed: the refresh service could not be reached or
	// answered no badge; the badge kept is unchanged.
	ErrRefreshFailed = errors.New("the badge's refresh service gave no newer version; your badge is unchanged")
	// ErrRefreshMismatch: the service answered another badge (another
	// issuer or credential id); nothing was kept.
	ErrRefreshMismatch = errors.New("the refresh service answered a different badge; your badge is unchanged")
)

// refreshType is the refresh service OB 3.0 defines (VCCR 1.0), the one
// the verifier follows too (OB 3.0 §9.1 step 3).
const refreshType = "1EdTechCredentialRefresh"

// RefreshURL returns the address of the badge's refresh service, if it
// names one of type 1EdTechCredentialRefresh (OB 3.0 §5.4
// "refreshService"): from the JSON credential, or from a VC-JWT's payload
// (the credential itself, or its "vc" claim in the VC 1.1 encoding).
func RefreshURL(raw []byte) (string, bool) {
	doc := raw
	if s, ok := input.CompactJWS(raw); ok {
		parts := strings.Split(s, ".")
		b, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			return "", false
		}
		doc = b
	}
	type service struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}
	var d struct {
		RefreshService *service `json:"refreshService"`
		VC             *struct {
			RefreshService *service `json:"refreshService"`
		} `json:"vc"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(doc), &d); err != nil {
		return "", false
	}
	rs := d.RefreshService
	if rs == nil && d.VC != nil {
		rs = d.VC.RefreshService
	}
	if rs == nil || rs.Type != refreshType || rs.ID == "" {
		return "", false
	}
	return rs.ID, true
}

// Refresh asks the badge's refresh service for its current version
// (fetch GETs the service's address, as the verifier does in OB 3.0 §9.1
// step 3) and keeps it in the badge's place if it verifies, is the same
// badge (OB 3.0 §10: same issuer and credential id) and is newer. A
// version the wallet already holds is ErrDuplicate (up to date), an older
// one ErrOlderVersion; on any error the badge kept is unchanged.
func (s *Service) Refresh(ctx context.Context, userID, id string, fetch func(ctx context.Context, url string) ([]byte, error)) (*ImportResult, error) {
	c, err := s.Store.Credential(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	u, ok := RefreshURL(c.Raw)
	if !ok || fetch == nil {
		return nil, ErrNoRefresh
	}
	body, err := fetch(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrRefreshFailed, err)
	}
	res, err := s.importCredential(ctx, userID, Import{Data: body, Source: "refresh: " + u}, func(v *Verification) error {
		if !v.Verified {
			return fmt.Errorf("%w: the newer version did not verify", ErrRefreshFailed)
		}
		if v.IssuerID != c.IssuerID || v.CredentialID != c.CredentialID {
			return ErrRefreshMismatch
		}
		return nil
	})
	switch {
	case errors.Is(err, ErrNotVerified), errors.Is(err, ErrUnreadable), errors.Is(err, ErrPresentationGiven), errors.Is(err, ErrTooLarge):
		return res, fmt.Errorf("%w: %w", ErrRefreshFailed, err)
	}
	return res, err
}

package wallet

import (
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/blason-badges/blason/contexts"
	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/dataintegrity"
	"github.com/blason-badges/blason/internal/input"
	"github.com/blason-badges/blason/internal/vcjwt"
)

// ErrPresentation is wrapped by every error building a presentation.
var ErrPresentation = errors.New("cannot build presentation")

// Holder is the key a learner presents with: a signer and its verification
// method (a did:key made by "blason key new").
type Holder struct {
	Signer             crypto.Signer
	DID                string
	VerificationMethod string
}

// PresentOptions bind a presentation to one verifier's request.
type PresentOptions struct {
	// Challenge is the verifier's nonce; required, so that a presentation
	// cannot be replayed to another request (Data Integrity §2.1.1).
	Challenge string
	// Domain names the verifier the presentation is meant for; optional.
	Domain string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (o PresentOptions) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Present builds a Verifiable Presentation (VC Data Model 2.0 §4.13) of the
// given credentials, held by h, and signs it with a DataIntegrityProof
// (eddsa-rdfc-2022) whose proofPurpose is authentication, bound to the
// challenge and domain. Credentials are included as given (JSON objects,
// or enveloped VC-JWTs). With no credential the presentation only proves
// who the holder is (DID authentication; verifiableCredential is optional).
func Present(credentials [][]byte, h Holder, opts PresentOptions) ([]byte, error) {
	if opts.Challenge == "" {
		return nil, fmt.Errorf("%w: a challenge is required", ErrPresentation)
	}
	now := opts.now
	vcs := make([]any, 0, len(credentials))
	for i, b := range credentials {
		v, err := credential.ParseJSON(b, credential.Limits{})
		if err != nil {
			return nil, fmt.Errorf("%w: credential %d: %w", ErrPresentation, i+1, err)
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: credential %d is not a JSON object", ErrPresentation, i+1)
		}
		vcs = append(vcs, m)
	}
	vp := map[string]any{
		"@context": []any{contexts.CredentialsV2},
		"type":     []any{"VerifiablePresentation"},
		"holder":   h.DID,
	}
	if len(vcs) > 0 {
		vp["verifiableCredential"] = vcs
	}
	signed, err := dataintegrity.Sign(vp, h.Signer, dataintegrity.SignOptions{
		VerificationMethod: h.VerificationMethod,
		Purpose:            dataintegrity.PurposeAuthentication,
		Challenge:          opts.Challenge,
		Domain:             opts.Domain,
		Created:            now(),
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPresentation, err)
	}
	return json.MarshalIndent(signed, "", "  ")
}

// PresentJWT builds the same presentation as a VP-JWT (VC-JWT 1.1 style:
// the presentation in a "vp" claim, nonce = challenge, aud = domain, iss =
// the holder), signed with the holder's key (EdDSA, or ES256 for P-256).
// Credentials given as compact JWS are enveloped
// (EnvelopedVerifiableCredential); JSON ones are included as they are.
func PresentJWT(credentials [][]byte, h Holder, opts PresentOptions) (string, error) {
	if opts.Challenge == "" {
		return "", fmt.Errorf("%w: a challenge is required", ErrPresentation)
	}
	vcs := make([]any, 0, len(credentials))
	for i, b := range credentials {
		if s, ok := input.CompactJWS(b); ok {
			vcs = append(vcs, vcjwt.Envelope(s))
			continue
		}
		v, err := credential.ParseJSON(b, credential.Limits{})
		if err != nil {
			return "", fmt.Errorf("%w: credential %d: %w", ErrPresentation, i+1, err)
		}
		m, ok := v.(map[string]any)
		if !ok {
			return "", fmt.Errorf("%w: credential %d is not a JSON object", ErrPresentation, i+1)
		}
		vcs = append(vcs, m)
	}
	vp := map[string]any{
		"@context": []any{contexts.CredentialsV2},
		"type":     []any{"VerifiablePresentation"},
		"holder":   h.DID,
	}
	if len(vcs) > 0 {
		vp["verifiableCredential"] = vcs
	}
	// iat from the injected clock, as Present's proof.created.
	jws, err := vcjwt.SignPresentationAt(vp, h.Signer, h.VerificationMethod, opts.Challenge, opts.Domain, opts.now())
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrPresentation, err)
	}
	return jws, nil
}

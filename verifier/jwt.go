package verifier

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/input"
	"github.com/blason-badges/blason/internal/vcjwt"
)

// compactJWS is the one JWT sniffer (internal/input): a compact JWS, as
// VC-JWT files hold (OB 3.0 §5.1), without surrounding white space.
func compactJWS(data []byte) (string, bool) { return input.CompactJWS(data) }

// verifyEnveloped verifies an EnvelopedVerifiableCredential: its data: URL
// carries a VC-JWT (VC-JOSE-COSE "application/vc+jwt", or the VC-JWT 1.1
// form "application/jwt" that generic VC tooling sends).
func (v *Verifier) verifyEnveloped(ctx context.Context, doc map[string]any, r *Report, depth int) {
	jws, mediaType, err := vcjwt.ParseEnveloped(doc)
	if err != nil {
		r.set(CheckParse, Failed, MsgParseEnvelope, err.Error())
		return
	}
	profile := vcjwt.ProfileOB3
	if mediaType == "application/jwt" || v.opts.AcceptGeneric {
		profile = vcjwt.ProfileVCJWT
	}
	v.verifyJWT(ctx, jws, profile, r, depth)
}

// verifyJWT verifies a VC-JWT (OB 3.0 §8.2.6) and then runs every other
// check on the credential it carries.
func (v *Verifier) verifyJWT(ctx context.Context, jws string, profile vcjwt.Profile, r *Report, depth int) {
	res, err := vcjwt.Verify(ctx, jws, vcjwt.VerifyOptions{
		Resolver: v.jwtResolver(),
		Now:      v.opts.Now,
		Profile:  profile,
		MaxBytes: v.opts.Limits.MaxBytes,
	})
	var doc map[string]any
	if res != nil {
		doc = res.Credential
	} else {
		// The signature did not verify: read the payload anyway, to show
		// what the credential claims; the proof check fails regardless.
		doc = unverifiedPayload(jws)
	}
	if doc == nil {
		if err == nil {
			err = errors.New("no credential in the token")
		}
		r.set(CheckParse, Failed, MsgParseInvalid, err.Error())
		return
	}
	r.set(CheckParse, Passed, MsgParseOK, "VC-JWT")
	c := credential.FromMap(doc)
	v.verifyWith(ctx, c, r, depth, func() bool { return v.checkJWTProof(ctx, c, res, err, r) })
	if r.RefreshedFrom != "" {
		return // the report is the refreshed credential's
	}
	// The token's own validity window (exp, nbf) may be narrower than the
	// credential's dates ("If the exp claim is present, convert the
	// NumericDate to a DateTime and use it to set validUntil", §8.2.6): an
	// expired token is reported as expired, not as a key problem.
	switch {
	case res == nil:
	case errors.Is(err, vcjwt.ErrExpired):
		r.set(CheckValidity, Failed, MsgValidityExpired, err.Error())
	case errors.Is(err, vcjwt.ErrNotYetValid):
		r.set(CheckValidity, Failed, MsgValidityNotYetValid, err.Error())
	}
}

func (v *Verifier) jwtResolver() vcjwt.KeyResolver { return v.jwtKeys }

func (v *Verifier) checkJWTProof(ctx context.Context, c *credential.Credential, res *vcjwt.Result, err error, r *Report) bool {
	notRun := func() { r.set(CheckIssuerKey, NotRun, MsgIssuerKeyNotRun, "not checked: the proof did not verify") }
	switch {
	case res == nil && errors.Is(err, vcjwt.ErrKeyResolution) && (errors.Is(err, did.ErrUnsupportedMethod) || errors.Is(err, did.ErrResolution)):
		r.set(CheckProof, Unknown, MsgProofKeyUnavailable, err.Error())
		notRun()
		return false
	case res == nil && errors.Is(err, vcjwt.ErrKeyResolution):
		r.set(CheckProof, Failed, MsgProofKeyNotFound, err.Error())
		notRun()
		return false
	case res == nil && errors.Is(err, vcjwt.ErrSignature):
		r.set(CheckProof, Failed, MsgProofBadSignature, err.Error())
		notRun()
		return false
	case res == nil:
		r.set(CheckProof, Failed, MsgProofInvalid, err.Error())
		notRun()
		return false
	case err != nil && errors.Is(err, vcjwt.ErrClaim):
		// §8.2.6 step 5: each claim must agree with the credential.
		r.set(CheckProof, Failed, MsgProofJWTClaims, err.Error())
		notRun()
		return false
	}
	// The signature verified. Expiry and not-yet-valid (of the credential's
	// dates or of the token's exp and nbf) are the validity check's
	// (verifyJWT): they say nothing about whose key signed the token.
	if errors.Is(err, vcjwt.ErrExpired) || errors.Is(err, vcjwt.ErrNotYetValid) {
		err = nil
	}
	kid := res.KeyID
	if kid == "" {
		kid = "an embedded jwk"
	}
	r.set(CheckProof, Passed, MsgProofOK, string(res.Algorithm)+" JWT signed with "+kid)
	issuer := c.IssuerID()
	if err == nil && res.Provenance != vcjwt.ProvenanceVerified && res.KeyFromJWK {
		// IMPL key provenance: a token signed with a header jwk is the
		// issuer's if that key is in the issuer's published JWKS
		// (https://{issuer authority}/.well-known/jwks.json).
		if hr, ok := v.jwtKeys.(*vcjwt.HTTPSKeyResolver); ok {
			if in, jerr := hr.IssuerJWKSContains(ctx, issuer, res.Key); jerr == nil && in {
				r.set(CheckIssuerKey, Passed, MsgIssuerKeyOK, "the signing key is in the issuer's published key set")
				return true
			}
		}
	}
	if res.Provenance == vcjwt.ProvenanceVerified && err == nil {
		r.set(CheckIssuerKey, Passed, MsgIssuerKeyOK, "the signing key belongs to the issuer "+issuer)
	} else {
		// IMPL: "The credential should be considered invalid and not
		// trustworthy if the key provenance cannot be verified."
		detail := "the signing key could not be tied to the issuer " + issuer
		if err != nil {
			detail = err.Error()
		}
		r.set(CheckIssuerKey, Failed, MsgIssuerKeyNotIssuer, detail)
	}
	return true
}

// unverifiedPayload decodes a JWS payload without verifying it, for display
// only: the credential itself (or its "vc" claim).
func unverifiedPayload(jws string) map[string]any {
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	v, err := credential.ParseJSON(b, credential.Limits{})
	if err != nil {
		return nil
	}
	m, _ := v.(map[string]any)
	if vc, ok := m["vc"].(map[string]any); ok {
		return vc
	}
	return m
}

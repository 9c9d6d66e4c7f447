package vcjwt

import (
	"context"
	"crypto"
	"fmt"
	"time"

	"github.com/blason-badges/blason/internal/did"
)

// PresentationOptions configures VerifyPresentation. Profile and
// RequireProvenance of the embedded VerifyOptions are ignored (holder
// binding is always required).
type PresentationOptions struct {
	VerifyOptions
	// Challenge is the expected nonce claim. Empty means the nonce is not
	// checked (check "nonce" Skipped): the presentation may then be a replay.
	Challenge string
	// Domain is the expected aud claim (a string, or an array containing
	// it). Empty means aud is not checked.
	Domain string
}

// PresentationResult describes a VP-JWT whose signature verified.
type PresentationResult struct {
	// Presentation is the decoded "vp" claim. Its verifiableCredential
	// entries are NOT verified: the caller verifies each (ParseEnveloped +
	// Verify for enveloped ones).
	Presentation map[string]any
	Claims       map[string]any // the whole verified claims set
	Holder       string         // the iss claim, bound to the signing key
	Algorithm    Algorithm
	KeyID        string
	Type         string
	Key          crypto.PublicKey
	Controller   string
	Checks       []Check
}

// VerifyPresentation verifies a VC-JWT 1.1 style presentation (VC Data
// Model 1.1 §6.3.1: "vp MUST represent a verifiable presentation", "iss MUST
// represent the holder property", "aud MUST represent ... the intended
// audience", "nonce" the challenge). Header rules and key handling are those
// of Verify (typ JWT or vp+jwt), with the key resolved for the
// authentication relationship by default. Then:
//
//   - "vp" must be a JSON object;
//   - "iss" (the holder) must be present and be the controller of the signing
//     key — a jwk-only key must be the key of an iss did:key/did:jwk — (ErrHolder);
//     a vp.holder, when present, must equal iss (ErrHolder);
//   - "nonce" must equal opts.Challenge (ErrNonce), "aud" must be or contain
//     opts.Domain (ErrAudience), when those are set;
//   - "jti" must equal vp.id when both are present (ErrClaim);
//   - nbf/iat-independent validity: nbf and exp, when present, against the
//     clock (ErrNotYetValid, ErrExpired).
//
// As with Verify, a Result is returned once the signature verified, and the
// error is the first failed check.
func VerifyPresentation(ctx context.Context, jws string, opts PresentationOptions) (*PresentationResult, error) {
	s, err := verifyJWS(ctx, jws, &opts.VerifyOptions, kindPresentation)
	if err != nil {
		return nil, err
	}
	r := &PresentationResult{
		Claims:     s.payload,
		Algorithm:  s.hdr.alg,
		KeyID:      s.hdr.kid,
		Type:       s.hdr.typ,
		Key:        s.key,
		Controller: s.controller,
	}
	ck := &checker{}
	defer func() { r.Checks = ck.checks }()

	vp, ok := s.payload["vp"].(map[string]any)
	if !ok {
		ck.fail("vp", "", "", "vp claim missing or not a JSON object")
		return r, ck.err
	}
	r.Presentation = vp

	iss, _ := s.payload["iss"].(string)
	r.Holder = iss
	holderOK := true
	holderErr := func(format string, a ...any) {
		holderOK = false
		ck.failErr("holder", fmt.Errorf("%w: "+format, append([]any{ErrHolder}, a...)...))
	}
	switch {
	case iss == "":
		holderErr("iss claim missing or not a string")
	case s.controller != "" && s.controller != iss:
		holderErr("key %q is controlled by %q, not the holder %q", s.hdr.kid, s.controller, iss)
	case s.controller == "":
		// jwk header only: the holder must be a DID whose key is the jwk.
		sub := &checker{}
		o := opts.VerifyOptions
		o.RequireProvenance = true
		if o.Resolver == nil {
			o.Resolver = DIDResolver{Relationship: did.Authentication}
		}
		if sub.jwkProvenance(ctx, &o, s.key, iss) {
			r.Controller = iss
		} else {
			holderErr("cannot tie the jwk header key to the holder %q", iss)
		}
	}
	if h := holderOf(vp); iss != "" && h != "" && h != iss {
		holderErr("vp.holder %q differs from iss %q", h, iss)
	}
	if holderOK {
		ck.pass("holder", "")
	}

	nonce, _ := s.payload["nonce"].(string)
	switch {
	case opts.Challenge == "":
		ck.skip("nonce", "no challenge expected")
	case nonce != opts.Challenge:
		ck.failErr("nonce", fmt.Errorf("%w: nonce %q, challenge %q", ErrNonce, nonce, opts.Challenge))
	default:
		ck.pass("nonce", "")
	}

	switch {
	case opts.Domain == "":
		ck.skip("aud", "no domain expected")
	case !audContains(s.payload["aud"], opts.Domain):
		ck.failErr("aud", fmt.Errorf("%w: aud %v, domain %q", ErrAudience, s.payload["aud"], opts.Domain))
	default:
		ck.pass("aud", "")
	}

	jti, jtiPresent := s.payload["jti"]
	id, idOK := vp["id"].(string)
	switch {
	case !jtiPresent || !idOK:
		ck.skip("jti", "jti or vp.id absent")
	case jti != id:
		ck.fail("jti", fmt.Sprint(jti), id, "differs from vp.id")
	default:
		ck.pass("jti", "")
	}

	var nb, ex time.Time
	if n, ok, err := numericDate(s.payload, "nbf"); err != nil {
		ck.fail("nbf", fmt.Sprint(s.payload["nbf"]), "", err.Error())
	} else if ok {
		nb = time.Unix(n, 0).UTC()
	}
	if e, ok, err := numericDate(s.payload, "exp"); err != nil {
		ck.fail("exp", fmt.Sprint(s.payload["exp"]), "", err.Error())
	} else if ok {
		ex = time.Unix(e, 0).UTC()
	}
	ck.window(&opts.VerifyOptions, nb, ex)
	return r, ck.err
}

func audContains(aud any, domain string) bool {
	switch a := aud.(type) {
	case string:
		return a == domain
	case []any:
		for _, v := range a {
			if s, _ := v.(string); s == domain {
				return true
			}
		}
	}
	return false
}

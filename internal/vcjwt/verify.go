package vcjwt

import (
	"context"
	"crypto"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/blason-badges/blason/internal/credential"
)

// Profile selects how strictly the JWT claims must mirror the credential.
type Profile int

const (
	// ProfileOB3 (the zero value) applies OB 3.0 §8.2.6 literally: iss, nbf
	// and jti are required and must equal issuer.id, validFrom and id; exp is
	// required when validUntil exists; a "vc" claim must hold a VC 1.1
	// credential and a bare payload a VC 2.0 one (IMPL "Verification": a vc
	// claim suggests 1.1 "but @context[0] must agree").
	ProfileOB3 Profile = iota
	// ProfileVCJWT is for generic VC-JWT interop (the VC API and the W3C
	// test suites, whose VC-JWT 1.1 tokens carry VC 2.0 credentials in "vc"
	// and omit id/validFrom): iss is required and must equal the issuer
	// when the credential has one; the other claims are compared only when
	// both the claim and the credential property are present.
	ProfileVCJWT
)

// VerifyOptions configures Verify. The zero value verifies an OB 3.0
// VC-JWT with RS256/ES256/EdDSA, did:key/did:jwk kids, the system clock and
// no clock tolerance.
type VerifyOptions struct {
	// Resolver dereferences the kid header. Nil means DIDResolver{} for
	// credentials (assertionMethod) and DIDResolver{Relationship:
	// did.Authentication} for presentations: did:key and did:jwk, offline.
	Resolver KeyResolver
	// Algorithms is the alg allowlist. Nil means RS256, ES256 and EdDSA.
	// []Algorithm{RS256, ES256} mimics the 1EdTech validator. Only those three
	// may be listed; an empty non-nil slice is an error (ErrAlgorithm).
	Algorithms []Algorithm
	// Now returns the current time for validity checks. Nil means time.Now.
	Now func() time.Time
	// ClockSkew is the tolerance applied to nbf/validFrom and exp/validUntil.
	// Zero means none.
	ClockSkew time.Duration
	// Profile selects the claim rules. Zero means ProfileOB3.
	Profile Profile
	// RequireProvenance makes an unestablished key provenance (a jwk header
	// whose key cannot be tied to the issuer) an error wrapping
	// ErrKeyProvenance. False (the default) reports it in
	// Result.Provenance and leaves the decision to the caller.
	RequireProvenance bool
	// MaxBytes is the longest accepted token. Zero means DefaultMaxBytes.
	MaxBytes int
}

// Outcome is the result of one check.
type Outcome int

// Outcomes. The zero value NotRun never reads as passed.
const (
	NotRun  Outcome = iota
	Passed          // the check ran and held
	Failed          // the check ran and failed
	Skipped         // not applicable (e.g. no validUntil and no exp)
)

func (o Outcome) String() string {
	switch o {
	case Passed:
		return "passed"
	case Failed:
		return "failed"
	case Skipped:
		return "skipped"
	}
	return "not run"
}

// Check is the outcome of one claim check. Name is one of "vc" (data model
// version agreement), "iss", "key-provenance", "sub", "nbf", "jti", "exp",
// "validity" (the validity window against the clock), and for presentations
// "holder", "nonce", "aud".
type Check struct {
	Name    string
	Outcome Outcome
	Detail  string
}

// Provenance says whether the signing key was tied to the issuer.
type Provenance int

const (
	// ProvenanceUnknown (the zero value): the key came from a jwk header
	// and could not be tied to the issuer (it is not the key of an issuer
	// did:key/did:jwk). Digest §4.3 / IMPL: "The credential should be
	// considered invalid and not trustworthy if the key provenance cannot be
	// verified"; Verify reports it and the caller decides (or sets
	// VerifyOptions.RequireProvenance).
	ProvenanceUnknown Provenance = iota
	// ProvenanceVerified: the key's controller equals the issuer id.
	ProvenanceVerified
)

func (p Provenance) String() string {
	if p == ProvenanceVerified {
		return "verified"
	}
	return "unknown"
}

// Result describes a VC-JWT whose signature verified.
type Result struct {
	// Credential is the credential: the "vc" claim for VC-JWT 1.1 style
	// tokens, otherwise the payload without the JWT registered claims (iss,
	// sub, aud, exp, nbf, iat, jti).
	Credential map[string]any
	// Claims is the whole verified JWT claims set.
	Claims map[string]any
	// VC11 is true when the credential was carried in a "vc" claim.
	VC11 bool
	// Version is the credential's VC data model version (from @context[0]).
	Version credential.Version

	Algorithm  Algorithm        // header alg
	KeyID      string           // header kid ("" if absent)
	KeyFromJWK bool             // the key came from the jwk header
	Type       string           // header typ ("" if absent)
	Key        crypto.PublicKey // the key the signature verified with
	Controller string           // the key's controller, "" if unknown
	Provenance Provenance

	// Checks lists every claim check in the order run.
	Checks []Check
	// NotBefore and Expires are the validity window applied (zero if none).
	NotBefore, Expires time.Time
}

// Check returns the named check, or a Check with Outcome NotRun.
func (r *Result) Check(name string) Check {
	for _, c := range r.Checks {
		if c.Name == name {
			return c
		}
	}
	return Check{Name: name}
}

// registeredClaims are stripped from a VC 2.0 style payload to give the
// credential. (RFC 7519 §4.1.)
var registeredClaims = []string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti"}

func isRegisteredClaim(k string) bool {
	switch k {
	case "iss", "sub", "aud", "exp", "nbf", "iat", "jti":
		return true
	}
	return false
}

// Verify verifies a VC-JWT (OB 3.0 §8.2.6 "Verify a Credential", in order):
//
//  1. "Base64url-decode the JOSE Header" — strictly: only alg, kid, jwk, typ;
//     alg in the allowlist (never none/HS*); jwk without private members.
//  2. "If the header includes a kid property, Dereference the kid value to
//     retrieve the public key JWK. If the header includes a jwk property,
//     convert the jwk value into the public key JWK." The key must fit alg.
//  3. "Use the public key JWK to verify the signature as described in
//     Section 5.2 of [RFC7515]. If the signature is invalid, the credential
//     proof is not valid."
//  4. "Base64url-decode the JWT Payload segment ... into the
//     OpenBadgeCredential" (or its "vc" claim, VC 1.1) — strict JSON.
//  5. Claims: "If the iss claim is not present or does not match issuer.id
//     ... the credential is not valid"; then key provenance (the kid's
//     controller must be the issuer, digest §4.3); "sub ... credentialSubject.id";
//     "nbf ... validFrom", "If the validFrom is in the future the credential is
//     not valid"; "jti ... id"; "If the exp claim is present, convert the
//     NumericDate to a DateTime and use it to set validUntil" and an expired
//     credential is not valid.
//
// sub when credentialSubject has no id (digest §10 item 4): §8.2.6 cannot be
// satisfied literally. Sign then omits sub, and Verify records the "sub"
// check as Skipped when sub is absent too, but fails it (ErrClaim) when a
// sub is present: it would name a subject the credential does not.
//
// Dates are compared at second precision: NumericDate = floor(dateTime).
//
// Errors: a nil Result and an error for steps 1-4. After the signature
// verified, Result is always returned (every check recorded) and the error,
// if any, is the first failed check: a *ClaimError (ErrClaim),
// ErrKeyProvenance, ErrNotYetValid or ErrExpired. When err != nil the
// credential must not be trusted; Result is for reporting only.
func Verify(ctx context.Context, jws string, opts VerifyOptions) (*Result, error) {
	s, err := verifyJWS(ctx, jws, &opts, kindCredential)
	if err != nil {
		return nil, err
	}
	r := &Result{
		Claims:     s.payload,
		Algorithm:  s.hdr.alg,
		KeyID:      s.hdr.kid,
		KeyFromJWK: s.hdr.kid == "" && s.hdr.jwk != nil,
		Type:       s.hdr.typ,
		Key:        s.key,
		Controller: s.controller,
	}
	ck := &checker{checks: make([]Check, 0, 8)}
	defer func() { r.Checks = ck.checks }()
	strict := opts.Profile == ProfileOB3

	// The credential: the vc claim (VC-JWT 1.1) or the payload itself.
	if vc, ok := s.payload["vc"]; ok {
		m, ok := vc.(map[string]any)
		if !ok {
			ck.fail("vc", "", "", "the vc claim is not a JSON object")
			return r, ck.err
		}
		if _, both := s.payload["@context"]; both {
			ck.fail("vc", "", "", "payload has both a vc claim and a top-level @context")
			return r, ck.err
		}
		r.Credential, r.VC11 = m, true
	} else {
		n := len(s.payload)
		for _, k := range registeredClaims {
			if _, ok := s.payload[k]; ok {
				n--
			}
		}
		m := make(map[string]any, n) // sized for what it keeps: a credential's usually fits one group
		for k, v := range s.payload {
			if !isRegisteredClaim(k) {
				m[k] = v
			}
		}
		r.Credential = m
	}
	c := credential.FromMap(r.Credential)
	ver, verr := c.Version()
	r.Version = ver
	switch {
	case verr != nil:
		ck.fail("vc", "", "", "credential has no known VC data model @context")
		return r, ck.err
	case strict && r.VC11 && ver != credential.V1:
		ck.fail("vc", "", ver.String(), "a vc claim carries a VC 1.1 credential, but @context[0] is not the VC 1.1 context")
	case strict && !r.VC11 && ver != credential.V2:
		ck.fail("vc", "", ver.String(), "a VC 1.1 credential must be carried in the vc claim")
	default:
		ck.pass("vc", ver.String())
	}

	// iss — required in both profiles.
	iss, issOK := s.payload["iss"].(string)
	issuer := c.IssuerID()
	switch {
	case !issOK || iss == "":
		ck.fail("iss", "", issuer, "iss claim missing or not a string")
	case issuer == "" && strict:
		ck.fail("iss", iss, "", "credential has no issuer id")
	case issuer == "":
		ck.pass("iss", "issuer taken from iss (VC-JWT 1.1)")
	case iss != issuer:
		ck.fail("iss", iss, issuer, "differs from issuer.id")
	default:
		ck.pass("iss", "")
	}

	// Key provenance: the controller of the key must be the issuer.
	switch {
	case !issOK || iss == "":
		ck.add(Check{Name: "key-provenance", Outcome: NotRun, Detail: "no iss"})
	case s.controller != "":
		if s.controller != iss {
			ck.failErr("key-provenance", fmt.Errorf("%w: key %q is controlled by %q, not the issuer %q", ErrKeyProvenance, s.hdr.kid, s.controller, iss))
		} else {
			r.Provenance = ProvenanceVerified
			ck.pass("key-provenance", "")
		}
	default:
		if ck.jwkProvenance(ctx, &opts, s.key, iss) {
			r.Provenance, r.Controller = ProvenanceVerified, iss
		}
	}

	// sub ↔ credentialSubject.id
	sub, subPresent := s.payload["sub"]
	subStr, subOK := sub.(string)
	sid := c.SubjectID()
	switch {
	case subPresent && !subOK:
		ck.fail("sub", fmt.Sprint(sub), sid, "sub is not a string")
	case sid == "" && !subPresent:
		ck.skip("sub", "credentialSubject has no id and there is no sub (digest §10 item 4)")
	case sid == "" && strict:
		ck.fail("sub", subStr, "", "sub present but credentialSubject has no id")
	case sid == "":
		ck.skip("sub", "credentialSubject has no id; sub not compared")
	case !subPresent && strict:
		ck.fail("sub", "", sid, "sub claim missing")
	case !subPresent:
		ck.skip("sub", "no sub claim")
	case subStr != sid:
		ck.fail("sub", subStr, sid, "differs from credentialSubject.id")
	default:
		ck.pass("sub", "")
	}

	// nbf ↔ validFrom (issuanceDate for VC 1.1)
	nbf, nbfPresent, nbfErr := numericDate(s.payload, "nbf")
	vf, vfOK, vfErr := c.ValidFrom()
	vfName := "validFrom"
	if ver == credential.V1 {
		vfName = "issuanceDate"
	}
	switch {
	case nbfErr != nil:
		ck.fail("nbf", fmt.Sprint(s.payload["nbf"]), "", nbfErr.Error())
	case vfErr != nil:
		ck.fail("nbf", "", "", vfName+" is not a valid dateTime")
	case !nbfPresent && strict:
		ck.fail("nbf", "", fmtTime(vf, vfOK), "nbf claim missing")
	case !vfOK && strict:
		ck.fail("nbf", fmtUnix(nbf), "", "credential has no "+vfName)
	case !nbfPresent || !vfOK:
		ck.skip("nbf", "nbf or "+vfName+" absent")
	case nbf != vf.Unix():
		ck.fail("nbf", fmtUnix(nbf), fmtTime(vf, true), "differs from "+vfName)
	default:
		ck.pass("nbf", "")
	}

	// jti ↔ id
	jti, jtiPresent := s.payload["jti"]
	jtiStr, jtiOK := jti.(string)
	id := c.ID()
	switch {
	case jtiPresent && !jtiOK:
		ck.fail("jti", fmt.Sprint(jti), id, "jti is not a string")
	case !jtiPresent && strict:
		ck.fail("jti", "", id, "jti claim missing")
	case id == "" && strict:
		ck.fail("jti", jtiStr, "", "credential has no id")
	case !jtiPresent || id == "":
		ck.skip("jti", "jti or id absent")
	case jtiStr != id:
		ck.fail("jti", jtiStr, id, "differs from id")
	default:
		ck.pass("jti", "")
	}

	// exp ↔ validUntil (expirationDate for VC 1.1)
	exp, expPresent, expErr := numericDate(s.payload, "exp")
	vu, vuOK, vuErr := c.ValidUntil()
	vuName := "validUntil"
	if ver == credential.V1 {
		vuName = "expirationDate"
	}
	switch {
	case expErr != nil:
		ck.fail("exp", fmt.Sprint(s.payload["exp"]), "", expErr.Error())
	case vuErr != nil:
		ck.fail("exp", "", "", vuName+" is not a valid dateTime")
	case vuOK && !expPresent && strict:
		ck.fail("exp", "", fmtTime(vu, true), "exp claim missing although the credential has "+vuName)
	case !vuOK && !expPresent:
		ck.skip("exp", "no "+vuName+" and no exp")
	case !vuOK:
		ck.pass("exp", "exp sets "+vuName)
	case !expPresent:
		ck.skip("exp", "no exp claim")
	case exp != vu.Unix():
		ck.fail("exp", fmtUnix(exp), fmtTime(vu, true), "differs from "+vuName)
	default:
		ck.pass("exp", "")
	}

	// Validity window against the clock.
	switch {
	case vfOK && vfErr == nil:
		r.NotBefore = vf
	case nbfPresent && nbfErr == nil:
		r.NotBefore = time.Unix(nbf, 0).UTC()
	}
	switch {
	case vuOK && vuErr == nil:
		r.Expires = vu
	case expPresent && expErr == nil:
		r.Expires = time.Unix(exp, 0).UTC()
	}
	ck.window(&opts, r.NotBefore, r.Expires)
	return r, ck.err
}

// checker accumulates checks; err is the first failure.
type checker struct {
	checks []Check
	err    error
}

func (c *checker) add(ch Check) { c.checks = append(c.checks, ch) }

func (c *checker) pass(name, detail string) {
	c.add(Check{Name: name, Outcome: Passed, Detail: detail})
}
func (c *checker) skip(name, detail string) {
	c.add(Check{Name: name, Outcome: Skipped, Detail: detail})
}

func (c *checker) fail(name, got, want, reason string) {
	c.failErr(name, &ClaimError{Claim: name, Reason: reason, Got: got, Want: want})
}

func (c *checker) failErr(name string, err error) {
	c.add(Check{Name: name, Outcome: Failed, Detail: err.Error()})
	if c.err == nil {
		c.err = err
	}
}

// window checks now against [notBefore, expires).
func (c *checker) window(opts *VerifyOptions, notBefore, expires time.Time) {
	now := time.Now()
	if opts.Now != nil {
		now = opts.Now()
	}
	skew := opts.ClockSkew
	switch {
	case !notBefore.IsZero() && now.Add(skew).Before(notBefore):
		c.failErr("validity", fmt.Errorf("%w: valid from %s, now %s", ErrNotYetValid, notBefore.Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
	case !expires.IsZero() && !now.Add(-skew).Before(expires):
		c.failErr("validity", fmt.Errorf("%w: valid until %s, now %s", ErrExpired, expires.Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
	default:
		c.pass("validity", "")
	}
}

// jwkProvenance tries to tie a jwk-header key to the issuer: when the
// issuer is a DID whose document has a single key (did:key, did:jwk), that
// key must be the jwk.
func (c *checker) jwkProvenance(ctx context.Context, opts *VerifyOptions, jwk crypto.PublicKey, iss string) bool {
	unknown := func(detail string) {
		if opts.RequireProvenance {
			c.failErr("key-provenance", fmt.Errorf("%w: %s", ErrKeyProvenance, detail))
			return
		}
		c.add(Check{Name: "key-provenance", Outcome: Skipped, Detail: "could not be established: " + detail})
	}
	if !strings.HasPrefix(iss, "did:") {
		unknown("key from the jwk header; the issuer is not a DID")
		return false
	}
	res := opts.Resolver
	if res == nil {
		res = DIDResolver{}
	}
	key, controller, err := res.ResolveJWTKey(ctx, iss, "")
	switch {
	case err != nil:
		unknown("key from the jwk header; issuer DID not resolved: " + err.Error())
	case !sameKey(key, jwk):
		c.failErr("key-provenance", fmt.Errorf("%w: the jwk header is not the key of the issuer %q", ErrKeyProvenance, iss))
	case controller != "" && controller != iss:
		c.failErr("key-provenance", fmt.Errorf("%w: issuer key controlled by %q", ErrKeyProvenance, controller))
	default:
		c.pass("key-provenance", "jwk header is the issuer DID's key")
		return true
	}
	return false
}

// numericDate reads a NumericDate claim (RFC 7519 §2: seconds since the
// epoch, possibly fractional) as whole seconds (floor).
func numericDate(p map[string]any, name string) (int64, bool, error) {
	v, ok := p[name]
	if !ok {
		return 0, false, nil
	}
	f, isNum := v.(float64)
	if !isNum || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, true, fmt.Errorf("%s is not a NumericDate", name)
	}
	// Keep to years 0001-9999 (what a dateTime can express).
	if f < -62135596800 || f > 253402300799 {
		return 0, true, fmt.Errorf("%s is out of range", name)
	}
	return int64(math.Floor(f)), true, nil
}

func fmtUnix(s int64) string { return time.Unix(s, 0).UTC().Format(time.RFC3339) }

func fmtTime(t time.Time, ok bool) string {
	if !ok {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}

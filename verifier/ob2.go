package verifier

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/internal/ob2"
	"github.com/blason-badges/blason/internal/vcjwt"
)

// Report.Format values for Open Badges 2.0 assertions (the older format,
// which OB 3.0 replaced). Empty means an OB 3.0 / W3C credential.
const (
	FormatOB2Hosted = "ob2-hosted" // OB 2.0 "HostedBadge": verified by fetching it from its issuer
	FormatOB2Signed = "ob2-signed" // OB 2.0 "SignedBadge": a JWS signed with the issuer's CryptographicKey
)

// OB2Badge is what is particular to an Open Badges 2.0 badge; the Summary
// holds what it shares with OB 3.0 (name, description, criteria, image,
// issuer, dates, recipient), from the documents the verification read (the
// issuer's own, once fetched).
type OB2Badge struct {
	BadgeClass       string `json:"badgeClass,omitempty"`       // the BadgeClass IRI
	RecipientType    string `json:"recipientType,omitempty"`    // email, url, telephone...
	RevocationReason string `json:"revocationReason,omitempty"` // as the issuer gave it
}

// maxOB2Keys bounds the issuer keys tried for a signed assertion without a
// verification.creator ("verifiers will check public key(s) declared in the
// referenced issuer Profile").
const maxOB2Keys = 4

// ob2JWSPayload returns the payload of a compact JWS if it is an OB 2.0
// assertion (decoded without verifying: recognition only).
func ob2JWSPayload(jws string, lim credential.Limits) map[string]any {
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	v, err := credential.ParseJSON(b, lim)
	if err != nil {
		return nil
	}
	m, _ := v.(map[string]any)
	if m == nil || !ob2.IsAssertion(m) {
		return nil
	}
	return m
}

// ob2Fetch errors, beside transport errors (which mean "could not check").
var (
	errOB2NotFound = errors.New("the issuer's server answers 404 Not Found")
	errOB2Gone     = errors.New("the issuer's server answers 410 Gone")
	errOB2Invalid  = errors.New("not a JSON object")
	errOB2NotHTTPS = errors.New("only https addresses are fetched")
)

// getOB2 fetches one OB 2.0 document (https only, through the Fetcher's
// size and address guards).
func (v *Verifier) getOB2(ctx context.Context, url string) (map[string]any, error) {
	if !strings.HasPrefix(url, "https://") {
		return nil, fmt.Errorf("%w: %q", errOB2NotHTTPS, url)
	}
	body, err := v.opts.Fetcher.GetJSON(ctx, url, "application/ld+json", "application/json")
	if err != nil {
		var se *fetch.StatusError
		if errors.As(err, &se) {
			switch se.Code {
			case 404:
				return nil, fmt.Errorf("%w: %s", errOB2NotFound, url)
			case 410:
				return nil, fmt.Errorf("%w: %s", errOB2Gone, url)
			}
		}
		return nil, err
	}
	val, err := credential.ParseJSON(body, v.opts.Limits)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errOB2Invalid, url, err)
	}
	doc, ok := val.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: %s", errOB2Invalid, url)
	}
	return doc, nil
}

// fetchFailed reports a fetch error: a definite answer from the issuer's
// server (404, invalid document) fails the check; anything else (offline,
// unreachable, not https) leaves it "could not check".
func fetchFailed(err error) Outcome {
	if errors.Is(err, errOB2NotFound) || errors.Is(err, errOB2Invalid) {
		return Failed
	}
	return Unknown
}

// verifyOB2 verifies an OB 2.0 assertion given as JSON: hosted
// verification, or a refusal when it claims to be signed but comes
// without its JWS.
func (v *Verifier) verifyOB2(ctx context.Context, doc map[string]any, r *Report) {
	r.Format = FormatOB2Hosted
	r.set(CheckParse, Passed, MsgParseOK, "Open Badges 2.0 assertion (JSON)")
	given, ok := v.ob2Assertion(doc, r)
	if !ok {
		return
	}
	if given.Verification == ob2.Signed {
		// §"SignedBadge Verification": the signature wraps the assertion;
		// the bare JSON carries nothing to verify.
		r.Format = FormatOB2Signed
		r.set(CheckProof, Failed, MsgProofOB2Unsigned, "verification.type is SignedBadge, but this is the bare assertion without its JWS")
		v.ob2Rest(given, r, "not checked: the assertion is not signed")
		return
	}
	v.verifyOB2Hosted(ctx, given, r)
}

// ob2Assertion runs the checks every OB 2.0 assertion gets first: the
// format, its type and required properties, its recipient.
func (v *Verifier) ob2Assertion(doc map[string]any, r *Report) (*ob2.Assertion, bool) {
	r.set(CheckContext, Passed, MsgFormatOB2, "@context "+ob2.Context)
	a, err := ob2.ParseAssertion(doc)
	r.Credential = Summary{ID: a.ID, Kind: "Assertion", IssuerID: ""}
	r.OB2 = &OB2Badge{RecipientType: a.Recipient.Type, RevocationReason: a.RevocationReason}
	if b, ok := a.Badge.(map[string]any); ok {
		bc, _ := ob2.ParseBadgeClass(b)
		summarizeOB2(r, a, bc, nil)
	} else {
		summarizeOB2(r, a, nil, nil)
	}
	// OB 2.0 has no OB 3.0 JSON Schema, and the Data Validation it defines
	// for the badge class and issuer profile is reported in the schema
	// check once they are read.
	r.set(CheckDataModel, Skipped, MsgDataModelOB2, "an Open Badges 2.0 assertion is not a W3C Verifiable Credential")
	r.Check(CheckDataModel).Required = false
	r.set(CheckRelated, Skipped, MsgRelatedNone, "Open Badges 2.0 has no related resources with digests")
	r.set(CheckRefresh, Skipped, MsgRefreshNone, "Open Badges 2.0 has no refresh service")
	if _, has := doc["endorsement"]; has {
		r.set(CheckEndorsements, Skipped, MsgEndorsementsOB2, "Open Badges 2.0 endorsements are not checked")
	} else {
		r.set(CheckEndorsements, Skipped, MsgEndorsementsNone, "no endorsements")
	}
	if err != nil {
		r.set(CheckType, Failed, MsgTypeOB2Invalid, err.Error())
		v.ob2Rest(a, r, "not checked: the assertion is invalid")
		return a, false
	}
	r.set(CheckType, Passed, MsgTypeOB2, "Assertion, verification "+a.Verification)
	r.set(CheckSubject, Passed, MsgSubjectOB2, "recipient "+a.Recipient.Type+map[bool]string{true: " (hashed)"}[a.Recipient.Hashed])
	return a, true
}

// ob2Rest marks the checks that need the issuer's documents as not run,
// and runs the validity and recipient checks on what is at hand.
func (v *Verifier) ob2Rest(a *ob2.Assertion, r *Report, why string) {
	// A check skipped because an earlier one already decided (failed, or
	// could not check) is not the reason the report gives: the deciding
	// check is. The verdict stays closed, since that check is required
	// and did not pass.
	decided := false
	for _, c := range r.Checks {
		decided = decided || c.Outcome == Failed || (c.Required && c.Outcome == Unknown)
	}
	for _, id := range []string{CheckSchema, CheckProof, CheckIssuerKey, CheckStatus} {
		if c := r.Check(id); c.Outcome == NotRun && c.Message == id+".not-run" {
			r.set(id, NotRun, id+".not-run", why)
			if decided {
				c.Required = false
			}
		}
	}
	v.ob2Validity(a, r)
	v.ob2Recipient(a, r)
}

// verifyOB2Hosted applies §"HostedBadge Verification": "If starting with a
// full assertion that indicates HostedBadge verification, the input data
// should only be trusted to identify the URI of the hosted verification
// file, and upon loading the hosted verification file, the retrieved data
// should be used as the Assertion value."
func (v *Verifier) verifyOB2Hosted(ctx context.Context, given *ob2.Assertion, r *Report) {
	if v.opts.Fetcher == nil {
		r.set(CheckProof, Unknown, MsgProofOB2Offline, "a hosted Open Badges 2.0 badge is verified by fetching it from "+given.ID+"; nothing is fetched offline")
		v.ob2Rest(given, r, "not checked (offline)")
		return
	}
	doc, err := v.getOB2(ctx, given.ID)
	revoked := ""
	var hosted *ob2.Assertion
	switch {
	case errors.Is(err, errOB2Gone):
		// §"Revoking Hosted Assertions": "If either the 410 Gone status or a
		// response body declaring revoked true is returned, the Assertion
		// should be treated as revoked and thus invalid."
		revoked = "the issuer answers 410 Gone for " + given.ID
	case err != nil:
		o := fetchFailed(err)
		msg := MsgProofOB2Unreachable
		if o == Failed {
			msg = MsgProofOB2NotPublished
		}
		r.set(CheckProof, o, msg, err.Error())
		v.ob2Rest(given, r, "not checked: the hosted assertion could not be read")
		return
	default:
		hosted, err = ob2.ParseAssertion(doc)
		if hosted.Revoked {
			revoked = "the issuer's copy at " + given.ID + " says revoked"
			if hosted.RevocationReason != "" {
				revoked += ": " + hosted.RevocationReason
				r.OB2.RevocationReason = hosted.RevocationReason
			}
		}
	}
	if revoked != "" {
		// The issuer's site answered for this id. Whose site it is is the
		// same question as for a valid badge; a revoked assertion may be
		// stripped to id and revoked, so the badge class and issuer are
		// read from the copy given.
		r.set(CheckStatus, Failed, MsgStatusRevoked, "revoked: "+revoked)
		r.set(CheckProof, Passed, MsgProofOB2HostedRevoked, revoked)
		v.ob2HostedScope(ctx, given, r)
		v.ob2Rest(given, r, "not checked: the issuer has revoked the badge")
		return
	}
	if err != nil || !ob2.IsAssertion(doc) {
		if err == nil {
			err = errors.New("the hosted document is not an Open Badges 2.0 assertion")
		}
		r.set(CheckProof, Failed, MsgProofOB2HostedInvalid, err.Error())
		v.ob2Rest(given, r, "not checked: the hosted assertion is invalid")
		return
	}
	if d := ob2.Differences(given, hosted); len(d) > 0 {
		r.set(CheckProof, Failed, MsgProofOB2HostedDiffers, "the issuer's copy at "+given.ID+" differs in: "+strings.Join(d, ", "))
		v.ob2Rest(given, r, "not checked: this copy is not the issuer's")
		return
	}
	// From here on the hosted copy is the assertion.
	a := hosted
	r.set(CheckProof, Passed, MsgProofOB2Hosted, "fetched "+a.ID+"; it matches this copy")
	issuer, ok := v.ob2HostedScope(ctx, a, r)
	if !ok {
		if k := r.Check(CheckIssuerKey); k.Outcome == Unknown {
			// The copy matches what that address serves, but whether the
			// address is the issuer's could not be checked: the badge as a
			// whole could not be checked.
			r.set(CheckProof, Unknown, MsgProofOB2Unreachable, "fetched "+a.ID+" and it matches this copy, but "+k.Detail)
		}
		v.ob2Rest(a, r, "not checked: the badge is not shown to be its issuer's")
		return
	}
	v.ob2RevocationList(ctx, a, issuer, r, "the issuer's copy is not revoked")
	v.ob2Validity(a, r)
	v.ob2Recipient(a, r)
}

// ob2HostedScope reads the badge class and issuer profile and applies the
// hosted scope rule, setting the issuer-key check: "The Assertion id must
// be within the permitted scope for hosted verification declared in issuer
// Profile"; otherwise anyone could host an assertion naming any issuer.
func (v *Verifier) ob2HostedScope(ctx context.Context, a *ob2.Assertion, r *Report) (*ob2.Profile, bool) {
	bc, issuer, ok := v.ob2Chain(ctx, a, r)
	if !ok {
		if r.Check(CheckSchema).Outcome == Unknown {
			// Could not check whose badge it is: never "not genuine".
			r.set(CheckIssuerKey, Unknown, MsgIssuerKeyOB2Unreachable, "the badge class or issuer profile could not be read: "+r.Check(CheckSchema).Detail)
		}
		return nil, false
	}
	scopeErr := issuer.InScope(a.ID)
	if scopeErr == nil && issuer.Policy == nil && isHTTPURL(bc.ID) && isString(a.Badge) {
		// "This defaults to requiring the Assertion and BadgeClass to be
		// hosted on the same origin as the issuer Profile id if there is no
		// verification property declared in the issuer Profile." (An
		// embedded badge class came from the in-scope hosted assertion.)
		if err := issuer.InScope(bc.ID); err != nil {
			scopeErr = fmt.Errorf("badge class: %w", err)
		}
	}
	if scopeErr != nil {
		r.set(CheckIssuerKey, Failed, MsgIssuerKeyOB2Scope, scopeErr.Error())
		return nil, false
	}
	r.set(CheckIssuerKey, Passed, MsgIssuerKeyOB2Hosted, a.ID+" is in the hosting scope of the issuer "+issuer.ID)
	return issuer, true
}

// verifyOB2Signed applies §"SignedBadge Verification" to a JWS whose
// payload is an OB 2.0 assertion.
func (v *Verifier) verifyOB2Signed(ctx context.Context, jws string, payload map[string]any, r *Report) {
	r.Format = FormatOB2Signed
	// Steps 1-2: "Base64 decode the JWS payload ... Parse the decoded JWS
	// body into a JSON object." Until step 6 it is only a claim.
	r.set(CheckParse, Passed, MsgParseOK, "Open Badges 2.0 signed assertion (JWS)")
	a, ok := v.ob2Assertion(payload, r)
	if !ok {
		return
	}
	if a.Verification != ob2.Signed {
		r.set(CheckType, Failed, MsgTypeOB2Invalid, "a JWS-signed assertion must declare verification type SignedBadge, not "+a.Verification)
		v.ob2Rest(a, r, "not checked: the assertion is invalid")
		return
	}
	if v.opts.Fetcher == nil {
		r.set(CheckProof, Unknown, MsgProofKeyUnavailable, "the issuer's key is published on its web site; nothing is fetched offline")
		v.ob2Rest(a, r, "not checked (offline)")
		return
	}
	// Step 3: data validation of the badge class and issuer profile.
	_, issuer, ok := v.ob2Chain(ctx, a, r)
	if !ok {
		if r.Check(CheckSchema).Outcome == Unknown {
			r.set(CheckProof, Unknown, MsgProofKeyUnavailable, "the issuer profile, which lists its keys, could not be read: "+r.Check(CheckSchema).Detail)
		}
		v.ob2Rest(a, r, "not checked: the badge class or issuer profile could not be read")
		return
	}
	// Step 4: "Determine the correct signing key id(s) ... Do not trust a
	// key that is not properly linked from the issuer Profile."
	candidates := issuer.PublicKeys
	if a.Creator != "" {
		candidates = []string{a.Creator}
	}
	if len(candidates) == 0 {
		r.set(CheckProof, Failed, MsgProofKeyNotFound, "the assertion names no key (verification.creator) and the issuer profile lists none (publicKey)")
		v.ob2Rest(a, r, "not checked: the proof did not verify")
		return
	}
	if len(candidates) > maxOB2Keys {
		candidates = candidates[:maxOB2Keys]
	}
	var (
		key      *ob2.CryptographicKey
		verified []byte
		alg      vcjwt.Algorithm
		problems []string
		outcome  = Failed
		message  = MsgProofKeyNotFound
	)
	for _, id := range candidates {
		// Step 5: "Perform an HTTP GET request on the trusted keys. If it
		// is impossible to get a usable public key, the Assertion cannot be
		// verified."
		doc, err := v.getOB2(ctx, id)
		if err != nil {
			if fetchFailed(err) == Unknown && message == MsgProofKeyNotFound {
				outcome, message = Unknown, MsgProofKeyUnavailable
			}
			problems = append(problems, err.Error())
			continue
		}
		k, err := ob2.ParseKey(doc)
		if err == nil && k.ID != id {
			err = fmt.Errorf("the key fetched from %s says its id is %s", id, k.ID)
		}
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		// Step 6: "perform a JWS verification on the JWS object. If the
		// verification fails, assertion MUST be treated as invalid."
		p, al, err := vcjwt.VerifyWithKey(jws, k.Public, []vcjwt.Algorithm{vcjwt.RS256, vcjwt.ES256}, v.opts.Limits.MaxBytes)
		if err != nil {
			outcome, message = Failed, MsgProofBadSignature
			if !errors.Is(err, vcjwt.ErrSignature) {
				message = MsgProofInvalid
			}
			problems = append(problems, id+": "+err.Error())
			continue
		}
		key, verified, alg = k, p, al
		break
	}
	if key == nil {
		r.set(CheckProof, outcome, message, strings.Join(problems, "; "))
		v.ob2Rest(a, r, "not checked: the proof did not verify")
		return
	}
	// The verified bytes are the ones decoded above; read them again so
	// that nothing below depends on the unverified decoding.
	val, err := credential.ParseJSON(verified, v.opts.Limits)
	m, _ := val.(map[string]any)
	if err != nil || m == nil || !bytes.Equal(verified, mustPayload(jws)) {
		r.set(CheckProof, Failed, MsgProofInvalid, "the signed payload could not be read again")
		v.ob2Rest(a, r, "not checked: the proof did not verify")
		return
	}
	if a, err = ob2.ParseAssertion(m); err != nil {
		r.set(CheckProof, Failed, MsgProofInvalid, err.Error())
		v.ob2Rest(a, r, "not checked: the proof did not verify")
		return
	}
	r.set(CheckProof, Passed, MsgProofOK, string(alg)+" JWS signed with "+key.ID)
	// "There should be a two-way connection between this Profile and the
	// CryptographicKey through the owner and publicKey properties": a key
	// anyone can publish proves nothing until the issuer claims it too.
	switch {
	case key.Owner != issuer.ID:
		r.set(CheckIssuerKey, Failed, MsgIssuerKeyNotIssuer, fmt.Sprintf("the key %s is owned by %s, not by the issuer %s", key.ID, key.Owner, issuer.ID))
	case !issuer.HasKey(key.ID):
		r.set(CheckIssuerKey, Failed, MsgIssuerKeyNotIssuer, fmt.Sprintf("the issuer %s does not list the key %s in its publicKey", issuer.ID, key.ID))
	default:
		r.set(CheckIssuerKey, Passed, MsgIssuerKeyOK, "the key "+key.ID+" is the issuer's: owned by "+issuer.ID+" and listed in its profile")
		// Step 7: "Retrieve the revocation list from the Issuer Profile
		// object if present and ensure the id of the badge does not appear".
		v.ob2RevocationList(ctx, a, issuer, r, "")
	}
	if r.Check(CheckStatus).Outcome == NotRun {
		r.set(CheckStatus, NotRun, MsgStatusNotRun, "not checked: the signing key is not the issuer's")
	}
	v.ob2Validity(a, r)
	v.ob2Recipient(a, r)
}

func mustPayload(jws string) []byte {
	parts := strings.Split(jws, ".")
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	return b
}

// ob2Chain reads the assertion's BadgeClass (embedded, or fetched at its
// IRI) and the issuer Profile, always fetched at its IRI: its verification
// policy and keys decide what is the issuer's, so an embedded copy (written
// by whoever wrote the assertion) is never trusted for them. The schema
// check reports their data validation.
func (v *Verifier) ob2Chain(ctx context.Context, a *ob2.Assertion, r *Report) (*ob2.BadgeClass, *ob2.Profile, bool) {
	fail := func(err error) (*ob2.BadgeClass, *ob2.Profile, bool) {
		if errors.Is(err, ob2.ErrInvalid) {
			r.set(CheckSchema, Failed, MsgSchemaOB2Invalid, err.Error())
		} else {
			msg := MsgSchemaOB2Unreachable
			o := fetchFailed(err)
			if o == Failed {
				msg = MsgSchemaOB2Invalid
			}
			r.set(CheckSchema, o, msg, err.Error())
		}
		return nil, nil, false
	}
	bdoc, ok := a.Badge.(map[string]any)
	if !ok {
		d, err := v.getOB2(ctx, a.BadgeID())
		if err != nil {
			return fail(fmt.Errorf("badge class: %w", err))
		}
		bdoc = d
	}
	bc, err := ob2.ParseBadgeClass(bdoc)
	if err != nil {
		return fail(err)
	}
	if bc.ID != a.BadgeID() {
		return fail(fmt.Errorf("%w: the badge class fetched from %s says its id is %s", ob2.ErrInvalid, a.BadgeID(), bc.ID))
	}
	pdoc, err := v.getOB2(ctx, bc.IssuerID())
	if err != nil {
		return fail(fmt.Errorf("issuer profile: %w", err))
	}
	issuer, err := ob2.ParseProfile(pdoc)
	if err != nil {
		return fail(err)
	}
	if issuer.ID != bc.IssuerID() {
		return fail(fmt.Errorf("%w: the profile fetched from %s says its id is %s", ob2.ErrInvalid, bc.IssuerID(), issuer.ID))
	}
	r.set(CheckSchema, Passed, MsgSchemaOB2OK, "badge class "+bc.ID+", issuer "+issuer.ID)
	summarizeOB2(r, a, bc, issuer)
	return bc, issuer, true
}

// ob2RevocationList checks the issuer's revocationList, if it has one.
func (v *Verifier) ob2RevocationList(ctx context.Context, a *ob2.Assertion, issuer *ob2.Profile, r *Report, noList string) {
	if issuer.RevocationList == "" {
		if noList != "" {
			r.set(CheckStatus, Passed, MsgStatusOK, noList+"; the issuer publishes no revocation list")
		} else {
			r.set(CheckStatus, Skipped, MsgStatusNone, "the issuer publishes no revocation list")
		}
		return
	}
	doc, err := v.getOB2(ctx, issuer.RevocationList)
	if err != nil {
		r.set(CheckStatus, Unknown, MsgStatusUnreachable, "could not check "+issuer.RevocationList+": "+err.Error())
		return
	}
	list, err := ob2.ParseRevocationList(doc)
	if err == nil && list.Issuer != "" && list.Issuer != issuer.ID {
		err = fmt.Errorf("the list is issued by %s, not by %s", list.Issuer, issuer.ID)
	}
	if err != nil {
		r.set(CheckStatus, Unknown, MsgStatusInvalidList, "could not check "+issuer.RevocationList+": "+err.Error())
		return
	}
	uid, _ := a.Doc["uid"].(string)
	if revoked, reason := list.Revoked(a.ID, uid); revoked {
		d := "revoked (revocation list " + issuer.RevocationList + ")"
		if reason != "" {
			d += ": " + reason
			r.OB2.RevocationReason = reason
		}
		r.set(CheckStatus, Failed, MsgStatusRevoked, d)
		return
	}
	r.set(CheckStatus, Passed, MsgStatusOK, "not in the revocation list "+issuer.RevocationList)
}

// ob2Validity checks issuedOn and expires ("The Assertion has not
// expired"); an issue date in the future is refused, as the 1EdTech
// validator does.
func (v *Verifier) ob2Validity(a *ob2.Assertion, r *Report) {
	now := v.opts.Now()
	switch {
	case a.IssuedOn.IsZero():
		r.set(CheckValidity, Failed, MsgValidityNoStart, "the assertion has no valid issuedOn")
	case now.Before(a.IssuedOn):
		r.set(CheckValidity, Failed, MsgValidityNotYetValid, "issuedOn is "+a.IssuedOn.UTC().Format(time.RFC3339)+", in the future")
	case !a.Expires.IsZero() && now.After(a.Expires):
		r.set(CheckValidity, Failed, MsgValidityExpired, "expires was "+a.Expires.UTC().Format(time.RFC3339))
	case !a.Expires.IsZero():
		r.set(CheckValidity, Passed, MsgValidityOK, fmt.Sprintf("issued %s, expires %s", a.IssuedOn.UTC().Format(time.RFC3339), a.Expires.UTC().Format(time.RFC3339)))
	default:
		r.set(CheckValidity, Passed, MsgValidityOK, "issued "+a.IssuedOn.UTC().Format(time.RFC3339)+", no expiry")
	}
}

// ob2RecipientTypes maps the Recipient identity types (OB 3.0 names) onto
// OB 2.0 IdentityObject types (Profile identifier properties).
var ob2RecipientTypes = map[string]string{"emailAddress": "email", "email": "email", "url": "url", "phoneNumber": "telephone", "telephone": "telephone"}

// ob2Recipient compares Options.Recipient with the IdentityObject ("The
// Assertion was awarded to a valid property value of the expected
// recipient").
func (v *Verifier) ob2Recipient(a *ob2.Assertion, r *Report) {
	want := v.opts.Recipient
	if want == nil {
		r.set(CheckRecipient, Skipped, MsgRecipientNotRequested, "no recipient given to match")
		return
	}
	if a.Recipient.Type == "" {
		r.set(CheckRecipient, Failed, MsgRecipientInvalidIdentifier, "the assertion has no valid recipient")
		return
	}
	typ := ob2RecipientTypes[want.IdentityType]
	if typ != a.Recipient.Type {
		r.set(CheckRecipient, Failed, MsgRecipientMismatch, "the badge names its recipient by "+a.Recipient.Type+", not by "+want.IdentityType)
		return
	}
	ok, err := ob2.MatchIdentity(a.Recipient, want.Value)
	if !ok && err == nil && typ == "email" && strings.ToLower(want.Value) != want.Value {
		// Issuers hash addresses as they hold them, usually lower-cased.
		ok, err = ob2.MatchIdentity(a.Recipient, strings.ToLower(want.Value))
	}
	switch {
	case err != nil:
		r.set(CheckRecipient, Failed, MsgRecipientInvalidIdentifier, err.Error())
	case ok:
		r.set(CheckRecipient, Passed, MsgRecipientOK, "the "+typ+" matches the recipient")
	default:
		r.set(CheckRecipient, Failed, MsgRecipientMismatch, "the recipient is not "+want.Value)
	}
}

// summarizeOB2 fills the report's summary from the assertion and, when
// read, its badge class and issuer profile.
func summarizeOB2(r *Report, a *ob2.Assertion, bc *ob2.BadgeClass, issuer *ob2.Profile) {
	s := &r.Credential
	s.ID, s.Kind = a.ID, "Assertion"
	s.RecipientHashed = a.Recipient.Hashed
	if !a.Recipient.Hashed {
		s.RecipientID = a.Recipient.Identity
	}
	if !a.IssuedOn.IsZero() {
		s.ValidFrom = a.IssuedOn.UTC().Format(time.RFC3339)
	}
	if !a.Expires.IsZero() {
		s.ValidUntil = a.Expires.UTC().Format(time.RFC3339)
	}
	if bc != nil {
		s.Name = bc.Name
		s.IssuerID = bc.IssuerID()
		r.OB2.BadgeClass = bc.ID
		s.Description, s.Image, s.Criteria = bc.Description, bc.Image, bc.Criteria
		if p, ok := bc.Issuer.(map[string]any); ok && issuer == nil {
			s.IssuerName, _ = p["name"].(string)
		}
	}
	if issuer != nil {
		s.IssuerID, s.IssuerName = issuer.ID, issuer.Name
	}
}

func isHTTPURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

func isString(v any) bool { _, ok := v.(string); return ok }

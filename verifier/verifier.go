// Package verifier checks Open Badges 3.0 credentials (and Open Badges 2.0
// assertions, see ob2.go) and returns a report
// of every check, in the order of the OB 3.0 verification algorithm (§9.1):
// parse and context, type, schema and subject (step 1), the VC Data Model
// 2.0 rules (docs/vc-2.0-rules.md), proof and issuer key provenance (step 2,
// IMPL "key provenance"; other signers of a proof set or chain are named as
// co-signers), status (step 4), related resources' digests (VC DM 2.0
// §5.3), validity dates (step 4), the optional recipient match (step 5) and
// endorsements (step 6, §9.2).
//
// It fails closed: Verify returns a nil error only when the report says
// verified, and a check that did not run never reads as passed.
package verifier

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/blason-badges/blason/contexts"
	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/dataintegrity"
	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/internal/limits"
	"github.com/blason-badges/blason/internal/ob2"
	"github.com/blason-badges/blason/internal/vcjwt"
)

// ErrNotVerified is returned (wrapped, with the first failing check) for
// every credential that must not be trusted.
var ErrNotVerified = errors.New("credential not verified")

// Resolver dereferences a verificationMethod URL to a public key that its
// controller authorises for purpose ("assertionMethod", "authentication").
type Resolver interface {
	ResolveKey(ctx context.Context, verificationMethod, purpose string) (*dataintegrity.VerificationKey, error)
}

// Recipient is a value known out of band that the credential's subject must
// match (OB 3.0 §9.3), e.g. {IdentityType: "emailAddress", Value: "a@example.org"}.
// IdentityType "id" compares Value with credentialSubject.id.
type Recipient struct {
	IdentityType string
	Value        string
}

// Options configure a Verifier. The zero value verifies offline: did:key
// and did:jwk issuers only, the system clock, default parse limits.
type Options struct {
	// Resolver dereferences verification methods. Nil means DIDResolver(did.Offline):
	// did:key and did:jwk, no network.
	Resolver Resolver
	// Now is the clock for validity dates. Nil means time.Now.
	Now func() time.Time
	// Limits bound the credential's size and nesting. Zero means the
	// credential package's defaults (1 MiB, depth 64).
	Limits credential.Limits
	// Recipient, when set, must match the credential's subject.
	Recipient *Recipient
	// DIDs resolves DIDs for VC-JWT kids (and for Resolver when that is
	// nil). Nil means did.Offline: did:key and did:jwk, no network.
	DIDs did.Resolver
	// Fetcher fetches status lists, 1EdTech revocation lists and refreshed
	// credentials. Nil means offline: status is reported as could not
	// check (unknown) and no refresh is attempted.
	Fetcher Fetcher
	// AcceptGeneric also verifies W3C Verifiable Credentials that are not
	// Open Badges (as the VC API's generic clients send): their context and
	// type are checked against the VC Data Model only, and the OB schema
	// and subject checks are skipped. False: only OB 3.0 credentials verify.
	AcceptGeneric bool
	// StatusFetcher, when set, fetches status lists and 1EdTech revocation
	// lists instead of Fetcher: the command line reads a local issuer's
	// lists from its data directory, or reaches a loopback URL, only for
	// status (and even with Fetcher nil, i.e. otherwise offline).
	StatusFetcher Fetcher
}

// Verifier verifies credentials. It is safe for concurrent use.
type Verifier struct {
	opts  Options
	lists *listCache // shared by the copies WithRecipient makes
	// jwtKeys and jwtAuthKeys resolve VC-JWT kids (credentials and
	// presentations): DIDs, and https URLs when a Fetcher is set.
	jwtKeys, jwtAuthKeys vcjwt.KeyResolver
	// strictSchema holds Open Badges to the strict (array-only) OB 3.0
	// schema instead of the compaction one: the issuer's preflight of
	// what it emits (preflight.VerifyStrict).
	strictSchema bool
}

// New returns a Verifier.
func New(opts Options) *Verifier {
	if opts.DIDs == nil {
		opts.DIDs = did.Offline
	}
	var https *did.HTTPSResolver
	if opts.Fetcher != nil {
		// Issuer profiles at https URLs (OB 3.0 §8.5), cached 5 minutes.
		https = &did.HTTPSResolver{Fetcher: opts.Fetcher, Cache: fetch.NewCache[*did.Document](limits.CacheEntries, nil)}
	}
	if opts.Resolver == nil {
		opts.Resolver = didResolver{opts.DIDs, https}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	v := &Verifier{opts: opts, lists: &listCache{},
		jwtKeys:     vcjwt.DIDResolver{Resolver: opts.DIDs},
		jwtAuthKeys: vcjwt.DIDResolver{Resolver: opts.DIDs, Relationship: dataintegrity.PurposeAuthentication},
	}
	if opts.Fetcher != nil {
		bodies := fetch.NewCache[[]byte](limits.CacheEntries, nil)
		v.jwtKeys = &vcjwt.HTTPSKeyResolver{Fetcher: opts.Fetcher, Cache: bodies, Fallback: v.jwtKeys}
		v.jwtAuthKeys = &vcjwt.HTTPSKeyResolver{Fetcher: opts.Fetcher, Cache: bodies, Fallback: v.jwtAuthKeys,
			Relationship: dataintegrity.PurposeAuthentication}
	}
	return v
}

// WithRecipient returns a Verifier that also matches the credential's
// subject with r (OB 3.0 §9.3), sharing v's caches: for a person who wants
// to confirm who a badge was awarded to.
func (v *Verifier) WithRecipient(r *Recipient) *Verifier {
	c := *v
	c.opts.Recipient = r
	return &c
}

// Preflight returns v as an issuer.Preflight: its Verify keeps only the
// error, which is nil exactly when the credential verifies. The issuer
// declares that interface so that issuer and verifier never import each
// other; this is the one adapter between them (cmd, tests and other
// modules use it rather than writing their own).
func (v *Verifier) Preflight() interface {
	Verify(ctx context.Context, credential []byte) error
} {
	return preflight{v}
}

type preflight struct{ v *Verifier }

func (p preflight) Verify(ctx context.Context, credential []byte) error {
	_, err := p.v.Verify(ctx, credential)
	return err
}

// VerifyStrict is Verify with the schema check of an Open Badge made
// against the strict (array-only) OB 3.0 schema, which what Blason's
// issuer emits must pass (issuer.StrictPreflight): the issuer's one
// schema check, on the very bytes it emits.
func (p preflight) VerifyStrict(ctx context.Context, credential []byte) error {
	strict := *p.v
	strict.strictSchema = true
	_, err := strict.Verify(ctx, credential)
	return err
}

// maxEndorsementDepth bounds endorsements of endorsements.
const maxEndorsementDepth = limits.EndorsementDepth

// Verify parses and verifies one credential (JSON bytes). The report is
// always complete; the error is non-nil exactly when the report is not
// verified.
func (v *Verifier) Verify(ctx context.Context, data []byte) (*Report, error) {
	r := newReport()
	if jws, ok := compactJWS(data); ok {
		if p := ob2JWSPayload(jws, v.opts.Limits); p != nil {
			// An Open Badges 2.0 signed assertion (OB 2.0 "SignedBadge").
			v.verifyOB2Signed(ctx, jws, p, r)
			return r.finish()
		}
		// §5.1: a VC-JWT file holds the compact JWS.
		v.verifyJWT(ctx, jws, vcjwt.ProfileOB3, r, 0)
		return r.finish()
	}
	c, err := credential.Parse(data, v.opts.Limits)
	if err != nil {
		r.set(CheckParse, Failed, MsgParseInvalid, err.Error())
		return r.finish()
	}
	if ob2.IsAssertion(c.Doc) {
		// An Open Badges 2.0 assertion: verified as OB 2.0 defines.
		v.verifyOB2(ctx, c.Doc, r)
		return r.finish()
	}
	if c.HasType(vcjwt.TypeEnvelopedCredential) {
		v.verifyEnveloped(ctx, c.Doc, r, 0)
		return r.finish()
	}
	r.set(CheckParse, Passed, MsgParseOK, "")
	v.verify(ctx, c, r, 0)
	return r.finish()
}

// VerifyDocument verifies an already-decoded credential, e.g. one embedded
// in another document. doc is not modified.
func (v *Verifier) VerifyDocument(ctx context.Context, doc map[string]any) (*Report, error) {
	r := newReport()
	if ob2.IsAssertion(doc) {
		v.verifyOB2(ctx, doc, r)
		return r.finish()
	}
	if credential.FromMap(doc).HasType(vcjwt.TypeEnvelopedCredential) {
		v.verifyEnveloped(ctx, doc, r, 0)
		return r.finish()
	}
	r.set(CheckParse, Passed, MsgParseOK, "")
	v.verify(ctx, credential.FromMap(doc), r, 0)
	return r.finish()
}

func newReport() *Report {
	// One allocation for the checks (they are set in place), where building
	// each from its id cost fifteen on every verification.
	return &Report{Checks: slices.Clone(notRun)}
}

// notRun is every check of a report, in order, not run yet.
var notRun = func() []Check {
	var out []Check
	for _, id := range []string{CheckParse, CheckContext, CheckType, CheckSchema, CheckSubject, CheckDataModel, CheckProof,
		CheckIssuerKey, CheckRefresh, CheckStatus, CheckRelated, CheckValidity, CheckRecipient, CheckEndorsements} {
		out = append(out, Check{ID: id, Outcome: NotRun, Message: id + ".not-run", Required: required[id]})
	}
	return out
}()

// required checks must pass for a credential to be verified. The schema
// check is required where a schema exists (VC 2.0); it is skipped for VC 1.1.
var required = map[string]bool{
	CheckParse: true, CheckContext: true, CheckType: true, CheckSchema: true, CheckSubject: true,
	CheckDataModel: true, CheckProof: true, CheckIssuerKey: true, CheckValidity: true,
}

func (r *Report) set(id string, o Outcome, msg, detail string) {
	c := r.Check(id)
	c.Outcome, c.Message, c.Detail = o, msg, detail
}

func (r *Report) finish() (*Report, error) {
	r.decide()
	if r.Verified {
		return r, nil
	}
	if c := r.Reason(); c != nil {
		detail := c.Detail
		if detail == "" {
			detail = c.Message
		}
		return r, fmt.Errorf("%w: %s: %s", ErrNotVerified, c.ID, detail)
	}
	return r, ErrNotVerified
}

func (v *Verifier) verify(ctx context.Context, c *credential.Credential, r *Report, depth int) {
	v.verifyWith(ctx, c, r, depth, func() bool { return v.checkProof(ctx, c, r) })
}

// verifyWith runs every check, with checkProof doing the proof and
// issuer-key checks for the credential's proof format (embedded Data
// Integrity, or an enveloping JWT).
func (v *Verifier) verifyWith(ctx context.Context, c *credential.Credential, r *Report, depth int, checkProof func() bool) {
	r.Credential = summarize(c)
	version, verr := c.Version()

	if v.isGeneric(c) {
		v.checkGeneric(c, verr, r)
	} else {
		// The issuer's preflight holds the credential it emits to the
		// strict schema; what it embeds (endorsements) is others'.
		v.checkOpenBadge(c, version, verr, r, v.strictSchema && depth == 0)
	}

	// VC Data Model rules, shared with the issuer (which refuses to sign a
	// credential that breaks one).
	if errs := c.CheckDataModel(); len(errs) > 0 {
		r.set(CheckDataModel, Failed, MsgDataModelInvalid, errors.Join(errs...).Error())
	} else {
		r.set(CheckDataModel, Passed, MsgDataModelOK, "")
	}

	proofOK := checkProof()

	// §9.1 step 3: refresh, only after the proof verified ("so a bad actor
	// cannot spoof a refresh") and at most once.
	if proofOK && depth == 0 {
		if refreshed := v.checkRefresh(ctx, c, r); refreshed != nil {
			*r = *refreshed
			return
		}
	} else if depth == 0 {
		r.set(CheckRefresh, NotRun, MsgRefreshNotRun, "not attempted: the proof did not verify")
	} else {
		r.set(CheckRefresh, Skipped, MsgRefreshNested, "refresh is not attempted for embedded or refreshed credentials")
	}

	// §9.1 step 4 (status): fetched only after the proof verified, so a
	// forged credential cannot make us contact a URL of its choosing.
	switch _, has := c.Doc["credentialStatus"]; {
	case !has:
		r.set(CheckStatus, Skipped, MsgStatusNone, "the credential has no credentialStatus")
	case !proofOK:
		r.set(CheckStatus, NotRun, MsgStatusNotRun, "not checked: the proof did not verify")
	default:
		v.checkStatus(ctx, c, r)
	}

	// VC DM 2.0 §5.3: related resources, fetched (when at all) only after
	// the proof verified, as for status.
	if proofOK {
		v.checkRelated(ctx, c, r)
	} else if len(c.RelatedResources()) > 0 {
		r.set(CheckRelated, NotRun, MsgRelatedNotRun, "not checked: the proof did not verify")
	} else {
		r.set(CheckRelated, Skipped, MsgRelatedNone, "the credential lists no related resources")
	}

	v.checkValidity(c, version, v.isGeneric(c), r)
	v.checkRecipient(c, r)
	v.checkEndorsements(ctx, c, r, depth)
}

// checkOpenBadge applies OB 3.0 §9.1 step 1: context, type, schema, subject.
func (v *Verifier) checkOpenBadge(c *credential.Credential, version credential.Version, verr error, r *Report, strict bool) {
	// App. A.2: "@context MUST be an ordered list whose first item is the
	// VC context and second an OB 3.0 context".
	if err := c.CheckContext(); err != nil {
		r.set(CheckContext, Failed, MsgContextInvalid, err.Error())
	} else {
		r.set(CheckContext, Passed, MsgContextOK, "")
	}

	if err := c.CheckType(); err != nil {
		r.set(CheckType, Failed, MsgTypeInvalid, err.Error())
	} else {
		r.set(CheckType, Passed, MsgTypeOK, strings.Join(c.Types(), ", "))
	}

	// §9.1 step 1a: validate against the OB 3.0 JSON Schema. The verifier
	// accepts JSON-LD compacted forms (App. A.2.1), hence the compaction
	// variant. No schema was ever published for VC 1.1 credentials.
	switch {
	case verr != nil:
		r.set(CheckSchema, NotRun, MsgSchemaNoVersion, verr.Error())
	case version == credential.V1:
		r.set(CheckSchema, Skipped, MsgSchemaNotApplicableV1, "no OB 3.0 JSON Schema exists for VC 1.1 credentials")
		r.Check(CheckSchema).Required = false
	case c.Kind() == credential.KindUnknown:
		r.set(CheckSchema, NotRun, MsgSchemaUnknownKind, "the credential's type names no schema")
	default:
		variant := credential.Compaction
		if strict {
			variant = credential.Strict
		}
		if err := credential.ValidateSchema(c.Doc, c.Kind(), variant); err != nil {
			r.set(CheckSchema, Failed, MsgSchemaInvalid, err.Error())
		} else {
			r.set(CheckSchema, Passed, MsgSchemaOK, "")
		}
	}

	// §9.1 step 1b: "credentialSubject must be identified by id and/or identifier".
	if err := c.CheckSubject(); err != nil {
		r.set(CheckSubject, Failed, MsgSubjectInvalid, err.Error())
	} else {
		r.set(CheckSubject, Passed, MsgSubjectOK, "")
	}
}

// checkGeneric applies the VC Data Model's own rules to a credential that
// is not an Open Badge (VC DM 2.0 §4.3 contexts, §4.5 types, §4.7 subject).
func (v *Verifier) checkGeneric(c *credential.Credential, verr error, r *Report) {
	if verr != nil {
		r.set(CheckContext, Failed, MsgContextInvalid, verr.Error())
	} else {
		r.set(CheckContext, Passed, MsgContextVC, "")
	}
	r.set(CheckType, Passed, MsgTypeVC, strings.Join(c.Types(), ", "))
	r.set(CheckSchema, Skipped, MsgSchemaNotOpenBadge, "not an Open Badges credential: no OB schema applies")
	r.Check(CheckSchema).Required = false
	if len(c.Subjects()) == 0 {
		r.set(CheckSubject, Failed, MsgSubjectMissing, "the credential has no credentialSubject")
	} else {
		r.set(CheckSubject, Passed, MsgSubjectVC, "")
	}
}

func (v *Verifier) checkProof(ctx context.Context, c *credential.Credential, r *Report) bool {
	// §9.1 step 2: verify the embedded (Data Integrity) proof.
	if _, err := c.Proofs(); err != nil {
		r.set(CheckProof, Failed, MsgProofMalformed, err.Error())
		r.set(CheckIssuerKey, NotRun, MsgIssuerKeyNotRun, "not checked: the proof did not verify")
		return false
	}
	results, err := dataintegrity.Verify(ctx, c.Doc, dataintegrity.VerifyOptions{
		Resolver: v.opts.Resolver,
		Purpose:  dataintegrity.PurposeAssertion,
		Now:      v.opts.Now,
	})
	if err != nil {
		switch {
		case errors.Is(err, contexts.ErrUnknownContext):
			// Could not check: the signed data cannot be computed without a
			// context Blason does not pin (and never fetches). Name it.
			r.set(CheckProof, Unknown, MsgProofUnknownContext, withUnknownContexts(err.Error(), c.Doc))
		case errors.Is(err, dataintegrity.ErrNoProof):
			r.set(CheckProof, Failed, MsgProofMissing, "the credential has no proof: anyone could have written it")
		case errors.Is(err, dataintegrity.ErrKeyResolution) && (errors.Is(err, did.ErrUnsupportedMethod) || errors.Is(err, did.ErrResolution)):
			// Could not check: the key may be genuine, but this verifier
			// cannot reach it. Still not verified (the check is required).
			r.set(CheckProof, Unknown, MsgProofKeyUnavailable, err.Error())
		case errors.Is(err, dataintegrity.ErrKeyResolution):
			r.set(CheckProof, Failed, MsgProofKeyNotFound, err.Error())
		case errors.Is(err, dataintegrity.ErrForm):
			// What the checks read must be what the signature covers: a
			// document in another form is not verified, whatever its proof.
			r.set(CheckProof, Failed, MsgProofForm, err.Error())
		case errors.Is(err, dataintegrity.ErrSignature):
			r.set(CheckProof, Failed, MsgProofBadSignature, err.Error())
		default:
			r.set(CheckProof, Failed, MsgProofInvalid, err.Error())
		}
		r.set(CheckIssuerKey, NotRun, MsgIssuerKeyNotRun, "not checked: the proof did not verify")
		return false
	}
	var used, skipped []string
	for _, res := range results {
		if res.Err != nil { // unknown proof types beside a verified one
			skipped = append(skipped, res.Type)
			continue
		}
		suite := res.Cryptosuite
		if suite == "" {
			suite = res.Type
		}
		used = append(used, suite+" by "+res.VerificationMethod)
	}
	detail := strings.Join(used, "; ")
	if len(skipped) > 0 {
		detail += "; not checked (unknown proof type): " + strings.Join(skipped, ", ")
	}
	r.set(CheckProof, Passed, MsgProofOK, detail)

	// Key provenance (OB 3.0 IMPL, ob3-digest §4.3): "the verification
	// method's controller must equal the issuer id"; otherwise anyone could
	// sign a credential naming any issuer. At least one verified proof must
	// be the issuer's. The others of a proof set or chain (a witness, an
	// endorser: Data Integrity §2.1.1, §2.1.2) verified with their own
	// controller's key (the resolver only returns a key its controller
	// authorises) and are named as co-signers; they vouch for nothing about
	// the issuer, so they are not held to its key.
	issuer := c.IssuerID()
	var byIssuer []string
	r.CoSigners = nil
	for _, res := range results {
		if res.Err != nil {
			continue
		}
		if res.Key != nil && issuer != "" && res.Key.Controller == issuer {
			byIssuer = append(byIssuer, res.VerificationMethod)
			continue
		}
		ctrl := ""
		if res.Key != nil {
			ctrl = res.Key.Controller
		}
		r.CoSigners = append(r.CoSigners, CoSigner{Controller: ctrl, VerificationMethod: res.VerificationMethod})
	}
	if len(byIssuer) == 0 {
		var who []string
		for _, cs := range r.CoSigners {
			ctrl := cs.Controller
			if ctrl == "" {
				ctrl = "unknown"
			}
			who = append(who, fmt.Sprintf("the signing key %s is controlled by %s, not by the issuer %s", cs.VerificationMethod, ctrl, issuer))
		}
		r.set(CheckIssuerKey, Failed, MsgIssuerKeyNotIssuer, strings.Join(who, "; "))
		return true
	}
	detail = "the signing key belongs to the issuer " + issuer
	if len(r.CoSigners) > 0 {
		var who []string
		for _, cs := range r.CoSigners {
			who = append(who, cs.Controller)
		}
		detail += "; also signed by " + strings.Join(who, ", ")
	}
	r.set(CheckIssuerKey, Passed, MsgIssuerKeyOK, detail)
	return true
}

// isGeneric reports whether c is verified as a generic W3C VC rather than
// an Open Badge (Options.AcceptGeneric).
func (v *Verifier) isGeneric(c *credential.Credential) bool {
	return v.opts.AcceptGeneric && c.Kind() == credential.KindUnknown && c.HasType("VerifiableCredential")
}

func (v *Verifier) checkValidity(c *credential.Credential, version credential.Version, generic bool, r *Report) {
	from, until := "validFrom", "validUntil"
	if version == credential.V1 {
		from, until = "issuanceDate", "expirationDate"
	}
	now := v.opts.Now()
	vf, ok, err := c.ValidFrom()
	switch {
	case err != nil:
		r.set(CheckValidity, Failed, MsgValidityInvalidDate, err.Error())
		return
	case !ok && generic && version == credential.V2:
		// VC DM 2.0 §4.9: validFrom is optional (OB 3.0 makes it required).
		vf = time.Time{}
	case !ok:
		r.set(CheckValidity, Failed, MsgValidityNoStart, "the credential has no "+from)
		return
	case now.Before(vf):
		// §9.1 step 4: "not yet valid if now < validFrom".
		r.set(CheckValidity, Failed, MsgValidityNotYetValid, fmt.Sprintf("%s is %s, in the future", from, vf.UTC().Format(time.RFC3339)))
		return
	}
	vu, ok, err := c.ValidUntil()
	switch {
	case err != nil:
		r.set(CheckValidity, Failed, MsgValidityInvalidDate, err.Error())
	case ok && now.After(vu):
		// §9.1 step 4: "expired if now > validUntil".
		r.set(CheckValidity, Failed, MsgValidityExpired, fmt.Sprintf("%s was %s", until, vu.UTC().Format(time.RFC3339)))
	case ok && vf.IsZero():
		r.set(CheckValidity, Passed, MsgValidityOK, "valid until "+vu.UTC().Format(time.RFC3339))
	case ok:
		r.set(CheckValidity, Passed, MsgValidityOK, fmt.Sprintf("valid from %s until %s", vf.UTC().Format(time.RFC3339), vu.UTC().Format(time.RFC3339)))
	case vf.IsZero():
		r.set(CheckValidity, Passed, MsgValidityOK, "no validity period")
	default:
		r.set(CheckValidity, Passed, MsgValidityOK, "valid from "+vf.UTC().Format(time.RFC3339)+", no expiry")
	}
}

func (v *Verifier) checkRecipient(c *credential.Credential, r *Report) {
	want := v.opts.Recipient
	if want == nil {
		r.set(CheckRecipient, Skipped, MsgRecipientNotRequested, "no recipient given to match")
		return
	}
	// §9.1 step 5 / §9.3.
	if want.IdentityType == "id" {
		if c.SubjectID() == want.Value {
			r.set(CheckRecipient, Passed, MsgRecipientOK, "credentialSubject.id matches")
		} else {
			r.set(CheckRecipient, Failed, MsgRecipientMismatch, "credentialSubject.id does not match "+want.Value)
		}
		return
	}
	subject, err := c.Subject()
	if err != nil {
		r.set(CheckRecipient, Failed, MsgRecipientMismatch, err.Error())
		return
	}
	ok, err := credential.MatchIdentifier(subject, want.IdentityType, want.Value)
	if !ok && err == nil && want.IdentityType == "emailAddress" && strings.ToLower(want.Value) != want.Value {
		// Issuers hash addresses as they hold them, usually lower-cased.
		ok, err = credential.MatchIdentifier(subject, want.IdentityType, strings.ToLower(want.Value))
	}
	switch {
	case err != nil:
		r.set(CheckRecipient, Failed, MsgRecipientInvalidIdentifier, err.Error())
	case ok:
		r.set(CheckRecipient, Passed, MsgRecipientOK, "the "+want.IdentityType+" identifier matches")
	default:
		r.set(CheckRecipient, Failed, MsgRecipientMismatch, "no "+want.IdentityType+" identifier of the subject matches")
	}
}

// checkEndorsements applies §9.2 to every embedded EndorsementCredential:
// those of the credential, of its achievement, and of its issuer profile.
// Each gets its own report in Report.Endorsements.
func (v *Verifier) checkEndorsements(ctx context.Context, c *credential.Credential, r *Report, depth int) {
	var docs []map[string]any
	docs = append(docs, c.Endorsements()...)
	if s, err := c.Subject(); err == nil {
		if a, ok := s["achievement"].(map[string]any); ok {
			docs = append(docs, credential.FromMap(a).Endorsements()...)
		}
	}
	if iss, ok := c.Doc["issuer"].(map[string]any); ok {
		docs = append(docs, credential.FromMap(iss).Endorsements()...)
	}
	if len(docs) == 0 {
		r.set(CheckEndorsements, Skipped, MsgEndorsementsNone, "no embedded endorsements")
		return
	}
	if depth >= maxEndorsementDepth {
		r.set(CheckEndorsements, Warning, MsgEndorsementsTooDeep, "endorsements nested this deep are not checked")
		return
	}
	failed := 0
	for _, d := range docs {
		er := newReport()
		er.set(CheckParse, Passed, MsgParseOK, "")
		ec := credential.FromMap(d)
		v.verify(ctx, ec, er, depth+1)
		if ec.Kind() != credential.Endorsement {
			er.set(CheckType, Failed, MsgTypeNotEndorsement, "an embedded endorsement must be an EndorsementCredential")
		}
		er.decide()
		if !er.Verified {
			failed++
		}
		r.Endorsements = append(r.Endorsements, er)
	}
	if failed > 0 {
		// An endorsement is a third party's claim about the credential, not
		// part of the issuer's award: one that does not verify is reported
		// (and its own report says not verified, so it is never displayed as
		// an endorsement) without voiding the credential itself, as the
		// 1EdTech validator does (its complete.json fixture).
		r.set(CheckEndorsements, Warning, MsgEndorsementsInvalid, fmt.Sprintf("%d of %d endorsements did not verify and must not be shown as endorsements", failed, len(docs)))
		return
	}
	r.set(CheckEndorsements, Passed, MsgEndorsementsOK, fmt.Sprintf("%d endorsements verified", len(docs)))
}

func summarize(c *credential.Credential) Summary {
	s := Summary{ID: c.ID(), Name: c.Name(), IssuerID: c.IssuerID(), IssuerName: c.IssuerName()}
	if ver, err := c.Version(); err == nil {
		s.Version = map[credential.Version]string{credential.V1: "1.1", credential.V2: "2.0"}[ver]
	}
	switch c.Kind() {
	case credential.OpenBadge:
		s.Kind = "OpenBadgeCredential"
	case credential.Endorsement:
		s.Kind = "EndorsementCredential"
	}
	s.Description, _ = c.Doc["description"].(string)
	s.Image = imageOf(c.Doc["image"])
	if subj, err := c.Subject(); err == nil {
		s.RecipientID, _ = subj["id"].(string)
		s.RecipientName, _ = subj["name"].(string)
		for _, id := range asObjects(subj["identifier"]) {
			if h, _ := id["hashed"].(bool); h {
				s.RecipientHashed = true
			}
		}
		if a, ok := subj["achievement"].(map[string]any); ok {
			s.Achievement, _ = a["name"].(string)
			s.AchievementDescription, _ = a["description"].(string)
			if cr, ok := a["criteria"].(map[string]any); ok {
				s.Criteria, _ = cr["narrative"].(string)
			}
			if img := imageOf(a["image"]); img != "" {
				s.Image = img
			}
		}
	}
	if t, ok, err := c.ValidFrom(); ok && err == nil {
		s.ValidFrom = t.UTC().Format(time.RFC3339)
	}
	if t, ok, err := c.ValidUntil(); ok && err == nil {
		s.ValidUntil = t.UTC().Format(time.RFC3339)
	}
	return s
}

// imageOf reads an OB 3.0 Image: a URI, or an object with an id.
func imageOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		id, _ := x["id"].(string)
		return id
	}
	return ""
}

// DIDResolver adapts a DID resolver to a Resolver: the verification method
// is dereferenced in its controller's DID document and must be listed under
// the requested relationship.
func DIDResolver(r did.Resolver) Resolver { return didResolver{r: r} }

type didResolver struct {
	r     did.Resolver
	https *did.HTTPSResolver // nil: https verification methods are not fetched
}

func (d didResolver) ResolveKey(ctx context.Context, vm, purpose string) (*dataintegrity.VerificationKey, error) {
	m, err := did.ResolveMethod(ctx, d.r, d.https, vm, purpose)
	if err != nil {
		return nil, err
	}
	pub, err := m.PublicKey()
	if err != nil {
		return nil, err
	}
	return &dataintegrity.VerificationKey{ID: m.ID, Controller: m.Controller, Public: pub}, nil
}

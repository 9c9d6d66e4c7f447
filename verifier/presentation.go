package verifier

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/blason-badges/blason/contexts"
	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/dataintegrity"
	"github.com/blason-badges/blason/internal/vcjwt"
)

// Presentation check IDs.
const (
	CheckPresentation = "presentation" // the holder's proof: authentication, challenge, domain
	CheckHolder       = "holder"       // holder binding: the presenter is the credentials' subject
	CheckCredentials  = "credentials"  // every credential inside verifies
)

// maxPresentedCredentials bounds the credentials one presentation may hold.
// Each is verified in full (a proof, perhaps a status list), so a
// presentation of thousands of small credentials would cost seconds within
// the size limit; one that holds more is refused before any proof is
// checked. A learner presents a handful of badges.
const maxPresentedCredentials = 100

// PresentationOptions are the verifier's request that a presentation must
// answer.
type PresentationOptions struct {
	// Challenge the presentation proof must carry. Empty accepts any
	// challenge, which a report flags: such a presentation could be a replay.
	Challenge string
	// Domain the presentation proof must carry; empty means not checked.
	Domain string
}

// PresentationReport is the result of verifying a presentation: its own
// checks, and one report per credential it carries.
type PresentationReport struct {
	Verified bool `json:"verified"`
	// Verdict is VerdictRevocationNotChecked when the presentation is
	// verified but the revocation status of a credential in it could not be
	// checked (see Report.Verdict).
	Verdict     string    `json:"verdict"`
	Checks      []Check   `json:"checks"`
	Holder      string    `json:"holder,omitempty"`
	Credentials []*Report `json:"credentials"`
}

// Check returns the check with the given id, or nil.
func (r *PresentationReport) Check(id string) *Check {
	for i := range r.Checks {
		if r.Checks[i].ID == id {
			return &r.Checks[i]
		}
	}
	return nil
}

func (r *PresentationReport) set(id string, o Outcome, msg, detail string) {
	c := r.Check(id)
	c.Outcome, c.Message, c.Detail = o, msg, detail
}

// VerifyPresentation verifies a Verifiable Presentation (JSON): its Data
// Integrity proof with proofPurpose authentication and the requested
// challenge and domain, holder binding, and every credential inside. The
// error is non-nil exactly when the report is not verified.
func (v *Verifier) VerifyPresentation(ctx context.Context, data []byte, opts PresentationOptions) (*PresentationReport, error) {
	r := newPresentationReport()
	if jws, ok := compactJWS(data); ok {
		r.set(CheckParse, Passed, MsgParsePresentation, "VP-JWT")
		v.verifyPresentationJWT(ctx, jws, opts, r)
		return r.finish()
	}
	c, err := credential.Parse(data, v.opts.Limits)
	if err != nil {
		r.set(CheckParse, Failed, MsgParsePresentationInvalid, err.Error())
		return r.finish()
	}
	return v.verifyPresentationDoc(ctx, c.Doc, opts, r)
}

// VerifyPresentationDocument verifies an already-decoded presentation: a
// JSON-LD presentation with a Data Integrity proof, or an
// EnvelopedVerifiablePresentation carrying a VP-JWT.
func (v *Verifier) VerifyPresentationDocument(ctx context.Context, doc map[string]any, opts PresentationOptions) (*PresentationReport, error) {
	return v.verifyPresentationDoc(ctx, doc, opts, newPresentationReport())
}

func newPresentationReport() *PresentationReport {
	r := &PresentationReport{Credentials: []*Report{}}
	for _, id := range []string{CheckParse, CheckContext, CheckType, CheckPresentation, CheckHolder, CheckCredentials} {
		r.Checks = append(r.Checks, Check{ID: id, Outcome: NotRun, Message: id + ".not-run", Required: id != CheckHolder})
	}
	return r
}

func (v *Verifier) verifyPresentationDoc(ctx context.Context, doc map[string]any, opts PresentationOptions, r *PresentationReport) (*PresentationReport, error) {
	if credential.FromMap(doc).HasType(vcjwt.TypeEnvelopedPresentation) {
		jws, _, err := vcjwt.ParseEnveloped(doc)
		if err != nil {
			r.set(CheckParse, Failed, MsgParseEnvelope, err.Error())
			return r.finish()
		}
		r.set(CheckParse, Passed, MsgParsePresentation, "enveloped VP-JWT")
		v.verifyPresentationJWT(ctx, jws, opts, r)
		return r.finish()
	}
	r.set(CheckParse, Passed, MsgParsePresentation, "")
	c := credential.FromMap(doc)

	// VC Data Model 2.0 §4.3: the first context is the VC base context
	// (the others may be URLs or inline objects).
	if list, ok := doc["@context"].([]any); ok && len(list) > 0 && (list[0] == contexts.CredentialsV2 || list[0] == contexts.CredentialsV1) {
		r.set(CheckContext, Passed, MsgContextPresentation, "")
	} else if s, ok := doc["@context"].(string); ok && (s == contexts.CredentialsV2 || s == contexts.CredentialsV1) {
		r.set(CheckContext, Passed, MsgContextPresentation, "")
	} else {
		r.set(CheckContext, Failed, MsgContextPresentationInvalid, "a presentation's first @context must be the W3C credentials context")
	}
	if c.HasType("VerifiablePresentation") {
		r.set(CheckType, Passed, MsgTypePresentation, "VerifiablePresentation")
	} else {
		r.set(CheckType, Failed, MsgTypeNotPresentation, "type does not include VerifiablePresentation")
	}
	if tooManyCredentials(doc, r) {
		// Refused before the holder's proof, whose canonicalisation covers
		// every credential.
		return r.finish()
	}

	// The holder's proof (Data Integrity §2.1.1: proofPurpose
	// "authentication", with the verifier's challenge and domain).
	presenter := ""
	results, err := dataintegrity.Verify(ctx, doc, dataintegrity.VerifyOptions{
		Resolver:  v.opts.Resolver,
		Purpose:   dataintegrity.PurposeAuthentication,
		Challenge: opts.Challenge,
		Domain:    opts.Domain,
		Now:       v.opts.Now,
	})
	switch {
	case errors.Is(err, dataintegrity.ErrNoProof):
		r.set(CheckPresentation, Failed, MsgPresentationUnsigned, "the presentation is not signed by its holder")
	case errors.Is(err, dataintegrity.ErrChallenge):
		r.set(CheckPresentation, Failed, MsgPresentationChallenge, err.Error())
	case errors.Is(err, dataintegrity.ErrDomain):
		r.set(CheckPresentation, Failed, MsgPresentationDomain, err.Error())
	case errors.Is(err, dataintegrity.ErrForm):
		r.set(CheckPresentation, Failed, MsgPresentationForm, err.Error())
	case err != nil:
		r.set(CheckPresentation, Failed, MsgPresentationInvalid, err.Error())
	default:
		for _, res := range results {
			if res.Err == nil && res.Key != nil {
				presenter = res.Key.Controller
				break
			}
		}
		detail := "signed by " + presenter
		if opts.Challenge == "" {
			r.set(CheckPresentation, Warning, MsgPresentationNoChallenge, detail+"; no challenge was requested, so it could be a replay")
			r.Check(CheckPresentation).Required = false
		} else {
			r.set(CheckPresentation, Passed, MsgPresentationOK, detail)
		}
	}
	r.Holder = presenter

	vcs := v.checkCredentials(ctx, doc, r)
	// Holder binding: a credential issued to a DID may only be presented by
	// that DID's controller; the presentation's holder, if stated, is the
	// presenter.
	v.checkHolder(r, doc, vcs, presenter)
	return r.finish()
}

// tooManyCredentials fails the presentation when it holds more than
// maxPresentedCredentials credentials.
func tooManyCredentials(vp map[string]any, r *PresentationReport) bool {
	n := len(credentialList(vp["verifiableCredential"]))
	if n <= maxPresentedCredentials {
		return false
	}
	r.set(CheckCredentials, Failed, MsgCredentialsTooMany,
		fmt.Sprintf("the presentation holds %d credentials; at most %d are verified", n, maxPresentedCredentials))
	return true
}

// checkCredentials verifies each credential inside, in full, and returns
// them as decoded (enveloped ones: the credential the JWT carries). A
// credential is a JSON object (with a Data Integrity proof, or an
// EnvelopedVerifiableCredential) or, in a VP-JWT, a compact VC-JWT string
// (VC-JWT 1.1 §6.3.1, as walt.id emits). Anything else fails.
//
// A presentation with no credential is DID authentication (VC Data Model
// 2.0 §4.13: verifiableCredential is optional): the holder's proof alone
// decides, and the report says it holds none.
func (v *Verifier) checkCredentials(ctx context.Context, vp map[string]any, r *PresentationReport) []map[string]any {
	raw := credentialList(vp["verifiableCredential"])
	var vcs []map[string]any
	failed, unchecked := 0, 0
	for i, item := range raw {
		var cr *Report
		var vc map[string]any
		switch x := item.(type) {
		case map[string]any:
			cr, _ = v.VerifyDocument(ctx, x)
			vc = x
			if credential.FromMap(x).HasType(vcjwt.TypeEnvelopedCredential) {
				if jws, _, err := vcjwt.ParseEnveloped(x); err == nil {
					vc = unverifiedPayload(jws) // verified just above; used for the subject id
				}
			}
		case string:
			if jws, ok := compactJWS([]byte(x)); ok {
				// A bare VC-JWT in a presentation is the VC-JWT 1.1 form
				// (media type application/jwt).
				cr = newReport()
				v.verifyJWT(ctx, jws, vcjwt.ProfileVCJWT, cr, 0)
				cr.finish()
				vc = unverifiedPayload(jws) // verified just above; used for the subject id
				break
			}
			cr = notACredential(fmt.Sprintf("verifiableCredential entry %d is a string that is not a VC-JWT", i+1))
		default:
			cr = notACredential(fmt.Sprintf("verifiableCredential entry %d is a %s, not a credential", i+1, kindOf(x)))
		}
		switch {
		case cr.Unchecked():
			unchecked++
		case !cr.Verified:
			failed++
		}
		r.Credentials = append(r.Credentials, cr)
		if vc != nil {
			vcs = append(vcs, vc)
		}
	}
	switch {
	case len(raw) == 0:
		r.set(CheckCredentials, Skipped, MsgCredentialsNone, "the presentation holds no credential: DID authentication, only the holder's proof is checked")
		r.Check(CheckCredentials).Required = false
	case failed > 0:
		r.set(CheckCredentials, Failed, MsgCredentialsInvalid, fmt.Sprintf("%d of %d credentials did not verify", failed+unchecked, len(raw)))
	case unchecked > 0:
		// Not verified, but nothing found wrong either: "could not be
		// checked" (e.g. an issuer key that could not be fetched), never
		// "not genuine".
		r.set(CheckCredentials, Failed, MsgCredentialsUnchecked, fmt.Sprintf("%d of %d credentials could not be checked", unchecked, len(raw)))
	default:
		r.set(CheckCredentials, Passed, MsgCredentialsOK, fmt.Sprintf("%d credentials verified", len(raw)))
	}
	return vcs
}

// notACredential is the report for a verifiableCredential entry that is
// not a credential at all.
func notACredential(detail string) *Report {
	r := newReport()
	r.set(CheckParse, Failed, MsgParseInvalid, detail)
	r.finish()
	return r
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case []any:
		return "array"
	}
	return fmt.Sprintf("%T", v)
}

// verifyPresentationJWT verifies a VP-JWT (VC-JWT 1.1 style: a "vp" claim,
// nonce = challenge, aud = domain, iss = the holder bound to the key).
func (v *Verifier) verifyPresentationJWT(ctx context.Context, jws string, opts PresentationOptions, r *PresentationReport) {
	res, err := vcjwt.VerifyPresentation(ctx, jws, vcjwt.PresentationOptions{
		VerifyOptions: vcjwt.VerifyOptions{
			Resolver: v.jwtAuthKeys,
			Now:      v.opts.Now,
		},
		Challenge: opts.Challenge,
		Domain:    opts.Domain,
	})
	if err != nil {
		msg := MsgPresentationInvalid
		switch {
		case errors.Is(err, vcjwt.ErrNonce):
			msg = MsgPresentationChallenge
		case errors.Is(err, vcjwt.ErrAudience):
			msg = MsgPresentationDomain
		}
		r.set(CheckPresentation, Failed, msg, err.Error())
		r.set(CheckContext, NotRun, MsgContextNotRun, "")
		r.set(CheckType, NotRun, MsgTypeNotRun, "")
		r.set(CheckHolder, NotRun, MsgHolderNotRun, "not checked: the presentation proof did not verify")
		r.Check(CheckHolder).Required = true
		return
	}
	r.set(CheckContext, Passed, MsgContextPresentation, "")
	if credential.FromMap(res.Presentation).HasType("VerifiablePresentation") {
		r.set(CheckType, Passed, MsgTypePresentation, "VerifiablePresentation")
	} else {
		r.set(CheckType, Failed, MsgTypeNotPresentation, "the vp claim is not a VerifiablePresentation")
	}
	detail := string(res.Algorithm) + " VP-JWT signed by " + res.Holder
	if opts.Challenge == "" {
		r.set(CheckPresentation, Warning, MsgPresentationNoChallenge, detail+"; no challenge was requested, so it could be a replay")
		r.Check(CheckPresentation).Required = false
	} else {
		r.set(CheckPresentation, Passed, MsgPresentationOK, detail)
	}
	r.Holder = res.Holder
	if tooManyCredentials(res.Presentation, r) {
		return
	}
	vcs := v.checkCredentials(ctx, res.Presentation, r)
	v.checkHolder(r, res.Presentation, vcs, res.Holder)
}

func (v *Verifier) checkHolder(r *PresentationReport, doc map[string]any, vcs []map[string]any, presenter string) {
	if presenter == "" {
		r.set(CheckHolder, NotRun, MsgHolderNotRun, "not checked: the presentation proof did not verify")
		r.Check(CheckHolder).Required = true
		return
	}
	if h := holderID(doc["holder"]); h != "" && h != presenter {
		r.set(CheckHolder, Failed, MsgHolderMismatch, fmt.Sprintf("the presentation names %s as holder but was signed by %s", h, presenter))
		return
	}
	if len(vcs) == 0 {
		r.set(CheckHolder, Skipped, MsgHolderNoCredential, "the presentation holds no credential whose subject could be matched")
		return
	}
	var bound, mismatched, others []string
	for _, vc := range vcs {
		c := credential.FromMap(vc)
		sid := c.SubjectID()
		switch {
		case !strings.HasPrefix(sid, "did:"):
		case sid == presenter:
			bound = append(bound, sid)
		case c.Kind() != credential.KindUnknown:
			mismatched = append(mismatched, sid)
		default:
			others = append(others, sid)
		}
	}
	switch {
	case len(mismatched) > 0:
		// An Open Badge is awarded to a person: one issued to a DID and
		// presented by someone else is someone else's badge.
		r.set(CheckHolder, Failed, MsgHolderNotSubject,
			fmt.Sprintf("presented by %s, but issued to %s", presenter, strings.Join(mismatched, ", ")))
	case len(others) > 0:
		// The VC Data Model lets a holder present credentials about someone
		// else (a parent for a child): for credentials that are not Open
		// Badges this is reported, not refused.
		r.set(CheckHolder, Warning, MsgHolderOtherSubject,
			fmt.Sprintf("presented by %s, about %s", presenter, strings.Join(others, ", ")))
	case len(bound) > 0:
		r.set(CheckHolder, Passed, MsgHolderOK, "the presenter is the credentials' subject")
	default:
		r.set(CheckHolder, Skipped, MsgHolderNotApplicable, "no credential names its subject by a DID; match the recipient by e-mail instead")
	}
}

func holderID(v any) string {
	switch h := v.(type) {
	case string:
		return h
	case map[string]any:
		s, _ := h["id"].(string)
		return s
	}
	return ""
}

func asObjects(v any) []map[string]any {
	switch x := v.(type) {
	case map[string]any:
		return []map[string]any{x}
	case []any:
		var out []map[string]any
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

// credentialList returns verifiableCredential as a list: an array as it
// is, absent (nil) as empty, anything else as a list of one.
func credentialList(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	}
	return []any{v}
}

func (r *PresentationReport) finish() (*PresentationReport, error) {
	first := reason(r.Checks)
	r.Verified = first == nil
	r.Verdict = VerdictNotVerified
	if r.Verified {
		r.Verdict = VerdictVerified
		for _, c := range r.Credentials {
			if c.Verdict == VerdictRevocationNotChecked {
				r.Verdict = VerdictRevocationNotChecked
			}
		}
		return r, nil
	}
	detail := first.Detail
	if detail == "" {
		detail = first.Message
	}
	return r, fmt.Errorf("%w: %s: %s", ErrNotVerified, first.ID, detail)
}

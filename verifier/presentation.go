package verifier

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/blason-badges/blason/contexts"
	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/dataintegrity"
)

// Presentation check IDs.
const (
	CheckPresentation = "presentation" // the holder's proof: authentication, challenge, domain
	CheckHolder       = "holder"       // holder binding: the presenter is the credentials' subject
	CheckCredentials  = "credentials"  // every credential inside verifies
)

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
	Verified    bool      `json:"verified"`
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
	r := &PresentationReport{}
	for _, id := range []string{CheckParse, CheckContext, CheckType, CheckPresentation, CheckHolder, CheckCredentials} {
		r.Checks = append(r.Checks, Check{ID: id, Outcome: NotRun, Message: id + ".not-run", Required: id != CheckHolder})
	}
	c, err := credential.Parse(data, v.opts.Limits)
	if err != nil {
		r.set(CheckParse, Failed, "parse.invalid", err.Error())
		return r.finish()
	}
	r.set(CheckParse, Passed, "parse.ok", "")
	doc := c.Doc

	// VC Data Model 2.0 §4.3: the first context is the VC base context.
	if list, ok := doc["@context"].([]any); ok && len(list) > 0 && (list[0] == contexts.CredentialsV2 || list[0] == contexts.CredentialsV1) {
		r.set(CheckContext, Passed, "context.ok", "")
	} else if s, ok := doc["@context"].(string); ok && (s == contexts.CredentialsV2 || s == contexts.CredentialsV1) {
		r.set(CheckContext, Passed, "context.ok", "")
	} else {
		r.set(CheckContext, Failed, "context.invalid", "a presentation's first @context must be the W3C credentials context")
	}
	if c.HasType("VerifiablePresentation") {
		r.set(CheckType, Passed, "type.ok", "VerifiablePresentation")
	} else {
		r.set(CheckType, Failed, "type.not-presentation", "type does not include VerifiablePresentation")
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
		r.set(CheckPresentation, Failed, "presentation.unsigned", "the presentation is not signed by its holder")
	case errors.Is(err, dataintegrity.ErrChallenge):
		r.set(CheckPresentation, Failed, "presentation.challenge", err.Error())
	case errors.Is(err, dataintegrity.ErrDomain):
		r.set(CheckPresentation, Failed, "presentation.domain", err.Error())
	case err != nil:
		r.set(CheckPresentation, Failed, "presentation.invalid", err.Error())
	default:
		for _, res := range results {
			if res.Err == nil && res.Key != nil {
				presenter = res.Key.Controller
				break
			}
		}
		detail := "signed by " + presenter
		if opts.Challenge == "" {
			r.set(CheckPresentation, Warning, "presentation.no-challenge", detail+"; no challenge was requested, so it could be a replay")
			r.Check(CheckPresentation).Required = false
		} else {
			r.set(CheckPresentation, Passed, "presentation.ok", detail)
		}
	}
	r.Holder = presenter

	// The credentials inside, each verified in full.
	vcs := asObjects(doc["verifiableCredential"])
	failed := 0
	for _, vc := range vcs {
		cr, _ := v.VerifyDocument(ctx, vc)
		if !cr.Verified {
			failed++
		}
		r.Credentials = append(r.Credentials, cr)
	}
	switch {
	case len(vcs) == 0:
		r.set(CheckCredentials, Failed, "credentials.none", "the presentation carries no credential")
	case failed > 0:
		r.set(CheckCredentials, Failed, "credentials.invalid", fmt.Sprintf("%d of %d credentials did not verify", failed, len(vcs)))
	default:
		r.set(CheckCredentials, Passed, "credentials.ok", fmt.Sprintf("%d credentials verified", len(vcs)))
	}

	// Holder binding: a credential issued to a DID may only be presented by
	// that DID's controller; the presentation's holder, if stated, is the
	// presenter.
	v.checkHolder(r, doc, vcs, presenter)
	return r.finish()
}

func (v *Verifier) checkHolder(r *PresentationReport, doc map[string]any, vcs []map[string]any, presenter string) {
	if presenter == "" {
		r.set(CheckHolder, NotRun, "holder.not-run", "not checked: the presentation proof did not verify")
		r.Check(CheckHolder).Required = true
		return
	}
	if h := holderID(doc["holder"]); h != "" && h != presenter {
		r.set(CheckHolder, Failed, "holder.mismatch", fmt.Sprintf("the presentation names %s as holder but was signed by %s", h, presenter))
		return
	}
	var bound, mismatched []string
	for _, vc := range vcs {
		sid := credential.FromMap(vc).SubjectID()
		if !strings.HasPrefix(sid, "did:") {
			continue
		}
		if sid == presenter {
			bound = append(bound, sid)
		} else {
			mismatched = append(mismatched, sid)
		}
	}
	switch {
	case len(mismatched) > 0:
		r.set(CheckHolder, Failed, "holder.not-subject",
			fmt.Sprintf("presented by %s, but issued to %s", presenter, strings.Join(mismatched, ", ")))
	case len(bound) > 0:
		r.set(CheckHolder, Passed, "holder.ok", "the presenter is the credentials' subject")
	default:
		r.set(CheckHolder, Skipped, "holder.not-applicable", "no credential names its subject by a DID; match the recipient by e-mail instead")
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

func (r *PresentationReport) finish() (*PresentationReport, error) {
	ok := true
	var first *Check
	for i, c := range r.Checks {
		if c.Outcome == Failed || (c.Required && c.Outcome != Passed) {
			ok = false
			if first == nil {
				first = &r.Checks[i]
			}
		}
	}
	r.Verified = ok
	if ok {
		return r, nil
	}
	detail := first.Detail
	if detail == "" {
		detail = first.Message
	}
	return r, fmt.Errorf("%w: %s: %s", ErrNotVerified, first.ID, detail)
}

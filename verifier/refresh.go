package verifier

import (
	"context"

	"github.com/blason-badges/blason/internal/credential"
)

// refreshType is the only refresh service OB 3.0 defines (VCCR 1.0).
const refreshType = "1EdTechCredentialRefresh"

// checkRefresh applies OB 3.0 §9.1 step 3: "If the credential has a
// refreshService with type 1EdTechCredentialRefresh, fetch the refreshed
// credential and repeat steps 1-2 on it; if refresh fails, continue with
// the original. Refresh at most once." It returns the refreshed
// credential's complete report when the refreshed credential verified and
// is the same credential (§10: same issuer id and credential id), else nil
// after recording why the original stands.
func (v *Verifier) checkRefresh(ctx context.Context, c *credential.Credential, r *Report) *Report {
	rs, _ := c.Doc["refreshService"].(map[string]any)
	if rs == nil {
		r.set(CheckRefresh, Skipped, MsgRefreshNone, "the credential has no refreshService")
		return nil
	}
	url, _ := rs["id"].(string)
	if t, _ := rs["type"].(string); t != refreshType || url == "" {
		r.set(CheckRefresh, Skipped, MsgRefreshUnsupported, "refresh service type is not "+refreshType)
		return nil
	}
	if v.opts.Fetcher == nil {
		r.set(CheckRefresh, Skipped, MsgRefreshOffline, "not attempted in offline mode")
		return nil
	}
	original := func(detail string) *Report {
		r.set(CheckRefresh, Warning, MsgRefreshFailed, detail+"; the original credential is shown")
		return nil
	}
	body, err := v.opts.Fetcher.GetJSON(ctx, url, "application/vc+ld+json", "application/ld+json", "application/json")
	if err != nil {
		return original("could not fetch the refreshed credential: " + err.Error())
	}
	rr := newReport()
	nc, err := credential.Parse(body, v.opts.Limits)
	if err != nil {
		return original("the refreshed credential is not readable: " + err.Error())
	}
	rr.set(CheckParse, Passed, MsgParseOK, "")
	// depth 1: the refreshed credential is not refreshed again.
	v.verifyWith(ctx, nc, rr, 1, func() bool { return v.checkProof(ctx, nc, rr) })
	rr.decide()
	switch {
	case !rr.Verified:
		return original("the refreshed credential did not verify")
	case nc.IssuerID() != c.IssuerID() || nc.ID() != c.ID():
		return original("the refresh service returned a different credential")
	}
	rr.set(CheckRefresh, Passed, MsgRefreshOK, "refreshed from "+url)
	rr.RefreshedFrom = url
	return rr
}

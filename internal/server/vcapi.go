package server

import (
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

// readObject reads the request body as one strict JSON object (duplicate
// keys refused) and returns it, or writes the error response and returns
// nil.
func (s *Server) readObject(c *gin.Context) map[string]any {
	b, err := io.ReadAll(c.Request.Body)
	if err != nil {
		readError(c, s.cfg.MaxBody, err)
		return nil
	}
	v, err := credential.ParseJSON(b, credential.Limits{MaxBytes: int(s.cfg.MaxBody)})
	if err != nil {
		problem(c, http.StatusBadRequest, "malformed", "the body is not valid JSON: "+err.Error())
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		problem(c, http.StatusBadRequest, "malformed", "the body must be a JSON object")
		return nil
	}
	return m
}

// member returns body[key] as an object, or writes a 400 naming what is
// wrong (a credential sent as a JSON string is the classic mistake).
func member(c *gin.Context, body map[string]any, key string) map[string]any {
	switch v := body[key].(type) {
	case map[string]any:
		return v
	case nil:
		if _, present := body[key]; present {
			problem(c, http.StatusBadRequest, "malformed", key+" is null")
		} else {
			problem(c, http.StatusBadRequest, "malformed", "the body has no "+key)
		}
	case string:
		problem(c, http.StatusBadRequest, "malformed", key+" must be a JSON object, not a string holding JSON")
	default:
		problem(c, http.StatusBadRequest, "malformed", key+" must be a JSON object")
	}
	return nil
}

// options returns body.options, treating a missing or null one as {}.
// Unknown options are ignored (VC API).
func options(c *gin.Context, body map[string]any) (map[string]any, bool) {
	switch v := body["options"].(type) {
	case nil:
		return map[string]any{}, true
	case map[string]any:
		return v, true
	}
	problem(c, http.StatusBadRequest, "malformed", "options must be a JSON object")
	return nil, false
}

// POST /credentials/issue: {"credential": {...}, "options": {...}} ->
// 201 {"verifiableCredential": {...}}.
func (s *Server) issueCredential(c *gin.Context) {
	if s.cfg.Issuer == nil && s.cfg.Service == nil {
		problem(c, http.StatusNotImplemented, "not-configured", "this server does not issue credentials")
		return
	}
	body := s.readObject(c)
	if body == nil {
		return
	}
	cred := member(c, body, "credential")
	if cred == nil {
		return
	}
	if _, ok := options(c, body); !ok {
		return
	}
	// VC Data Model 2.0 rules (the verifier's data-model check): refused
	// before anything is recorded, with every broken rule named.
	if errs := credential.FromMap(cred).CheckDataModel(); len(errs) > 0 {
		problem(c, http.StatusBadRequest, "vc-data-model", errors.Join(errs...).Error())
		return
	}
	var signed map[string]any
	var err error
	if s.cfg.Service != nil {
		signed, err = s.cfg.Service.SignWithStatus(c.Request.Context(), s.cfg.IssuerID, cred)
	} else {
		signed, err = s.cfg.Issuer.SignCredential(c.Request.Context(), cred)
	}
	switch {
	case errors.Is(err, issuer.ErrNotOurIssuer):
		problem(c, http.StatusBadRequest, "unknown-issuer", err.Error())
	case errors.Is(err, credential.ErrDataModel):
		problem(c, http.StatusBadRequest, "vc-data-model", err.Error())
	case errors.Is(err, issuer.ErrCredential), errors.Is(err, issuer.ErrPreflight):
		problem(c, http.StatusBadRequest, "invalid-credential", err.Error())
	case err != nil:
		_ = c.Error(err)
		problem(c, http.StatusInternalServerError, "internal", "")
	default:
		c.JSON(http.StatusCreated, gin.H{"verifiableCredential": signed})
	}
}

// verificationResult is the VC API's VerificationResult, with Blason's full
// report alongside.
type verificationResult struct {
	Verified bool      `json:"verified"`
	Checks   []string  `json:"checks"`
	Warnings []Problem `json:"warnings"`
	Errors   []Problem `json:"errors"`
	Report   any       `json:"report"`
}

func resultFrom(verified bool, checks []verifier.Check) verificationResult {
	res := verificationResult{Verified: verified, Checks: []string{}, Warnings: []Problem{}, Errors: []Problem{}}
	for _, ch := range checks {
		p := Problem{Type: problemBaseURI + ch.ID, Title: ch.Text(), Detail: ch.Detail}
		switch {
		case ch.Outcome == verifier.Passed:
			res.Checks = append(res.Checks, ch.ID)
		case ch.Outcome == verifier.Failed, ch.Required && ch.Outcome != verifier.Skipped:
			res.Errors = append(res.Errors, p)
		case ch.Outcome == verifier.Warning, ch.Outcome == verifier.Unknown:
			res.Warnings = append(res.Warnings, p)
		}
	}
	return res
}

// statusOf is 200 for verified, 422 for a well-formed request whose
// credential is not verified: a 2xx with verified false would read as
// success to VC API clients.
func statusOf(verified bool) int {
	if verified {
		return http.StatusOK
	}
	return http.StatusUnprocessableEntity
}

// POST /credentials/verify: {"verifiableCredential": {...}, "options": {...}}.
func (s *Server) verifyCredential(c *gin.Context) {
	body := s.readObject(c)
	if body == nil {
		return
	}
	vc := member(c, body, "verifiableCredential")
	if vc == nil {
		return
	}
	if _, ok := options(c, body); !ok {
		return
	}
	report, _ := s.cfg.Verifier.VerifyDocument(c.Request.Context(), vc)
	res := resultFrom(report.Verified, report.Checks)
	res.Report = report
	c.JSON(statusOf(report.Verified), res)
}

// POST /presentations/verify: {"verifiablePresentation": {...},
// "options": {"challenge": "...", "domain": "..."}}.
func (s *Server) verifyPresentation(c *gin.Context) {
	body := s.readObject(c)
	if body == nil {
		return
	}
	vp := member(c, body, "verifiablePresentation")
	if vp == nil {
		return
	}
	opts, ok := options(c, body)
	if !ok {
		return
	}
	challenge, _ := opts["challenge"].(string)
	domain, _ := opts["domain"].(string)
	report, _ := s.cfg.Verifier.VerifyPresentationDocument(c.Request.Context(), vp,
		verifier.PresentationOptions{Challenge: challenge, Domain: domain})
	checks := append([]verifier.Check{}, report.Checks...)
	res := resultFrom(report.Verified, checks)
	res.Report = report
	c.JSON(statusOf(report.Verified), res)
}

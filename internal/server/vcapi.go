package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/dataintegrity"
	"github.com/blason-badges/blason/internal/server/problem"
	"github.com/blason-badges/blason/internal/vcjwt"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

// readObject reads the request body as one strict JSON object (duplicate
// keys refused) and returns it, or writes the error response and returns
// nil.
func (s *Server) readObject(c *gin.Context) map[string]any {
	// A body that trickles in must not hold the connection for the whole
	// ReadTimeout: the body gets BodyTimeout from now. Not every
	// ResponseWriter supports deadlines (httptest's does not); the server's
	// ReadTimeout still bounds those.
	_ = http.NewResponseController(c.Writer).SetReadDeadline(time.Now().Add(s.cfg.BodyTimeout))
	b, err := io.ReadAll(c.Request.Body)
	if err != nil {
		problem.ReadError(c, s.cfg.MaxBody, err)
		return nil
	}
	v, err := credential.ParseJSON(b, credential.Limits{MaxBytes: int(s.cfg.MaxBody)})
	if err != nil {
		problem.Write(c, http.StatusBadRequest, "malformed", "the body is not valid JSON: "+err.Error())
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		problem.Write(c, http.StatusBadRequest, "malformed", "the body must be a JSON object")
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
			problem.Write(c, http.StatusBadRequest, "malformed", key+" is null")
		} else {
			problem.Write(c, http.StatusBadRequest, "malformed", "the body has no "+key)
		}
	case string:
		problem.Write(c, http.StatusBadRequest, "malformed", key+" must be a JSON object, not a string holding JSON")
	default:
		problem.Write(c, http.StatusBadRequest, "malformed", key+" must be a JSON object")
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
	problem.Write(c, http.StatusBadRequest, "malformed", "options must be a JSON object")
	return nil, false
}

// POST /credentials/issue: {"credential": {...}, "options": {...}} ->
// 201 {"verifiableCredential": {...}}.
func (s *Server) issueCredential(c *gin.Context) { s.issueAs(c, formatDI) }

// POST /credentials/issue/vc-jwt: the same request, answered with an
// EnvelopedVerifiableCredential holding a VC-JWT, for clients that choose
// the securing mechanism by endpoint (the W3C VC 2.0 suite's enveloping
// tests do).
func (s *Server) issueCredentialJWT(c *gin.Context) { s.issueAs(c, formatJWT) }

// Securing formats, as options.format names them.
const (
	formatDI  = "ldp_vc"
	formatJWT = "vc+jwt"
)

var formats = map[string]string{
	"ldp_vc": formatDI, "application/vc": formatDI, "application/vc+ld+json": formatDI, "di": formatDI,
	"vc+jwt": formatJWT, "application/vc+jwt": formatJWT, "jwt_vc": formatJWT, "jwt_vc_json": formatJWT, "jwt": formatJWT,
}

func (s *Server) issueAs(c *gin.Context, format string) {
	body := s.readObject(c)
	if body == nil {
		return
	}
	cred := member(c, body, "credential")
	if cred == nil {
		return
	}
	opts, ok := options(c, body)
	if !ok {
		return
	}
	// options.format is honoured or refused, never ignored: an endpoint
	// for one format refuses another.
	if f, has := opts["format"]; has {
		name, _ := f.(string)
		want, known := formats[name]
		switch {
		case !known:
			problem.Write(c, http.StatusBadRequest, "unsupported-format", fmt.Sprintf("options.format %q is not one this server issues: ldp_vc (Data Integrity, eddsa-rdfc-2022) or vc+jwt (VC-JWT)", name))
			return
		case c.FullPath() == "/credentials/issue/vc-jwt" && want != formatJWT:
			problem.Write(c, http.StatusBadRequest, "unsupported-format", fmt.Sprintf("options.format %q: this endpoint issues VC-JWTs; use POST /credentials/issue", name))
			return
		}
		format = want
	}
	// VC Data Model 2.0 rules (the verifier's data-model check): refused
	// before anything is recorded, with every broken rule named.
	if errs := credential.FromMap(cred).CheckDataModel(); len(errs) > 0 {
		problem.Write(c, http.StatusBadRequest, "vc-data-model", errors.Join(errs...).Error())
		return
	}
	// Then what only this server may add (its own proof, status entry and
	// status lists), however it is written.
	if why := signedBlind(cred); why != "" {
		problem.Write(c, http.StatusBadRequest, "invalid-credential", why)
		return
	}
	var signed map[string]any
	var err error
	ctx := c.Request.Context()
	switch {
	case format == formatJWT:
		var jws string
		if s.cfg.Service != nil {
			jws, err = s.cfg.Service.SignWithStatusJWT(ctx, s.cfg.IssuerID, cred)
		} else {
			jws, err = s.cfg.Issuer.SignCredentialJWT(ctx, cred)
		}
		signed = vcjwt.Envelope(jws)
	case s.cfg.Service != nil:
		signed, err = s.cfg.Service.SignWithStatus(ctx, s.cfg.IssuerID, cred)
	default:
		signed, err = s.cfg.Issuer.SignCredential(ctx, cred)
	}
	switch {
	case errors.Is(err, issuer.ErrExists):
		problem.Write(c, http.StatusConflict, "duplicate", "a credential with id "+strconv.Quote(credential.FromMap(cred).ID())+" was already issued; give each credential a new id (or none: one is assigned)")
	case errors.Is(err, issuer.ErrNotOurIssuer):
		problem.Write(c, http.StatusBadRequest, "unknown-issuer", err.Error())
	case errors.Is(err, credential.ErrDataModel):
		problem.Write(c, http.StatusBadRequest, "vc-data-model", err.Error())
	case errors.Is(err, issuer.ErrCredential), errors.Is(err, issuer.ErrPreflight):
		problem.Write(c, http.StatusBadRequest, "invalid-credential", err.Error())
	case err != nil:
		_ = c.Error(err)
		problem.Write(c, http.StatusInternalServerError, "internal", "")
	default:
		c.JSON(http.StatusCreated, gin.H{"verifiableCredential": signed})
	}
}

// verificationResult is the VC API's VerificationResult, with Blason's full
// report alongside.
type verificationResult struct {
	Verified bool              `json:"verified"`
	Checks   []string          `json:"checks"`
	Warnings []problem.Problem `json:"warnings"`
	Errors   []problem.Problem `json:"errors"`
	Report   any               `json:"report"`
}

func resultFrom(verified bool, checks []verifier.Check) verificationResult {
	res := verificationResult{Verified: verified, Checks: []string{}, Warnings: []problem.Problem{}, Errors: []problem.Problem{}}
	for _, ch := range checks {
		p := problem.Problem{Type: problem.BaseURI + ch.ID, Title: ch.Text(), Detail: ch.Detail}
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
	shown, orig := problem.RedactReport(report)
	logRedacted(c, orig)
	res := resultFrom(shown.Verified, shown.Checks)
	res.Report = shown
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
	shown, orig := problem.RedactPresentation(report)
	logRedacted(c, orig)
	res := resultFrom(shown.Verified, shown.Checks)
	res.Report = shown
	c.JSON(statusOf(report.Verified), res)
}

// logRedacted records the details redact took out of a response.
func logRedacted(c *gin.Context, orig []string) {
	for _, d := range orig {
		_ = c.Error(errors.New(d))
	}
}

// statusListType reports whether a credential type (a term or an IRI) is a
// status list credential: Bitstring Status List, StatusList2021 or the
// older RevocationList20xx.
func statusListType(t string) bool {
	switch n := localName(t); {
	case n == "BitstringStatusListCredential", n == "StatusList2021Credential", strings.HasPrefix(n, "RevocationList"):
		return true
	}
	return false
}

// localName is the part of a term or IRI after its last '#', '/' or ':'
// ("https://www.w3.org/2018/credentials#credentialStatus" ->
// "credentialStatus"), so that a property written under its IRI or a
// compact IRI is recognised like its term.
func localName(s string) string {
	if i := strings.LastIndexAny(s, "#/:"); i >= 0 {
		return s[i+1:]
	}
	return s
}

const (
	iriRDFType          = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
	iriCredentialStatus = "<https://www.w3.org/2018/credentials#credentialStatus>"
	iriProof            = "<https://w3id.org/security#proof>"
)

// signedBlind returns why a credential submitted for issuing must not be
// signed as given, or "" (issue 7: "never signed blind"):
//
//   - its own proof: the server signs, it does not countersign;
//   - its own credentialStatus: the entry would not be recorded, so the
//     issuer could never revoke what it signed;
//   - a status list credential type: the server's status lists are its own
//     to sign (an all-zero list signed on request would "un-revoke" every
//     credential it covers).
//
// The JSON keys are checked first (a clear message naming the field), then
// the document's RDF, what the signature will cover: a property written
// under its IRI, a compact IRI or an alias is caught there too.
func signedBlind(cred map[string]any) string {
	for k, v := range cred {
		switch n := localName(k); {
		case n == "proof":
			return "the credential already has a proof (" + k + "): send it unsigned"
		case n == "credentialStatus":
			return "the credential carries its own credentialStatus (" + k + "): remove it; this server adds and records the status entry itself"
		case k == "type" || k == "@type" || n == "type":
			for _, t := range typeValues(v) {
				if statusListType(t) {
					return "the credential's type " + strconv.Quote(t) + " is a status list: this server signs only its own status lists"
				}
			}
		}
	}
	nq, err := dataintegrity.Canonicalize(cred)
	if err != nil {
		return "" // the signer reports the same error, in its words
	}
	for _, line := range strings.Split(string(nq), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		switch {
		case f[1] == iriProof:
			return "the credential already has a proof (under another name): send it unsigned"
		case f[1] == iriCredentialStatus:
			return "the credential carries its own credentialStatus (under another name): remove it"
		case f[1] == iriRDFType && statusListType(strings.Trim(f[2], "<>")):
			return "the credential's type " + f[2] + " is a status list: this server signs only its own status lists"
		}
	}
	return ""
}

func typeValues(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

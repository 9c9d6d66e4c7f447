// Package vcapi is the part of Blason's HTTP server that speaks the W3C
// VC API: issue credentials (Data Integrity or VC-JWT), verify credentials
// and presentations, and change a credential's status. See
// internal/server/part for how a part is mounted.
package vcapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/dataintegrity"
	"github.com/blason-badges/blason/internal/server/part"
	"github.com/blason-badges/blason/internal/server/problem"
	"github.com/blason-badges/blason/internal/vcjwt"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

// member returns body[key] as an object, or writes a 400 naming what is
// wrong (a credential sent as a JSON string is the classic mistake).
func member(c *gin.Context, body map[string]any, key string) map[string]any {
	switch v := body[key].(type) {
	case map[string]any:
		return v
	case nil:
		if _, present := body[key]; present {
			problem.Write(c, http.StatusBadRequest, problem.Malformed, key+" is null")
		} else {
			problem.Write(c, http.StatusBadRequest, problem.Malformed, "the body has no "+key)
		}
	case string:
		problem.Write(c, http.StatusBadRequest, problem.Malformed, key+" must be a JSON object, not a string holding JSON")
	default:
		problem.Write(c, http.StatusBadRequest, problem.Malformed, key+" must be a JSON object")
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
	problem.Write(c, http.StatusBadRequest, problem.Malformed, "options must be a JSON object")
	return nil, false
}

// Config is what the VC API part needs.
type Config struct {
	// Service issues (POST /credentials/issue, /credentials/issue/vc-jwt)
	// and changes status (POST /credentials/status) as IssuerID: issued
	// credentials get a status entry and are recorded. Nil: issuing
	// answers 501 and there is no status route.
	Service  *issuer.Service
	IssuerID string
	// Verifier checks credentials and presentations; required.
	Verifier *verifier.Verifier
}

// API is the VC API part; it implements part.Part.
type API struct {
	sh  part.Shared
	cfg Config
}

// New returns the VC API part.
func New(sh part.Shared, cfg Config) *API { return &API{sh: sh, cfg: cfg} }

// Mount adds the VC API's routes. Every endpoint that signs or changes
// state takes a bearer token with its scope, checked before the body is
// looked at; verifications are admitted (CPU-bound).
func (a *API) Mount(r gin.IRouter) {
	if a.cfg.Service == nil {
		notIssuing := func(c *gin.Context) {
			problem.Write(c, http.StatusNotImplemented, problem.NotConfigured, "this server does not issue credentials")
		}
		r.POST("/credentials/issue", notIssuing)
		r.POST("/credentials/issue/vc-jwt", notIssuing)
	} else {
		r.POST("/credentials/issue", a.sh.Auth(account.ScopeIssue), part.RequireJSON, a.issueCredential)
		r.POST("/credentials/issue/vc-jwt", a.sh.Auth(account.ScopeIssue), part.RequireJSON, a.issueCredentialJWT)
		r.POST("/credentials/status", a.sh.Auth(account.ScopeStatus), part.RequireJSON, a.updateStatus)
	}
	r.POST("/credentials/verify", a.sh.Admit, part.RequireJSON, a.verifyCredential)
	r.POST("/presentations/verify", a.sh.Admit, part.RequireJSON, a.verifyPresentation)
}

// POST /credentials/issue: {"credential": {...}, "options": {...}} ->
// 201 {"verifiableCredential": {...}}.
func (a *API) issueCredential(c *gin.Context) { a.issueAs(c, formatDI) }

// POST /credentials/issue/vc-jwt: the same request, answered with an
// EnvelopedVerifiableCredential holding a VC-JWT, for clients that choose
// the securing mechanism by endpoint (the W3C VC 2.0 suite's enveloping
// tests do).
func (a *API) issueCredentialJWT(c *gin.Context) { a.issueAs(c, formatJWT) }

// Securing formats, as options.format names them.
const (
	formatDI  = "ldp_vc"
	formatJWT = "vc+jwt"
)

var formats = map[string]string{
	"ldp_vc": formatDI, "application/vc": formatDI, "application/vc+ld+json": formatDI, "di": formatDI,
	"vc+jwt": formatJWT, "application/vc+jwt": formatJWT, "jwt_vc": formatJWT, "jwt_vc_json": formatJWT, "jwt": formatJWT,
}

// issueAs issues in the endpoint's format, or the one options.format names
// where the endpoint allows it.
func (a *API) issueAs(c *gin.Context, endpoint string) {
	format := endpoint
	body := a.sh.ReadObject(c)
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
			problem.Write(c, http.StatusBadRequest, problem.UnsupportedFormat, fmt.Sprintf("options.format %q is not one this server issues: ldp_vc (Data Integrity, eddsa-rdfc-2022) or vc+jwt (VC-JWT)", name))
			return
		case endpoint == formatJWT && want != formatJWT:
			problem.Write(c, http.StatusBadRequest, problem.UnsupportedFormat, fmt.Sprintf("options.format %q: this endpoint issues VC-JWTs; use POST /credentials/issue", name))
			return
		}
		format = want
	}
	// VC Data Model 2.0 rules (the verifier's data-model check): refused
	// before anything is recorded, with every broken rule named.
	if errs := credential.FromMap(cred).CheckDataModel(); len(errs) > 0 {
		problem.Write(c, http.StatusBadRequest, problem.VCDataModel, errors.Join(errs...).Error())
		return
	}
	// Then what only this server may add (its own proof, status entry and
	// status lists), however it is written.
	if why := signedBlind(cred); why != "" {
		problem.Write(c, http.StatusBadRequest, problem.InvalidCredential, why)
		return
	}
	var signed any
	var err error
	ctx := c.Request.Context()
	if format == formatJWT {
		var jws string
		jws, err = a.cfg.Service.SignWithStatusJWT(ctx, a.cfg.IssuerID, cred)
		signed = vcjwt.Envelope(jws)
	} else {
		// The bytes the issuer verified and recorded, sent as they are.
		var b []byte
		b, err = a.cfg.Service.SignWithStatus(ctx, a.cfg.IssuerID, cred)
		signed = json.RawMessage(b)
	}
	switch {
	case errors.Is(err, issuer.ErrExists):
		problem.Error(c, err, "a credential with id "+strconv.Quote(credential.FromMap(cred).ID())+" was already issued; give each credential a new id (or none: one is assigned)")
	case err != nil:
		problem.Error(c, err, "")
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
	res := verificationResult{Verified: verified, Checks: make([]string, 0, len(checks)), Warnings: []problem.Problem{}, Errors: []problem.Problem{}}
	// The problem of a check is built only for the errors and warnings
	// (its title and type cost two allocations, for every passed check
	// before).
	asProblem := func(ch verifier.Check) problem.Problem {
		return problem.Problem{Type: problem.BaseURI + ch.ID, Title: ch.Text(), Detail: ch.Detail}
	}
	for _, ch := range checks {
		switch {
		case ch.Outcome == verifier.Passed:
			res.Checks = append(res.Checks, ch.ID)
		case ch.Outcome == verifier.Failed, ch.Required && ch.Outcome != verifier.Skipped:
			res.Errors = append(res.Errors, asProblem(ch))
		case ch.Outcome == verifier.Warning, ch.Outcome == verifier.Unknown:
			res.Warnings = append(res.Warnings, asProblem(ch))
		}
	}
	return res
}

// writeResult answers with res as JSON, encoded once into a pooled buffer
// and written in one call (gin's c.JSON marshals into a new slice each
// time).
func writeResult(w http.ResponseWriter, status int, res verificationResult) {
	buf := resultBufs.Get().(*bytes.Buffer)
	defer func() {
		// A buffer grown by a huge report is left to the GC rather than
		// kept for ever.
		if buf.Cap() <= maxPooledResult {
			resultBufs.Put(buf)
		}
	}()
	buf.Reset()
	if err := json.NewEncoder(buf).Encode(res); err != nil {
		// A report is strings, booleans and numbers: this does not happen.
		problem.WriteHTTP(w, http.StatusInternalServerError, problem.Internal, "", nil)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

var resultBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledResult is the largest buffer kept for the next answer: far
// above a typical report (about 2 KiB), far below the largest.
const maxPooledResult = 64 << 10

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
func (a *API) verifyCredential(c *gin.Context) {
	body := a.sh.ReadObject(c)
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
	report, _ := a.cfg.Verifier.VerifyDocument(c.Request.Context(), vc)
	shown, orig := problem.RedactReport(report)
	logRedacted(c, orig)
	res := resultFrom(shown.Verified, shown.Checks)
	res.Report = shown
	writeResult(c.Writer, statusOf(report.Verified), res)
}

// POST /presentations/verify: {"verifiablePresentation": {...},
// "options": {"challenge": "...", "domain": "..."}}.
func (a *API) verifyPresentation(c *gin.Context) {
	body := a.sh.ReadObject(c)
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
	report, _ := a.cfg.Verifier.VerifyPresentationDocument(c.Request.Context(), vp,
		verifier.PresentationOptions{Challenge: challenge, Domain: domain})
	shown, orig := problem.RedactPresentation(report)
	logRedacted(c, orig)
	res := resultFrom(shown.Verified, shown.Checks)
	res.Report = shown
	writeResult(c.Writer, statusOf(report.Verified), res)
}

// WriteResult answers a verification made elsewhere (the /verify page, for
// JSON clients) exactly as POST /credentials/verify and
// /presentations/verify do: report is a *verifier.Report or a
// *verifier.PresentationReport, redacted like the API's; logRedacted
// receives what redaction took out.
func WriteResult(w http.ResponseWriter, verified bool, checks []verifier.Check, report any, logRedacted func(string)) {
	var orig []string
	switch r := report.(type) {
	case *verifier.Report:
		report, orig = problem.RedactReport(r)
	case *verifier.PresentationReport:
		report, orig = problem.RedactPresentation(r)
	}
	checks, _ = problem.RedactChecks(checks)
	for _, d := range orig {
		logRedacted(d)
	}
	res := resultFrom(verified, checks)
	res.Report = report
	writeResult(w, statusOf(verified), res)
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
			for _, t := range credential.TypesOf(v) {
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

package web

import (
	"encoding/base64"
	"errors"
	"html/template"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/blason-badges/blason/internal/i18n"
	"github.com/blason-badges/blason/internal/input"
	"github.com/blason-badges/blason/internal/server/problem"
	"github.com/blason-badges/blason/verifier"
)

// GET /verify is the page; GET /verify?url=... opens straight on the report
// of a hosted badge (a link or a QR code can point there).
func (h *Handler) verifyPage(w http.ResponseWriter, r *http.Request) {
	if u := r.URL.Query().Get("url"); u != "" {
		h.verifyURL(w, r, u, "")
		return
	}
	l := h.lang(w, r)
	if wantsJSON(r) && h.cfg.Problem != nil {
		h.cfg.Problem(w, http.StatusBadRequest, problem.Malformed, "give a credential: POST /verify with a multipart field \"file\" or a form field \"credential\", or GET /verify?url=")
		return
	}
	h.render(w, http.StatusOK, "verify.html", newPage(l, r, i18n.T(l, "verify.title")))
}

// POST /verify takes a multipart field "file", or a form field "credential"
// (pasted JSON or JWT), or a form field "url"; "email" optionally names the
// recipient to confirm.
func (h *Handler) verifyPost(w http.ResponseWriter, r *http.Request) {
	l := h.lang(w, r)
	r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxUpload)
	var data []byte
	var image []byte
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(h.cfg.MaxUpload); err != nil {
			h.inputError(w, r, l, err)
			return
		}
		if f, _, err := r.FormFile("file"); err == nil {
			data, err = readAll(f)
			if err != nil {
				h.inputError(w, r, l, err)
				return
			}
		} else if !errors.Is(err, http.ErrMissingFile) {
			h.inputError(w, r, l, err)
			return
		}
	} else if err := r.ParseForm(); err != nil {
		h.inputError(w, r, l, err)
		return
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	if len(data) == 0 {
		data = []byte(r.PostFormValue("credential"))
	}

	if len(strings.TrimSpace(string(data))) == 0 {
		if u := strings.TrimSpace(r.PostFormValue("url")); u != "" {
			h.verifyURL(w, r, u, email)
			return
		}
		h.inputError(w, r, l, errNothing)
		return
	}
	cred, kind, err := input.Read(data, h.cfg.Extract)
	if err != nil {
		h.unreadable(w, r, l, err)
		return
	}
	if kind == input.Image {
		image = data
	}
	h.report(w, r, l, cred, kind, image, email, form{})
}

var errNothing = errors.New("nothing to verify")

func readAll(f multipart.File) ([]byte, error) {
	defer f.Close()
	return io.ReadAll(f)
}

func (h *Handler) verifyURL(w http.ResponseWriter, r *http.Request, raw, email string) {
	l := h.lang(w, r)
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || h.cfg.Fetch == nil {
		h.renderForm(w, r, l, http.StatusBadRequest, i18n.T(l, "verify.fetch-failed"), form{URL: raw})
		return
	}
	data, err := h.cfg.Fetch(r.Context(), u.String())
	if err != nil {
		h.cfg.Logger.Info("verify by address: fetch failed", "url", u.String(), "error", err)
		if wantsJSON(r) && h.cfg.Problem != nil {
			h.cfg.Problem(w, http.StatusBadGateway, problem.FetchFailed, "the credential could not be fetched from that address")
			return
		}
		h.renderForm(w, r, l, http.StatusBadGateway, i18n.T(l, "verify.fetch-failed"), form{URL: raw})
		return
	}
	cred, kind, err := input.Read(data, h.cfg.Extract)
	if err != nil {
		h.unreadable(w, r, l, err)
		return
	}
	var image []byte
	if kind == input.Image {
		image = data
	}
	h.report(w, r, l, cred, kind, image, email, form{URL: raw})
}

func (h *Handler) inputError(w http.ResponseWriter, r *http.Request, l i18n.Lang, err error) {
	// The server's one mapping says which errors are "too large"; any
	// other failure to read the upload is the client's (400).
	status, kind, msg := http.StatusBadRequest, problem.Malformed, i18n.T(l, "verify.nothing")
	if s, k := problem.Of(err); s == http.StatusRequestEntityTooLarge {
		status, kind, msg = s, k, i18n.T(l, "verify.too-large", h.cfg.MaxUpload>>20)
	}
	if wantsJSON(r) && h.cfg.Problem != nil {
		h.cfg.Problem(w, status, kind, msg)
		return
	}
	h.renderForm(w, r, l, status, msg, form{})
}

// unreadable: "could not read this" is its own answer, never "not verified".
func (h *Handler) unreadable(w http.ResponseWriter, r *http.Request, l i18n.Lang, err error) {
	if wantsJSON(r) && h.cfg.Problem != nil {
		h.cfg.Problem(w, http.StatusBadRequest, problem.Malformed, err.Error())
		return
	}
	p := newPage(l, r, i18n.T(l, "verify.report-title"))
	p.Report = &reportView{State: "unreadable", Headline: i18n.T(l, "verdict.unreadable"), Text: i18n.T(l, "verdict.unreadable.text")}
	h.render(w, http.StatusUnprocessableEntity, "verify.html", p)
}

func (h *Handler) renderForm(w http.ResponseWriter, r *http.Request, l i18n.Lang, status int, msg string, f form) {
	p := newPage(l, r, i18n.T(l, "verify.title")).withError(msg)
	p.Form = f
	h.render(w, status, "verify.html", p)
}

func (h *Handler) report(w http.ResponseWriter, r *http.Request, l i18n.Lang, cred []byte, kind input.Kind, image []byte, email string, f form) {
	v := h.cfg.Verifier
	if email != "" {
		v = v.WithRecipient(&verifier.Recipient{IdentityType: "emailAddress", Value: email})
	}
	ctx := r.Context()
	p := newPage(l, r, i18n.T(l, "verify.report-title"))
	p.Form = f
	status := http.StatusOK
	if input.IsPresentation(cred) {
		rep, _ := v.VerifyPresentation(ctx, cred, verifier.PresentationOptions{})
		if wantsJSON(r) && h.cfg.JSON != nil {
			h.cfg.JSON(w, rep.Verified, rep.Checks, rep)
			return
		}
		p.Report = h.presentationView(l, rep)
	} else {
		rep, _ := v.Verify(ctx, cred)
		if wantsJSON(r) && h.cfg.JSON != nil {
			h.cfg.JSON(w, rep.Verified, rep.Checks, rep)
			return
		}
		p.Report = h.credentialView(l, rep, image)
	}
	p.Report.CheckedAt = i18n.T(l, "verify.checked-at", i18n.DateTime(l, h.cfg.Now()))
	p.Report.Kind = string(kind)
	if kind != input.Image && len(cred) <= 1<<20 {
		p.Report.Credential = string(cred)
	}
	p.Report.Email = email
	if !p.Report.Verified {
		status = http.StatusUnprocessableEntity
	}
	h.render(w, status, "verify.html", p)
}

func wantsJSON(r *http.Request) bool {
	a := r.Header.Get("Accept")
	return strings.Contains(a, "application/json") && !strings.Contains(a, "text/html")
}

// reportView is the report as a person reads it: the verdict first, the
// badge as a certificate, who the issuer is, then every check.
type reportView struct {
	State              string // valid, unchecked, expired, notyet, revoked, suspended, forged, unknown, invalid, recipient, unreadable
	Headline, Text     string
	Todo               string
	Why                string // for an unreadable input: what the parser said
	Verified           bool
	Genuine            bool // the signature and the issuer's key checked out
	Badge              badgeView
	Issuer             issuerView
	Checks             []checkView
	Credentials        []*reportView // inside a presentation
	Presenter          string
	CheckedAt          string
	Kind               string
	Older              string // set for an Open Badges 2.0 badge
	Credential         string // the text verified, to confirm a recipient without uploading again
	Email              string
	RecipientHashed    bool
	RecipientChecked   bool
	RecipientConfirmed bool
}

type badgeView struct {
	Name, Achievement, Description, Criteria string
	Image                                    template.URL // data: URIs only: no third-party request
	ImageAlt                                 string
	IssuerName, IssuerID                     string
	Recipient                                string
	ValidFrom, ValidUntil                    string
}

type issuerView struct {
	Claims, Proven string
	Trust          string
	Known          bool
	Anonymous      bool
}

type checkView struct {
	ID, Title, Outcome, OutcomeText, Text, Detail string
}

func (h *Handler) credentialView(l i18n.Lang, rep *verifier.Report, image []byte) *reportView {
	v := h.certificateView(l, rep, image)
	v.Checks = h.checkViews(l, rep.Checks)
	return v
}

// headlines are the verdict texts' keys by state.
var headlines = map[string]string{"valid": "verdict.valid", "unchecked": "verdict.unchecked", "expired": "verdict.expired",
	"notyet": "verdict.notyet", "revoked": "verdict.revoked", "suspended": "verdict.suspended", "forged": "verdict.forged",
	"unknown": "verdict.unknown", "invalid": "verdict.invalid", "unreadable": "verdict.unreadable"}

// certificateView is credentialView without the list of checks: what a
// page showing only the certificate needs (the share page).
func (h *Handler) certificateView(l i18n.Lang, rep *verifier.Report, image []byte) *reportView {
	v := &reportView{Verified: rep.Verified}
	by := func(id string) *verifier.Check {
		if c := rep.Check(id); c != nil {
			return c
		}
		return &verifier.Check{}
	}
	proof, key := by(verifier.CheckProof), by(verifier.CheckIssuerKey)
	v.Genuine = proof.Outcome == verifier.Passed && key.Outcome == verifier.Passed
	status, validity := by(verifier.CheckStatus), by(verifier.CheckValidity)
	failedContent := false
	for _, id := range []string{verifier.CheckContext, verifier.CheckType, verifier.CheckSchema, verifier.CheckSubject} {
		if by(id).Outcome == verifier.Failed {
			failedContent = true
		}
	}
	state := "valid"
	switch {
	case by(verifier.CheckParse).Outcome == verifier.Failed:
		// Not a credential this verifier can read (too large, duplicate
		// keys, a JWT that does not decode): nothing was verified, and
		// nothing says it is forged either.
		state = "unreadable"
		v.Why = by(verifier.CheckParse).Detail
		if h.cfg.Detail != nil {
			v.Why = h.cfg.Detail(v.Why)
		}
	case proof.Outcome == verifier.Unknown, key.Outcome == verifier.Unknown:
		state = "unknown"
	case proof.Outcome != verifier.Passed || key.Outcome == verifier.Failed:
		state = "forged"
	case status.Message == verifier.MsgStatusRevoked:
		state = "revoked"
	case status.Message == verifier.MsgStatusSuspended:
		state = "suspended"
	case failedContent:
		state = "invalid"
	case validity.Message == verifier.MsgValidityExpired:
		state = "expired"
	case validity.Message == "validity.not-yet-valid":
		state = "notyet"
	case !rep.Verified:
		state = "invalid"
	case rep.Verdict == verifier.VerdictRevocationNotChecked:
		state = "unchecked"
	}
	v.State = state
	headline := headlines[state]
	v.Headline, v.Text = i18n.T(l, headline), i18n.T(l, headline+".text")
	if todo := "todo." + state; i18n.Has(todo) {
		v.Todo = i18n.T(l, todo)
	}

	s := rep.Credential
	v.Badge = badgeView{Name: s.Name, Achievement: s.Achievement, Description: firstNonEmpty(s.AchievementDescription, s.Description),
		Criteria: s.Criteria, IssuerName: s.IssuerName, IssuerID: s.IssuerID}
	if v.Badge.Achievement == v.Badge.Name {
		v.Badge.Achievement = ""
	}
	v.Badge.Image = dataImage(s.Image)
	if len(image) > 0 && len(image) <= 4<<20 {
		v.Badge.Image = dataImage(imageURI(image))
	}
	v.Badge.ImageAlt = i18n.T(l, "badge.image-alt", firstNonEmpty(s.Achievement, s.Name))
	switch {
	case s.RecipientName != "":
		v.Badge.Recipient = s.RecipientName
	case s.RecipientID != "":
		v.Badge.Recipient = s.RecipientID
	case s.RecipientHashed:
		v.Badge.Recipient = i18n.T(l, "badge.recipient-hashed")
	}
	v.RecipientHashed = s.RecipientHashed
	if rc := by(verifier.CheckRecipient); rc.Outcome == verifier.Passed || rc.Outcome == verifier.Failed {
		v.RecipientChecked, v.RecipientConfirmed = true, rc.Outcome == verifier.Passed
	}
	if t, err := time.Parse(time.RFC3339, s.ValidFrom); err == nil {
		v.Badge.ValidFrom = i18n.Date(l, t)
	}
	if t, err := time.Parse(time.RFC3339, s.ValidUntil); err == nil {
		v.Badge.ValidUntil = i18n.Date(l, t)
	}
	if strings.HasPrefix(rep.Format, "ob2") {
		v.Older = i18n.T(l, "badge.format-ob2")
	}
	v.Issuer = h.issuerView(l, rep, v.Genuine)
	return v
}

// issuerView separates what the issuer claims (its name) from what is
// proven: whose key signed it.
func (h *Handler) issuerView(l i18n.Lang, rep *verifier.Report, genuine bool) issuerView {
	s := rep.Credential
	name := firstNonEmpty(s.IssuerName, i18n.T(l, "issuer.name-unknown"))
	iv := issuerView{Claims: i18n.T(l, "issuer.claims", name)}
	if !genuine {
		iv.Proven = i18n.T(l, "issuer.unproven")
		return iv
	}
	id := s.IssuerID
	proof := rep.Proven()
	iv.Proven = proof.Text(l)
	iv.Anonymous = proof.Kind == verifier.ProvenAnonymous
	if _, ok := h.cfg.Known[id]; ok {
		iv.Known, iv.Trust = true, i18n.T(l, "issuer.known")
	} else {
		iv.Trust = i18n.T(l, "issuer.unknown")
	}
	return iv
}

func (h *Handler) presentationView(l i18n.Lang, rep *verifier.PresentationReport) *reportView {
	v := &reportView{Verified: rep.Verified, Presenter: rep.Holder, Genuine: rep.Verified}
	// The presentation's own checks decide first; then the worst of the
	// badges inside (a revoked badge makes a revoked presentation, one that
	// could not be checked is not called forged).
	v.State = "valid"
	worst := len(severity)
	for _, c := range rep.Credentials {
		cv := h.credentialView(l, c, nil)
		v.Credentials = append(v.Credentials, cv)
		if i := slices.Index(severity, cv.State); i >= 0 && i < worst {
			worst = i
		}
	}
	if worst < len(severity) {
		v.State = severity[worst]
	}
	for _, c := range rep.Checks {
		switch {
		case c.ID == verifier.CheckCredentials: // the badges' own states said it
		case c.Outcome == verifier.Failed:
			v.State = "forged"
		case c.Outcome == verifier.Unknown && v.State != "forged":
			v.State = "unknown"
		}
	}
	if !rep.Verified && (v.State == "valid" || v.State == "unchecked") {
		v.State = "invalid" // fail closed: never a better word than the verdict
	}
	headline := "verdict." + v.State
	v.Headline, v.Text = i18n.T(l, headline), i18n.T(l, "verify.presentation", len(rep.Credentials), firstNonEmpty(rep.Holder, "?"))
	if len(rep.Credentials) == 0 {
		v.Text = i18n.T(l, "verify.presentation-none", firstNonEmpty(rep.Holder, "?"))
	}
	if todo := "todo." + v.State; i18n.Has(todo) {
		v.Todo = i18n.T(l, todo)
	}
	v.Checks = h.checkViews(l, rep.Checks)
	return v
}

// severity orders a badge's states, worst first.
var severity = []string{"unreadable", "forged", "revoked", "suspended", "invalid", "expired", "notyet", "unknown", "unchecked", "valid"}

func (h *Handler) checkViews(l i18n.Lang, checks []verifier.Check) []checkView {
	out := make([]checkView, 0, len(checks))
	for _, c := range checks {
		text := i18n.T(l, c.Message)
		if strings.HasSuffix(c.Message, ".not-run") || !i18n.Has(c.Message) {
			text = i18n.T(l, "check.not-run")
		}
		// Technical detail is for what went wrong or could not be checked:
		// a person has no use for it on a passed check.
		detail := c.Detail
		if c.Outcome == verifier.Passed || c.Outcome == verifier.Skipped {
			detail = ""
		}
		if detail != "" && h.cfg.Detail != nil {
			detail = h.cfg.Detail(detail) // only what is shown is redacted
		}
		out = append(out, checkView{ID: c.ID, Title: i18n.T(l, "check."+c.ID), Outcome: c.Outcome.String(),
			OutcomeText: i18n.T(l, "outcome."+c.Outcome.String()), Text: text, Detail: detail})
	}
	return out
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

var dataURI = regexp.MustCompile(`^data:image/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/]+=*$`)

// dataImage admits only an inline image (a data: URI of an image type, in
// base64): an image at a URL would be fetched by the reader's browser from
// a third party, telling it who looks at the badge.
func dataImage(s string) template.URL {
	if len(s) > 6<<20 || !dataURI.MatchString(s) {
		return ""
	}
	return template.URL(s) // the pattern admits nothing a URL could execute
}

func imageURI(b []byte) string {
	mime := "image/png"
	if !strings.HasPrefix(string(b), "\x89PNG") {
		mime = "image/svg+xml"
	}
	return "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(b)
}

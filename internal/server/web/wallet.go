package web

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/blason-badges/blason/internal/bake"
	"github.com/blason-badges/blason/internal/i18n"
	"github.com/blason-badges/blason/verifier"
	"github.com/blason-badges/blason/wallet"
)

// The wallet pages: the learner's badges (list, import, one badge with
// its share links and downloads, present) and the public share page.

// WalletRoutes are the method and path patterns the wallet pages serve
// (the server routes them here; gin syntax for parameters).
var WalletRoutes = [][2]string{
	{"GET", "/wallet"}, {"POST", "/wallet/import"}, {"GET", "/wallet/c/:id"}, {"POST", "/wallet/c/:id/share"},
	{"POST", "/wallet/c/:id/delete"}, {"GET", "/wallet/c/:id/download"}, {"POST", "/wallet/present"},
	{"POST", "/wallet/shares/:token/revoke"}, {"GET", "/s/:token"}, {"POST", "/s/:token"},
}

// RecheckAfter is how old a badge's last verification may be when its
// owner opens it before it is verified again.
const RecheckAfter = 10 * time.Minute

func (h *Handler) walletOn() bool { return h.cfg.Wallet != nil && h.cfg.Users != nil }

func (h *Handler) mountWallet() {
	if !h.walletOn() {
		return
	}
	h.mux.HandleFunc("GET /wallet", h.walletPage)
	h.mux.HandleFunc("POST /wallet/import", h.walletImport)
	h.mux.HandleFunc("GET /wallet/c/{id}", h.badgePage)
	h.mux.HandleFunc("POST /wallet/c/{id}/share", h.badgeShare)
	h.mux.HandleFunc("POST /wallet/c/{id}/delete", h.badgeDelete)
	h.mux.HandleFunc("GET /wallet/c/{id}/download", h.badgeDownload)
	h.mux.HandleFunc("POST /wallet/present", h.walletPresent)
	h.mux.HandleFunc("POST /wallet/c/{id}/refresh", h.badgeRefresh)
	h.mux.HandleFunc("POST /wallet/shares/{token}/revoke", h.shareRevoke)
	h.mux.HandleFunc("GET /s/{token}", h.sharePage)
	h.mux.HandleFunc("POST /s/{token}", h.sharePage)
}

type walletData struct {
	Badges []badgeCard
	Badge  *badgeCard
	Shares []shareView
	Report *reportView
	VP     string
	// Refresh: the badge names a refresh service (a button asks it).
	Refresh bool
	// Sent is the verifier's answer to the presentation posted to it.
	Sent *sentView
	// CanBake is the image format a download offers ("png" or "svg"):
	// the image it came in, or the one it carries; empty: none.
	CanBake string
	// Holder is the learner's holder DID (what an issuer binds a badge to).
	Holder string
}

type sentView struct {
	URL    string
	Status int
	Body   string
}

type badgeCard struct {
	ID, Name, Issuer, Verdict, State, Added, Warning, Format string
	Image                                                    template.URL
	Insisted                                                 bool
}

type shareView struct {
	Token, URL, Expires, State, LinkedIn string
	QR                                   template.URL
	QRSize                               int // the image's pixels: shown unscaled
	Views                                []viewRow
}

type viewRow struct{ At, Viewer string }

func (h *Handler) card(l i18n.Lang, c *wallet.Credential) badgeCard {
	state := "valid"
	switch {
	case !c.Verified:
		state = "invalid"
	case c.Verdict != "verified":
		state = "unchecked"
	}
	bc := badgeCard{ID: c.ID, Name: c.Name, Issuer: firstNonEmpty(c.IssuerName, c.IssuerID), Verdict: i18n.T(l, "wallet.verdict."+state),
		State: state, Added: i18n.Date(l, c.AddedAt), Format: c.Format, Insisted: c.Insisted}
	if c.Warning != "" {
		bc.Warning = i18n.T(l, c.Warning)
	}
	// Only an image carried in the badge (a data: URI) is shown: a link
	// elsewhere would make the page fetch from another site.
	bc.Image = dataImage(c.ImageURL)
	return bc
}

// signedIn returns the wallet page's base, or redirects to sign in.
func (h *Handler) signedIn(w http.ResponseWriter, r *http.Request, title string) (*acctPage, i18n.Lang, bool) {
	p, l := h.acct(w, r, title)
	if p.User == nil {
		// A form's post comes back to the wallet; a page, to itself.
		h.toSignIn(w, r, l, "/wallet?lang="+string(l))
		return nil, l, false
	}
	return p, l, true
}

func (h *Handler) walletPage(w http.ResponseWriter, r *http.Request) {
	p, l, ok := h.signedIn(w, r, "wallet.title")
	if !ok {
		return
	}
	h.renderWallet(w, r, p, l, http.StatusOK)
}

func (h *Handler) renderWallet(w http.ResponseWriter, r *http.Request, p *acctPage, l i18n.Lang, status int) {
	list, err := h.cfg.Wallet.Credentials(r.Context(), p.User.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d := &walletData{Badges: make([]badgeCard, len(list))}
	// The holder DID, made on first use: an issuer binds badges to it.
	if hk, err := h.cfg.Wallet.Holder(r.Context(), p.User.ID); err == nil {
		d.Holder = hk.DID
	} else {
		h.cfg.Logger.Error("holder key", "user", p.User.ID, "error", err)
	}
	for i, c := range list {
		d.Badges[i] = h.card(l, c)
	}
	p.Data = d
	h.renderAcct(w, status, "wallet-list.html", p)
}

func (h *Handler) walletImport(w http.ResponseWriter, r *http.Request) {
	p, l, ok := h.signedIn(w, r, "wallet.title")
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxUpload)
	var data []byte
	source := "paste"
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			p.Error = i18n.T(l, "wallet.error.too-large")
			h.renderWallet(w, r, p, l, http.StatusRequestEntityTooLarge)
			return
		}
		p.Error = i18n.T(l, "wallet.error.unreadable")
		h.renderWallet(w, r, p, l, http.StatusBadRequest)
		return
	}
	if f, hdr, err := r.FormFile("file"); err == nil {
		data, err = io.ReadAll(f)
		f.Close()
		if err != nil {
			p.Error = i18n.T(l, "wallet.error.too-large")
			h.renderWallet(w, r, p, l, http.StatusRequestEntityTooLarge)
			return
		}
		source = "upload:" + hdr.Filename
	}
	if len(data) == 0 {
		data = []byte(r.PostFormValue("credential"))
	}
	if len(data) == 0 && r.PostFormValue("url") != "" && h.cfg.Fetch != nil {
		u := r.PostFormValue("url")
		b, err := h.cfg.Fetch(r.Context(), u)
		if err != nil {
			p.Error = i18n.T(l, "wallet.error.fetch")
			h.renderWallet(w, r, p, l, http.StatusBadGateway)
			return
		}
		data, source = b, "url:"+u
	}
	res, err := h.cfg.Wallet.ImportCredential(r.Context(), p.User.ID, wallet.Import{Data: data, Source: source,
		Insist: r.PostFormValue("insist") == "on", Email: p.User.Email})
	if err != nil {
		status := http.StatusBadRequest
		switch {
		case errors.Is(err, wallet.ErrNotVerified):
			p.Error = i18n.T(l, "wallet.error.not-verified")
			if res != nil && res.Verification.Revoked {
				p.Error = i18n.T(l, "wallet.error.revoked")
			}
			status = http.StatusUnprocessableEntity
		case errors.Is(err, wallet.ErrDuplicate):
			p.Error, status = i18n.T(l, "wallet.error.duplicate"), http.StatusConflict
		case errors.Is(err, wallet.ErrOlderVersion):
			p.Error, status = i18n.T(l, "wallet.error.older"), http.StatusConflict
		case errors.Is(err, wallet.ErrTooLarge):
			p.Error, status = i18n.T(l, "wallet.error.too-large"), http.StatusRequestEntityTooLarge
		case errors.Is(err, wallet.ErrPresentationGiven):
			p.Error = i18n.T(l, "wallet.error.presentation")
		case errors.Is(err, wallet.ErrUnreadable):
			p.Error = i18n.T(l, "wallet.error.unreadable")
		default:
			h.serverError(w, r, err)
			return
		}
		h.renderWallet(w, r, p, l, status)
		return
	}
	http.Redirect(w, r, "/wallet/c/"+res.Credential.ID+"?lang="+string(l), http.StatusSeeOther)
}

func (h *Handler) badgePage(w http.ResponseWriter, r *http.Request) {
	p, l, ok := h.signedIn(w, r, "wallet.title")
	if !ok {
		return
	}
	h.renderBadge(w, r, p, l, r.PathValue("id"), walletData{})
}

// badgeRefresh asks the badge's refresh service for its current version
// (wallet.Service.Refresh) and shows the badge, replaced or not, with a
// word on what happened.
func (h *Handler) badgeRefresh(w http.ResponseWriter, r *http.Request) {
	p, l, ok := h.signedIn(w, r, "wallet.title")
	if !ok {
		return
	}
	id := r.PathValue("id")
	res, err := h.cfg.Wallet.Refresh(r.Context(), p.User.ID, id, h.cfg.Fetch)
	status := http.StatusOK
	switch {
	case err == nil:
		// The current version has its own id: show it.
		id, p.Notice = res.Credential.ID, i18n.T(l, "wallet.refresh.done")
	case errors.Is(err, wallet.ErrNotFound):
		h.errorPage(w, r, http.StatusNotFound, "error.not-found")
		return
	case errors.Is(err, wallet.ErrDuplicate), errors.Is(err, wallet.ErrOlderVersion):
		p.Notice = i18n.T(l, "wallet.refresh.same")
	case errors.Is(err, wallet.ErrNoRefresh):
		p.Error, status = i18n.T(l, "wallet.refresh.none"), http.StatusUnprocessableEntity
	case errors.Is(err, wallet.ErrRefreshMismatch):
		p.Error, status = i18n.T(l, "wallet.refresh.mismatch"), http.StatusBadGateway
	case errors.Is(err, wallet.ErrRefreshFailed):
		p.Error, status = i18n.T(l, "wallet.refresh.failed"), http.StatusBadGateway
	default:
		h.serverError(w, r, err)
		return
	}
	if err != nil && !errors.Is(err, wallet.ErrDuplicate) && !errors.Is(err, wallet.ErrOlderVersion) {
		h.cfg.Logger.Info("refresh badge", "badge", id, "error", err)
	}
	h.renderBadgeStatus(w, r, p, l, id, walletData{}, status)
}

func (h *Handler) renderBadge(w http.ResponseWriter, r *http.Request, p *acctPage, l i18n.Lang, id string, extra walletData) {
	h.renderBadgeStatus(w, r, p, l, id, extra, http.StatusOK)
}

// renderBadgeStatus shows the badge page; extra carries what an action
// adds (the signed presentation, the verifier's answer).
func (h *Handler) renderBadgeStatus(w http.ResponseWriter, r *http.Request, p *acctPage, l i18n.Lang, id string, extra walletData, status int) {
	c, err := h.cfg.Wallet.Credential(r.Context(), p.User.ID, id)
	if errors.Is(err, wallet.ErrNotFound) {
		h.errorPage(w, r, http.StatusNotFound, "error.not-found")
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	// Its status may have changed since it was last checked: check again
	// when that was a while ago (the verifier caches status lists for
	// their ttl, so this rarely fetches).
	if h.cfg.Now().Sub(c.CheckedAt) > RecheckAfter {
		if _, err := h.cfg.Wallet.Recheck(r.Context(), c); err != nil {
			h.cfg.Logger.Warn("recheck badge", "badge", c.ID, "error", err)
		}
	}
	card := h.card(l, c)
	d := &walletData{Badge: &card, VP: extra.VP, Sent: extra.Sent, Report: h.storedReport(l, c)}
	_, d.Refresh = wallet.RefreshURL(c.Raw)
	switch {
	case len(c.Image) > 0 && bake.Kind(c.Image) == bake.PNG, len(c.Image) == 0 && embeddedImage(c.ImageURL, "png") != nil:
		d.CanBake = "png"
	case len(c.Image) > 0 && bake.Kind(c.Image) == bake.SVG, len(c.Image) == 0 && embeddedImage(c.ImageURL, "svg") != nil:
		d.CanBake = "svg"
	}
	shares, err := h.cfg.Wallet.Shares(r.Context(), p.User.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	now := h.cfg.Now()
	for _, s := range shares {
		if s.CredentialID != c.ID {
			continue
		}
		sv := shareView{Token: s.Token, URL: h.base(r) + "/s/" + s.Token, State: "active"}
		if !s.Active(now) {
			sv.State = "gone"
		}
		if !s.ExpiresAt.IsZero() {
			sv.Expires = i18n.DateTime(l, s.ExpiresAt)
		}
		sv.LinkedIn = linkedInURL(c, sv.URL)
		if sv.State == "active" {
			qr, size, err := qrDataURI(sv.URL)
			if err != nil {
				h.serverError(w, r, err)
				return
			}
			// A PNG we drew: safe as an image source.
			sv.QR, sv.QRSize = template.URL(qr), size
		}
		views, err := h.cfg.Wallet.Views(r.Context(), p.User.ID, s.Token)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		for _, v := range views {
			sv.Views = append(sv.Views, viewRow{At: i18n.DateTime(l, v.At), Viewer: v.Viewer})
		}
		d.Shares = append(d.Shares, sv)
	}
	p.Data = d
	p.Title = c.Name
	h.renderAcct(w, status, "wallet-badge.html", p)
}

// storedReport shows the report kept from the last verification.
func (h *Handler) storedReport(l i18n.Lang, c *wallet.Credential) *reportView {
	var rep verifierReport
	if json.Unmarshal(c.Report, &rep.Report) != nil || rep.Report.Checks == nil {
		return nil
	}
	return h.credentialView(l, &rep.Report, c.Image)
}

// linkedInURL is LinkedIn's "add to profile" link for a certification,
// prefilled (a plain link: nothing is sent to LinkedIn until the learner
// follows it).
func linkedInURL(c *wallet.Credential, shareURL string) string {
	q := url.Values{"startTask": {"CERTIFICATION_NAME"}, "name": {c.Name}, "organizationName": {firstNonEmpty(c.IssuerName, c.IssuerID)},
		"certUrl": {shareURL}}
	if t, err := time.Parse(time.RFC3339, c.ValidFrom); err == nil {
		q.Set("issueYear", strconv.Itoa(t.Year()))
		q.Set("issueMonth", strconv.Itoa(int(t.Month())))
	}
	if c.CredentialID != "" {
		q.Set("certId", c.CredentialID)
	}
	return "https://www.linkedin.com/profile/add?" + q.Encode()
}

func (h *Handler) badgeShare(w http.ResponseWriter, r *http.Request) {
	p, l, ok := h.signedIn(w, r, "wallet.title")
	if !ok {
		return
	}
	var ttl time.Duration
	if days, err := strconv.Atoi(r.PostFormValue("days")); err == nil && days > 0 {
		ttl = time.Duration(days) * 24 * time.Hour
	}
	if _, err := h.cfg.Wallet.CreateShare(r.Context(), p.User.ID, r.PathValue("id"), ttl); err != nil {
		if errors.Is(err, wallet.ErrNotFound) {
			h.errorPage(w, r, http.StatusNotFound, "error.not-found")
			return
		}
		h.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/wallet/c/"+r.PathValue("id")+"?lang="+string(l)+"#shares", http.StatusSeeOther)
}

func (h *Handler) shareRevoke(w http.ResponseWriter, r *http.Request) {
	p, l, ok := h.signedIn(w, r, "wallet.title")
	if !ok {
		return
	}
	if err := h.cfg.Wallet.RevokeShare(r.Context(), p.User.ID, r.PathValue("token")); err != nil {
		if errors.Is(err, wallet.ErrNotFound) {
			h.errorPage(w, r, http.StatusNotFound, "error.not-found")
			return
		}
		h.serverError(w, r, err)
		return
	}
	back := "/wallet?lang=" + string(l)
	if id := r.PostFormValue("credential"); id != "" {
		back = "/wallet/c/" + url.PathEscape(id) + "?lang=" + string(l) + "#shares"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (h *Handler) badgeDelete(w http.ResponseWriter, r *http.Request) {
	p, l, ok := h.signedIn(w, r, "wallet.title")
	if !ok {
		return
	}
	if err := h.cfg.Wallet.Delete(r.Context(), p.User.ID, r.PathValue("id")); err != nil && !errors.Is(err, wallet.ErrNotFound) {
		h.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/wallet?lang="+string(l), http.StatusSeeOther)
}

// badgeDownload: ?format=json (a JSON credential as kept), jwt (a VC-JWT
// as kept), png (the baked image it came in, or the kept one re-baked
// with this credential).
func (h *Handler) badgeDownload(w http.ResponseWriter, r *http.Request) {
	p, _, ok := h.signedIn(w, r, "wallet.title")
	if !ok {
		return
	}
	c, err := h.cfg.Wallet.Credential(r.Context(), p.User.ID, r.PathValue("id"))
	if err != nil {
		h.errorPage(w, r, http.StatusNotFound, "error.not-found")
		return
	}
	name := "badge-" + c.ID
	switch f := r.URL.Query().Get("format"); {
	case f == "json" && c.Format == "json":
		download(w, name+".json", "application/vc+ld+json", c.Raw)
	case f == "jwt" && c.Format == "jwt":
		download(w, name+".jwt", "application/vc+jwt", c.Raw)
	case f == "png" && len(c.Image) > 0 && bake.Kind(c.Image) == bake.PNG:
		download(w, name+".png", "image/png", c.Image)
	case f == "svg" && len(c.Image) > 0 && bake.Kind(c.Image) == bake.SVG:
		download(w, name+".svg", "image/svg+xml", c.Image)
	case (f == "png" || f == "svg") && len(c.Image) == 0 && embeddedImage(c.ImageURL, f) != nil:
		// Received as JSON or JWT: baked into the image the badge carries.
		baked, err := bake.Bake(embeddedImage(c.ImageURL, f), c.Raw)
		if err != nil {
			h.errorPage(w, r, http.StatusNotFound, "error.not-found")
			return
		}
		download(w, name+"."+f, map[string]string{"png": "image/png", "svg": "image/svg+xml"}[f], baked)
	default:
		h.errorPage(w, r, http.StatusNotFound, "error.not-found")
	}
}

func download(w http.ResponseWriter, name, ct string, b []byte) {
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

func (h *Handler) walletPresent(w http.ResponseWriter, r *http.Request) {
	p, l, ok := h.signedIn(w, r, "wallet.title")
	if !ok {
		return
	}
	id := r.PostFormValue("credential")
	challenge, domain := strings.TrimSpace(r.PostFormValue("challenge")), strings.TrimSpace(r.PostFormValue("domain"))
	vp, ct, err := h.cfg.Wallet.Present(r.Context(), p.User.ID, wallet.PresentRequest{CredentialIDs: []string{id},
		Challenge: challenge, Domain: domain})
	if err != nil {
		if errors.Is(err, wallet.ErrNotFound) {
			h.errorPage(w, r, http.StatusNotFound, "error.not-found")
			return
		}
		p.Error = i18n.T(l, "wallet.error.present")
		h.renderBadgeStatus(w, r, p, l, id, walletData{}, http.StatusUnprocessableEntity)
		return
	}
	extra := walletData{VP: string(vp)}
	// Sent to the verifier's address when she gives one: its answer is
	// shown as it came (as text; the page never renders it).
	if to := strings.TrimSpace(r.PostFormValue("verifier")); to != "" && h.cfg.Post != nil {
		a, err := wallet.SendPresentation(r.Context(), h.cfg.Post, to, vp, ct, challenge, domain)
		if err != nil {
			h.cfg.Logger.Info("send presentation", "error", err)
			p.Error = i18n.T(l, "wallet.error.send")
			h.renderBadgeStatus(w, r, p, l, id, extra, http.StatusBadGateway)
			return
		}
		extra.Sent = &sentView{URL: a.URL, Status: a.Status, Body: a.Text(16 << 10)}
	}
	h.renderBadge(w, r, p, l, id, extra)
}

// sharePage is the public page of a share link: the badge with a
// verification made now. Accept: application/json gets {credential,
// report}. A viewer may give a name (POST viewer=...), kept in the link's
// log; no address is kept.
func (h *Handler) sharePage(w http.ResponseWriter, r *http.Request) {
	l := h.lang(w, r)
	viewer := ""
	if r.Method == http.MethodPost {
		viewer = r.PostFormValue("viewer")
	}
	c, v, err := h.cfg.Wallet.OpenShare(r.Context(), r.PathValue("token"), viewer)
	if err != nil {
		status, key := http.StatusNotFound, "error.not-found"
		if errors.Is(err, wallet.ErrShareGone) {
			status, key = http.StatusGone, "wallet.share.gone"
		} else if !errors.Is(err, wallet.ErrNotFound) {
			h.cfg.Logger.Error("share page", "error", err)
			status, key = http.StatusInternalServerError, "error.internal"
		}
		if wantsJSON(r) && h.cfg.Problem != nil {
			h.cfg.Problem(w, status, map[int]string{404: "not-found", 410: "gone", 500: "internal"}[status], i18n.T(i18n.EN, key))
			return
		}
		h.errorPage(w, r, status, key)
		return
	}
	if wantsJSON(r) {
		h.shareJSON(w, c, v)
		return
	}
	h.renderShare(w, h.sharePageData(r, l, c, v))
}

// sharePageData is the share page of c, verified now as v.
func (h *Handler) sharePageData(r *http.Request, l i18n.Lang, c *wallet.Credential, v *wallet.Verification) *acctPage {
	p := &acctPage{page: newPage(l, r, c.Name)}
	rep, ok := v.Value.(*verifier.Report)
	if !ok {
		var r verifierReport
		if json.Unmarshal(v.ReportJSON(), &r.Report) == nil {
			rep = &r.Report
		}
	}
	if rep != nil {
		// The share page shows the certificate, not the list of checks.
		rv := h.certificateView(l, rep, c.Image)
		rv.CheckedAt = i18n.T(l, "verify.checked-at", i18n.DateTime(l, h.cfg.Now()))
		p.Report = rv
	}
	p.Token = r.PathValue("token")
	if r.Method == http.MethodPost {
		p.Notice = i18n.T(l, "wallet.share.thanks")
	}
	return p
}

// shareJSON writes {credential, report}: the document
// json.Encoder makes of map{"credential": raw, "report": report} (compact,
// <, > and & escaped), written member by member into a pooled buffer, so
// that the report is encoded once, straight from the verifier's value,
// rather than marshalled, then scanned and compacted again inside a map.
// A JWT is given as a JSON string.
func (h *Handler) shareJSON(w http.ResponseWriter, c *wallet.Credential, v *wallet.Verification) {
	buf := pagePool.Get().(*bytes.Buffer)
	defer putPage(buf)
	enc := json.NewEncoder(buf)
	member := func(name string, x any) error {
		buf.WriteString(name)
		if err := enc.Encode(x); err != nil {
			return err
		}
		buf.Truncate(buf.Len() - 1) // Encode's newline
		return nil
	}
	// The verifier's value is encoded as is; a report given as JSON is
	// compacted and escaped as the map's encoding did.
	var rep any = json.RawMessage(v.Report)
	if len(v.Report) == 0 && v.Value != nil {
		rep = v.Value
	}
	var err error
	switch {
	case c.Format == "jwt":
		err = member(`{"credential":`, string(c.Raw))
	case verbatimJSON(c.Raw):
		// What the encoder would write: the stored bytes themselves.
		buf.WriteString(`{"credential":`)
		buf.Write(c.Raw)
	default:
		err = member(`{"credential":`, json.RawMessage(c.Raw))
	}
	if err != nil {
		h.cfg.Logger.Error("share page", "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := member(`,"report":`, rep); err != nil {
		h.cfg.Logger.Error("share page", "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	buf.WriteString("}\n")
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Vary", "Accept")
	w.Write(buf.Bytes())
}

// verifierReport holds a report read back from JSON.
type verifierReport struct{ Report verifier.Report }

// embeddedImage decodes a badge's own image when it is a base64 data: URI
// of the given kind ("png" or "svg").
func embeddedImage(uri, kind string) []byte {
	prefix := map[string]string{"png": "data:image/png;base64,", "svg": "data:image/svg+xml;base64,"}[kind]
	b64, ok := strings.CutPrefix(uri, prefix)
	if !ok || len(b64) > 8<<20 {
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil
	}
	return b
}

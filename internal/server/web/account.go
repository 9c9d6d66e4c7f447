package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/i18n"
)

// The account pages: sign up, sign in (password or one-time link), sign
// out (this browser or everywhere), reset the password. Thin handlers over
// account.Users.

// SessionCookie holds a session's secret (only its hash is stored).
const SessionCookie = "blason_session"

// AccountPaths are the paths the account pages serve (the server routes
// them here).
var AccountPaths = []string{"/signup", "/signin", "/signin/link", "/signout", "/signout/everywhere", "/reset", "/reset/link", "/account",
	"/account/export", "/account/delete", "/privacy"}

type clientIPKey struct{}

// WithClientIP records the client's address as the server determined it
// (X-Forwarded-For only behind a trusted proxy): the per-address sign-in
// limit is keyed on it.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

// remoteKey is the per-address limit's key: the client's IPv4 address, or
// its IPv6 /64 (one machine has a whole /64 to itself).
func remoteKey(r *http.Request) string {
	s, _ := r.Context().Value(clientIPKey{}).(string)
	if s == "" {
		s, _, _ = net.SplitHostPort(r.RemoteAddr)
	}
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return s
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// acctPage is what the account and wallet templates get: the common page
// and the signed-in user.
type acctPage struct {
	*page
	User   *account.User
	Notice string
	Email  string
	Token  string // a one-time link's secret, carried by its form
	Next   string // the local page to return to after signing in or up
	Data   any    // the page's own data (wallet pages)
}

func (h *Handler) acct(w http.ResponseWriter, r *http.Request, titleKey string) (*acctPage, i18n.Lang) {
	l := h.lang(w, r)
	p := &acctPage{page: newPage(l, r, i18n.T(l, titleKey))}
	p.User, _ = h.currentUser(r)
	if p.User == nil {
		p.Nav = []navLink{{"/signin?lang=" + string(l), i18n.T(l, "nav.signin")}}
	} else {
		if h.walletOn() {
			p.Nav = append(p.Nav, navLink{"/wallet?lang=" + string(l), i18n.T(l, "nav.wallet")})
		}
		p.Nav = append(p.Nav, navLink{"/account?lang=" + string(l), i18n.T(l, "nav.account")})
	}
	return p, l
}

func (h *Handler) renderAcct(w http.ResponseWriter, status int, name string, p *acctPage) {
	// Pages render into pooled buffers: a badge page is 8-14 KB, and a
	// new 16 KB buffer per page was a quarter of the share page's render.
	buf := pagePool.Get().(*bytes.Buffer)
	defer putPage(buf)
	if err := h.tmpl[p.Lang].ExecuteTemplate(buf, name, p); err != nil {
		h.cfg.Logger.Error("render page", "page", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Vary", "Accept-Language, Cookie")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

var pagePool = sync.Pool{New: func() any {
	b := new(bytes.Buffer)
	b.Grow(16 << 10)
	return b
}}

// putPage returns a buffer to the pool, unless a rare large page grew it
// (it would be held for good).
func putPage(b *bytes.Buffer) {
	if b.Cap() > 256<<10 {
		return
	}
	b.Reset()
	pagePool.Put(b)
}

// currentUser is the user signed in on this browser, if any.
func (h *Handler) currentUser(r *http.Request) (*account.User, string) {
	if h.cfg.Users == nil {
		return nil, ""
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil, ""
	}
	u, _, err := h.cfg.Users.Authenticate(r.Context(), c.Value)
	if err != nil {
		if !errors.Is(err, account.ErrNoSession) {
			h.cfg.Logger.Error("session", "error", err)
		}
		return nil, ""
	}
	return u, c.Value
}

func (h *Handler) setSession(w http.ResponseWriter, r *http.Request, secret string) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: secret, Path: "/", MaxAge: int(account.SessionAbsolute / time.Second),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.secure(r)})
}

func (h *Handler) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.secure(r)})
}

// secure: cookies are Secure when the page is served over https (directly
// or, per the public URL, behind a proxy).
func (h *Handler) secure(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(h.cfg.PublicURL, "https://")
}

// home is where a signed-in person lands.
func (h *Handler) home(l i18n.Lang) string {
	if h.walletOn() {
		return "/wallet?lang=" + string(l)
	}
	return "/account?lang=" + string(l)
}

func (h *Handler) accountsOff(w http.ResponseWriter, r *http.Request) bool {
	if h.cfg.Users == nil {
		h.errorPage(w, r, http.StatusNotFound, "error.not-found")
		return true
	}
	return false
}

func (h *Handler) signUpPage(w http.ResponseWriter, r *http.Request) {
	if h.accountsOff(w, r) {
		return
	}
	p, _ := h.acct(w, r, "account.signup.title")
	p.Next = SafeNext(r.URL.Query().Get("next"))
	h.renderAcct(w, http.StatusOK, "account-signup.html", p)
}

func (h *Handler) signUpPost(w http.ResponseWriter, r *http.Request) {
	if h.accountsOff(w, r) {
		return
	}
	p, l := h.acct(w, r, "account.signup.title")
	email, pw := r.PostFormValue("email"), r.PostFormValue("password")
	p.Email, p.Next = email, SafeNext(r.PostFormValue("next"))
	u, err := h.cfg.Users.Create(r.Context(), email, pw)
	if err != nil {
		p.Error = h.accountError(l, err)
		h.renderAcct(w, http.StatusUnprocessableEntity, "account-signup.html", p)
		return
	}
	secret, _, err := h.cfg.Users.StartSession(r.Context(), u.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.setSession(w, r, secret)
	http.Redirect(w, r, h.afterSignIn(r, l), http.StatusSeeOther)
}

func (h *Handler) signInPage(w http.ResponseWriter, r *http.Request) {
	if h.accountsOff(w, r) {
		return
	}
	p, _ := h.acct(w, r, "account.signin.title")
	p.Next = SafeNext(r.URL.Query().Get("next"))
	h.renderAcct(w, http.StatusOK, "account-signin.html", p)
}

func (h *Handler) signInPost(w http.ResponseWriter, r *http.Request) {
	if h.accountsOff(w, r) {
		return
	}
	p, l := h.acct(w, r, "account.signin.title")
	p.Email, p.Next = r.PostFormValue("email"), SafeNext(r.PostFormValue("next"))
	secret, _, err := h.cfg.Users.SignIn(r.Context(), p.Email, r.PostFormValue("password"), remoteKey(r))
	if err != nil {
		status := http.StatusUnauthorized
		if errors.Is(err, account.ErrThrottled) {
			status = http.StatusTooManyRequests
			w.Header().Set("Retry-After", "900")
		}
		p.Error = h.accountError(l, err)
		h.renderAcct(w, status, "account-signin.html", p)
		return
	}
	h.setSession(w, r, secret)
	http.Redirect(w, r, h.afterSignIn(r, l), http.StatusSeeOther)
}

// linkPage shows the form of a one-time link: opening the link spends
// nothing (mail scanners and link previews open links); the form's post
// does.
func (h *Handler) linkPage(purpose string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h.accountsOff(w, r) {
			return
		}
		name, title := "account-link.html", "account.link.title"
		if purpose == account.LinkReset {
			name, title = "account-reset-link.html", "account.reset.title"
		}
		p, _ := h.acct(w, r, title)
		p.Token = r.URL.Query().Get("token")
		h.renderAcct(w, http.StatusOK, name, p)
	}
}

func (h *Handler) linkPost(purpose string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h.accountsOff(w, r) {
			return
		}
		name, title := "account-link.html", "account.link.title"
		if purpose == account.LinkReset {
			name, title = "account-reset-link.html", "account.reset.title"
		}
		p, l := h.acct(w, r, title)
		p.Token = r.PostFormValue("token")
		secret, _, err := h.cfg.Users.UseLink(r.Context(), p.Token, purpose, r.PostFormValue("password"))
		if err != nil {
			status := http.StatusUnprocessableEntity
			if errors.Is(err, account.ErrLinkInvalid) {
				status = http.StatusGone
			}
			p.Error = h.accountError(l, err)
			h.renderAcct(w, status, name, p)
			return
		}
		h.setSession(w, r, secret)
		http.Redirect(w, r, h.home(l), http.StatusSeeOther)
	}
}

func (h *Handler) resetPage(w http.ResponseWriter, r *http.Request) {
	if h.accountsOff(w, r) {
		return
	}
	p, _ := h.acct(w, r, "account.reset.title")
	h.renderAcct(w, http.StatusOK, "account-reset.html", p)
}

// resetPost answers the same whether or not the address has an account.
// The link goes to the mail outbox when there is one (Config.SendReset);
// until then the server logs it for the operator to pass on.
func (h *Handler) resetPost(w http.ResponseWriter, r *http.Request) {
	if h.accountsOff(w, r) {
		return
	}
	p, l := h.acct(w, r, "account.reset.title")
	secret, u, err := h.cfg.Users.RequestReset(r.Context(), r.PostFormValue("email"), remoteKey(r))
	if errors.Is(err, account.ErrThrottled) {
		p.Error = i18n.T(l, "account.error.reset-throttled")
		w.Header().Set("Retry-After", "900")
		h.renderAcct(w, http.StatusTooManyRequests, "account-reset.html", p)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if u != nil {
		link := h.base(r) + "/reset/link?lang=" + string(l) + "&token=" + url.QueryEscape(secret)
		if h.cfg.SendReset != nil {
			if err := h.cfg.SendReset(r.Context(), u.Email, l, link); err != nil {
				h.cfg.Logger.Error("send password reset", "user", u.ID, "error", err)
			}
		} else {
			h.cfg.Logger.Warn("password reset link (no mail outbox configured: pass it to the user yourself)", "user", u.ID, "link", link)
		}
	}
	p.Notice = i18n.T(l, "account.reset.sent")
	h.renderAcct(w, http.StatusOK, "account-reset.html", p)
}

// base is the server's public URL, or the one this request came by.
func (h *Handler) base(r *http.Request) string {
	if h.cfg.PublicURL != "" {
		return strings.TrimSuffix(h.cfg.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (h *Handler) signOutPost(everywhere bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h.accountsOff(w, r) {
			return
		}
		l := h.lang(w, r)
		u, secret := h.currentUser(r)
		if u != nil {
			var err error
			if everywhere {
				err = h.cfg.Users.SignOutEverywhere(r.Context(), u.ID)
			} else {
				err = h.cfg.Users.SignOut(r.Context(), secret)
			}
			if err != nil {
				h.serverError(w, r, err)
				return
			}
		}
		h.clearSession(w, r)
		http.Redirect(w, r, "/signin?lang="+string(l)+"&out=1", http.StatusSeeOther)
	}
}

func (h *Handler) accountPage(w http.ResponseWriter, r *http.Request) {
	if h.accountsOff(w, r) {
		return
	}
	p, l := h.acct(w, r, "account.title")
	if p.User == nil {
		h.toSignIn(w, r, l, "")
		return
	}
	h.renderAcct(w, http.StatusOK, "account.html", p)
}

// accountError turns the account rules' errors into words; none tells
// whether an address has an account, except sign-up's "already used".
func (h *Handler) accountError(l i18n.Lang, err error) string {
	switch {
	case errors.Is(err, account.ErrThrottled):
		return i18n.T(l, "account.error.throttled")
	case errors.Is(err, account.ErrSignIn):
		return i18n.T(l, "account.error.signin")
	case errors.Is(err, account.ErrBadEmail):
		return i18n.T(l, "account.error.email")
	case errors.Is(err, account.ErrWeakPassword):
		return i18n.T(l, "account.error.password", account.MinPasswordLength)
	case errors.Is(err, account.ErrEmailTaken):
		return i18n.T(l, "account.error.taken")
	case errors.Is(err, account.ErrLinkInvalid):
		return i18n.T(l, "account.error.link")
	}
	h.cfg.Logger.Error("account", "error", err)
	return i18n.T(l, "error.internal")
}

func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	h.cfg.Logger.Error("page", "path", r.URL.Path, "error", err)
	h.errorPage(w, r, http.StatusInternalServerError, "error.internal")
}

func (h *Handler) mountAccount() {
	h.mux.HandleFunc("GET /signup", h.signUpPage)
	h.mux.HandleFunc("POST /signup", h.signUpPost)
	h.mux.HandleFunc("GET /signin", h.signInPage)
	h.mux.HandleFunc("POST /signin", h.signInPost)
	h.mux.HandleFunc("GET /signin/link", h.linkPage(account.LinkSignIn))
	h.mux.HandleFunc("POST /signin/link", h.linkPost(account.LinkSignIn))
	h.mux.HandleFunc("POST /signout", h.signOutPost(false))
	h.mux.HandleFunc("POST /signout/everywhere", h.signOutPost(true))
	h.mux.HandleFunc("GET /reset", h.resetPage)
	h.mux.HandleFunc("POST /reset", h.resetPost)
	h.mux.HandleFunc("GET /reset/link", h.linkPage(account.LinkReset))
	h.mux.HandleFunc("POST /reset/link", h.linkPost(account.LinkReset))
	h.mux.HandleFunc("GET /account", h.accountPage)
	h.mux.HandleFunc("GET /account/export", h.accountExport)
	h.mux.HandleFunc("POST /account/delete", h.accountDelete)
	h.mux.HandleFunc("GET /privacy", h.privacyPage)
}

// privacyPage says, in plain words, what is kept and what is not.
func (h *Handler) privacyPage(w http.ResponseWriter, r *http.Request) {
	p, _ := h.acct(w, r, "privacy.title")
	h.renderAcct(w, http.StatusOK, "privacy.html", p)
}

// accountExport sends everything kept about the signed-in user as a zip.
func (h *Handler) accountExport(w http.ResponseWriter, r *http.Request) {
	if h.accountsOff(w, r) {
		return
	}
	l := h.lang(w, r)
	u, _ := h.currentUser(r)
	if u == nil {
		h.toSignIn(w, r, l, "")
		return
	}
	about := map[string]any{"id": u.ID, "email": u.Email, "createdAt": u.CreatedAt, "hasPassword": u.PasswordHash != ""}
	var buf bytes.Buffer
	if h.walletOn() {
		if err := h.cfg.Wallet.Export(r.Context(), u.ID, about, &buf); err != nil {
			h.serverError(w, r, err)
			return
		}
	} else {
		zw := zip.NewWriter(&buf)
		f, _ := zw.Create("account.json")
		json.NewEncoder(f).Encode(about)
		zw.Close()
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="blason-export.zip"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// accountDelete removes the account with its badges, links, views, and
// what other parts keep of it (Config.Forget), after the person confirms with their e-mail address.
func (h *Handler) accountDelete(w http.ResponseWriter, r *http.Request) {
	if h.accountsOff(w, r) {
		return
	}
	p, l := h.acct(w, r, "account.title")
	if p.User == nil {
		h.toSignIn(w, r, l, "/account?lang="+string(l))
		return
	}
	if e, err := account.NormalizeEmail(r.PostFormValue("confirm")); err != nil || e != p.User.Email {
		p.Error = i18n.T(l, "account.delete.confirm-error")
		h.renderAcct(w, http.StatusUnprocessableEntity, "account.html", p)
		return
	}
	if h.walletOn() {
		if err := h.cfg.Wallet.DeleteUser(r.Context(), p.User.ID); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	for _, forget := range h.cfg.Forget {
		if err := forget(r.Context(), p.User); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	if err := h.cfg.Users.Delete(r.Context(), p.User.ID); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.clearSession(w, r)
	http.Redirect(w, r, "/signup?lang="+string(l)+"&deleted=1", http.StatusSeeOther)
}

// Package oauth is the OAuth 2.0 authorization server's HTTP part
// (OB 3.0 §7): dynamic client registration, the authorization endpoint with
// its consent page (French and English), the token and revocation
// endpoints, and the "connected apps" page where a learner sees and
// disconnects the apps they let in. The protocol is internal/oauth's
// (ory/fosite); this part adds the user: who is signed in, what they
// chose, and rate limits.
package oauth

import (
	"bytes"
	"context"
	"embed"
	"encoding/base64"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/internal/i18n"
	"github.com/blason-badges/blason/internal/oauth"
	"github.com/blason-badges/blason/internal/ratelimit"
	"github.com/blason-badges/blason/internal/server/part"
	"github.com/blason-badges/blason/internal/store/oauthdb"
)

// Paths of the endpoints (the Service Description Document names them).
const (
	PathRegister   = "/oauth/register"
	PathAuthorize  = "/oauth/authorize"
	PathToken      = "/oauth/token"
	PathRevoke     = "/oauth/revoke"
	PathApps       = "/account/apps"
	PathDisconnect = "/account/apps/disconnect"
)

// User is the signed-in person, as the account pages know them.
type User struct {
	ID    string
	Label string // what the consent page shows ("signed in as")
}

// Config is what the part needs.
type Config struct {
	OAuth *oauth.Server
	// CurrentUser returns the user signed in on this browser, or nil.
	CurrentUser func(r *http.Request) *User
	// SignIn returns where to send a signed-out user, who comes back to
	// next (a path on this site) once signed in.
	SignIn func(next string) string
	// Lang is the default language of the pages.
	Lang i18n.Lang
	// Registrations per client address: RegisterPerHour, bursts of
	// RegisterBurst (zero: 30 and 10). Token and revocation requests per
	// client address: TokenPerSecond, bursts of TokenBurst (zero: 2 and
	// 20).
	RegisterPerHour float64
	RegisterBurst   int
	TokenPerSecond  float64
	TokenBurst      int
	// FetchLogo, when set, fetches a client's logo_uri (through the
	// hardened fetcher) so that the consent page shows it from this site,
	// as a data: URI: the page itself makes no request to another site
	// (docs/ARCHITECTURE.md, "no third-party request from any page"). Only
	// a PNG, JPEG, GIF or WebP image of at most MaxLogoBytes is shown,
	// judged by its content; anything else, or a fetch that fails, shows
	// the client's name alone. Nil: no logo.
	FetchLogo func(ctx context.Context, url string) ([]byte, error)
}

// MaxLogoBytes bounds a client's logo shown on the consent page.
const MaxLogoBytes = 256 << 10

// Part is the OAuth part.
type Part struct {
	sh       part.Shared
	cfg      Config
	tmpl     map[i18n.Lang]*template.Template
	register *ratelimit.Limiter
	token    *ratelimit.Limiter
	cop      *http.CrossOriginProtection
	logos    *fetch.Cache[template.URL]
}

//go:embed templates/*.html
var templateFS embed.FS

// New returns the part.
func New(sh part.Shared, cfg Config) *Part {
	if cfg.RegisterPerHour <= 0 {
		cfg.RegisterPerHour = 30
	}
	if cfg.RegisterBurst <= 0 {
		cfg.RegisterBurst = 10
	}
	if cfg.TokenPerSecond <= 0 {
		cfg.TokenPerSecond = 2
	}
	if cfg.TokenBurst <= 0 {
		cfg.TokenBurst = 20
	}
	if cfg.Lang == "" {
		cfg.Lang = i18n.EN
	}
	p := &Part{sh: sh, cfg: cfg, tmpl: map[i18n.Lang]*template.Template{},
		register: ratelimit.New(cfg.RegisterPerHour/3600, cfg.RegisterBurst),
		token:    ratelimit.New(cfg.TokenPerSecond, cfg.TokenBurst),
		cop:      http.NewCrossOriginProtection(),
		logos:    fetch.NewCache[template.URL](256, nil),
	}
	for _, l := range i18n.Supported {
		l := l
		p.tmpl[l] = template.Must(template.New("").Funcs(template.FuncMap{
			"t": func(_ i18n.Lang, key string, args ...any) string { return i18n.T(l, key, args...) },
		}).ParseFS(mustSub(templateFS, "templates"), "*.html"))
	}
	return p
}

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}

// Mount adds the routes.
func (p *Part) Mount(r gin.IRouter) {
	wrap := func(h http.HandlerFunc) gin.HandlerFunc { return func(c *gin.Context) { h(c.Writer, c.Request) } }
	r.POST(PathRegister, p.limit(p.register), wrap(p.cfg.OAuth.ServeRegister))
	r.GET(PathAuthorize, wrap(p.authorize))
	// The consent form posts back here; cross-site posts are refused
	// (the decision must come from this site's own page).
	r.POST(PathAuthorize, wrap(p.protect(p.authorize)))
	r.POST(PathToken, p.limit(p.token), wrap(p.cfg.OAuth.ServeToken))
	r.POST(PathRevoke, p.limit(p.token), wrap(p.cfg.OAuth.ServeRevoke))
	r.GET(PathApps, wrap(p.apps))
	r.POST(PathDisconnect, wrap(p.protect(p.disconnect)))
}

func (p *Part) protect(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := p.cop.Check(r); err != nil {
			http.Error(w, "cross-origin request refused", http.StatusForbidden)
			return
		}
		h(w, r)
	}
}

// limit applies l per client address; OAuth endpoints answer in their own
// format (RFC 6749 §5.2 has no rate error; "temporarily_unavailable" is
// the closest, with Retry-After).
func (p *Part) limit(l *ratelimit.Limiter) gin.HandlerFunc {
	return func(c *gin.Context) {
		if ok, retry := l.Allow(c.ClientIP()); !ok {
			c.Header("Retry-After", strconv.Itoa(int(retry/time.Second)+1))
			c.Header("Cache-Control", "no-store")
			c.AbortWithStatusJSON(http.StatusTooManyRequests, gin.H{"error": "temporarily_unavailable", "error_description": "too many requests; retry later"})
			return
		}
		c.Next()
	}
}

func (p *Part) lang(w http.ResponseWriter, r *http.Request) i18n.Lang {
	q := r.URL.Query().Get("lang")
	cookie := ""
	if c, err := r.Cookie("lang"); err == nil {
		cookie = c.Value
	}
	l := i18n.Negotiate(q, cookie, r.Header.Get("Accept-Language"), p.cfg.Lang)
	if _, ok := i18n.Parse(q); ok {
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	}
	return l
}

type page struct {
	Lang      i18n.Lang
	Other     i18n.Lang
	Title     string
	SwitchURL string
	Consent   *consent
	Code      string
	Desc      string
	Apps      []appView
	Notice    string
}

func (p *page) Description() string { return p.Desc }

type consent struct {
	Name, LogoURI, ClientURI, ClientHost, TOSURI, PolicyURI string
	// Logo is the fetched logo as a data: URI ("" when there is none to
	// show).
	Logo                       template.URL
	User, RedirectHost, Action string
	Scopes                     []scopeView
}

type scopeView struct{ Value, Text string }

type appView struct {
	ClientID, Name, ClientURI, ClientHost, Since string
	Scopes                                       []string
}

func newPage(l i18n.Lang, r *http.Request, titleKey string) *page {
	other := i18n.FR
	if l == i18n.FR {
		other = i18n.EN
	}
	q := r.URL.Query()
	q.Set("lang", string(other))
	return &page{Lang: l, Other: other, Title: i18n.T(l, titleKey), SwitchURL: r.URL.Path + "?" + q.Encode()}
}

// render writes a page with the pages' security headers; extraForm widens
// form-action for the consent page (the decision redirects to the
// client). Images stay this site's own (a client's logo is a data: URI).
func (p *Part) render(w http.ResponseWriter, status int, name string, pg *page, extraForm string) {
	var buf bytes.Buffer
	if err := p.tmpl[pg.Lang].ExecuteTemplate(&buf, name, pg); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:"+
		"; form-action 'self'"+extraForm+"; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Vary", "Accept-Language, Cookie")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// authorize is the authorization endpoint (RFC 6749 §3.1, OB 3.0
// §7.3.2). GET shows the consent page; POST carries the user's decision
// (the original request in the query, the choice in the body).
func (p *Part) authorize(w http.ResponseWriter, r *http.Request) {
	l := p.lang(w, r)
	// fosite reads the request from r.Form; strip the page's own lang
	// parameter first (it is not OAuth's).
	req, ar, err := p.cfg.OAuth.ParseAuthorize(r)
	if err != nil {
		if oauth.CanRedirect(ar) {
			p.cfg.OAuth.WriteAuthorizeError(w, r, ar, err)
			return
		}
		// Never redirect to a URI not registered for the client: the
		// error is for the user's eyes.
		pg := newPage(l, r, "oauth.error.title")
		pg.Code, pg.Desc = oauth.ErrorText(err)
		p.render(w, http.StatusBadRequest, "error.html", pg, "")
		return
	}
	user := p.cfg.CurrentUser(r)
	if user == nil {
		if r.Method == http.MethodPost {
			pg := newPage(l, r, "oauth.error.title")
			pg.Code, pg.Desc = "login_required", i18n.T(l, "oauth.error.signin")
			p.render(w, http.StatusUnauthorized, "error.html", pg, "")
			return
		}
		http.Redirect(w, r, p.cfg.SignIn(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	if r.Method == http.MethodPost {
		if r.PostForm.Get("consent") != "allow" {
			p.cfg.OAuth.Deny(w, r, req)
			return
		}
		p.cfg.OAuth.Approve(w, r, req, user.ID, r.PostForm["grant"])
		return
	}
	c := req.Client.Metadata
	pg := newPage(l, r, "oauth.consent.title")
	redirect, _ := url.Parse(r.URL.Query().Get("redirect_uri"))
	clientURL, _ := url.Parse(c.ClientURI)
	q := r.URL.Query()
	q.Del("lang")
	pg.Consent = &consent{
		Name: c.ClientName, LogoURI: c.LogoURI, ClientURI: c.ClientURI, ClientHost: clientURL.Host,
		TOSURI: c.TOSURI, PolicyURI: c.PolicyURI, User: user.Label, RedirectHost: redirect.Host,
		Action: PathAuthorize + "?" + q.Encode(),
	}
	for _, s := range req.Scopes {
		pg.Consent.Scopes = append(pg.Consent.Scopes, scopeView{Value: s, Text: scopeText(l, s)})
	}
	pg.Consent.Logo = p.logo(r.Context(), c.LogoURI)
	p.render(w, http.StatusOK, "consent.html", pg, " "+redirect.Scheme+"://"+redirect.Host)
}

// logo returns the client's logo as a data: URI, or "" (see
// Config.FetchLogo). Answers, failures included, are remembered for a
// while, so a page view costs at most one fetch.
func (p *Part) logo(ctx context.Context, uri string) template.URL {
	if p.cfg.FetchLogo == nil || uri == "" {
		return ""
	}
	if v, ok := p.logos.Get(uri); ok {
		return v
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	var out template.URL
	ttl := 5 * time.Minute
	if b, err := p.cfg.FetchLogo(ctx, uri); err == nil && len(b) > 0 && len(b) <= MaxLogoBytes {
		switch ct := http.DetectContentType(b); ct {
		case "image/png", "image/jpeg", "image/gif", "image/webp":
			// Safe to mark: the bytes are base64 and the type is one of
			// four fixed strings, never text from the client.
			out = template.URL("data:" + ct + ";base64," + base64.StdEncoding.EncodeToString(b))
			ttl = time.Hour
		}
	}
	p.logos.Put(uri, out, ttl)
	return out
}

// scopeText says a scope in plain words.
func scopeText(l i18n.Lang, scope string) string {
	name := scope[strings.LastIndexByte(scope, '/')+1:]
	switch name {
	case "credential.readonly", "credential.upsert", "profile.readonly", "profile.update", "offline_access":
		return i18n.T(l, "oauth.scope."+name)
	}
	return scope
}

// apps lists the signed-in user's connected apps.
func (p *Part) apps(w http.ResponseWriter, r *http.Request) {
	p.renderApps(w, r, "")
}

func (p *Part) renderApps(w http.ResponseWriter, r *http.Request, notice string) {
	l := p.lang(w, r)
	user := p.cfg.CurrentUser(r)
	if user == nil {
		http.Redirect(w, r, p.cfg.SignIn(PathApps), http.StatusSeeOther)
		return
	}
	grants, err := p.cfg.OAuth.Store().Grants(r.Context(), user.ID)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	pg := newPage(l, r, "oauth.apps.title")
	pg.Notice = notice
	for _, g := range grants {
		pg.Apps = append(pg.Apps, view(l, g))
	}
	p.render(w, http.StatusOK, "apps.html", pg, "")
}

func view(l i18n.Lang, g oauthdb.Grant) appView {
	u, _ := url.Parse(g.Client.Metadata.ClientURI)
	v := appView{ClientID: g.Client.ID, Name: g.Client.Metadata.ClientName, ClientURI: g.Client.Metadata.ClientURI,
		Since: i18n.T(l, "oauth.apps.since", i18n.Date(l, g.GrantedAt))}
	if u != nil {
		v.ClientHost = u.Host
	}
	for _, s := range g.Scopes {
		v.Scopes = append(v.Scopes, scopeText(l, s))
	}
	return v
}

// disconnect revokes every token the user gave one app.
func (p *Part) disconnect(w http.ResponseWriter, r *http.Request) {
	user := p.cfg.CurrentUser(r)
	if user == nil {
		http.Redirect(w, r, p.cfg.SignIn(PathApps), http.StatusSeeOther)
		return
	}
	id := r.PostFormValue("client_id")
	c, err := p.cfg.OAuth.Store().Client(r.Context(), id)
	if err != nil {
		p.renderApps(w, r, "")
		return
	}
	if err := p.cfg.OAuth.Store().RevokeGrant(r.Context(), user.ID, id); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	p.renderApps(w, r, i18n.T(p.lang(w, r), "oauth.apps.disconnected", c.Metadata.ClientName))
}

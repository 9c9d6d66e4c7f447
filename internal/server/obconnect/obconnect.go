// Package obconnect is the part where a learner connects their wallet to
// another Open Badges 3.0 host (internal/obconnect does the protocol):
// /account/hosts lists the connections and takes a host's address;
// connecting sends the browser to that host's consent page, whose answer
// comes back to /account/hosts/callback; "import" pulls the learner's
// badges from the host into the wallet (each verified by the wallet);
// /account/hosts/push sends one wallet badge to a connected host.
package obconnect

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/blason-badges/blason/internal/i18n"
	"github.com/blason-badges/blason/internal/obconnect"
	"github.com/blason-badges/blason/internal/server/part"
)

// Paths.
const (
	PathHosts      = "/account/hosts"
	PathConnect    = "/account/hosts/connect"
	PathCallback   = "/account/hosts/callback"
	PathPull       = "/account/hosts/pull"
	PathPush       = "/account/hosts/push"
	PathDisconnect = "/account/hosts/disconnect"
	// PathSend takes a claim page's "send it to my badge platform" form
	// (claim, base_url); no account is needed. (Not under /claim/: the
	// claim pages own /claim/{token}.)
	PathSend = "/deliver"
)

// deliverCookie binds a delivery in flight to the browser that started it.
const deliverCookie = "blason_deliver"

// Config is what the part needs.
type Config struct {
	Service *obconnect.Service
	// CurrentUser returns the signed-in user's id ("" when signed out).
	CurrentUser func(r *http.Request) string
	// SignIn returns where to send a signed-out user (back to next).
	SignIn func(next string) string
	// Import gives one badge pulled from a host to the user's wallet,
	// which verifies it; it reports whether the badge was kept.
	Import func(ctx context.Context, userID string, credential []byte, source string) (bool, error)
	// Badge returns one of the user's wallet badges (exact bytes), for a
	// push.
	Badge func(ctx context.Context, userID, id string) ([]byte, error)
	// Claimed returns the badge of a claim (a claim page's secret id), for
	// sending it to the learner's host; nil disables PathSend.
	Claimed func(ctx context.Context, claimID string) ([]byte, error)
	// Delivered, when set, is told that the claim's badge reached the
	// learner's host (a single-use claim is then used up).
	Delivered func(ctx context.Context, claimID string) error
	Lang      i18n.Lang
}

// Part is the part.
type Part struct {
	sh   part.Shared
	cfg  Config
	tmpl map[i18n.Lang]*template.Template
	msg  map[i18n.Lang]*template.Template
	cop  *http.CrossOriginProtection
}

//go:embed templates/hosts.html
var hostsHTML string

//go:embed templates/message.html
var messageHTML string

// New returns the part.
func New(sh part.Shared, cfg Config) *Part {
	if cfg.Lang == "" {
		cfg.Lang = i18n.EN
	}
	p := &Part{sh: sh, cfg: cfg, tmpl: map[i18n.Lang]*template.Template{}, msg: map[i18n.Lang]*template.Template{},
		cop: http.NewCrossOriginProtection()}
	for _, l := range i18n.Supported {
		l := l
		funcs := template.FuncMap{"t": func(_ i18n.Lang, key string, args ...any) string { return i18n.T(l, key, args...) }}
		p.tmpl[l] = template.Must(template.New("hosts").Funcs(funcs).Parse(hostsHTML))
		p.msg[l] = template.Must(template.New("message").Funcs(funcs).Parse(messageHTML))
	}
	return p
}

// Mount adds the routes.
func (p *Part) Mount(r gin.IRouter) {
	wrap := func(h http.HandlerFunc) gin.HandlerFunc { return func(c *gin.Context) { h(c.Writer, c.Request) } }
	r.GET(PathHosts, wrap(p.signedIn(func(w http.ResponseWriter, r *http.Request, user string) { p.page(w, r, user, "") })))
	r.POST(PathConnect, wrap(p.protect(p.signedIn(p.connect))))
	r.GET(PathCallback, wrap(p.callback))
	if p.cfg.Claimed != nil {
		r.POST(PathSend, wrap(p.protect(p.send)))
	}
	r.POST(PathPull, wrap(p.protect(p.signedIn(p.pull))))
	r.POST(PathPush, wrap(p.protect(p.signedIn(p.push))))
	r.POST(PathDisconnect, wrap(p.protect(p.signedIn(p.disconnect))))
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

func (p *Part) signedIn(h func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		user := p.cfg.CurrentUser(r)
		if user == "" {
			http.Redirect(w, r, p.cfg.SignIn(PathHosts), http.StatusSeeOther)
			return
		}
		h(w, r, user)
	}
}

func (p *Part) lang(r *http.Request) i18n.Lang {
	cookie := ""
	if c, err := r.Cookie("lang"); err == nil {
		cookie = c.Value
	}
	return i18n.Negotiate(r.URL.Query().Get("lang"), cookie, r.Header.Get("Accept-Language"), p.cfg.Lang)
}

func (p *Part) message(w http.ResponseWriter, r *http.Request, status int, notice string) {
	l := p.lang(r)
	var buf bytes.Buffer
	if err := p.msg[l].Execute(&buf, map[string]any{"Lang": l, "Notice": notice}); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// send starts delivering a claimed badge to the learner's host.
func (p *Part) send(w http.ResponseWriter, r *http.Request) {
	l := p.lang(r)
	claim := r.PostFormValue("claim")
	if _, err := p.cfg.Claimed(r.Context(), claim); err != nil || claim == "" {
		p.message(w, r, http.StatusNotFound, i18n.T(l, "obconnect.deliver.no-claim"))
		return
	}
	to, err := p.cfg.Service.Deliver(r.Context(), claim, r.PostFormValue("base_url"))
	if err != nil {
		p.message(w, r, http.StatusBadRequest, i18n.T(l, "obconnect.failed", err.Error()))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: deliverCookie, Value: claim, Path: PathCallback, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil, MaxAge: int(obconnect.PendingLifetime.Seconds())})
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (p *Part) page(w http.ResponseWriter, r *http.Request, user, notice string) {
	l := p.lang(r)
	hosts, err := p.cfg.Service.Connections(r.Context(), user)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := p.tmpl[l].Execute(&buf, map[string]any{"Lang": l, "Hosts": hosts, "Notice": notice}); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	_, _ = w.Write(buf.Bytes())
}

// connect starts the authorization at the host the user named and sends
// the browser there (a 303 to the host's own authorization URL, named by
// its discovery document).
func (p *Part) connect(w http.ResponseWriter, r *http.Request, user string) {
	to, err := p.cfg.Service.Start(r.Context(), user, r.PostFormValue("base_url"))
	if err != nil {
		p.page(w, r, user, i18n.T(p.lang(r), "obconnect.failed", err.Error()))
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// callback is where hosts send the browser back: a delivery when this
// browser started one (its cookie), otherwise a signed-in user's
// connection.
func (p *Part) callback(w http.ResponseWriter, r *http.Request) {
	l := p.lang(r)
	if ck, err := r.Cookie(deliverCookie); err == nil && ck.Value != "" && p.cfg.Claimed != nil {
		http.SetCookie(w, &http.Cookie{Name: deliverCookie, Value: "", Path: PathCallback, MaxAge: -1, HttpOnly: true})
		badge, err := p.cfg.Claimed(r.Context(), ck.Value)
		if err != nil {
			p.message(w, r, http.StatusNotFound, i18n.T(l, "obconnect.deliver.no-claim"))
			return
		}
		host, _, err := p.cfg.Service.Delivered(r.Context(), ck.Value, r.URL, badge)
		if err != nil {
			p.message(w, r, http.StatusBadRequest, i18n.T(l, "obconnect.failed", err.Error()))
			return
		}
		if p.cfg.Delivered != nil {
			if err := p.cfg.Delivered(r.Context(), ck.Value); err != nil {
				p.message(w, r, http.StatusInternalServerError, i18n.T(l, "obconnect.failed", err.Error()))
				return
			}
		}
		p.message(w, r, http.StatusOK, i18n.T(l, "obconnect.deliver.done", host))
		return
	}
	p.signedIn(p.connected)(w, r)
}

func (p *Part) connected(w http.ResponseWriter, r *http.Request, user string) {
	l := p.lang(r)
	c, err := p.cfg.Service.Finish(r.Context(), user, r.URL)
	if err != nil {
		p.page(w, r, user, i18n.T(l, "obconnect.failed", err.Error()))
		return
	}
	p.page(w, r, user, i18n.T(l, "obconnect.connected", c.BaseURL))
}

func (p *Part) pull(w http.ResponseWriter, r *http.Request, user string) {
	l := p.lang(r)
	base := r.PostFormValue("base_url")
	got, err := p.cfg.Service.Pull(r.Context(), user, base)
	if err != nil {
		p.page(w, r, user, i18n.T(l, "obconnect.failed", err.Error()))
		return
	}
	kept := 0
	for _, raw := range got {
		ok, err := p.cfg.Import(r.Context(), user, raw, "host:"+base)
		if err != nil && !errors.Is(err, context.Canceled) {
			continue
		}
		if ok {
			kept++
		}
	}
	p.page(w, r, user, i18n.T(l, "obconnect.pulled", kept, len(got)))
}

func (p *Part) push(w http.ResponseWriter, r *http.Request, user string) {
	l := p.lang(r)
	if p.cfg.Badge == nil {
		p.page(w, r, user, i18n.T(l, "obconnect.failed", "pushing badges is not available here"))
		return
	}
	raw, err := p.cfg.Badge(r.Context(), user, r.PostFormValue("credential_id"))
	if err != nil {
		p.page(w, r, user, i18n.T(l, "obconnect.failed", err.Error()))
		return
	}
	if _, err := p.cfg.Service.Push(r.Context(), user, r.PostFormValue("base_url"), raw); err != nil {
		p.page(w, r, user, i18n.T(l, "obconnect.failed", err.Error()))
		return
	}
	host := r.PostFormValue("base_url")
	if u, err := url.Parse(host); err == nil && u.Host != "" {
		host = u.Host
	}
	p.page(w, r, user, i18n.T(l, "obconnect.pushed", host))
}

func (p *Part) disconnect(w http.ResponseWriter, r *http.Request, user string) {
	if err := p.cfg.Service.Disconnect(r.Context(), user, r.PostFormValue("base_url")); err != nil {
		p.page(w, r, user, i18n.T(p.lang(r), "obconnect.failed", err.Error()))
		return
	}
	p.page(w, r, user, i18n.T(p.lang(r), "obconnect.disconnected"))
}

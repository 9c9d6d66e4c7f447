// Package web is Blason's pages: server-rendered HTML (html/template, every
// asset embedded, no third-party request, no script needed), in French and
// English. Handlers are thin: they read the request, call the role
// packages (verifier today), and render. Only the page layer lives here;
// internal/server mounts it next to the JSON APIs.
package web

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	stdhtml "html"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/i18n"
	"github.com/blason-badges/blason/internal/input"
	"github.com/blason-badges/blason/verifier"
	"github.com/blason-badges/blason/wallet"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is what the pages need. Every zero value is documented.
type Config struct {
	// Verifier checks what people give; required.
	Verifier *verifier.Verifier
	// Fetch GETs a hosted credential for "verify by address" (through
	// internal/fetch). Nil disables verification by address.
	Fetch func(ctx context.Context, url string) ([]byte, error)
	// Extract finds a credential baked into a PNG or SVG image. Nil: images
	// are unreadable.
	Extract input.Extractor
	// Known is the list of known issuers (issuer id -> name): those of this
	// server, and the operator's --trust-list. An issuer not on it is shown
	// as unknown (a warning, not a failure).
	Known map[string]string
	// Lang is the language for readers whose browser names none we have;
	// empty means English.
	Lang i18n.Lang
	// MaxUpload bounds a posted form; zero means 8 MiB.
	MaxUpload int64
	// JSON writes the JSON report for clients that ask for one (Accept:
	// application/json): the same document as the VC API's verify endpoints.
	// Nil: pages only.
	JSON func(w http.ResponseWriter, verified bool, checks []verifier.Check, report any)
	// Problem writes a JSON problem (RFC 9457) for such clients.
	Problem func(w http.ResponseWriter, status int, kind, detail string)
	// Detail, if set, rewrites a check's technical detail before it is
	// shown: the server takes internal addresses and paths out of it.
	Detail func(string) string
	// Now is the clock for "checked on"; nil means time.Now.
	Now func() time.Time
	// Logger receives render errors; nil discards.
	Logger *slog.Logger
	// Users, when set, serves the account pages (sign up, sign in, sign
	// out, reset the password; account.go). Nil: no accounts.
	Users *account.Users
	// PublicURL is the base of links the pages send (password reset);
	// empty: the request's own scheme and host.
	PublicURL string
	// SendReset delivers a password-reset link (the mail outbox). Nil: the
	// link is logged at WARN for the operator to pass on.
	SendReset func(ctx context.Context, email string, lang i18n.Lang, link string) error
	// Wallet, with Users, serves the wallet pages and the public share
	// pages (wallet.go). Nil: no wallet.
	Wallet *wallet.Service
	// Forget, run when a person deletes their account (before the
	// account itself, so a failure leaves it to try again), removes what
	// other parts keep of them: OAuth grants and tokens, connections to
	// other hosts, workspace roles.
	Forget []func(ctx context.Context, u *account.User) error
	// Post sends a learner's signed presentation to the verifier address
	// she gives (the hardened client: https only, public addresses). Nil:
	// presentations are only shown, to copy.
	Post wallet.Post
	// Admin, when set, serves the issuer workspace's pages (/admin/...) and
	// the claim page (/claim/{token}); see admin.go.
	Admin *AdminConfig
}

// Handler serves the pages.
type Handler struct {
	cfg   Config
	tmpl  map[i18n.Lang]*template.Template
	share map[i18n.Lang]*shareStatic // the share page's fixed text (sharepage.go)
	mux   *http.ServeMux
	admin *admin
}

// New builds the pages' handler. It panics only if an embedded template is
// broken, which TestTemplatesParse catches.
func New(cfg Config) *Handler {
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = 8 << 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{cfg: cfg, tmpl: map[i18n.Lang]*template.Template{}, share: map[i18n.Lang]*shareStatic{}, mux: http.NewServeMux()}
	for _, l := range i18n.Supported {
		h.tmpl[l] = template.Must(parseTemplates(l))
		h.share[l] = newShareStatic(l)
	}
	static, _ := fs.Sub(staticFS, "static")
	h.mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	h.mux.HandleFunc("GET /verify", h.verifyPage)
	h.mux.HandleFunc("POST /verify", h.verifyPost)
	h.mountAccount()
	h.mountWallet()
	h.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/verify", http.StatusSeeOther)
	})
	if cfg.Admin != nil {
		h.mountAdmin()
	}
	return h
}

// ServeHTTP adds the security headers every page carries and refuses
// cross-site form posts (a page elsewhere cannot post to ours).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	if err := crossOrigin.Check(r); err != nil {
		h.errorPage(w, r, http.StatusForbidden, "error.cross-site")
		return
	}
	h.mux.ServeHTTP(w, r)
}

var crossOrigin = http.NewCrossOriginProtection()

func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}

// Handles reports whether h serves path (the server routes the rest to the
// JSON APIs).
func Handles(path string) bool {
	return path == "/" || path == "/verify" || strings.HasPrefix(path, "/static/") || slices.Contains(AccountPaths, path)
}

// lang picks the reader's language and remembers an explicit choice in a
// cookie, so the language switch holds across pages.
func (h *Handler) lang(w http.ResponseWriter, r *http.Request) i18n.Lang {
	q := r.URL.Query().Get("lang")
	cookie := ""
	if c, err := r.Cookie("lang"); err == nil {
		cookie = c.Value
	}
	l := i18n.Negotiate(q, cookie, r.Header.Get("Accept-Language"), h.cfg.Lang)
	if _, ok := i18n.Parse(q); ok {
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	}
	return l
}

func (h *Handler) render(w http.ResponseWriter, status int, name string, p *page) {
	var buf bytes.Buffer
	if err := h.tmpl[p.Lang].ExecuteTemplate(&buf, name, p); err != nil {
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

func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, key string) {
	l := h.lang(w, r)
	h.render(w, status, "error.html", newPage(l, r, i18n.T(l, "error.title")).withError(i18n.T(l, key)))
}

// page is what every template gets.
type page struct {
	Lang, Other i18n.Lang
	Title       string
	SwitchURL   string // this page in the other language
	Error       string
	Form        form
	Report      *reportView
	// Nav are the account's links (sign in, or the wallet and account),
	// on the pages that know who is signed in.
	Nav []navLink
}

type navLink struct{ Href, Text string }

type form struct{ Pasted, URL string }

func newPage(l i18n.Lang, r *http.Request, title string) *page {
	other := i18n.FR
	if l == i18n.FR {
		other = i18n.EN
	}
	q := r.URL.Query()
	q.Set("lang", string(other))
	return &page{Lang: l, Other: other, Title: title, SwitchURL: r.URL.Path + "?" + q.Encode()}
}

func (p *page) withError(msg string) *page { p.Error = msg; return p }

// staticText is a template action that only looks up a text: {{t .Lang "key"}}.
var staticText = regexp.MustCompile(`\{\{t \S+ "([a-z0-9.\-]+)"\}\}`)

// parseTemplates parses the pages for one language. A text without
// arguments is written into the template when it is parsed (escaped as
// HTML), so rendering a page makes no call for its ~40 fixed texts: that
// halves the cost of rendering. Texts with arguments are still looked up
// with t.
func parseTemplates(lang i18n.Lang) (*template.Template, error) {
	t := template.New("").Funcs(template.FuncMap{
		"t": func(l i18n.Lang, key string, args ...any) string { return i18n.T(l, key, args...) },
		// pair hands a sub-template the language with one report.
		"pair": func(l i18n.Lang, r *reportView) struct {
			Lang   i18n.Lang
			Report *reportView
		} {
			return struct {
				Lang   i18n.Lang
				Report *reportView
			}{l, r}
		},
	})
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		src, err := fs.ReadFile(templateFS, f)
		if err != nil {
			return nil, err
		}
		src = staticText.ReplaceAllFunc(src, func(m []byte) []byte {
			key := string(staticText.FindSubmatch(m)[1])
			return []byte(stdhtml.EscapeString(i18n.T(lang, key)))
		})
		// The page's language, and the other one, are constants of this
		// template set too.
		other := i18n.FR
		if lang == i18n.FR {
			other = i18n.EN
		}
		src = bytes.ReplaceAll(src, []byte("{{.Lang}}"), []byte(lang))
		src = bytes.ReplaceAll(src, []byte("{{$l}}"), []byte(lang))
		src = bytes.ReplaceAll(src, []byte("{{.Other}}"), []byte(other))
		if _, err := t.New(path.Base(f)).Parse(string(src)); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	return t, nil
}

package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/blason-badges/blason/internal/i18n"
)

// The sign-in and sign-up pages take a return address, next: a signed-out
// person sent there by a page that needs a session (the OAuth consent page,
// the wallet, a claim) lands back on it once signed in. It is a local path
// only, or else it would be an open redirect (a link to this site's sign-in
// page that ends on another site).

// maxNext bounds the return address (a consent URL with its PKCE challenge
// and scopes is a few hundred bytes).
const maxNext = 2048

// SafeNext returns next if it is a path on this site, and "" otherwise:
// it must start with one "/" (not "//", a scheme-relative URL to another
// host, nor "/\", which browsers read as "//"), hold no backslash and no
// control character (browsers drop tab and newline, so "/\t/evil" would
// become "//evil"), and parse with no scheme, host or user.
func SafeNext(next string) string {
	if next == "" || len(next) > maxNext || next[0] != '/' {
		return ""
	}
	if len(next) > 1 && (next[1] == '/' || next[1] == '\\') {
		return ""
	}
	for i := 0; i < len(next); i++ {
		if c := next[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return ""
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return ""
	}
	// A percent-encoded slash or backslash at the start is decoded by
	// some proxies and frameworks before the redirect: refuse it too.
	if p := strings.ToLower(u.EscapedPath()); strings.HasPrefix(p, "/%2f") || strings.HasPrefix(p, "/%5c") {
		return ""
	}
	return next
}

// SignInURL is the sign-in page that returns to next (if next is local).
func SignInURL(next string) string {
	if next = SafeNext(next); next == "" {
		return "/signin"
	}
	return "/signin?next=" + url.QueryEscape(next)
}

// toSignIn sends a signed-out person to sign in, to come back here: to
// this page on a GET, or to back (a page's GET address) after a form's
// post, which cannot be replayed by a redirect.
func (h *Handler) toSignIn(w http.ResponseWriter, r *http.Request, l i18n.Lang, back string) {
	next := back
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		next = r.URL.RequestURI()
	}
	to := "/signin?lang=" + string(l)
	if next = SafeNext(next); next != "" {
		to += "&next=" + url.QueryEscape(next)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// afterSignIn is where a person goes once signed in: next, if local, or
// home.
func (h *Handler) afterSignIn(r *http.Request, l i18n.Lang) string {
	if next := SafeNext(r.PostFormValue("next")); next != "" {
		return next
	}
	return h.home(l)
}

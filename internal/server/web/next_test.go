package web

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The usual open-redirect payloads: none may leave this site.
func TestSafeNextRefusesOtherSites(t *testing.T) {
	t.Parallel()
	bad := []string{
		"", "https://evil.example", "http://evil.example/", "//evil.example", "///evil.example",
		"/\\evil.example", "\\\\evil.example", "/\\/evil.example", "\\/evil.example", "/path\\..\\x",
		"javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
		"evil.example", "wallet", "?next=//evil", "#x", " /wallet", "/\t/evil.example", "/\n/evil.example",
		"/\r/evil.example", "/\x00", "/%2F/evil.example", "/%2f/evil.example", "/%5Cevil.example", "/%5c/evil.example",
		"https:/evil.example", "http:\\\\evil.example", "/" + strings.Repeat("a", maxNext),
		"/%zz", "//@evil.example", "/\x7f",
	}
	for _, s := range bad {
		if got := SafeNext(s); got != "" {
			t.Errorf("SafeNext(%q) = %q, want refused", s, got)
		}
		if got := SignInURL(s); got != "/signin" {
			t.Errorf("SignInURL(%q) = %q", s, got)
		}
	}
	good := []string{"/", "/wallet?lang=fr", "/oauth/authorize?client_id=x&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&scope=a+b",
		"/claim/abc-123", "/wallet/c/1#share", "/a//b", "/a/http://b"}
	for _, s := range good {
		if got := SafeNext(s); got != s {
			t.Errorf("SafeNext(%q) = %q, want it kept", s, got)
		}
		if got := SignInURL(s); got != "/signin?next="+url.QueryEscape(s) {
			t.Errorf("SignInURL(%q) = %q", s, got)
		}
	}
}

var hiddenNext = regexp.MustCompile(`<input type="hidden" name="next" value="([^"]*)">`)

// A signed-out person sent to sign in by a page that needs a session lands
// back on it after signing in (or signing up), and a foreign next is
// dropped at every step.
func TestSignInReturnsToNext(t *testing.T) {
	t.Parallel()
	e := newAcctEnv(t)
	c := e.browser(t)
	// The account page sends a signed-out person to sign in, to come back.
	res, _ := pageGet(t, c, e.srv.URL+"/account?lang=fr")
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || loc != "/signin?lang=fr&next="+url.QueryEscape("/account?lang=fr") {
		t.Fatalf("signed out: %d %q", res.StatusCode, loc)
	}
	consent := "/oauth/authorize?client_id=app&scope=a+b&state=x%2Fy"
	// The sign-in page carries next in its form and to the sign-up link.
	_, body := pageGet(t, c, e.srv.URL+"/signin?lang=en&next="+url.QueryEscape(consent))
	m := hiddenNext.FindStringSubmatch(body)
	if m == nil || html.UnescapeString(m[1]) != consent {
		t.Fatalf("sign-in form's next: %v", m)
	}
	link := regexp.MustCompile(`href="(/signup\?[^"]*)"`).FindStringSubmatch(body)
	if link == nil {
		t.Fatal("no sign-up link")
	}
	if u, err := url.Parse(html.UnescapeString(link[1])); err != nil || u.Query().Get("next") != consent {
		t.Fatalf("sign-up link does not carry next: %s", link[1])
	}
	// Sign up with it: back to the consent page.
	res, _ = formPost(t, c, e.srv.URL+"/signup?lang=en", url.Values{"email": {"ada@example.org"}, "password": {"correct horse"}, "next": {consent}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != consent {
		t.Fatalf("sign up: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	// A failed sign-in keeps next in the form it shows again.
	d := e.browser(t)
	res, body = formPost(t, d, e.srv.URL+"/signin?lang=en", url.Values{"email": {"ada@example.org"}, "password": {"wrong password"}, "next": {consent}})
	if m := hiddenNext.FindStringSubmatch(body); res.StatusCode != 401 || m == nil || html.UnescapeString(m[1]) != consent {
		t.Fatalf("failed sign-in: %d %v", res.StatusCode, m)
	}
	res, _ = formPost(t, d, e.srv.URL+"/signin?lang=en", url.Values{"email": {"ada@example.org"}, "password": {"correct horse"}, "next": {consent}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != consent {
		t.Fatalf("sign in: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	// Another site as next: not in the form, and home after signing in.
	for _, evil := range []string{"https://evil.example/", "//evil.example", "/\\evil.example", "/%2F%2Fevil.example"} {
		_, body := pageGet(t, e.browser(t), e.srv.URL+"/signin?lang=en&next="+url.QueryEscape(evil))
		// (The language switch links to this same page, next and all.)
		if strings.Contains(body, `name="next"`) || strings.Contains(body, `href="/signup?lang=en&amp;next=`) {
			t.Errorf("next %q is on the page", evil)
		}
		res, _ := formPost(t, e.browser(t), e.srv.URL+"/signin?lang=en", url.Values{"email": {"ada@example.org"}, "password": {"correct horse"}, "next": {evil}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account?lang=en" {
			t.Errorf("next %q: %d %q", evil, res.StatusCode, res.Header.Get("Location"))
		}
	}
	// A form's post while signed out comes back to its page, not to a GET
	// of the post's address.
	res, _ = formPost(t, e.browser(t), e.srv.URL+"/account/delete?lang=en", url.Values{"confirm": {"ada@example.org"}})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/signin?lang=en&next="+url.QueryEscape("/account?lang=en") {
		t.Fatalf("signed-out post: %d %q", res.StatusCode, loc)
	}
}

// FuzzSafeNext: whatever a link puts in next, an accepted return address
// is returned unchanged and, once net/http has written it as a redirect and
// a client resolves it (as a browser does, also after reading a backslash
// as a slash), stays on this site.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/wallet", "/oauth/authorize?client_id=x&state=y", "//evil.example", "/\\evil.example",
		"/%2F%2Fevil.example", "https://evil.example/", "/\t/evil.example", "/.//evil", "/a/../..//evil", "/@evil.example", "/?next=//evil"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://blason.example/signin?next=x")
	f.Fuzz(func(t *testing.T, s string) {
		got := SafeNext(s)
		if got == "" {
			return
		}
		if got != s {
			t.Fatalf("SafeNext(%q) = %q: an accepted address must be kept as given", s, got)
		}
		if SafeNext(got) != got {
			t.Fatalf("SafeNext is not idempotent on %q", s)
		}
		w := httptest.NewRecorder()
		http.Redirect(w, httptest.NewRequest(http.MethodPost, "https://blason.example/signin", nil), got, http.StatusSeeOther)
		loc := w.Header().Get("Location")
		for _, l := range []string{loc, strings.ReplaceAll(loc, `\`, "/")} {
			u, err := url.Parse(l)
			if err != nil {
				t.Fatalf("Location %q (from %q) does not parse: %v", l, s, err)
			}
			if r := base.ResolveReference(u); r.Host != "blason.example" || r.Scheme != "https" || r.User != nil {
				t.Fatalf("next %q redirects to %q: another site", s, r)
			}
		}
	})
}

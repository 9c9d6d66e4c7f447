package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
	"github.com/blason-badges/blason/internal/store/userdb"
	"github.com/blason-badges/blason/verifier"
)

type acctEnv struct {
	srv   *httptest.Server
	users *account.Users
	log   *bytes.Buffer
}

func newAcctEnv(t *testing.T) *acctEnv {
	t.Helper()
	st, err := userdb.Open(context.Background(), sqldbtest.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	users := &account.Users{Store: st, Argon2: account.Argon2Params{Memory: 64, Time: 1, Threads: 1}}
	var log bytes.Buffer
	h := New(Config{
		Verifier: verifier.New(verifier.Options{}),
		Users:    users,
		Logger:   slog.New(slog.NewTextHandler(&log, nil)),
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &acctEnv{srv: srv, users: users, log: &log}
}

// browser is a client with its own cookies that does not follow
// redirects (the tests look at them).
func (e *acctEnv) browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func formPost(t *testing.T, c *http.Client, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, c, req)
}

func pageGet(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return do(t, c, req)
}

func do(t *testing.T, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(res.Body)
	return res, b.String()
}

func TestAccountPagesSignUpInOut(t *testing.T) {
	t.Parallel()
	e := newAcctEnv(t)
	a, b := e.browser(t), e.browser(t)
	res, _ := formPost(t, a, e.srv.URL+"/signup?lang=en", url.Values{"email": {"Ada@Example.org"}, "password": {"correct horse"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account?lang=en" {
		t.Fatalf("sign up: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == SessionCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie %+v", cookie)
	}
	if _, body := pageGet(t, a, e.srv.URL+"/account?lang=en"); !strings.Contains(body, "Signed in as ada@example.org.") {
		t.Fatalf("account page:\n%s", body)
	}
	// The same address again: refused, nothing made.
	res, body := formPost(t, b, e.srv.URL+"/signup?lang=fr", url.Values{"email": {"ada@example.org"}, "password": {"another one!"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Un compte utilise déjà cette adresse") {
		t.Fatalf("duplicate sign-up: %d\n%s", res.StatusCode, body)
	}
	// A wrong password and an unknown address read the same.
	r1, wrong := formPost(t, b, e.srv.URL+"/signin?lang=en", url.Values{"email": {"ada@example.org"}, "password": {"wrong password"}})
	r2, unknown := formPost(t, b, e.srv.URL+"/signin?lang=en", url.Values{"email": {"bob@example.org"}, "password": {"wrong password"}})
	msg := "The e-mail address or the password is not right."
	if r1.StatusCode != 401 || r2.StatusCode != 401 || !strings.Contains(wrong, msg) || !strings.Contains(unknown, msg) {
		t.Fatalf("failed sign-ins: %d %d", r1.StatusCode, r2.StatusCode)
	}
	strip := regexp.MustCompile(`value="[^"]*"`)
	if strip.ReplaceAllString(wrong, "") != strip.ReplaceAllString(unknown, "") {
		t.Fatal("the pages for a wrong password and an unknown address differ")
	}
	res, _ = formPost(t, b, e.srv.URL+"/signin?lang=en", url.Values{"email": {"ada@example.org"}, "password": {"correct horse"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", res.StatusCode)
	}
	// Browser b signs out everywhere: a is signed out too.
	res, _ = formPost(t, b, e.srv.URL+"/signout/everywhere?lang=en", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out everywhere: %d", res.StatusCode)
	}
	for name, c := range map[string]*http.Client{"a": a, "b": b} {
		if res, _ := pageGet(t, c, e.srv.URL+"/account?lang=en"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
			t.Fatalf("browser %s still signed in: %d", name, res.StatusCode)
		}
	}
	// A post from another site is refused before it is read.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/signin", strings.NewReader("email=ada%40example.org&password=correct+horse"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if res, _ := do(t, b, req); res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site sign-in: %d", res.StatusCode)
	}
}

func TestAccountPagesThrottle(t *testing.T) {
	t.Parallel()
	e := newAcctEnv(t)
	c := e.browser(t)
	if _, err := e.users.Create(context.Background(), "ada@example.org", "correct horse"); err != nil {
		t.Fatal(err)
	}
	for range account.MaxFailuresPerAccount {
		formPost(t, c, e.srv.URL+"/signin?lang=fr", url.Values{"email": {"ada@example.org"}, "password": {"guess"}})
	}
	res, body := formPost(t, c, e.srv.URL+"/signin?lang=fr", url.Values{"email": {"ada@example.org"}, "password": {"correct horse"}})
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" || !strings.Contains(body, "Trop de tentatives") {
		t.Fatalf("throttled: %d\n%s", res.StatusCode, body)
	}
}

func TestAccountPagesLinks(t *testing.T) {
	t.Parallel()
	e := newAcctEnv(t)
	ctx := context.Background()
	u, _ := e.users.Create(ctx, "learner@example.org", "")
	secret, _, _ := e.users.NewLink(ctx, u.ID, account.LinkSignIn)
	c := e.browser(t)
	// Opening the link (a mail scanner would) spends nothing.
	for range 2 {
		if res, body := pageGet(t, c, e.srv.URL+"/signin/link?lang=en&token="+url.QueryEscape(secret)); res.StatusCode != 200 || !strings.Contains(body, "Sign in with your link") {
			t.Fatalf("link page: %d", res.StatusCode)
		}
	}
	res, _ := formPost(t, c, e.srv.URL+"/signin/link?lang=en", url.Values{"token": {secret}, "password": {"chosen password"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("use link: %d", res.StatusCode)
	}
	res, body := formPost(t, e.browser(t), e.srv.URL+"/signin/link?lang=en", url.Values{"token": {secret}})
	if res.StatusCode != http.StatusGone || !strings.Contains(body, "already used, or it has expired") {
		t.Fatalf("second use: %d\n%s", res.StatusCode, body)
	}
	if _, _, err := e.users.SignIn(ctx, "learner@example.org", "chosen password", ""); err != nil {
		t.Fatalf("the password chosen on the link page: %v", err)
	}
	// Reset: the same answer for a known and an unknown address; the link
	// is logged (no mail outbox here).
	_, known := formPost(t, e.browser(t), e.srv.URL+"/reset?lang=en", url.Values{"email": {"learner@example.org"}})
	_, unknown := formPost(t, e.browser(t), e.srv.URL+"/reset?lang=en", url.Values{"email": {"nobody@example.org"}})
	if known != unknown || !strings.Contains(known, "If an account uses this address") {
		t.Fatal("reset answers differ between a known and an unknown address")
	}
	m := regexp.MustCompile(`token=([A-Za-z0-9_-]{43})`).FindStringSubmatch(e.log.String())
	if m == nil || strings.Count(e.log.String(), "password reset link") != 1 {
		t.Fatalf("reset link not logged once:\n%s", e.log.String())
	}
	d := e.browser(t)
	res, body = formPost(t, d, e.srv.URL+"/reset/link?lang=fr", url.Values{"token": {m[1]}, "password": {"court"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "au moins 8 caractères") {
		t.Fatalf("weak password: %d", res.StatusCode)
	}
	res, _ = formPost(t, d, e.srv.URL+"/reset/link?lang=fr", url.Values{"token": {m[1]}, "password": {"nouveau mot de passe"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d", res.StatusCode)
	}
	if res, _ := pageGet(t, c, e.srv.URL+"/account"); res.StatusCode != http.StatusSeeOther {
		t.Fatal("the reset did not sign out the other browser")
	}
	if res, body := pageGet(t, d, e.srv.URL+"/account?lang=fr"); res.StatusCode != 200 || !strings.Contains(body, "Connecté en tant que learner@example.org") {
		t.Fatalf("after reset: %d", res.StatusCode)
	}
}

package oauth_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/oauth"
	"github.com/blason-badges/blason/internal/obapi"
	"github.com/blason-badges/blason/internal/store/oauthdb"
	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
)

// env is an authorization server behind a test HTTP server whose
// /authorize approves at once for the user named by the X-Test-User
// header (the consent page is internal/server/oauth's).
type env struct {
	t   testing.TB
	srv *oauth.Server
	ts  *httptest.Server
	db  *sqldb.DB
}

func newEnv(t testing.TB, db *sqldb.DB) *env {
	t.Helper()
	store, err := oauthdb.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := oauth.New(store, oauth.Config{Secret: []byte(strings.Repeat("k", 32))})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, srv: srv, db: db}
	mux := http.NewServeMux()
	mux.HandleFunc("/register", srv.ServeRegister)
	mux.HandleFunc("/token", srv.ServeToken)
	mux.HandleFunc("/revoke", srv.ServeRevoke)
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		req, ar, err := srv.ParseAuthorize(r)
		if err != nil {
			srv.WriteAuthorizeError(w, r, ar, err)
			return
		}
		if r.Header.Get("X-Test-Deny") != "" {
			srv.Deny(w, r, req)
			return
		}
		grant := req.Scopes
		if g := r.Header.Get("X-Test-Grant"); g != "" {
			grant = strings.Fields(g)
		}
		srv.Approve(w, r, req, r.Header.Get("X-Test-User"), grant)
	})
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		b, err := srv.Authenticate(r, r.URL.Query().Get("scope"))
		switch {
		case errors.Is(err, oauth.ErrScope):
			w.WriteHeader(http.StatusForbidden)
		case err != nil:
			w.WriteHeader(http.StatusUnauthorized)
		default:
			_, _ = io.WriteString(w, b.Subject)
		}
	})
	e.ts = httptest.NewServer(mux)
	t.Cleanup(e.ts.Close)
	return e
}

func eachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) { fn(t, newEnv(t, db)) })
}

const (
	read   = obapi.ScopeCredentialReadonly
	upsert = obapi.ScopeCredentialUpsert
	prof   = obapi.ScopeProfileReadonly
)

type client struct {
	ID, Secret, Redirect string
}

func (e *env) register(scope string) client {
	e.t.Helper()
	redirect := "http://127.0.0.1:9/cb"
	body := `{"client_name":"Test app","client_uri":"http://127.0.0.1:9/","logo_uri":"http://127.0.0.1:9/logo.png",
		"tos_uri":"http://127.0.0.1:9/tos","policy_uri":"http://127.0.0.1:9/privacy","software_id":"t","software_version":"1",
		"redirect_uris":["` + redirect + `"],"scope":"` + scope + ` offline_access"}`
	resp, err := http.Post(e.ts.URL+"/register", "application/json", strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var reg oauth.Registration
	if resp.StatusCode != 201 || json.NewDecoder(resp.Body).Decode(&reg) != nil {
		e.t.Fatalf("register: %d", resp.StatusCode)
	}
	return client{reg.ClientID, reg.ClientSecret, redirect}
}

type authz struct {
	verifier, challenge, state, scope, redirect, method string
	user, grant                                         string
}

func pkcePair(v string) (string, string) {
	sum := sha256.Sum256([]byte(v))
	return v, base64.RawURLEncoding.EncodeToString(sum[:])
}

func defaults(c client, a authz) authz {
	if a.verifier == "" {
		a.verifier, a.challenge = pkcePair(strings.Repeat("v", 50))
	}
	if a.state == "" {
		a.state = "state-12345678"
	}
	if a.redirect == "" {
		a.redirect = c.Redirect
	}
	if a.method == "" {
		a.method = "S256"
	}
	if a.user == "" {
		a.user = "alice"
	}
	return a
}

// authorize runs the authorization request and returns the response
// (redirects are not followed).
func (e *env) authorize(c client, a authz, omit ...string) *http.Response {
	e.t.Helper()
	q := url.Values{"response_type": {"code"}, "client_id": {c.ID}, "redirect_uri": {a.redirect}, "scope": {a.scope},
		"state": {a.state}, "code_challenge": {a.challenge}, "code_challenge_method": {a.method}}
	for _, k := range omit {
		q.Del(k)
	}
	req, _ := http.NewRequest("GET", e.ts.URL+"/authorize?"+q.Encode(), nil)
	req.Header.Set("X-Test-User", a.user)
	if a.grant != "" {
		req.Header.Set("X-Test-Grant", a.grant)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// code runs a successful authorization and returns the code.
func (e *env) code(c client, a authz) string {
	e.t.Helper()
	resp := e.authorize(c, a)
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound || err != nil {
		e.t.Fatalf("authorize: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if loc.Query().Get("state") != a.state || loc.Query().Get("code") == "" {
		e.t.Fatalf("authorize redirect %s", loc)
	}
	return loc.Query().Get("code")
}

type tokens struct {
	Access  string `json:"access_token"`
	Refresh string `json:"refresh_token"`
	Type    string `json:"token_type"`
	Scope   string `json:"scope"`
	Expires int    `json:"expires_in"`
	Error   string `json:"error"`
	status  int
	header  http.Header
}

func (e *env) post(path string, c client, form url.Values, basic bool) tokens {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth(url.QueryEscape(c.ID), url.QueryEscape(c.Secret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var tk tokens
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &tk)
	tk.status, tk.header = resp.StatusCode, resp.Header
	return tk
}

func (e *env) exchange(c client, code string, a authz) tokens {
	return e.post("/token", c, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {a.redirect},
		"code_verifier": {a.verifier}, "scope": {a.scope}}, true)
}

func (e *env) refresh(c client, rt, scope string) tokens {
	f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	if scope != "" {
		f.Set("scope", scope)
	}
	return e.post("/token", c, f, true)
}

// use calls the protected resource with token, asking for scope; it
// returns the status and the subject.
func (e *env) use(token, scope string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.ts.URL+"/api/?scope="+url.QueryEscape(scope), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestFlow(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.register(read + " " + upsert)
		a := defaults(c, authz{scope: read + " " + upsert})
		tk := e.exchange(c, e.code(c, a), a)
		if tk.status != 200 || tk.Access == "" || tk.Refresh == "" || !strings.EqualFold(tk.Type, "bearer") || tk.Expires <= 0 || tk.Expires > 3600 {
			t.Fatalf("token response %+v", tk)
		}
		if tk.header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q", tk.header.Get("Cache-Control"))
		}
		if got := strings.Fields(tk.Scope); len(got) != 2 {
			t.Errorf("scope %q", tk.Scope)
		}
		if st, sub := e.use(tk.Access, read); st != 200 || sub != "alice" {
			t.Errorf("read: %d %q", st, sub)
		}
		if st, _ := e.use(tk.Access, prof); st != 403 {
			t.Errorf("profile scope not granted: %d, want 403", st)
		}
		// A refresh token is not a bearer credential.
		if st, _ := e.use(tk.Refresh, read); st != 401 {
			t.Errorf("refresh token as bearer: %d", st)
		}
		if st, _ := e.use(tk.Access+"x", read); st != 401 {
			t.Errorf("altered token: %d", st)
		}
		// The user may grant fewer scopes than asked.
		a2 := defaults(c, authz{scope: read + " " + upsert, grant: read, user: "bob"})
		tk2 := e.exchange(c, e.code(c, a2), a2)
		if tk2.Scope != read {
			t.Errorf("partial grant scope %q", tk2.Scope)
		}
		if st, _ := e.use(tk2.Access, upsert); st != 403 {
			t.Errorf("ungranted upsert: %d", st)
		}
		if st, sub := e.use(tk2.Access, read); st != 200 || sub != "bob" {
			t.Errorf("bob: %d %q", st, sub)
		}
		// Connected apps: alice sees the client and can disconnect it.
		grants, err := e.srv.Store().Grants(context.Background(), "alice")
		if err != nil || len(grants) != 1 || grants[0].Client.ID != c.ID || grants[0].Client.Metadata.ClientName != "Test app" {
			t.Fatalf("grants %+v %v", grants, err)
		}
		if err := e.srv.Store().RevokeGrant(context.Background(), "alice", c.ID); err != nil {
			t.Fatal(err)
		}
		if st, _ := e.use(tk.Access, read); st != 401 {
			t.Errorf("after disconnect: %d", st)
		}
		if r := e.refresh(c, tk.Refresh, ""); r.status != 400 {
			t.Errorf("refresh after disconnect: %+v", r)
		}
		if st, _ := e.use(tk2.Access, read); st != 200 {
			t.Errorf("bob's grant survived alice's disconnect? %d", st)
		}
		if g, _ := e.srv.Store().Grants(context.Background(), "alice"); len(g) != 0 {
			t.Errorf("grants after disconnect %+v", g)
		}
	})
}

// RFC 6749 §4.1.2: a code used twice is refused, and the tokens issued
// with it are revoked.
func TestCodeReuseRevokes(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.register(read)
		a := defaults(c, authz{scope: read})
		code := e.code(c, a)
		tk := e.exchange(c, code, a)
		if tk.status != 200 {
			t.Fatalf("first exchange %+v", tk)
		}
		again := e.exchange(c, code, a)
		if again.status != 400 || again.Error != "invalid_grant" || again.Access != "" {
			t.Fatalf("second exchange %+v", again)
		}
		if st, _ := e.use(tk.Access, read); st != 401 {
			t.Errorf("access token after code reuse: %d", st)
		}
		if r := e.refresh(c, tk.Refresh, ""); r.status != 400 {
			t.Errorf("refresh token after code reuse: %+v", r)
		}
	})
}

func TestPKCE(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.register(read)
		a := defaults(c, authz{scope: read})
		code := e.code(c, a)
		bad := a
		bad.verifier = strings.Repeat("w", 50)
		if tk := e.exchange(c, code, bad); tk.status != 400 || tk.Error != "invalid_grant" {
			t.Errorf("wrong verifier: %+v", tk)
		}
		noVerifier := a
		noVerifier.verifier = ""
		if tk := e.exchange(c, e.code(c, a), noVerifier); tk.status != 400 {
			t.Errorf("no verifier: %+v", tk)
		}
		// No challenge, or the plain method: refused at the authorization
		// request, to the client's (registered) redirect URI.
		for name, resp := range map[string]*http.Response{
			"no challenge": e.authorize(c, a, "code_challenge", "code_challenge_method"),
			"plain":        e.authorize(c, authz{scope: read, verifier: "x", challenge: strings.Repeat("v", 50), method: "plain", state: a.state, redirect: a.redirect, user: "alice"}),
		} {
			loc, _ := url.Parse(resp.Header.Get("Location"))
			if loc == nil || loc.Query().Get("error") == "" || loc.Query().Get("code") != "" || !strings.HasPrefix(loc.String(), c.Redirect) {
				t.Errorf("%s: %d %q", name, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
	})
}

// A redirect URI that is not registered is never redirected to (no open
// redirect); one that differs at the token endpoint fails the exchange.
func TestRedirectURI(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.register(read)
		for _, evil := range []string{"https://evil.example/cb", "http://127.0.0.1:9/cb/../evil", "http://127.0.0.1:9/cb?x=1", "http://127.0.0.1:9/other", "//evil.example/cb"} {
			a := defaults(c, authz{scope: read, redirect: evil})
			resp := e.authorize(c, a)
			if loc := resp.Header.Get("Location"); loc != "" || resp.StatusCode < 400 {
				t.Errorf("%s: %d, Location %q", evil, resp.StatusCode, loc)
			}
		}
		// Missing redirect_uri: refused (OB 3.0 makes it required), and
		// not sent anywhere either.
		a := defaults(c, authz{scope: read})
		if resp := e.authorize(c, a, "redirect_uri"); resp.StatusCode < 300 {
			t.Errorf("no redirect_uri: %d", resp.StatusCode)
		}
		code := e.code(c, a)
		other := a
		other.redirect = "http://127.0.0.1:9/cb2"
		if tk := e.exchange(c, code, other); tk.status != 400 || tk.Error != "invalid_grant" {
			t.Errorf("token with another redirect_uri: %+v", tk)
		}
		// An unknown client: no redirect either.
		resp := e.authorize(client{ID: "nobody", Redirect: c.Redirect}, a)
		if resp.Header.Get("Location") != "" {
			t.Errorf("unknown client redirected to %q", resp.Header.Get("Location"))
		}
	})
}

func TestStateRequired(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.register(read)
		a := defaults(c, authz{scope: read})
		for _, omit := range [][]string{{"state"}} {
			resp := e.authorize(c, a, omit...)
			loc, _ := url.Parse(resp.Header.Get("Location"))
			if loc == nil || loc.Query().Get("code") != "" || loc.Query().Get("error") != "invalid_state" {
				t.Errorf("without state: %d %q", resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		short := a
		short.state = "abc"
		if loc := e.authorize(c, short).Header.Get("Location"); strings.Contains(loc, "code=") {
			t.Errorf("short state: %q", loc)
		}
	})
}

func TestDenyAndScopes(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.register(read)
		a := defaults(c, authz{scope: read})
		q := url.Values{"response_type": {"code"}, "client_id": {c.ID}, "redirect_uri": {a.redirect}, "scope": {read},
			"state": {a.state}, "code_challenge": {a.challenge}, "code_challenge_method": {"S256"}}
		req, _ := http.NewRequest("GET", e.ts.URL+"/authorize?"+q.Encode(), nil)
		req.Header.Set("X-Test-Deny", "1")
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if loc == nil || loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != a.state {
			t.Errorf("deny: %q", resp.Header.Get("Location"))
		}
		// A scope the client did not register is refused.
		up := defaults(c, authz{scope: read + " " + upsert})
		loc, _ = url.Parse(e.authorize(c, up).Header.Get("Location"))
		if loc == nil || loc.Query().Get("error") != "invalid_scope" {
			t.Errorf("unregistered scope: %v", loc)
		}
	})
}

// Refresh: rotation (the old refresh token dies, and replaying it revokes
// the grant), scope never grows, and narrowing works.
func TestRefresh(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.register(read + " " + upsert + " " + prof)
		a := defaults(c, authz{scope: read + " " + upsert, grant: read + " " + upsert})
		tk := e.exchange(c, e.code(c, a), a)
		if up := e.refresh(c, tk.Refresh, read+" "+prof); up.status != 400 || up.Error != "invalid_scope" {
			t.Fatalf("escalation on refresh: %+v", up)
		}
		// The failed escalation did not use the token up.
		n := e.refresh(c, tk.Refresh, read)
		if n.status != 200 || n.Scope != read || n.Refresh == "" || n.Refresh == tk.Refresh {
			t.Fatalf("narrowing refresh: %+v", n)
		}
		if st, _ := e.use(n.Access, upsert); st != 403 {
			t.Errorf("narrowed token has upsert: %d", st)
		}
		if st, _ := e.use(tk.Access, read); st != 401 {
			t.Errorf("old access token after refresh: %d", st)
		}
		// The narrowed refresh token cannot widen back.
		if w := e.refresh(c, n.Refresh, read+" "+upsert); w.status != 400 || w.Error != "invalid_scope" {
			t.Errorf("widening back: %+v", w)
		}
		// Replaying the first refresh token is theft: refused, and the
		// live tokens of the grant are revoked.
		if r := e.refresh(c, tk.Refresh, ""); r.status != 400 || r.Error != "invalid_grant" {
			t.Errorf("replay: %+v", r)
		}
		if st, _ := e.use(n.Access, read); st != 401 {
			t.Errorf("access token after refresh replay: %d", st)
		}
		if r := e.refresh(c, n.Refresh, ""); r.status != 400 {
			t.Errorf("newest refresh token after replay: %+v", r)
		}
		// Another client cannot use this client's refresh token.
		other := e.register(read)
		a2 := defaults(c, authz{scope: read})
		tk2 := e.exchange(c, e.code(c, a2), a2)
		if r := e.refresh(other, tk2.Refresh, ""); r.status != 400 || r.Access != "" {
			t.Errorf("refresh by another client: %+v", r)
		}
	})
}

func TestRevocation(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.register(read)
		a := defaults(c, authz{scope: read})
		tk := e.exchange(c, e.code(c, a), a)
		if r := e.post("/revoke", c, url.Values{"token": {tk.Access}, "token_type_hint": {"access_token"}}, true); r.status != 200 {
			t.Fatalf("revoke: %+v", r)
		}
		if st, _ := e.use(tk.Access, read); st != 401 {
			t.Errorf("after revocation: %d", st)
		}
		// RFC 7009 §2.2: an unknown token is a 200 too.
		if r := e.post("/revoke", c, url.Values{"token": {"nonsense"}}, true); r.status != 200 {
			t.Errorf("unknown token: %+v", r)
		}
		// Revoking the refresh token kills the grant's access tokens.
		tk2 := e.exchange(c, e.code(c, a), a)
		if r := e.post("/revoke", c, url.Values{"token": {tk2.Refresh}}, true); r.status != 200 {
			t.Fatalf("revoke refresh: %+v", r)
		}
		if st, _ := e.use(tk2.Access, read); st != 401 {
			t.Errorf("access after refresh revocation: %d", st)
		}
		if r := e.refresh(c, tk2.Refresh, ""); r.status != 400 {
			t.Errorf("refresh after revocation: %+v", r)
		}
		// Without client authentication: refused, and nothing revoked.
		tk3 := e.exchange(c, e.code(c, a), a)
		if r := e.post("/revoke", c, url.Values{"token": {tk3.Access}}, false); r.status != 401 && r.status != 400 {
			t.Errorf("unauthenticated revoke: %+v", r)
		}
		if st, _ := e.use(tk3.Access, read); st != 200 {
			t.Errorf("token revoked by an unauthenticated request: %d", st)
		}
	})
}

// client_secret_basic only: the secret in the form body, or a wrong
// secret, is refused.
func TestClientAuthentication(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.register(read)
		a := defaults(c, authz{scope: read})
		f := url.Values{"grant_type": {"authorization_code"}, "code": {e.code(c, a)}, "redirect_uri": {a.redirect},
			"code_verifier": {a.verifier}, "client_id": {c.ID}, "client_secret": {c.Secret}}
		if tk := e.post("/token", c, f, false); tk.status != 401 || tk.Access != "" {
			t.Errorf("client_secret_post: %+v", tk)
		}
		wrong := c
		wrong.Secret = c.Secret + "x"
		if tk := e.exchange(wrong, e.code(c, a), a); tk.status != 401 || tk.Access != "" {
			t.Errorf("wrong secret: %+v", tk)
		}
	})
}

func TestRegistration(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sqldbtest.SQLite(t))
	example, err := os.ReadFile("testdata/api-dynamic-client-registration-request.json")
	if err != nil {
		t.Fatal(err)
	}
	reg, err := e.srv.Register(context.Background(), example)
	if err != nil {
		t.Fatalf("the spec's example request: %v", err)
	}
	if reg.ClientID == "" || len(reg.ClientSecret) < 43 || reg.ClientSecretExpiresAt != 0 || reg.TokenEndpointAuth != "client_secret_basic" {
		t.Errorf("registration %+v", reg)
	}
	if reg.Scope != read+" "+upsert+" offline_access" {
		t.Errorf("scope %q", reg.Scope)
	}
	stored, err := e.srv.Store().Client(context.Background(), reg.ClientID)
	if err != nil || string(stored.SecretHash) == reg.ClientSecret || len(stored.SecretHash) != 32 {
		t.Errorf("stored secret is not a hash: %v", err)
	}
	var base map[string]any
	_ = json.Unmarshal(example, &base)
	for name, mod := range map[string]func(m map[string]any){
		"no client_name":     func(m map[string]any) { delete(m, "client_name") },
		"no logo_uri":        func(m map[string]any) { delete(m, "logo_uri") },
		"no tos_uri":         func(m map[string]any) { delete(m, "tos_uri") },
		"no policy_uri":      func(m map[string]any) { delete(m, "policy_uri") },
		"no software_id":     func(m map[string]any) { delete(m, "software_id") },
		"no software_ver":    func(m map[string]any) { delete(m, "software_version") },
		"no redirect":        func(m map[string]any) { delete(m, "redirect_uris") },
		"no scope":           func(m map[string]any) { delete(m, "scope") },
		"only unknown scope": func(m map[string]any) { m["scope"] = "openid offline_access" },
		"http redirect":      func(m map[string]any) { m["redirect_uris"] = []string{"http://client.1edtech.org/cb"} },
		"other host":         func(m map[string]any) { m["redirect_uris"] = []string{"https://evil.example/cb"} },
		"logo elsewhere":     func(m map[string]any) { m["logo_uri"] = "https://cdn.example/logo.png" },
		"fragment":           func(m map[string]any) { m["redirect_uris"] = []string{"https://client.1edtech.org/cb#x"} },
		"custom scheme":      func(m map[string]any) { m["redirect_uris"] = []string{"app://client.1edtech.org/cb"} },
		"post auth":          func(m map[string]any) { m["token_endpoint_auth_method"] = "client_secret_post" },
		"none auth":          func(m map[string]any) { m["token_endpoint_auth_method"] = "none" },
		"implicit":           func(m map[string]any) { m["response_types"] = []string{"token"} },
		"client creds":       func(m map[string]any) { m["grant_types"] = []string{"client_credentials"} },
		"redirect not array": func(m map[string]any) { m["redirect_uris"] = "https://client.1edtech.org/cb" },
		"control chars":      func(m map[string]any) { m["client_name"] = "a\nb" },
	} {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		mod(m)
		b, _ := json.Marshal(m)
		_, err := e.srv.Register(context.Background(), b)
		var re *oauth.RegistrationError
		if !errors.As(err, &re) || (re.Code != "invalid_client_metadata" && re.Code != "invalid_redirect_uri") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Over HTTP: 201 with the RFC 7591 fields, 400 with error.
	resp, err := http.Post(e.ts.URL+"/register", "application/json", strings.NewReader(string(example)))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	for _, k := range []string{"client_id", "client_secret", "client_id_issued_at", "client_secret_expires_at", "client_name", "redirect_uris", "scope"} {
		if _, ok := got[k]; !ok || resp.StatusCode != 201 {
			t.Errorf("HTTP registration: %d, missing %s", resp.StatusCode, k)
		}
	}
	resp, err = http.Post(e.ts.URL+"/register", "application/json", strings.NewReader(`{"client_name":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if resp.StatusCode != 400 || got["error"] != "invalid_client_metadata" {
		t.Errorf("bad HTTP registration: %d %v", resp.StatusCode, got)
	}
}

// Codes live at most ten minutes (OB 3.0 §7.3.2, RFC 6749 §4.1.2): the
// expiry fosite checks is the one stored with the code, and a code past
// it is refused.
func TestCodeLifetime(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.register(read)
		a := defaults(c, authz{scope: read})
		before := time.Now()
		code := e.code(c, a)
		ctx := context.Background()
		var data string
		var exp time.Time
		err := e.db.Read(ctx, func(tx *sql.Tx) error {
			return tx.QueryRowContext(ctx, "SELECT request, expires_at FROM oauth_codes").Scan(&data, (*sqldb.Time)(&exp))
		})
		if err != nil {
			t.Fatal(err)
		}
		if exp.After(before.Add(10*time.Minute+2*time.Second)) || exp.Before(before.Add(9*time.Minute)) {
			t.Errorf("code expires at %v, %v after issue", exp, exp.Sub(before))
		}
		// Age the stored code by eleven minutes.
		var st map[string]any
		_ = json.Unmarshal([]byte(data), &st)
		sess := st["session"].(map[string]any)
		sess["expires_at"].(map[string]any)["authorize_code"] = time.Now().Add(-time.Minute).UTC().Format(time.RFC3339Nano)
		aged, _ := json.Marshal(st)
		if err := e.db.Write(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE oauth_codes SET request = $1", string(aged))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if tk := e.exchange(c, code, a); tk.status != 400 || tk.Access != "" {
			t.Errorf("expired code: %+v", tk)
		}
	})
}

// Two refreshes racing with one refresh token: exactly one gets tokens.
func TestRefreshRace(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.register(read)
		for round := 0; round < 5; round++ {
			a := defaults(c, authz{scope: read})
			tk := e.exchange(c, e.code(c, a), a)
			results := make(chan tokens, 2)
			for range 2 {
				go func() { results <- e.refresh(c, tk.Refresh, "") }()
			}
			ok := 0
			for range 2 {
				if r := <-results; r.status == 200 && r.Access != "" {
					ok++
				}
			}
			if ok != 1 {
				t.Fatalf("round %d: %d refreshes succeeded with one token", round, ok)
			}
		}
	})
}

// Two exchanges racing with one code: exactly one gets tokens.
func TestCodeRace(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.register(read)
		for round := 0; round < 5; round++ {
			a := defaults(c, authz{scope: read})
			code := e.code(c, a)
			results := make(chan tokens, 2)
			for range 2 {
				go func() { results <- e.exchange(c, code, a) }()
			}
			ok := 0
			for range 2 {
				if r := <-results; r.status == 200 && r.Access != "" {
					ok++
				}
			}
			if ok != 1 {
				t.Fatalf("round %d: %d exchanges succeeded with one code", round, ok)
			}
		}
	})
}

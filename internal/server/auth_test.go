package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/server/problem"
	"github.com/blason-badges/blason/internal/server/web"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

// send serves one request built by the fixture, then lets mod change it.
func (f *fixture) send(t testing.TB, method, path, body string, mod func(r *http.Request)) *httptest.ResponseRecorder {
	t.Helper()
	req := f.request(method, path, strings.NewReader(body))
	if mod != nil {
		mod(req)
	}
	w := httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(w, req)
	return w
}

// problemOf decodes an RFC 9457 body and checks its shape.
func problemOf(t testing.TB, w *httptest.ResponseRecorder) problem.Problem {
	t.Helper()
	var p problem.Problem
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p.Type == "" || p.Title == "" || p.Status != w.Code {
		t.Fatalf("not a problem body (%d): %s", w.Code, w.Body)
	}
	return p
}

func issueBody(cred map[string]any) string {
	b, _ := json.Marshal(map[string]any{"credential": cred})
	return string(b)
}

// TestIssueNeedsScopedToken: every way of not holding the issue scope is
// refused before anything is signed: 401 (with WWW-Authenticate: Bearer)
// without a valid token, 403 with a valid token of another scope.
func TestIssueNeedsScopedToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	ctx := context.Background()
	statusOnly := mustToken(t, f.tokens, account.ScopeStatus)
	admin := mustToken(t, f.tokens, account.ScopeAdmin)
	revoked, rt, _ := f.tokens.Create(ctx, []account.Scope{account.ScopeIssue}, "revoked", 0)
	if err := f.tokens.Revoke(ctx, rt.ID); err != nil {
		t.Fatal(err)
	}
	// A token made two hours ago that lived one hour.
	past := &account.Service{Store: f.tokens.Store, Now: func() time.Time { return time.Now().Add(-2 * time.Hour) }}
	expired, _, err := past.Create(ctx, []account.Scope{account.ScopeIssue}, "expired", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	body := issueBody(genericVC(f.key.DID))
	cases := []struct {
		name   string
		header string // Authorization; "-" for none
		want   int
	}{
		{"no token", "-", 401},
		{"empty bearer", "Bearer ", 401},
		{"basic auth", "Basic dXNlcjpwYXNz", 401},
		{"unknown token", "Bearer " + account.Prefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 401},
		{"expired token", "Bearer " + expired, 401},
		{"revoked token", "Bearer " + revoked, 401},
		{"token with a trailing byte", "Bearer " + f.token + "x", 401},
		{"status scope only", "Bearer " + statusOnly, 403},
		{"issue scope", "Bearer " + f.token, 201},
		{"scheme in lower case", "bearer " + f.token, 201},
		{"admin scope", "Bearer " + admin, 201},
		{"operator token", "Bearer " + testOperator, 201},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := f.send(t, "POST", "/credentials/issue", issueBody(genericVC(f.key.DID)), func(r *http.Request) {
				r.Header.Del("Authorization")
				if c.header != "-" {
					r.Header.Set("Authorization", c.header)
				}
			})
			if w.Code != c.want {
				t.Fatalf("%d, want %d: %s", w.Code, c.want, w.Body)
			}
			switch c.want {
			case 401:
				p := problemOf(t, w)
				if !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer") || !strings.HasSuffix(p.Type, "#unauthorized") {
					t.Fatalf("401 without WWW-Authenticate: Bearer or problem type: %v %+v", w.Header(), p)
				}
				if strings.Contains(w.Body.String(), "verifiableCredential") {
					t.Fatal("signed anyway")
				}
			case 403:
				p := problemOf(t, w)
				if !strings.Contains(p.Detail, "issue scope") || !strings.Contains(w.Header().Get("WWW-Authenticate"), "insufficient_scope") {
					t.Fatalf("403: %+v %v", p, w.Header())
				}
			}
		})
	}
	// A server without any token configured does not issue over HTTP.
	closed := New(Config{Service: f.srv.cfg.Service, IssuerID: f.srv.cfg.IssuerID, Verifier: f.srv.cfg.Verifier})
	w := httptest.NewRecorder()
	closed.Handler().ServeHTTP(w, f.request("POST", "/credentials/issue", strings.NewReader(body)))
	if w.Code != http.StatusForbidden {
		t.Fatalf("no tokens configured: %d %s", w.Code, w.Body)
	}
}

// TestStatusNeedsScopedToken: status changes take the status scope (or
// admin); an issue-only token gets 403 and changes nothing.
func TestStatusNeedsScopedToken(t *testing.T) {
	t.Parallel()
	s, issuerID, svc := newStatusServerStore(t, testOperator)
	tokens := newTokens(t)
	s = New(Config{Service: svc, IssuerID: issuerID, Tokens: tokens, Verifier: s.cfg.Verifier})
	f := &fixture{srv: s, token: mustToken(t, tokens, account.ScopeIssue)}
	id := f.issue(t, genericVC(issuerID))["id"].(string)
	change := `{"credentialId": "` + id + `", "action": "suspend"}`
	for _, c := range []struct {
		name, token string
		want        int
	}{
		{"none", "", 401},
		{"issue scope", f.token, 403},
		{"status scope", mustToken(t, tokens, account.ScopeStatus), 409}, // authorised; no suspension entry
		{"admin scope", mustToken(t, tokens, account.ScopeAdmin), 409},
	} {
		w := (&fixture{srv: s, token: c.token}).send(t, "POST", "/credentials/status", change, nil)
		if w.Code != c.want {
			t.Errorf("%s: %d, want %d: %s", c.name, w.Code, c.want, w.Body)
		}
	}
	rec, err := svc.Store.GetCredential(context.Background(), id)
	if err != nil || rec.Status != issuer.StatusActive {
		t.Fatalf("status changed: %v %v", rec, err)
	}
}

// TestJSONBodiesOnly: 415 for every body a web page can post across sites
// without a CORS preflight, on every JSON endpoint, token or not.
func TestJSONBodiesOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	for _, c := range []struct {
		ct   string
		want int
	}{
		{"text/plain", 415},
		{"text/plain;charset=UTF-8", 415},
		{"application/x-www-form-urlencoded", 415},
		{"multipart/form-data; boundary=x", 415},
		{"", 415},
		{"application/jsonx", 415},
		{"application/+json", 415},
		{"text/json", 415},
		{"application/json", 201},
		{"Application/JSON; charset=utf-8", 201},
		{"application/ld+json", 201},
		{"application/vc+json", 201},
	} {
		w := f.send(t, "POST", "/credentials/issue", issueBody(genericVC(f.key.DID)), func(r *http.Request) { r.Header.Set("Content-Type", c.ct) })
		if w.Code != c.want {
			t.Errorf("issue, Content-Type %q: %d, want %d: %s", c.ct, w.Code, c.want, w.Body)
		}
		if c.want == 415 {
			problemOf(t, w)
		}
	}
	for _, path := range []string{"/credentials/verify", "/presentations/verify"} {
		w := f.send(t, "POST", path, `{}`, func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") })
		if w.Code != 415 {
			t.Errorf("%s text/plain: %d", path, w.Code)
		}
	}
}

// TestForeignHostRefused: 421 on every route (health included) unless Host
// is the public URL's host or a loopback name, whatever the port.
func TestForeignHostRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	f.srv = New(Config{Service: f.srv.cfg.Service, IssuerID: f.srv.cfg.IssuerID, Verifier: f.srv.cfg.Verifier, Tokens: f.tokens, PublicURL: "https://Badges.Example:8443/base"})
	for _, c := range []struct {
		host string
		want int
	}{
		{"localhost", 200},
		{"localhost:8080", 200},
		{"127.0.0.1", 200},
		{"127.0.0.1:1", 200},
		{"[::1]", 200},
		{"[::1]:8080", 200},
		{"badges.example", 200},
		{"BADGES.EXAMPLE:443", 200},
		{"badges.example.", 200},
		{"evil.example", 421},
		{"evil.example:8080", 421},
		{"badges.example.evil.example", 421},
		{"localhost.evil.example", 421},
		{"127.0.0.2", 421},
		{"10.0.0.1:8080", 421},
		{"", 421},
	} {
		for _, r := range []struct{ method, path, body string }{
			{"GET", "/healthz", ""},
			{"GET", "/openapi.json", ""},
			{"GET", "/nowhere", ""},
			{"POST", "/credentials/verify", `{"verifiableCredential": {}}`},
			{"POST", "/credentials/issue", issueBody(genericVC(f.key.DID))},
		} {
			w := f.send(t, r.method, r.path, r.body, func(req *http.Request) { req.Host = c.host })
			want := c.want
			if want == 200 {
				want = map[string]int{"/nowhere": 404, "/credentials/verify": 422, "/credentials/issue": 201}[r.path]
				if want == 0 {
					want = 200
				}
			}
			if w.Code != want {
				t.Errorf("Host %q %s %s: %d, want %d", c.host, r.method, r.path, w.Code, want)
			}
			if want == 421 {
				problemOf(t, w)
			}
		}
	}
	// Without a public URL: loopback names only.
	loop := New(Config{Verifier: f.srv.cfg.Verifier})
	for host, want := range map[string]int{"localhost:1": 200, "badges.example": 421} {
		req := f.request("GET", "/healthz", nil)
		req.Host = host
		w := httptest.NewRecorder()
		loop.Handler().ServeHTTP(w, req)
		if w.Code != want {
			t.Errorf("no public URL, Host %q: %d", host, w.Code)
		}
	}
}

// TestIssueRefusesBlindSigning: a credential bringing its own proof,
// credentialStatus or status list type is refused with 400 naming the
// field, also when written under its IRI, a compact IRI or an alias.
func TestIssueRefusesBlindSigning(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	entry := map[string]any{"id": "https://x.example/s#1", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
		"statusListIndex": "1", "statusListCredential": "https://x.example/s"}
	mod := func(fn func(m map[string]any)) map[string]any { m := genericVC(f.key.DID); fn(m); return m }
	statusList := func(typ string) map[string]any {
		return mod(func(m map[string]any) {
			m["type"] = []any{"VerifiableCredential", typ}
			m["credentialSubject"] = map[string]any{"id": "https://x.example/s#list", "type": "BitstringStatusList",
				"statusPurpose": "revocation", "encodedList": "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"}
		})
	}
	for _, c := range []struct {
		name string
		cred map[string]any
		want string // in the detail
	}{
		{"proof", mod(func(m map[string]any) { m["proof"] = map[string]any{"type": "DataIntegrityProof"} }), "proof"},
		{"credentialStatus", mod(func(m map[string]any) { m["credentialStatus"] = entry }), "credentialStatus"},
		{"credentialStatus list", mod(func(m map[string]any) { m["credentialStatus"] = []any{entry} }), "credentialStatus"},
		{"credentialStatus IRI", mod(func(m map[string]any) { m["https://www.w3.org/2018/credentials#credentialStatus"] = entry }), "credentialStatus"},
		{"credentialStatus compact IRI", mod(func(m map[string]any) { m["cred:credentialStatus"] = entry }), "credentialStatus"},
		{"credentialStatus alias", mod(func(m map[string]any) {
			m["@context"] = append(m["@context"].([]any), map[string]any{"st": map[string]any{"@id": "https://www.w3.org/2018/credentials#credentialStatus", "@type": "@id"}})
			m["st"] = "https://x.example/s#1"
		}), "credentialStatus"},
		{"proof IRI", mod(func(m map[string]any) {
			m["https://w3id.org/security#proof"] = map[string]any{"type": "DataIntegrityProof"}
		}), "proof"},
		{"BitstringStatusListCredential", statusList("BitstringStatusListCredential"), "BitstringStatusListCredential"},
		{"StatusList2021Credential", statusList("StatusList2021Credential"), "StatusList2021Credential"},
		{"RevocationList2020Credential", statusList("RevocationList2020Credential"), "RevocationList2020Credential"},
		{"status list type IRI", statusList("https://www.w3.org/ns/credentials/status#BitstringStatusListCredential"), "BitstringStatusListCredential"},
		{"status list type only", mod(func(m map[string]any) { m["type"] = "BitstringStatusListCredential" }), "BitstringStatusListCredential"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := f.send(t, "POST", "/credentials/issue", issueBody(c.cred), nil)
			if w.Code != http.StatusBadRequest {
				t.Fatalf("%d: %s", w.Code, w.Body)
			}
			if p := problemOf(t, w); !strings.Contains(p.Detail, c.want) {
				t.Fatalf("detail %q does not name %s", p.Detail, c.want)
			}
		})
	}
	// The same through the stateful service, which would otherwise record
	// nothing for a caller's credentialStatus.
	s, issuerID := newStatusServer(t, testOperator)
	sf := &fixture{srv: s, token: testOperator}
	cred := genericVC(issuerID)
	cred["credentialStatus"] = entry
	if w := sf.send(t, "POST", "/credentials/issue", issueBody(cred), nil); w.Code != 400 || !strings.Contains(problemOf(t, w).Detail, "credentialStatus") {
		t.Fatalf("service: %d %s", w.Code, w.Body)
	}
}

// TestDuplicateIDConflict: issuing an id twice is 409 with a clear problem,
// and the first credential stays as issued.
func TestDuplicateIDConflict(t *testing.T) {
	t.Parallel()
	s, issuerID, svc := newStatusServerStore(t, testOperator)
	f := &fixture{srv: s, token: testOperator}
	first := f.issue(t, genericVC(issuerID))
	cred := genericVC(issuerID)
	cred["id"] = first["id"]
	cred["credentialSubject"].(map[string]any)["alumniOf"] = "Somewhere else"
	w := f.send(t, "POST", "/credentials/issue", issueBody(cred), nil)
	if w.Code != http.StatusConflict {
		t.Fatalf("%d: %s", w.Code, w.Body)
	}
	if p := problemOf(t, w); !strings.Contains(p.Detail, cred["id"].(string)) || !strings.Contains(p.Detail, "already issued") {
		t.Fatalf("detail %q", p.Detail)
	}
	rec, err := svc.Store.GetCredential(context.Background(), cred["id"].(string))
	want, _ := json.Marshal(first)
	if err != nil || !bytes.Equal(rec.Document, want) {
		t.Fatalf("stored credential changed: %v\n%s\n%s", err, rec.Document, want)
	}
}

// TestStatusOnlyForOwnIssuer: two servers, two issuers, one database: the
// status endpoint of one cannot touch the other's credentials (404, as if
// absent), while its own work.
func TestStatusOnlyForOwnIssuer(t *testing.T) {
	t.Parallel()
	a, issuerA, svc := newStatusServerStore(t, testOperator)
	k, _ := issuer.NewKey("")
	if _, err := svc.AddIssuer(context.Background(), issuer.Profile{Name: "Other lab"}, k); err != nil {
		t.Fatal(err)
	}
	b := New(Config{Service: svc, IssuerID: k.DID, OperatorToken: testOperator, Verifier: a.cfg.Verifier})
	fa, fb := &fixture{srv: a, token: testOperator}, &fixture{srv: b, token: testOperator}
	idA := fa.issue(t, genericVC(issuerA))["id"].(string)
	idB := fb.issue(t, genericVC(k.DID))["id"].(string)
	revoke := func(f *fixture, id string) int {
		return f.send(t, "POST", "/credentials/status", `{"credentialId": "`+id+`", "action": "revoke", "reason": "test"}`, nil).Code
	}
	if code := revoke(fb, idA); code != http.StatusNotFound {
		t.Fatalf("B revoking A's credential: %d", code)
	}
	if code := revoke(fa, idB); code != http.StatusNotFound {
		t.Fatalf("A revoking B's credential: %d", code)
	}
	for _, id := range []string{idA, idB} {
		if rec, _ := svc.Store.GetCredential(context.Background(), id); rec.Status != issuer.StatusActive {
			t.Fatalf("%s changed to %s", id, rec.Status)
		}
	}
	if code := revoke(fa, idA); code != 200 {
		t.Fatalf("A revoking its own: %d", code)
	}
	if code := revoke(fb, idB); code != 200 {
		t.Fatalf("B revoking its own: %d", code)
	}
}

// logBuffer collects the server's log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestClientIPFromTrustedProxyOnly: the logged client address comes from
// X-Forwarded-For only when the peer is a trusted proxy.
func TestClientIPFromTrustedProxyOnly(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		trusted []string
		peer    string
		xff     string
		want    string
	}{
		{"no proxy trusted", nil, "203.0.113.9:5000", "198.51.100.7", "203.0.113.9"},
		{"untrusted peer", []string{"10.0.0.0/8"}, "203.0.113.9:5000", "198.51.100.7", "203.0.113.9"},
		{"trusted peer", []string{"10.0.0.0/8"}, "10.1.2.3:5000", "198.51.100.7", "198.51.100.7"},
		{"trusted address", []string{"10.1.2.3"}, "10.1.2.3:5000", "198.51.100.7", "198.51.100.7"},
		// The client's own entry comes first; the proxy appends the peer
		// it saw, which is what is logged.
		{"spoofed chain", []string{"10.0.0.0/8"}, "10.1.2.3:5000", "1.1.1.1, 198.51.100.7", "198.51.100.7"},
		{"no header", []string{"10.0.0.0/8"}, "10.1.2.3:5000", "", "10.1.2.3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var logs logBuffer
			s := New(Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), TrustedProxies: c.trusted})
			req := (&fixture{}).request("GET", "/healthz", nil)
			req.RemoteAddr = c.peer
			if c.xff != "" {
				req.Header.Set("X-Forwarded-For", c.xff)
			}
			req.Header.Set("X-Real-IP", "192.0.2.66") // never read
			w := httptest.NewRecorder()
			s.Handler().ServeHTTP(w, req)
			var line map[string]any
			if err := json.Unmarshal([]byte(logs.String()), &line); err != nil || line[logRemote] != c.want {
				t.Fatalf("logged remote %v, want %s (%v): %s", line[logRemote], c.want, err, logs.String())
			}
		})
	}
	if _, err := ParseTrustedProxies("10.0.0.0/8, 192.0.2.1,::1"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.example", "10.0.0.0/8,x"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// failingFetcher fails every fetch with an error naming internal addresses
// and a server path, as a dial error behind a split-horizon DNS would.
type failingFetcher struct{}

func (failingFetcher) GetJSON(_ context.Context, url string, _ ...string) ([]byte, error) {
	return nil, fmt.Errorf("get %q: dial tcp 10.20.30.40:443: connect: connection refused (cache /var/cache/blason/x)", url)
}

// TestNoInternalAddressesInResponses: a verification whose status list
// fetch failed with an internal address reports the failure without the
// address; the log keeps it.
func TestNoInternalAddressesInResponses(t *testing.T) {
	t.Parallel()
	key, _ := issuer.NewKey("")
	is := &issuer.Issuer{Profile: issuer.Profile{ID: key.DID, Name: "Lab"}, Key: key, Now: now}
	cred := genericVC(key.DID)
	cred["credentialStatus"] = map[string]any{"id": "https://status.example/l#5", "type": "BitstringStatusListEntry",
		"statusPurpose": "revocation", "statusListIndex": "5", "statusListCredential": "https://status.example/l"}
	vc, err := is.SignCredential(context.Background(), cred)
	if err != nil {
		t.Fatal(err)
	}
	var logs logBuffer
	s := New(Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
		Verifier: verifier.New(verifier.Options{AcceptGeneric: true, Now: now, Fetcher: failingFetcher{}})})
	f := &fixture{srv: s}
	b, _ := json.Marshal(map[string]any{"verifiableCredential": vc})
	w := f.send(t, "POST", "/credentials/verify", string(b), nil)
	if !strings.Contains(w.Body.String(), "status.example") {
		t.Fatalf("the status check's failure is not reported: %d %s", w.Code, w.Body)
	}
	for _, leak := range []string{"10.20.30.40", "/var/cache"} {
		if strings.Contains(w.Body.String(), leak) {
			t.Errorf("response names %s: %s", leak, w.Body)
		}
		if !strings.Contains(logs.String(), leak) {
			t.Errorf("log lost %s: %s", leak, logs.String())
		}
	}
	vp := map[string]any{"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "type": "VerifiablePresentation", "verifiableCredential": []any{vc}}
	b, _ = json.Marshal(map[string]any{"verifiablePresentation": vp})
	w = f.send(t, "POST", "/presentations/verify", string(b), nil)
	if strings.Contains(w.Body.String(), "10.20.30.40") || strings.Contains(w.Body.String(), "/var/cache") {
		t.Errorf("presentation response leaks: %s", w.Body)
	}
}

// TestPagesRedactInternalAddresses: the /verify page shows and answers the
// same report without internal addresses, in HTML and in JSON.
func TestPagesRedactInternalAddresses(t *testing.T) {
	t.Parallel()
	key, _ := issuer.NewKey("")
	is := &issuer.Issuer{Profile: issuer.Profile{ID: key.DID, Name: "Lab"}, Key: key, Now: now}
	cred := genericVC(key.DID)
	cred["credentialStatus"] = map[string]any{"id": "https://status.example/l#5", "type": "BitstringStatusListEntry",
		"statusPurpose": "revocation", "statusListIndex": "5", "statusListCredential": "https://status.example/l"}
	vc, err := is.SignCredential(context.Background(), cred)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(vc)
	var logs logBuffer
	s := New(Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Pages: &web.Config{},
		Verifier: verifier.New(verifier.Options{AcceptGeneric: true, Now: now, Fetcher: failingFetcher{}})})
	for _, accept := range []string{"text/html", "application/json"} {
		form := url.Values{"credential": {string(b)}}
		req := httptest.NewRequest("POST", "/verify", strings.NewReader(form.Encode()))
		req.Host = "localhost"
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", accept)
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, req)
		if !strings.Contains(w.Body.String(), "status.example") {
			t.Fatalf("%s: the status failure is not shown: %d %s", accept, w.Code, w.Body)
		}
		for _, leak := range []string{"10.20.30.40", "/var/cache"} {
			if strings.Contains(w.Body.String(), leak) {
				t.Errorf("%s: the page names %s", accept, leak)
			}
		}
	}
	if !strings.Contains(logs.String(), "10.20.30.40") {
		t.Errorf("the log lost the detail: %s", logs.String())
	}
}

// startServer runs ListenAndServe on a loopback port until the test ends.
func startServer(t *testing.T, cfg Config) string {
	t.Helper()
	s := New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- s.ListenAndServe(ctx, "127.0.0.1:0", time.Second, func(a net.Addr) { addrc <- a.String() })
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	select {
	case a := <-addrc:
		return a
	case err := <-done:
		t.Fatal(err)
	}
	return ""
}

// TestSlowBodyTimesOut: a body that trickles in gets 408 after
// BodyTimeout, not after the 30 s ReadTimeout.
func TestSlowBodyTimesOut(t *testing.T) {
	t.Parallel()
	addr := startServer(t, Config{BodyTimeout: 300 * time.Millisecond})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	fmt.Fprintf(conn, "POST /credentials/verify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"verifiableCredential\":")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufioReader(conn), nil)
	if err != nil {
		t.Fatalf("no response: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestTimeout || time.Since(start) > 5*time.Second {
		t.Fatalf("%d after %s: %s", resp.StatusCode, time.Since(start), body)
	}
	if bytes.Contains(body, []byte("127.0.0.1")) {
		t.Fatalf("the timeout names a socket: %s", body)
	}
}

// TestConnectionCap: with MaxConns connections open, the next one waits
// until one closes.
func TestConnectionCap(t *testing.T) {
	t.Parallel()
	addr := startServer(t, Config{MaxConns: 2})
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	// The listener accepts asynchronously: give it a moment to take both.
	time.Sleep(100 * time.Millisecond)
	get := func(timeout time.Duration) error {
		client := &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := client.Get("http://" + addr + "/healthz")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return errors.New(resp.Status)
		}
		return nil
	}
	if err := get(300 * time.Millisecond); err == nil {
		t.Fatal("a third connection was served while two were held")
	}
	held[0].Close()
	if err := get(5 * time.Second); err != nil {
		t.Fatalf("after one closed: %v", err)
	}
	held[1].Close()
}

func bufioReader(c net.Conn) *bufio.Reader { return bufio.NewReader(c) }

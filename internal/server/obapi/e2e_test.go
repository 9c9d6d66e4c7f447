package obapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/fetch"
	ob "github.com/blason-badges/blason/internal/obapi"
	"github.com/blason-badges/blason/internal/obclient"
	"github.com/blason-badges/blason/issuer"
)

// peer is another platform's client, played by Blason's own client.
type peer struct {
	c    *obclient.Client
	host *obclient.Host
	reg  *obclient.Registration
	sw   obclient.Software
}

func newPeer(t *testing.T, h *host, scopes []string) *peer {
	t.Helper()
	c := obclient.New(fetch.New(fetch.Options{AllowHTTP: true, AllowPrivate: true}))
	hd, err := c.Discover(context.Background(), h.ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	sw := obclient.Software{Name: "Peer Backpack", URI: "http://127.0.0.1:1/", LogoURI: "http://127.0.0.1:1/logo.png",
		TOSURI: "http://127.0.0.1:1/tos", PolicyURI: "http://127.0.0.1:1/privacy", ID: "peer", Version: "1.0",
		RedirectURI: "http://127.0.0.1:1/callback"}
	reg, err := c.Register(context.Background(), hd, sw, scopes)
	if err != nil {
		t.Fatal(err)
	}
	return &peer{c: c, host: hd, reg: reg, sw: sw}
}

var actionRE = regexp.MustCompile(`<form method="post" action="([^"]+)"`)

// connect runs the authorization code flow for user, who grants grant
// (nil: everything asked), and returns the tokens.
func (p *peer) connect(t *testing.T, h *host, user string, scopes, grant []string) *obclient.Token {
	t.Helper()
	a, err := obclient.AuthURL(p.host, p.reg, p.sw.RedirectURI, scopes)
	if err != nil {
		t.Fatal(err)
	}
	br := h.browser(user)
	resp, err := br.Get(a.URL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "Peer Backpack") {
		t.Fatalf("consent page: %d\n%s", resp.StatusCode, page)
	}
	m := actionRE.FindSubmatch(page)
	if m == nil {
		t.Fatalf("no form in\n%s", page)
	}
	action := html.UnescapeString(string(m[1]))
	if grant == nil {
		grant = scopes
	}
	form := url.Values{"consent": {"allow"}, "grant": grant}
	resp, err = br.PostForm(h.ts.URL+action, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), p.sw.RedirectURI) {
		t.Fatalf("after consent: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	code, err := obclient.Callback(loc, a.State)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := p.c.Exchange(context.Background(), p.host, p.reg, p.sw.RedirectURI, code, a.Verifier, scopes)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// The whole journey a peer's conformance run takes, Blason's client against
// Blason's host: discovery, registration, consent, tokens, upsert (JSON
// and VC-JWT; created then replaced), paging, profile, refresh.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHost(t)
	p := newPeer(t, h, ob.Scopes)
	tok := p.connect(t, h, "alice", ob.Scopes, nil)
	if len(strings.Fields(tok.Scope)) != 4 || tok.RefreshToken == "" {
		t.Fatalf("token %+v", tok)
	}
	b := newBadges(t)
	first := b.issue(t, issuer.Award{ID: "urn:uuid:11111111-1111-4111-8111-111111111111", Recipient: issuer.Recipient{Email: "alice@example.org"}})
	created, err := p.c.Upsert(ctx, p.host, tok.AccessToken, first)
	if err != nil || !created {
		t.Fatalf("upsert: %v %v", created, err)
	}
	// The same credential again (§10: same issuer and id): 200, replaced.
	again := b.issue(t, issuer.Award{ID: "urn:uuid:11111111-1111-4111-8111-111111111111", Recipient: issuer.Recipient{Email: "Alice@Example.org"}})
	if created, err := p.c.Upsert(ctx, p.host, tok.AccessToken, again); err != nil || created {
		t.Fatalf("second upsert: %v %v", created, err)
	}
	jwt := b.issue(t, issuer.Award{Recipient: issuer.Recipient{Email: "alice@example.org"}, Format: issuer.FormatJWT})
	if created, err := p.c.Upsert(ctx, p.host, tok.AccessToken, jwt); err != nil || !created {
		t.Fatalf("JWT upsert: %v %v", created, err)
	}
	pg, err := p.c.Credentials(ctx, p.host, tok.AccessToken, ob.Page{Limit: 1})
	if err != nil || pg.Total != 2 || len(pg.Credentials)+len(pg.JWS) != 1 || pg.Next == "" {
		t.Fatalf("first page: %+v %v", pg, err)
	}
	all, err := p.c.AllCredentials(ctx, p.host, tok.AccessToken, ob.Page{Limit: 1})
	if err != nil || len(all.Credentials) != 1 || len(all.JWS) != 1 || all.JWS[0] != string(jwt) {
		t.Fatalf("all pages: %+v %v", all, err)
	}
	// A later getCredentials returns the same credential (by §10), in the
	// version last upserted, byte for byte.
	if string(all.Credentials[0]) != string(again) {
		t.Error("the replaced credential is not the one returned")
	}
	prof, err := p.c.Profile(ctx, p.host, tok.AccessToken)
	if err != nil || !strings.Contains(string(prof), "https://blason.test/users/alice") {
		t.Fatalf("profile: %s %v", prof, err)
	}
	mine := []byte(`{"@context":["https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],"id":"https://1edtech.org/issuers/cert","type":["Profile"],"name":"Conformance"}`)
	if accepted, err := p.c.PutProfile(ctx, p.host, tok.AccessToken, mine); err != nil || accepted {
		t.Fatalf("put profile: %v %v", accepted, err)
	}
	if prof, err := p.c.Profile(ctx, p.host, tok.AccessToken); err != nil || string(prof) != string(mine) {
		t.Fatalf("profile after put: %s %v", prof, err)
	}
	// Refresh: a new access token; the old one is dead.
	nt, err := p.c.Refresh(ctx, p.host, p.reg, tok.RefreshToken, nil)
	if err != nil || nt.AccessToken == tok.AccessToken {
		t.Fatalf("refresh: %+v %v", nt, err)
	}
	if _, err := p.c.Credentials(ctx, p.host, tok.AccessToken, ob.Page{}); !isStatus(err, 401) {
		t.Errorf("old token after refresh: %v", err)
	}
	if _, err := p.c.Credentials(ctx, p.host, nt.AccessToken, ob.Page{}); err != nil {
		t.Errorf("new token: %v", err)
	}
	if h.seen < 10 {
		t.Errorf("only %d API responses validated", h.seen)
	}
}

func isStatus(err error, status int) bool {
	var ae *obclient.APIError
	return errors.As(err, &ae) && ae.Status == status
}

// Each scope guards its operation; another user's token never reads this
// user's badges; revoked tokens stop working; upserts that do not verify
// or are not the user's are refused and not stored.
func TestHostSecurity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHost(t)
	p := newPeer(t, h, ob.Scopes)
	b := newBadges(t)
	alice := p.connect(t, h, "alice", ob.Scopes, nil)
	readOnly := p.connect(t, h, "alice", []string{ob.ScopeCredentialReadonly}, nil)
	bob := p.connect(t, h, "bob", ob.Scopes, []string{ob.ScopeCredentialReadonly, ob.ScopeCredentialUpsert})

	badge := b.issue(t, issuer.Award{Recipient: issuer.Recipient{Email: "alice@example.org"}})
	if _, err := p.c.Upsert(ctx, p.host, alice.AccessToken, badge); err != nil {
		t.Fatal(err)
	}
	// One user's token does not read another's badges.
	if pg, err := p.c.Credentials(ctx, p.host, bob.AccessToken, ob.Page{}); err != nil || pg.Total != 0 || len(pg.Credentials) != 0 {
		t.Errorf("bob sees %+v %v", pg, err)
	}
	// Scopes: read-only cannot upsert; bob did not grant the profile.
	if _, err := p.c.Upsert(ctx, p.host, readOnly.AccessToken, badge); !isStatus(err, 403) {
		t.Errorf("upsert with read-only token: %v", err)
	}
	if _, err := p.c.Profile(ctx, p.host, bob.AccessToken); !isStatus(err, 403) {
		t.Errorf("profile with a token not granted it: %v", err)
	}
	if _, err := p.c.PutProfile(ctx, p.host, readOnly.AccessToken, []byte(`{"id":"urn:x","type":"Profile"}`)); !isStatus(err, 403) {
		t.Errorf("put profile with read-only token: %v", err)
	}
	// A badge issued to someone else (bob's address) is not alice's.
	bobs := b.issue(t, issuer.Award{Recipient: issuer.Recipient{Email: "bob@example.org"}})
	if _, err := p.c.Upsert(ctx, p.host, alice.AccessToken, bobs); !isStatus(err, 403) {
		t.Errorf("upsert of another's badge: %v", err)
	}
	// ... but it is bob's; and one issued to bob's DID is bob's too.
	if created, err := p.c.Upsert(ctx, p.host, bob.AccessToken, bobs); err != nil || !created {
		t.Errorf("bob's own badge: %v %v", created, err)
	}
	if created, err := p.c.Upsert(ctx, p.host, bob.AccessToken, b.issue(t, issuer.Award{Recipient: issuer.Recipient{DID: "did:example:bob"}})); err != nil || !created {
		t.Errorf("badge to bob's DID: %v %v", created, err)
	}
	// A badge that does not verify (altered after signing).
	var doc map[string]any
	_ = json.Unmarshal(b.issue(t, issuer.Award{Recipient: issuer.Recipient{Email: "alice@example.org"}}), &doc)
	doc["name"] = "Altered"
	if _, err := p.c.Upsert(ctx, p.host, alice.AccessToken, mustJSON(doc)); !isStatus(err, 400) {
		t.Errorf("altered badge: %v", err)
	}
	// An unsigned one, and a JWS that is not one.
	delete(doc, "proof")
	if _, err := p.c.Upsert(ctx, p.host, alice.AccessToken, mustJSON(doc)); !isStatus(err, 400) {
		t.Errorf("unsigned badge: %v", err)
	}
	if _, err := p.c.Upsert(ctx, p.host, alice.AccessToken, []byte("eyJhbGciOiJub25lIn0.eyJ4IjoxfQ.c2ln")); !isStatus(err, 400) {
		t.Errorf("bogus JWS: %v", err)
	}
	if pg, _ := p.c.Credentials(ctx, p.host, alice.AccessToken, ob.Page{}); pg == nil || pg.Total != 1 {
		t.Errorf("refused upserts were stored: %+v", pg)
	}
	// Revocation (RFC 7009): later calls fail.
	revoke := func(token string) {
		req, _ := http.NewRequest("POST", h.ts.URL+"/oauth/revoke", strings.NewReader(url.Values{"token": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(url.QueryEscape(p.reg.ClientID), url.QueryEscape(p.reg.ClientSecret))
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("revoke: %v %v", resp, err)
		}
		resp.Body.Close()
	}
	revoke(alice.AccessToken)
	if _, err := p.c.Credentials(ctx, p.host, alice.AccessToken, ob.Page{}); !isStatus(err, 401) {
		t.Errorf("revoked token: %v", err)
	}
	revoke(readOnly.RefreshToken)
	if _, err := p.c.Credentials(ctx, p.host, readOnly.AccessToken, ob.Page{}); !isStatus(err, 401) {
		t.Errorf("access token of a revoked refresh token: %v", err)
	}
	if _, err := p.c.Refresh(ctx, p.host, p.reg, readOnly.RefreshToken, nil); err == nil {
		t.Error("revoked refresh token refreshed")
	}
	// Scope escalation on refresh: refused.
	if _, err := p.c.Refresh(ctx, p.host, p.reg, bob.RefreshToken, []string{ob.ScopeCredentialReadonly, ob.ScopeProfileUpdate}); err == nil {
		t.Error("refresh widened the scope")
	}
}

// Raw HTTP behaviour a conformance run checks: 401 with WWW-Authenticate,
// paging headers, bad queries, 405, discovery caching, errors as
// Imsx_StatusInfo (validated by the host's wrapper).
func TestHostHTTP(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	p := newPeer(t, h, ob.Scopes)
	tok := p.connect(t, h, "alice", ob.Scopes, nil)
	b := newBadges(t)
	for i := 0; i < 5; i++ {
		if _, err := p.c.Upsert(context.Background(), p.host, tok.AccessToken, b.issue(t, issuer.Award{Recipient: issuer.Recipient{Email: "alice@example.org"}})); err != nil {
			t.Fatal(err)
		}
	}
	do := func(method, path, token string) *http.Response {
		req, _ := http.NewRequest(method, h.ts.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := do("GET", "/ims/ob/v3p0/credentials", ""); r.StatusCode != 401 || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("no token: %d %q", r.StatusCode, r.Header.Get("WWW-Authenticate"))
	}
	r := do("GET", "/ims/ob/v3p0/credentials?limit=2&offset=2", tok.AccessToken)
	links := ob.ParseLinkHeader(r.Header.Get("Link"))
	if r.StatusCode != 200 || r.Header.Get("X-Total-Count") != "5" || links["next"] == "" || links["prev"] == "" || links["first"] == "" || links["last"] == "" {
		t.Errorf("paging: %d %q %v", r.StatusCode, r.Header.Get("X-Total-Count"), links)
	}
	if u, _ := url.Parse(links["last"]); u == nil || u.Query().Get("offset") != "4" || !strings.HasPrefix(links["last"], h.ts.URL+"/ims/ob/v3p0/credentials") {
		t.Errorf("last link %q", links["last"])
	}
	for _, q := range []string{"limit=0", "offset=-1", "since=never", "limit=x"} {
		if r := do("GET", "/ims/ob/v3p0/credentials?"+q, tok.AccessToken); r.StatusCode != 400 {
			t.Errorf("%s: %d", q, r.StatusCode)
		}
	}
	if r := do("GET", "/ims/ob/v3p0/credentials?since=2999-01-01T00:00:00Z", tok.AccessToken); r.StatusCode != 200 || r.Header.Get("X-Total-Count") != "0" {
		t.Errorf("since in the future: %d %s", r.StatusCode, r.Header.Get("X-Total-Count"))
	}
	if r := do("DELETE", "/ims/ob/v3p0/credentials", tok.AccessToken); r.StatusCode != 405 || r.Header.Get("Allow") != "GET, POST" {
		t.Errorf("DELETE: %d %q", r.StatusCode, r.Header.Get("Allow"))
	}
	d := do("GET", "/ims/ob/v3p0/discovery", "")
	if d.StatusCode != 200 || d.Header.Get("ETag") == "" || !strings.Contains(d.Header.Get("Cache-Control"), "max-age") {
		t.Errorf("discovery: %d %v", d.StatusCode, d.Header)
	}
	req, _ := http.NewRequest("GET", h.ts.URL+"/ims/ob/v3p0/discovery", nil)
	req.Header.Set("If-None-Match", d.Header.Get("ETag"))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 304 {
		t.Errorf("revalidation: %v %v", resp, err)
	}
	// application/vc+ld+json is taken as JSON, answered as application/json
	// (the only JSON media type the OpenAPI lists for the response).
	badge := b.issue(t, issuer.Award{Recipient: issuer.Recipient{Email: "alice@example.org"}})
	req, _ = http.NewRequest("POST", h.ts.URL+"/ims/ob/v3p0/credentials", strings.NewReader(string(badge)))
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Content-Type", "application/vc+ld+json")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 201 || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("vc+ld+json upsert: %v %v", resp, err)
	} else {
		echo, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(echo) != strings.TrimSpace(string(badge)) {
			t.Error("the upsert response is not the request's credential")
		}
	}
	// A body type the API does not take.
	req, _ = http.NewRequest("POST", h.ts.URL+"/ims/ob/v3p0/credentials", strings.NewReader("a=b"))
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 415 {
		t.Errorf("form body: %v %v", resp, err)
	}
}

// An address that keeps sending bad tokens is refused (429 server_busy,
// Retry-After) before its tokens are looked up.
func TestBadTokensLimited(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	var last *http.Response
	for i := 0; i < 30; i++ {
		req, _ := http.NewRequest("GET", h.ts.URL+"/ims/ob/v3p0/credentials", nil)
		req.Header.Set("Authorization", "Bearer ory_at_guess"+strings.Repeat("x", i))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		last = resp
		if resp.StatusCode == http.StatusTooManyRequests {
			break
		}
		if resp.StatusCode != 401 {
			t.Fatalf("bad token %d: %d", i, resp.StatusCode)
		}
	}
	if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
		t.Errorf("30 bad tokens: last %d, Retry-After %q", last.StatusCode, last.Header.Get("Retry-After"))
	}
}

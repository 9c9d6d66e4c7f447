package obclient_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/internal/obapi"
	"github.com/blason-badges/blason/internal/obclient"
)

// loopback is the fetcher tests use: the hardened client with its
// loopback allowance (AllowPrivate) and http (httptest serves plain http).
func loopback() *obclient.Client {
	return obclient.New(fetch.New(fetch.Options{AllowHTTP: true, AllowPrivate: true}))
}

// RFC 7636 Appendix B.
func TestChallengeVector(t *testing.T) {
	t.Parallel()
	if got := obclient.Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Fatalf("challenge %s", got)
	}
}

func TestCallback(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"https://c/cb?code=abc&state=s1":            "abc",
		"https://c/cb?code=abc&state=s2":            "",
		"https://c/cb?code=abc":                     "",
		"https://c/cb?error=access_denied&state=s1": "",
		"https://c/cb?state=s1":                     "",
	} {
		u, _ := url.Parse(raw)
		code, err := obclient.Callback(u, "s1")
		if code != want || (want == "") != (err != nil) {
			t.Errorf("%s: %q %v", raw, code, err)
		}
	}
	u, _ := url.Parse("https://c/cb?error=access_denied&state=s1")
	_, err := obclient.Callback(u, "s1")
	var oe *obclient.OAuthError
	if !errors.As(err, &oe) || oe.Code != "access_denied" {
		t.Errorf("refusal: %v", err)
	}
}

func TestAuthURL(t *testing.T) {
	t.Parallel()
	h := &obclient.Host{SDD: &obapi.SDD{AuthorizationURL: "https://h.example/oauth/authorize?x=1"}}
	a, err := obclient.AuthURL(h, &obclient.Registration{ClientID: "cid"}, "https://c.example/cb", []string{obapi.ScopeCredentialReadonly})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(a.URL)
	q := u.Query()
	if q.Get("x") != "1" || q.Get("response_type") != "code" || q.Get("client_id") != "cid" || q.Get("state") != a.State ||
		q.Get("code_challenge") != obclient.Challenge(a.Verifier) || q.Get("code_challenge_method") != "S256" ||
		q.Get("redirect_uri") != "https://c.example/cb" || q.Get("scope") != obapi.ScopeCredentialReadonly || len(a.Verifier) < 43 {
		t.Errorf("auth URL %s", a.URL)
	}
	b, _ := obclient.AuthURL(h, &obclient.Registration{ClientID: "cid"}, "https://c.example/cb", nil)
	if b.State == a.State || b.Verifier == a.Verifier {
		t.Error("state or verifier repeated")
	}
}

// fakeHost serves a discovery document and a credentials endpoint whose
// Link header is chosen by the test.
func fakeHost(t *testing.T, sdd func(base string) []byte, link func(base string) string) *httptest.Server {
	t.Helper()
	var ts *httptest.Server
	ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ims/ob/v3p0/discovery":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(sdd(ts.URL))
		case "/ims/ob/v3p0/credentials":
			if r.Header.Get("Authorization") != "Bearer tok" {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(401)
				b, _ := json.Marshal(obapi.Unauthorized("no").Info)
				_, _ = w.Write(b)
				return
			}
			if r.Method == "POST" {
				b, _ := io.ReadAll(r.Body)
				w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
				if r.Header.Get("Content-Type") == "text/plain" {
					w.WriteHeader(201)
				}
				_, _ = w.Write(b)
				return
			}
			w.Header().Set("X-Total-Count", "3")
			if l := link(ts.URL); l != "" {
				w.Header().Set("Link", l)
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"compactJwsString":["a.b.c"]}`)
		}
	}))
	t.Cleanup(ts.Close)
	return ts
}

func goodSDD(base string) []byte {
	b, _ := obapi.ServiceDescription(obapi.Host{Title: "Fake", TermsOfService: base + "/tos", PrivacyPolicy: base + "/privacy",
		APIBase: "https://elsewhere.example/ims/ob/v3p0", AuthorizationURL: base + "/authorize", TokenURL: base + "/token", RegistrationURL: base + "/register"})
	return b
}

func TestDiscoverAndPaging(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ts := fakeHost(t, goodSDD, func(base string) string {
		return `<` + base + `/ims/ob/v3p0/credentials?limit=1&offset=1>; rel="next", <https://evil.example/ims/ob/v3p0/credentials?offset=2>; rel="last"`
	})
	c := loopback()
	h, err := c.Discover(ctx, ts.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	// servers[] in the document pointed elsewhere: the API stays on the
	// origin the user gave.
	if h.APIBase != ts.URL+"/ims/ob/v3p0" || h.SDD.TokenURL != ts.URL+"/token" {
		t.Errorf("host %+v", h)
	}
	pg, err := c.Credentials(ctx, h, "tok", obapi.Page{Limit: 1})
	if err != nil || pg.Total != 3 || len(pg.JWS) != 1 || pg.Next != ts.URL+"/ims/ob/v3p0/credentials?limit=1&offset=1" {
		t.Fatalf("page %+v %v", pg, err)
	}
	_, err = c.Credentials(ctx, h, "bad", obapi.Page{})
	var ae *obclient.APIError
	if !errors.As(err, &ae) || ae.Status != 401 || ae.Info == nil || ae.Info.CodeMinor.Fields[0].Value != obapi.MinorUnauthorized {
		t.Errorf("401: %v", err)
	}
	if created, err := c.Upsert(ctx, h, "tok", []byte(" eyJhIjoxfQ.eyJhIjoxfQ.c2ln\n")); err != nil || !created {
		t.Errorf("JWS upsert: %v %v", created, err)
	}
	if created, err := c.Upsert(ctx, h, "tok", []byte(`{"id":"x"}`)); err != nil || created {
		t.Errorf("JSON upsert (200 replaced): %v %v", created, err)
	}
	if _, err := c.Upsert(ctx, h, "tok", []byte("hello world")); !errors.Is(err, obclient.ErrNotCredential) {
		t.Errorf("not a credential: %v", err)
	}
}

// A next link to another origin would carry the token there: refused.
func TestNextLinkOffOrigin(t *testing.T) {
	t.Parallel()
	ts := fakeHost(t, goodSDD, func(string) string {
		return `<https://evil.example/ims/ob/v3p0/credentials?offset=1>; rel="next"`
	})
	c := loopback()
	h, err := c.Discover(context.Background(), ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Credentials(context.Background(), h, "tok", obapi.Page{}); err == nil || !strings.Contains(err.Error(), "leaves the API") {
		t.Errorf("off-origin next: %v", err)
	}
}

func TestDiscoverRefuses(t *testing.T) {
	t.Parallel()
	bad := fakeHost(t, func(string) []byte { return obapi.OpenAPI }, func(string) string { return "" })
	if _, err := loopback().Discover(context.Background(), bad.URL); err == nil {
		t.Error("the unprofiled OpenAPI file accepted as an SDD")
	}
	for _, u := range []string{"http://h.example", "ftp://h.example", "https://h.example?x=1", "not a url"} {
		if _, err := loopback().Discover(context.Background(), u); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
	// The production fetcher refuses loopback hosts outright.
	good := fakeHost(t, goodSDD, func(string) string { return "" })
	if _, err := obclient.New(fetch.New(fetch.Options{AllowHTTP: true})).Discover(context.Background(), good.URL); !errors.Is(err, fetch.ErrPrivateAddress) {
		t.Errorf("loopback without allowance: %v", err)
	}
}

package obapi_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	ob "github.com/blason-badges/blason/internal/obapi"
	"github.com/blason-badges/blason/internal/obclient"
)

func get(t *testing.T, c *http.Client, u string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// The consent page names the client, links its site, terms and policy,
// says each scope in plain words, in English and in French, and carries
// the headers of Blason's pages (its CSP lets the form go to the client's
// redirect host and nowhere else).
func TestConsentPage(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	p := newPeer(t, h, ob.Scopes)
	a, _ := obclient.AuthURL(p.host, p.reg, p.sw.RedirectURI, ob.Scopes)
	for lang, want := range map[string][]string{
		"en": {"Connect an app to your badges", "Peer Backpack", "see the badges in your wallet", "change your profile", "Terms of use", "Privacy policy", "alice@example.org", "Allow", "Deny"},
		"fr": {"Connecter une application à vos badges", "Peer Backpack", "voir les badges de votre portefeuille", "modifier votre profil", "Conditions d&#39;utilisation", "Politique de confidentialité", "Autoriser", "Refuser"},
	} {
		resp, body := get(t, h.browser("alice"), a.URL, "Accept-Language", lang)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", lang, resp.StatusCode, body)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: page lacks %q", lang, w)
			}
		}
		for _, u := range []string{p.sw.TOSURI, p.sw.PolicyURI, p.sw.URI} {
			if !strings.Contains(body, `href="`+u+`"`) {
				t.Errorf("%s: no link to %s", lang, u)
			}
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "form-action 'self' http://127.0.0.1:1;") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe") {
			t.Errorf("%s: CSP %q", lang, csp)
		}
		if resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: cacheable consent page", lang)
		}
	}
}

// Signed out: sent to sign in, and back to this very request after.
func TestConsentNeedsSignIn(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	p := newPeer(t, h, ob.Scopes)
	a, _ := obclient.AuthURL(p.host, p.reg, p.sw.RedirectURI, ob.Scopes)
	resp, _ := get(t, h.browser(""), a.URL)
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || err != nil || loc.Path != "/signin" || loc.Host != "" {
		t.Fatalf("signed out: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	next, _ := url.Parse(loc.Query().Get("next"))
	if next.Host != "" || next.Path != "/oauth/authorize" || next.Query().Get("state") != a.State {
		t.Errorf("next = %q", loc.Query().Get("next"))
	}
	// A decision posted while signed out grants nothing.
	u, _ := url.Parse(a.URL)
	r, err := h.browser("").PostForm(h.ts.URL+"/oauth/authorize?"+u.RawQuery, url.Values{"consent": {"allow"}})
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusUnauthorized || r.Header.Get("Location") != "" {
		t.Errorf("signed-out decision: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
}

// Open redirects: a redirect_uri that is not registered (or an unknown
// client) shows an error page on Blason and sends the browser nowhere.
func TestConsentNoOpenRedirect(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	p := newPeer(t, h, ob.Scopes)
	for name, mod := range map[string]func(q url.Values){
		"evil redirect":   func(q url.Values) { q.Set("redirect_uri", "https://evil.example/callback") },
		"path traversal":  func(q url.Values) { q.Set("redirect_uri", "http://127.0.0.1:1/callback/../evil") },
		"added query":     func(q url.Values) { q.Set("redirect_uri", "http://127.0.0.1:1/callback?next=https://evil.example") },
		"unknown client":  func(q url.Values) { q.Set("client_id", "nobody") },
		"no redirect_uri": func(q url.Values) { q.Del("redirect_uri") },
	} {
		a, _ := obclient.AuthURL(p.host, p.reg, p.sw.RedirectURI, ob.Scopes)
		u, _ := url.Parse(a.URL)
		q := u.Query()
		mod(q)
		u.RawQuery = q.Encode()
		resp, body := get(t, h.browser("alice"), u.String())
		if loc := resp.Header.Get("Location"); loc != "" && !strings.HasPrefix(loc, p.sw.RedirectURI+"?") {
			t.Errorf("%s: redirected to %q", name, loc)
		}
		if name != "no redirect_uri" && (resp.StatusCode != 400 || !strings.Contains(body, "This connection request cannot be completed")) {
			t.Errorf("%s: %d", name, resp.StatusCode)
		}
	}
}

// The decision must come from Blason's own page: a cross-site post (a
// page elsewhere submitting the form for the user) is refused.
func TestConsentCrossSitePost(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	p := newPeer(t, h, ob.Scopes)
	a, _ := obclient.AuthURL(p.host, p.reg, p.sw.RedirectURI, ob.Scopes)
	u, _ := url.Parse(a.URL)
	req, _ := http.NewRequest("POST", h.ts.URL+"/oauth/authorize?"+u.RawQuery, strings.NewReader("consent=allow"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := h.browser("alice").Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 || resp.Header.Get("Location") != "" {
		t.Errorf("cross-site decision: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// Deny sends access_denied with the state; the user's apps page lists a
// connected app and disconnects it, after which its tokens fail.
func TestDenyAndConnectedApps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHost(t)
	p := newPeer(t, h, ob.Scopes)
	a, _ := obclient.AuthURL(p.host, p.reg, p.sw.RedirectURI, ob.Scopes)
	u, _ := url.Parse(a.URL)
	resp, err := h.browser("alice").PostForm(h.ts.URL+"/oauth/authorize?"+u.RawQuery, url.Values{"consent": {"deny"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if _, err := obclient.Callback(loc, a.State); err == nil || !strings.Contains(err.Error(), "access_denied") {
		t.Errorf("deny: %v (%s)", err, loc)
	}
	_, body := get(t, h.browser("alice"), h.ts.URL+"/account/apps")
	if !strings.Contains(body, "No app is connected") {
		t.Errorf("apps before connecting:\n%s", body)
	}
	tok := p.connect(t, h, "alice", []string{ob.ScopeCredentialReadonly}, nil)
	_, body = get(t, h.browser("alice"), h.ts.URL+"/account/apps?lang=fr")
	if !strings.Contains(body, "Peer Backpack") || !strings.Contains(body, "voir les badges de votre portefeuille") || !strings.Contains(body, "Déconnecter") {
		t.Errorf("apps page:\n%s", body)
	}
	// Bob's page does not show alice's app, and bob cannot disconnect it
	// for her.
	_, body = get(t, h.browser("bob"), h.ts.URL+"/account/apps")
	if strings.Contains(body, "Peer Backpack") {
		t.Error("bob sees alice's app")
	}
	if r, err := h.browser("bob").PostForm(h.ts.URL+"/account/apps/disconnect", url.Values{"client_id": {p.reg.ClientID}}); err != nil || r.StatusCode != 200 {
		t.Fatalf("bob's disconnect: %v %v", r, err)
	}
	if _, err := p.c.Credentials(ctx, p.host, tok.AccessToken, ob.Page{}); err != nil {
		t.Errorf("bob disconnected alice's app: %v", err)
	}
	r, err := h.browser("alice").PostForm(h.ts.URL+"/account/apps/disconnect", url.Values{"client_id": {p.reg.ClientID}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if !strings.Contains(string(b), "Peer Backpack is disconnected") {
		t.Errorf("after disconnect:\n%s", b)
	}
	if _, err := p.c.Credentials(ctx, p.host, tok.AccessToken, ob.Page{}); !isStatus(err, 401) {
		t.Errorf("token after disconnect: %v", err)
	}
	if _, err := p.c.Refresh(ctx, p.host, p.reg, tok.RefreshToken, nil); err == nil {
		t.Error("refresh after disconnect")
	}
}

package main

import (
	"context"
	"errors"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/fetch"
	ob "github.com/blason-badges/blason/internal/obapi"
	"github.com/blason-badges/blason/internal/obclient"
)

// blason serve end to end: a learner signs up, an app (Blason's own OB
// API client) discovers the server, registers, gets the learner's consent
// and tokens, pushes a badge issued to the learner, which the wallet then
// holds and the API lists.
func TestServeOpenBadgesAPI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	base := "http://" + addr
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"serve", "--data", dir, "--addr", addr, "--public-url", base}, strings.NewReader(""), &out, &errb)
	}()
	defer func() {
		cancel()
		<-done
	}()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(out.String(), "Blason is serving") {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s %s", out.String(), errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	// The learner signs up in a browser.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.PostForm(base+"/signup", url.Values{"email": {"alice@example.org"}, "password": {"a long enough password"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign up: %v %v", resp, err)
	}
	resp.Body.Close()

	// The app.
	c := obclient.New(fetch.New(fetch.Options{AllowHTTP: true, AllowPrivate: true}))
	host, err := c.Discover(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	if host.SDD.TokenURL != base+"/oauth/token" {
		t.Fatalf("discovery names %s", host.SDD.TokenURL)
	}
	sw := obclient.Software{Name: "Peer", URI: "http://127.0.0.1:1/", LogoURI: "http://127.0.0.1:1/l.png", TOSURI: "http://127.0.0.1:1/t",
		PolicyURI: "http://127.0.0.1:1/p", ID: "peer", Version: "1", RedirectURI: "http://127.0.0.1:1/cb"}
	reg, err := c.Register(ctx, host, sw, ob.Scopes)
	if err != nil {
		t.Fatal(err)
	}
	a, err := obclient.AuthURL(host, reg, sw.RedirectURI, []string{ob.ScopeCredentialReadonly, ob.ScopeCredentialUpsert})
	if err != nil {
		t.Fatal(err)
	}
	resp, err = browser.Get(a.URL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`<form method="post" action="([^"]+)"`).FindSubmatch(page)
	if resp.StatusCode != 200 || m == nil || !strings.Contains(string(page), "alice@example.org") {
		t.Fatalf("consent page: %d\n%s", resp.StatusCode, page)
	}
	resp, err = browser.PostForm(base+html.UnescapeString(string(m[1])), url.Values{"consent": {"allow"},
		"grant": {ob.ScopeCredentialReadonly, ob.ScopeCredentialUpsert}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	code, err := obclient.Callback(loc, a.State)
	if err != nil {
		t.Fatalf("callback %s: %v", loc, err)
	}
	tok, err := c.Exchange(ctx, host, reg, sw.RedirectURI, code, a.Verifier, []string{ob.ScopeCredentialReadonly, ob.ScopeCredentialUpsert})
	if err != nil {
		t.Fatal(err)
	}

	// A badge issued to the learner elsewhere (a did:key issuer).
	key := filepath.Join(dir, "other.key")
	if code, _, errs := runCLI(t, "", "key", "new", "--out", key); code != 0 {
		t.Fatal(errs)
	}
	rc, badge, errs := runCLI(t, "", "issue", "--key", key, "--achievement", "../../docs/examples/achievement.json",
		"--recipient-email", "alice@example.org", "--issuer-name", "Other Lab")
	if rc != 0 {
		t.Fatal(errs)
	}
	created, err := c.Upsert(ctx, host, tok.AccessToken, []byte(badge))
	if err != nil || !created {
		t.Fatalf("upsert: %v %v", created, err)
	}
	if again, err := c.Upsert(ctx, host, tok.AccessToken, []byte(badge)); err != nil || again {
		t.Fatalf("same badge again: %v %v (want 200)", again, err)
	}
	// Someone else's badge is refused.
	_, other, _ := runCLI(t, "", "issue", "--key", key, "--achievement", "../../docs/examples/achievement.json",
		"--recipient-email", "bob@example.org", "--issuer-name", "Other Lab")
	if _, err := c.Upsert(ctx, host, tok.AccessToken, []byte(other)); err == nil {
		t.Error("a badge issued to someone else was stored")
	}
	pg, err := c.Credentials(ctx, host, tok.AccessToken, ob.Page{})
	if err != nil || pg.Total != 1 || len(pg.Credentials) != 1 || strings.TrimSpace(string(pg.Credentials[0])) != strings.TrimSpace(badge) {
		t.Fatalf("credentials: %+v %v", pg, err)
	}
	// The wallet page shows it; the connected apps page shows the app.
	resp, err = browser.Get(base + "/wallet")
	if err != nil {
		t.Fatal(err)
	}
	wpage, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(wpage), "Other Lab") {
		t.Errorf("the wallet does not show the pushed badge:\n%s", wpage)
	}
	resp, err = browser.Get(base + "/account/apps")
	if err != nil {
		t.Fatal(err)
	}
	apps, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(apps), "Peer") {
		t.Errorf("connected apps:\n%s", apps)
	}
	// The learner deletes the account: the app's token stops working.
	resp, err = browser.PostForm(base+"/account/delete", url.Values{"confirm": {"alice@example.org"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete account: %v %v", resp, err)
	}
	resp.Body.Close()
	var ae *obclient.APIError
	if _, err := c.Upsert(ctx, host, tok.AccessToken, []byte(badge)); !errors.As(err, &ae) || ae.Status != 401 {
		t.Errorf("upsert after the account was deleted: %v", err)
	}
	if pg, err := c.Credentials(ctx, host, tok.AccessToken, ob.Page{}); err == nil && pg.Total != 0 {
		t.Errorf("badges listed after the account was deleted: %d", pg.Total)
	}
}

package obapi_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/internal/i18n"
	"github.com/blason-badges/blason/internal/obclient"
	"github.com/blason-badges/blason/internal/obconnect"
	connectpart "github.com/blason-badges/blason/internal/server/obconnect"
	"github.com/blason-badges/blason/internal/server/part"
	"github.com/blason-badges/blason/internal/store/oauthdb"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
	"github.com/blason-badges/blason/issuer"
)

// The learner's side, through the pages: on another Blason (the
// consumer), connect to this host, consent there, come back, push a badge
// from the wallet and import badges from the host into the wallet.
func TestConnectPages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHost(t)
	local, err := oauthdb.Open(ctx, sqldbtest.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	b := newBadges(t)
	walletBadge := b.issue(t, issuer.Award{Recipient: issuer.Recipient{Email: "alice@example.org"}})
	claimBadge := b.issue(t, issuer.Award{Recipient: issuer.Recipient{Email: "alice@example.org"}, ID: "urn:uuid:22222222-2222-4222-8222-222222222222"})
	var mu sync.Mutex
	var imported [][]byte
	used := false
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	consumer := httptest.NewServer(r)
	defer consumer.Close()
	svc := &obconnect.Service{
		Client: obclient.New(fetch.New(fetch.Options{AllowHTTP: true, AllowPrivate: true})),
		Store:  local, Master: bytes.Repeat([]byte{3}, 32),
		Software: obclient.Software{Name: "Consumer Blason", URI: consumer.URL + "/", LogoURI: consumer.URL + "/logo.svg",
			TOSURI: consumer.URL + "/terms", PolicyURI: consumer.URL + "/privacy", ID: "blason", Version: "test",
			RedirectURI: consumer.URL + connectpart.PathCallback},
	}
	connectpart.New(part.Shared{MaxBody: 1 << 20, BodyTimeout: time.Second}, connectpart.Config{
		Service: svc, Lang: i18n.EN,
		CurrentUser: func(r *http.Request) string {
			if c, err := r.Cookie("local_user"); err == nil {
				return c.Value
			}
			return ""
		},
		SignIn: func(next string) string { return "/signin?next=" + url.QueryEscape(next) },
		Import: func(_ context.Context, user string, raw []byte, source string) (bool, error) {
			mu.Lock()
			defer mu.Unlock()
			imported = append(imported, raw)
			return user == "learner" && strings.HasPrefix(source, "host:"), nil
		},
		Badge: func(_ context.Context, user, id string) ([]byte, error) {
			if user != "learner" || id != "crd_1" {
				return nil, io.EOF
			}
			return walletBadge, nil
		},
		Claimed: func(_ context.Context, claim string) ([]byte, error) {
			mu.Lock()
			defer mu.Unlock()
			if claim != "clm_secret" || used {
				return nil, io.EOF
			}
			return claimBadge, nil
		},
		Delivered: func(_ context.Context, claim string) error {
			mu.Lock()
			defer mu.Unlock()
			used = true
			return nil
		},
	}).Mount(r)

	learner := &http.Client{Jar: &namedJar{name: "local_user", value: "learner"},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path string, form url.Values, hdr ...string) (*http.Response, string) {
		req, _ := http.NewRequest("POST", consumer.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := learner.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(body)
	}
	if resp, _ := get(t, &http.Client{CheckRedirect: learner.CheckRedirect}, consumer.URL+connectpart.PathHosts); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out: %d", resp.StatusCode)
	}
	if resp, _ := post(connectpart.PathConnect, url.Values{"base_url": {h.ts.URL}}, "Sec-Fetch-Site", "cross-site"); resp.StatusCode != 403 {
		t.Errorf("cross-site connect: %d", resp.StatusCode)
	}
	resp, _ := post(connectpart.PathConnect, url.Values{"base_url": {h.ts.URL}})
	to := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(to, h.ts.URL+"/oauth/authorize?") {
		t.Fatalf("connect: %d %q", resp.StatusCode, to)
	}
	cb := consent(t, h, "alice", to)
	if !strings.HasPrefix(cb.String(), consumer.URL+connectpart.PathCallback) {
		t.Fatalf("callback %s", cb)
	}
	_, page := get(t, learner, cb.String())
	if !strings.Contains(page, "Connected to "+strings.ToLower(h.ts.URL)) {
		t.Fatalf("after callback:\n%s", page)
	}
	if _, page := post(connectpart.PathPush, url.Values{"base_url": {h.ts.URL}, "credential_id": {"crd_1"}}); !strings.Contains(page, "The badge was sent to") {
		t.Fatalf("push:\n%s", page)
	}
	if _, page := post(connectpart.PathPull, url.Values{"base_url": {h.ts.URL}}); !strings.Contains(page, "1 of the 1 badges") {
		t.Fatalf("pull:\n%s", page)
	}
	mu.Lock()
	if len(imported) != 1 || !bytes.Equal(imported[0], walletBadge) {
		t.Errorf("imported %d", len(imported))
	}
	mu.Unlock()
	_, page = get(t, learner, consumer.URL+connectpart.PathHosts+"?lang=fr")
	if !strings.Contains(page, "Importer mes badges de là-bas") || !strings.Contains(page, strings.ToLower(h.ts.URL)) {
		t.Errorf("hosts page (fr):\n%s", page)
	}
	if _, page := post(connectpart.PathDisconnect, url.Values{"base_url": {h.ts.URL}}); !strings.Contains(page, "Your wallet is not connected") {
		t.Errorf("after disconnect:\n%s", page)
	}

	// From a claim page, without an account: the badge goes straight to
	// the learner's host, which asks only for the upsert scope.
	jar, _ := cookiejar.New(nil)
	claimant := &http.Client{Jar: jar, CheckRedirect: learner.CheckRedirect}
	send := func(claim string) *http.Response {
		resp, err := claimant.PostForm(consumer.URL+connectpart.PathSend, url.Values{"claim": {claim}, "base_url": {h.ts.URL}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := send("clm_unknown"); resp.StatusCode != 404 {
		t.Errorf("unknown claim: %d", resp.StatusCode)
	}
	resp = send("clm_secret")
	to = resp.Header.Get("Location")
	if u, _ := url.Parse(to); resp.StatusCode != http.StatusSeeOther || u.Query().Get("scope") != "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert" {
		t.Fatalf("send: %d %q", resp.StatusCode, to)
	}
	cb = consent(t, h, "alice", to)
	// The answer reaching another browser (no delivery cookie) delivers
	// nothing: it is treated as a signed-out connection.
	if resp, _ := get(t, &http.Client{CheckRedirect: learner.CheckRedirect}, cb.String()); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("callback in another browser: %d", resp.StatusCode)
	}
	before := len(h.wallet.creds["alice"])
	_, page = get(t, claimant, cb.String())
	if !strings.Contains(page, "Your badge was sent to "+strings.ToLower(h.ts.URL)) {
		t.Fatalf("delivery:\n%s", page)
	}
	h.wallet.mu.Lock()
	after := h.wallet.creds["alice"]
	h.wallet.mu.Unlock()
	if len(after) != before+1 || !bytes.Equal(after[len(after)-1].held.Raw, claimBadge) {
		t.Errorf("the claimed badge is not in the host's wallet (%d -> %d)", before, len(after))
	}
	// Used once: the same answer again delivers nothing more, and the
	// claim is used up.
	if _, page := get(t, claimant, cb.String()); strings.Contains(page, "Your badge was sent") {
		t.Error("delivered twice")
	}
	if resp := send("clm_secret"); resp.StatusCode != 404 {
		t.Errorf("a used claim sent again: %d", resp.StatusCode)
	}
}

type namedJar struct{ name, value string }

func (j *namedJar) SetCookies(*url.URL, []*http.Cookie) {}
func (j *namedJar) Cookies(*url.URL) []*http.Cookie {
	return []*http.Cookie{{Name: j.name, Value: j.value}}
}

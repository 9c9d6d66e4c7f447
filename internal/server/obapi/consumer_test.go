package obapi_test

import (
	"bytes"
	"context"
	"errors"
	"html"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/internal/obclient"
	"github.com/blason-badges/blason/internal/obconnect"
	"github.com/blason-badges/blason/internal/store/oauthdb"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
	"github.com/blason-badges/blason/issuer"
)

// consent plays the user at the host: open the authorization URL signed
// in as user, allow, and return where the host sends the browser back.
func consent(t *testing.T, h *host, user, authURL string) *url.URL {
	t.Helper()
	br := h.browser(user)
	resp, err := br.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := actionRE.FindSubmatch(page)
	if m == nil {
		t.Fatalf("no consent form: %d\n%s", resp.StatusCode, page)
	}
	u, _ := url.Parse(authURL)
	resp, err = br.PostForm(h.ts.URL+html.UnescapeString(string(m[1])), url.Values{"consent": {"allow"}, "grant": strings.Fields(u.Query().Get("scope"))})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("after consent: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc
}

// Blason as a client (another Blason instance, its own database) connects
// a user's wallet to Blason as a host: discovery and registration once,
// consent, tokens sealed at rest, push and pull, refresh when the access
// token expires, single-use callbacks bound to the user who started them.
func TestConsumerConnects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHost(t)
	local, err := oauthdb.Open(ctx, sqldbtest.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Now()
	svc := &obconnect.Service{
		Client: obclient.New(fetch.New(fetch.Options{AllowHTTP: true, AllowPrivate: true})),
		Store:  local, Master: bytes.Repeat([]byte{9}, 32),
		Software: obclient.Software{Name: "Another Blason", URI: "http://127.0.0.1:7/", LogoURI: "http://127.0.0.1:7/logo.svg",
			TOSURI: "http://127.0.0.1:7/terms", PolicyURI: "http://127.0.0.1:7/privacy", ID: "blason", Version: "test",
			RedirectURI: "http://127.0.0.1:7/account/hosts/callback"},
		Now: func() time.Time { return clock },
	}
	start, err := svc.Start(ctx, "learner", h.ts.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	again, err := svc.Start(ctx, "learner", h.ts.URL+"/ims/ob/v3p0")
	if err != nil {
		t.Fatal(err)
	}
	u1, _ := url.Parse(start)
	u2, _ := url.Parse(again)
	if u1.Query().Get("client_id") != u2.Query().Get("client_id") || u1.Query().Get("state") == u2.Query().Get("state") {
		t.Errorf("registered twice, or one state for two authorizations")
	}
	cb := consent(t, h, "alice", start)
	// Another local user cannot finish this user's authorization.
	if _, err := svc.Finish(ctx, "intruder", cb); !errors.Is(err, obconnect.ErrCallback) {
		t.Errorf("finished by another user: %v", err)
	}
	conn, err := svc.Finish(ctx, "learner", cb)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Finish(ctx, "learner", cb); !errors.Is(err, obconnect.ErrCallback) {
		t.Errorf("callback used twice: %v", err)
	}
	if conn.BaseURL != strings.ToLower(h.ts.URL) {
		t.Errorf("base %q", conn.BaseURL)
	}
	// The tokens are sealed at rest.
	raw, err := local.Connection(ctx, "learner", conn.BaseURL)
	if err != nil || bytes.Contains(raw, []byte(conn.Token.AccessToken)) || bytes.Contains(raw, []byte(conn.Token.RefreshToken)) {
		t.Errorf("tokens stored in the clear (%v)", err)
	}
	b := newBadges(t)
	badge := b.issue(t, issuer.Award{Recipient: issuer.Recipient{Email: "alice@example.org"}})
	if created, err := svc.Push(ctx, "learner", h.ts.URL, badge); err != nil || !created {
		t.Fatalf("push: %v %v", created, err)
	}
	got, err := svc.Pull(ctx, "learner", h.ts.URL)
	if err != nil || len(got) != 1 || !bytes.Equal(got[0], badge) {
		t.Fatalf("pull: %d %v", len(got), err)
	}
	// Two hours later the access token has expired: refreshed, and used.
	clock = clock.Add(2 * time.Hour)
	if got, err := svc.Pull(ctx, "learner", h.ts.URL); err != nil || len(got) != 1 {
		t.Fatalf("pull after expiry: %v", err)
	}
	if after, _ := local.Connection(ctx, "learner", conn.BaseURL); bytes.Equal(after, raw) {
		t.Error("the expired token was not refreshed")
	}
	if list, _ := svc.Connections(ctx, "learner"); len(list) != 1 {
		t.Errorf("connections %v", list)
	}
	if err := svc.Disconnect(ctx, "learner", h.ts.URL); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Pull(ctx, "learner", h.ts.URL); !errors.Is(err, obconnect.ErrNotConnected) {
		t.Errorf("pull after disconnect: %v", err)
	}
	// A stale authorization (past its lifetime) cannot be finished.
	late, err := svc.Start(ctx, "learner", h.ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	lateCB := consent(t, h, "alice", late)
	clock = clock.Add(obconnect.PendingLifetime + time.Minute)
	if _, err := svc.Finish(ctx, "learner", lateCB); !errors.Is(err, obconnect.ErrCallback) {
		t.Errorf("stale callback: %v", err)
	}
}

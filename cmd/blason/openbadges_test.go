package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/internal/obapi"
	"github.com/blason-badges/blason/internal/server"
	oauthpart "github.com/blason-badges/blason/internal/server/oauth"
	serverobapi "github.com/blason-badges/blason/internal/server/obapi"
	webpages "github.com/blason-badges/blason/internal/server/web"
	"github.com/blason-badges/blason/internal/store/oauthdb"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
)

// openBadges wires the three parts under the public URL: the discovery
// document names this server's endpoints, registration answers, and the
// connection pages ask a signed-out visitor to sign in.
func TestOpenBadgesWiring(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sqldbtest.SQLite(t)
	master := make([]byte, 32)
	built, err := openBadges(ctx, db, master, "https://badges.example/", fetch.New(fetch.Options{}), obDeps{
		CurrentUser: func(*http.Request) *oauthpart.User { return nil },
		SignIn:      webpages.SignInURL, // as main wires it
		OwnerOf:     func(context.Context, string) (*serverobapi.Owner, error) { return &serverobapi.Owner{}, nil },
		List:        func(context.Context, string) ([]serverobapi.Listed, error) { return nil, nil },
		Keep:        func(context.Context, string, serverobapi.Upsert) (bool, error) { return true, nil },
		Import:      func(context.Context, string, []byte, string) (bool, error) { return true, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	ob, connect := built.Config, built.Connect
	if connect.Software.RedirectURI != "https://badges.example/account/hosts/callback" || connect.Software.TOSURI != "https://badges.example/privacy" {
		t.Errorf("client description %+v", connect.Software)
	}
	if string(tokenSecret(master)) == string(master) || len(tokenSecret(master)) != 32 {
		t.Error("token secret not derived")
	}
	srv := server.New(server.Config{PublicURL: "https://badges.example", OpenBadges: ob})
	do := func(method, path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "https://badges.example"+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		return rec
	}
	d := do("GET", "/ims/ob/v3p0/discovery", "")
	sdd, err := obapi.ParseSDD(d.Body.Bytes())
	if d.Code != 200 || err != nil || sdd.TokenURL != "https://badges.example/oauth/token" || sdd.RegistrationURL != "https://badges.example/oauth/register" ||
		sdd.AuthorizationURL != "https://badges.example/oauth/authorize" || sdd.PrivacyPolicy != "https://badges.example/privacy" {
		t.Fatalf("discovery: %d %v %+v", d.Code, err, sdd)
	}
	reg := do("POST", "/oauth/register", `{"client_name":"App","client_uri":"https://app.example/","logo_uri":"https://app.example/l.png",
		"tos_uri":"https://app.example/tos","policy_uri":"https://app.example/p","software_id":"a","software_version":"1",
		"redirect_uris":["https://app.example/cb"],"scope":"`+obapi.ScopeCredentialReadonly+`"}`)
	var got map[string]any
	if reg.Code != 201 || json.Unmarshal(reg.Body.Bytes(), &got) != nil || got["client_id"] == "" {
		t.Errorf("registration: %d %s", reg.Code, reg.Body)
	}
	if h := do("GET", "/account/hosts", ""); h.Code != http.StatusSeeOther || h.Header().Get("Location") != "/signin?next=%2Faccount%2Fhosts" {
		t.Errorf("hosts page signed out: %d %q", h.Code, h.Header().Get("Location"))
	}
	// The consent page sends a signed-out learner to sign in and back to
	// itself, the app's request whole.
	authz := "/oauth/authorize?client_id=" + url.QueryEscape(fmt.Sprint(got["client_id"])) + "&response_type=code&redirect_uri=" +
		url.QueryEscape("https://app.example/cb") + "&scope=" + url.QueryEscape(obapi.ScopeCredentialReadonly) + "&state=state-0123456789&code_challenge=" +
		strings.Repeat("a", 43) + "&code_challenge_method=S256"
	if h := do("GET", authz, ""); h.Code != http.StatusSeeOther || h.Header().Get("Location") != "/signin?next="+url.QueryEscape(authz) {
		t.Errorf("consent page signed out: %d %q", h.Code, h.Header().Get("Location"))
	}
	if _, err := openBadges(ctx, db, nil, "https://badges.example", fetch.New(fetch.Options{}), obDeps{}); err == nil {
		t.Error("no master key accepted")
	}
}

func TestPurgeOAuthStops(t *testing.T) {
	t.Parallel()
	store, err := oauthdb.Open(context.Background(), sqldbtest.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	runs := 0
	go func() {
		purgeOAuth(ctx, store, time.Millisecond, func(error) { runs++ })
		close(done)
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("purgeOAuth did not stop with its context")
	}
	if runs != 0 {
		t.Errorf("%d purge errors", runs)
	}
}

package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/blason-badges/blason/internal/oauth"
	ob "github.com/blason-badges/blason/internal/obapi"
	oauthpart "github.com/blason-badges/blason/internal/server/oauth"
	"github.com/blason-badges/blason/internal/server/obapi"
	"github.com/blason-badges/blason/internal/store/oauthdb"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
)

// Config.OpenBadges mounts both parts behind the root's middleware: the
// discovery document is public, the API answers Imsx_StatusInfo without a
// token, and the OAuth endpoints are there; the root's Host check still
// applies. (The parts' own tests cover their behaviour.)
func TestOpenBadgesMounted(t *testing.T) {
	t.Parallel()
	store, err := oauthdb.Open(context.Background(), sqldbtest.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	as, err := oauth.New(store, oauth.Config{Secret: bytes.Repeat([]byte{1}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	base := "https://blason.example"
	sdd, err := ob.ServiceDescription(ob.Host{Title: "Blason", TermsOfService: base + "/terms", PrivacyPolicy: base + "/privacy",
		APIBase: base + ob.BasePath, AuthorizationURL: base + oauthpart.PathAuthorize, TokenURL: base + oauthpart.PathToken,
		RegistrationURL: base + oauthpart.PathRegister})
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{PublicURL: base, OpenBadges: &OpenBadges{
		API:   obapi.Config{OAuth: as, SDD: sdd},
		OAuth: oauthpart.Config{OAuth: as, CurrentUser: func(*http.Request) *oauthpart.User { return nil }, SignIn: func(string) string { return "/" }},
	}})
	do := func(method, path, host string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, base+path, nil)
		req.Host = host
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, req)
		return w
	}
	if w := do("GET", "/ims/ob/v3p0/discovery", "blason.example"); w.Code != 200 || !bytes.Equal(w.Body.Bytes(), sdd) {
		t.Errorf("discovery: %d", w.Code)
	}
	w := do("GET", "/ims/ob/v3p0/credentials", "blason.example")
	var info ob.StatusInfo
	if w.Code != 401 || json.Unmarshal(w.Body.Bytes(), &info) != nil || info.CodeMajor != "failure" {
		t.Errorf("credentials without token: %d %s", w.Code, w.Body)
	}
	if w := do("POST", "/oauth/token", "blason.example"); w.Code != 400 {
		t.Errorf("token endpoint: %d %s", w.Code, w.Body)
	}
	if w := do("GET", "/ims/ob/v3p0/discovery", "evil.example"); w.Code != http.StatusMisdirectedRequest {
		t.Errorf("foreign Host: %d", w.Code)
	}
}

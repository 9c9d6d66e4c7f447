package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/blason-badges/blason/internal/oauth"
	ob "github.com/blason-badges/blason/internal/obapi"
	"github.com/blason-badges/blason/internal/obapi/obapitest"
	oauthpart "github.com/blason-badges/blason/internal/server/oauth"
	"github.com/blason-badges/blason/internal/server/obapi"
	"github.com/blason-badges/blason/internal/server/problem"
	"github.com/blason-badges/blason/internal/store/oauthdb"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
)

// The root's refusals (413, 415, 421, 429, 503, 500, and 404/405 of an
// unknown route) answer an Imsx_StatusInfo under /ims/ob/v3p0/ (OB 3.0
// §6.3: every error of the API carries one), with the status's code minor
// value, and an RFC 9457 problem everywhere else.
func TestRootRefusalsInTheOBAPIFormat(t *testing.T) {
	t.Parallel()
	v, err := obapitest.Shared()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		status int
		kind   string
		minor  string
	}{
		{http.StatusRequestEntityTooLarge, problem.TooLarge, ob.MinorInvalidData},
		{http.StatusUnsupportedMediaType, problem.UnsupportedMediaType, ob.MinorInvalidData},
		{http.StatusMisdirectedRequest, problem.Misdirected, ob.MinorMisdirectedRequest},
		{http.StatusTooManyRequests, problem.Overloaded, ob.MinorServerBusy},
		{http.StatusServiceUnavailable, problem.Overloaded, ob.MinorServerBusy},
		{http.StatusInternalServerError, problem.Internal, ob.MinorInternalServerError},
		{http.StatusNotFound, problem.NotFound, ob.MinorNotFound},
		{http.StatusMethodNotAllowed, problem.MethodNotAllowed, ob.MinorNotAllowed},
		{http.StatusTeapot, problem.Internal, ob.MinorUnknown},
	}
	for _, c := range cases {
		for _, path := range []string{"/ims/ob/v3p0/credentials", "/ims/ob/v3p0", "/credentials/verify", "/ims/ob/v3p0x", "/wallet/ims/ob/v3p0/x"} {
			w := httptest.NewRecorder()
			ctx, _ := gin.CreateTestContext(w)
			ctx.Request = httptest.NewRequest("POST", path, nil)
			problem.Write(ctx, c.status, c.kind, "the detail")
			if w.Code != c.status {
				t.Fatalf("%d %s: status %d", c.status, path, w.Code)
			}
			if problem.IsOBAPI(path) {
				info, ok := ob.ParseStatusInfo(w.Body.Bytes())
				if !ok || info.CodeMajor != ob.CodeMajorFailure || info.Severity != ob.SeverityError || info.CodeMinor == nil ||
					info.CodeMinor.Fields[0].Value != c.minor {
					t.Errorf("%d %s: %s", c.status, path, w.Body)
				}
				if err := v.Schema("Imsx_StatusInfo", w.Body.Bytes()); err != nil {
					t.Errorf("%d %s: not an Imsx_StatusInfo: %v", c.status, path, err)
				}
				// A 5xx says nothing of its cause, as a problem would not.
				if c.status >= 500 == strings.Contains(info.Description, "the detail") {
					t.Errorf("%d %s: description %q", c.status, path, info.Description)
				}
				continue
			}
			var p problem.Problem
			if json.Unmarshal(w.Body.Bytes(), &p) != nil || p.Status != c.status || p.Type != problem.BaseURI+c.kind {
				t.Errorf("%d %s: not a problem: %s", c.status, path, w.Body)
			}
		}
	}
}

// Through the whole server: a body over the limit, a foreign Host and an
// unknown route under the API answer in its format; the same refusals
// elsewhere stay problems.
func TestServerRefusalsUnderTheOBAPI(t *testing.T) {
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
	s := New(Config{PublicURL: base, MaxBody: 1024, OpenBadges: &OpenBadges{
		API:   obapi.Config{OAuth: as, SDD: sdd},
		OAuth: oauthpart.Config{OAuth: as, CurrentUser: func(*http.Request) *oauthpart.User { return nil }, SignIn: func(string) string { return "/" }},
	}})
	cases := []struct {
		name, method, path, host string
		body                     int
		status                   int
		minor                    string
	}{
		{"too large", "POST", "/ims/ob/v3p0/credentials", "blason.example", 4096, http.StatusRequestEntityTooLarge, ob.MinorInvalidData},
		{"foreign host", "GET", "/ims/ob/v3p0/discovery", "evil.example", 0, http.StatusMisdirectedRequest, ob.MinorMisdirectedRequest},
		{"unknown route", "GET", "/ims/ob/v3p0/nothing", "blason.example", 0, http.StatusNotFound, ob.MinorNotFound},
	}
	for _, c := range cases {
		for _, under := range []bool{true, false} {
			path := c.path
			if !under {
				path = strings.Replace(path, "/ims/ob/v3p0/", "/nothing-here/", 1)
				if c.name == "too large" {
					path = "/credentials/verify"
				}
			}
			req := httptest.NewRequest(c.method, base+path, bytes.NewReader(make([]byte, c.body)))
			req.Host = c.host
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			s.Handler().ServeHTTP(w, req)
			if w.Code != c.status {
				t.Errorf("%s %s: status %d", c.name, path, w.Code)
				continue
			}
			info, isInfo := ob.ParseStatusInfo(w.Body.Bytes())
			var p problem.Problem
			isProblem := json.Unmarshal(w.Body.Bytes(), &p) == nil && p.Type != ""
			switch {
			case under && (!isInfo || isProblem || info.CodeMinor.Fields[0].Value != c.minor):
				t.Errorf("%s %s: not an Imsx_StatusInfo with %s: %s", c.name, path, c.minor, w.Body)
			case !under && (!isProblem || isInfo):
				t.Errorf("%s %s: not a problem: %s", c.name, path, w.Body)
			}
		}
	}
}

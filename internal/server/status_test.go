package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/testissuer"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

func newStatusServer(t *testing.T, token string) (*Server, string) {
	t.Helper()
	s, issuerID, _ := newStatusServerStore(t, token)
	return s, issuerID
}

// newStatusServerStore is newStatusServer that also returns the service, so
// that a second server (another issuer) can share its store.
func newStatusServerStore(t *testing.T, token string) (*Server, string, *issuer.Service) {
	t.Helper()
	return newStatusServerStoreTB(t, token)
}

func newStatusServerStoreTB(t testing.TB, token string) (*Server, string, *issuer.Service) {
	t.Helper()
	svc := testissuer.NewService(testissuer.SQLite(t, ""), "https://b.example", now)
	k := testissuer.AddIssuer(t, svc, 1)
	return New(Config{Service: svc, IssuerID: k.DID, OperatorToken: token, Verifier: verifier.New(verifier.Options{Now: now, AcceptGeneric: true})}), k.DID, svc
}

func TestUpdateStatusErrors(t *testing.T) {
	const secret = "secret-operator-token-0123456789abcdef"
	s, issuerID := newStatusServer(t, secret)
	f := &fixture{srv: s, token: secret}
	code, out, _ := f.do(t, "POST", "/credentials/issue", map[string]any{"credential": genericVC(issuerID)})
	if code != 201 {
		t.Fatalf("issue: %d %v", code, out)
	}
	call := func(token, body string) int {
		req := (&fixture{token: token}).request("POST", "/credentials/status", strings.NewReader(body))
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, req)
		return w.Code
	}
	id := out["verifiableCredential"].(map[string]any)["id"].(string)
	cases := []struct {
		name, token, body string
		want              int
	}{
		{"no token", "", `{"credentialId": "` + id + `", "action": "revoke"}`, 401},
		{"wrong token", "nope", `{"credentialId": "` + id + `", "action": "revoke"}`, 401},
		{"no id", secret, `{"action": "revoke"}`, 400},
		{"unknown status", secret, `{"credentialId": "` + id + `", "credentialStatus": [{"status": "melted"}]}`, 400},
		{"unknown credential", secret, `{"credentialId": "urn:uuid:nope", "action": "revoke"}`, 404},
		{"no suspension entry", secret, `{"credentialId": "` + id + `", "action": "suspend"}`, 409},
		{"revoke", secret, `{"credentialId": "` + id + `", "action": "revoke", "reason": "x"}`, 200},
		{"reinstate revoked", secret, `{"credentialId": "` + id + `", "action": "reinstate"}`, 409},
	}
	for _, c := range cases {
		if got := call(c.token, c.body); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	if code, _, _ := f.do(t, "GET", "/status/nosuchlist", nil); code != 404 {
		t.Fatalf("unknown list: %d", code)
	}
	disabled, _ := newStatusServer(t, "")
	w := httptest.NewRecorder()
	disabled.Handler().ServeHTTP(w, f.request("POST", "/credentials/status", strings.NewReader(`{}`)))
	if w.Code != http.StatusForbidden {
		t.Fatalf("no token configured: %d", w.Code)
	}
}

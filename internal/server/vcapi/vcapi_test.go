package vcapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/server/part"
	"github.com/blason-badges/blason/verifier"
)

// TestMountAlone: the part works mounted on a bare router with a Shared of
// its own, without the composition root: without a Service it does not
// issue (501, and no scope is even asked for) and has no status route;
// verification goes through Admit and answers the VC API's result.
func TestMountAlone(t *testing.T) {
	t.Parallel()
	var admitted int
	var scopes []account.Scope
	sh := part.Shared{
		Auth: func(s account.Scope) gin.HandlerFunc {
			scopes = append(scopes, s)
			return func(c *gin.Context) { c.AbortWithStatus(http.StatusForbidden) }
		},
		Admit:   func(c *gin.Context) { admitted++; c.Next() },
		MaxBody: 1 << 20,
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	New(sh, Config{Verifier: verifier.New(verifier.Options{AcceptGeneric: true})}).Mount(r)
	if len(scopes) != 0 {
		t.Fatalf("scopes asked without a Service: %v", scopes)
	}
	send := func(path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		return w
	}
	unsigned := `{"verifiableCredential": {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"], "issuer": "did:example:x", "credentialSubject": {"id": "did:example:y"}}}`
	for _, c := range []struct {
		path, body string
		want       int
	}{
		{"/credentials/issue", `{"credential": {}}`, http.StatusNotImplemented},
		{"/credentials/issue/vc-jwt", `{"credential": {}}`, http.StatusNotImplemented},
		{"/credentials/status", `{}`, http.StatusNotFound},
		{"/credentials/verify", `{"verifiableCredential": "{}"}`, http.StatusBadRequest},
		{"/credentials/verify", unsigned, http.StatusUnprocessableEntity},
	} {
		if w := send(c.path, c.body); w.Code != c.want {
			t.Errorf("%s %s: %d, want %d: %s", c.path, c.body, w.Code, c.want, w.Body)
		}
	}
	if admitted != 2 {
		t.Errorf("verifications admitted %d times, want 2", admitted)
	}
	var res struct {
		Verified bool             `json:"verified"`
		Errors   []map[string]any `json:"errors"`
	}
	if err := json.Unmarshal(send("/credentials/verify", unsigned).Body.Bytes(), &res); err != nil || res.Verified || len(res.Errors) == 0 {
		t.Fatalf("unsigned credential: %+v %v", res, err)
	}
}

package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/server/web"
)

const benchBadge = `{
  "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
  "id": "urn:uuid:0b1f1d7e-0c1a-4c53-9f4e-6e6c2a0c7f10",
  "type": ["VerifiableCredential", "OpenBadgeCredential"],
  "issuer": {"id": "ISSUER", "type": ["Profile"], "name": "Science & Society Lab"},
  "validFrom": "2026-01-01T00:00:00Z",
  "name": "Teamwork",
  "credentialSubject": {
    "type": ["AchievementSubject"],
    "identifier": [{"type": "IdentityObject", "hashed": true, "identityType": "emailAddress",
      "identityHash": "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399", "salt": "Kosher"}],
    "achievement": {"id": "https://lab.example/achievements/teamwork", "type": ["Achievement"], "name": "Teamwork",
      "description": "Works well in a team.", "criteria": {"narrative": "Peer nominated."}}
  }
}`

// BenchmarkPageVsJSON: the verification page of a typical badge against
// the VC API's JSON verification of the same badge, through the same
// server (issue 10: the page costs at most 1.5 times the JSON).
func BenchmarkPageVsJSON(b *testing.B) {
	f := newFixture(b, 0)
	f.srv = New(Config{Service: f.srv.cfg.Service, IssuerID: f.srv.cfg.IssuerID, Verifier: f.srv.cfg.Verifier, Tokens: f.tokens, Pages: &web.Config{}})
	var doc map[string]any
	json.Unmarshal([]byte(strings.Replace(benchBadge, "ISSUER", f.key.DID, 1)), &doc)
	vc := f.issue(b, doc)
	cred, _ := json.Marshal(vc)
	jsonBody, _ := json.Marshal(map[string]any{"verifiableCredential": vc})
	form := url.Values{"credential": {string(cred)}}.Encode()
	h := f.srv.Handler()
	run := func(b *testing.B, req func() *http.Request) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req())
			if w.Code != http.StatusOK {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
		}
	}
	b.Run("json", func(b *testing.B) {
		run(b, func() *http.Request {
			r := httptest.NewRequest("POST", "/credentials/verify", bytes.NewReader(jsonBody))
			r.Host = "localhost:8080"
			r.Header.Set("Content-Type", "application/json")
			return r
		})
	})
	b.Run("page", func(b *testing.B) {
		run(b, func() *http.Request {
			r := httptest.NewRequest("POST", "/verify", strings.NewReader(form))
			r.Host = "localhost:8080"
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		})
	})
}

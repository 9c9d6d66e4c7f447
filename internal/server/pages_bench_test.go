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
	"github.com/blason-badges/blason/internal/testissuer/testkit"
)

// BenchmarkPageVsJSON: the verification page of a typical badge against
// the VC API's JSON verification of the same badge, through the same
// server (issue 10: the page costs at most 1.5 times the JSON).
func BenchmarkPageVsJSON(b *testing.B) {
	f := newFixture(b, 0)
	f.srv = New(Config{Service: f.srv.cfg.Service, IssuerID: f.srv.cfg.IssuerID, Verifier: f.srv.cfg.Verifier, Tokens: f.tokens, Pages: &web.Config{}})
	vc := f.issue(b, testkit.Badge(f.key.DID, nil))
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

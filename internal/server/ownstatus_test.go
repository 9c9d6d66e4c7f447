package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/testissuer"
	"github.com/blason-badges/blason/verifier"
)

// ownStatusServer is a server that verifies its own badges' status from
// its own state, decoded in memory or (decoded false) re-read and
// re-verified each time, with an issued badge's verify request body.
func ownStatusServer(tb testing.TB, decoded bool) (*fixture, []byte, string) {
	tb.Helper()
	return ownStatusServerWith(tb, decoded, genericVC)
}

// openBadge is an OpenBadgeCredential as `blason bench` issues it (the
// server's own badges): verifying it runs the OB 3.0 schema check.
func openBadge(issuerID string) map[string]any {
	return map[string]any{
		"id":        newURN(),
		"@context":  []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"type":      []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":    map[string]any{"id": issuerID, "type": []any{"Profile"}, "name": "Blason load test"},
		"name":      "Load test badge",
		"validFrom": "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{
			"type": []any{"AchievementSubject"},
			"id":   "did:example:load-test-learner",
			"achievement": map[string]any{
				"id": "https://badges.example/achievements/load-test", "type": []any{"Achievement"},
				"name": "Load test", "description": "Issued by blason bench.",
				"criteria": map[string]any{"narrative": "Be issued during a load test."},
			},
		},
	}
}

func ownStatusServerWith(tb testing.TB, decoded bool, cred func(issuerID string) map[string]any) (*fixture, []byte, string) {
	tb.Helper()
	s, issuerID, svc := newStatusServerStoreTB(tb, testOperator)
	// Signed JSON, parsed and proof-checked every time (as before issue
	// 14), or also decoded from memory as blason serve does.
	var lists verifier.Fetcher = testissuer.Lists{Service: svc}
	if decoded {
		lists = testissuer.DecodedLists{Lists: testissuer.Lists{Service: svc}}
	}
	cfg := s.cfg
	cfg.Verifier = verifier.New(verifier.Options{Now: now, AcceptGeneric: true, Fetcher: lists})
	f := &fixture{srv: New(cfg), token: testOperator}
	vc := f.issue(tb, cred(issuerID))
	body, _ := json.Marshal(map[string]any{"verifiableCredential": vc})
	return f, body, vc["id"].(string)
}

// TestOwnBadgeRevokedAtOnce: with the lists kept decoded in memory, a
// revocation through the API shows in the very next verification.
func TestOwnBadgeRevokedAtOnce(t *testing.T) {
	t.Parallel()
	f, body, id := ownStatusServer(t, true)
	verify := func() (int, string) {
		code, out, _ := f.do(t, "POST", "/credentials/verify", body)
		return code, fmt.Sprint(out["checks"], out["errors"])
	}
	for i := 0; i < 2; i++ { // the second from memory
		if code, res := verify(); code != http.StatusOK || !strings.Contains(res, "status") {
			t.Fatalf("before revocation: %d %s", code, res)
		}
	}
	if code, out, _ := f.do(t, "POST", "/credentials/status", map[string]any{"credentialId": id, "action": "revoke", "reason": "test"}); code != 200 {
		t.Fatalf("revoke: %d %v", code, out)
	}
	if code, res := verify(); code != http.StatusUnprocessableEntity || !strings.Contains(res, "revoked") {
		t.Fatalf("right after revocation: %d %s", code, res)
	}
}

// BenchmarkVerifyOwnBadge: POST /credentials/verify of the server's own
// badge (status entry included) through the handler, with its status list
// re-read, re-verified and re-inflated every time ("fetched", before) and
// kept decoded in memory with a version check ("decoded", after). cpu-ns/op
// is the process's CPU time per request.
// Run: go test -run=^$ -bench=VerifyOwnBadge -cpu 1 -benchmem ./internal/server/
func BenchmarkVerifyOwnBadge(b *testing.B) {
	for _, c := range []struct {
		name    string
		decoded bool
		cred    func(string) map[string]any
	}{{"fetched", false, genericVC}, {"decoded", true, genericVC}, {"decoded-openbadge", true, openBadge}} {
		b.Run(c.name, func(b *testing.B) {
			f, body, _ := ownStatusServerWith(b, c.decoded, c.cred)
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				w := httptest.NewRecorder()
				f.srv.Handler().ServeHTTP(w, f.request("POST", "/credentials/verify", strings.NewReader(string(body))))
				if w.Code != http.StatusOK {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
			// CPU time, GC included: on a shared machine wall time per
			// operation mostly measures the neighbours.
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkIssueOwnBadge: POST /credentials/issue of an Open Badge (status
// entry added and recorded, signed, preflight-verified) through the
// handler on SQLite. cpu-ns/op is the process's CPU time per request.
// Run: go test -run=^$ -bench=IssueOwnBadge -cpu 1 -benchmem ./internal/server/
func BenchmarkIssueOwnBadge(b *testing.B) {
	s, issuerID, _ := newStatusServerStoreTB(b, testOperator)
	f := &fixture{srv: s, token: testOperator}
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		body, _ := json.Marshal(map[string]any{"credential": openBadge(issuerID)})
		w := httptest.NewRecorder()
		f.srv.Handler().ServeHTTP(w, f.request("POST", "/credentials/issue", strings.NewReader(string(body))))
		if w.Code != http.StatusCreated {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
	b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
}

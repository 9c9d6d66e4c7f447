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
	vc := f.issue(tb, genericVC(issuerID))
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
	}{{"fetched", false}, {"decoded", true}} {
		b.Run(c.name, func(b *testing.B) {
			f, body, _ := ownStatusServer(b, c.decoded)
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

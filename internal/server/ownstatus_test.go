package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/status"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

// fetchedOwnLists serves the service's own lists as signed JSON (the
// verifier parses them and verifies their proof every time, as before
// issue 14); decodedOwnLists also hands them over decoded from memory, as
// blason serve does (verifier.TrustedListFetcher).
type fetchedOwnLists struct{ svc *issuer.Service }

func (f fetchedOwnLists) own(url string) (string, issuer.ListFormat, bool) {
	id, ok := strings.CutPrefix(url, f.svc.BaseURL+"/status/")
	if !ok {
		return "", 0, false
	}
	if trimmed, ok := strings.CutSuffix(id, "/2021"); ok {
		return trimmed, issuer.FormatStatusList2021, true
	}
	return id, issuer.FormatBitstring, true
}

func (f fetchedOwnLists) IsLocal(url string) bool { _, _, ok := f.own(url); return ok }

func (f fetchedOwnLists) GetJSON(ctx context.Context, url string, _ ...string) ([]byte, error) {
	id, format, ok := f.own(url)
	if !ok {
		return nil, fmt.Errorf("not fetched in tests: %s", url)
	}
	doc, _, err := f.svc.StatusList(ctx, id, format)
	return doc, err
}

type decodedOwnLists struct{ fetchedOwnLists }

func (f decodedOwnLists) TrustedList(ctx context.Context, url string) (*status.List, bool, error) {
	id, format, ok := f.own(url)
	if !ok {
		return nil, false, nil
	}
	l, err := f.svc.DecodedStatusList(ctx, id, format)
	return l, true, err
}

// ownStatusServer is a server that verifies its own badges' status from
// its own state, decoded in memory or (decoded false) re-read and
// re-verified each time, with an issued badge's verify request body.
func ownStatusServer(tb testing.TB, decoded bool) (*fixture, []byte, string) {
	tb.Helper()
	s, issuerID, svc := newStatusServerStoreTB(tb, testOperator)
	var lists verifier.Fetcher = fetchedOwnLists{svc}
	if decoded {
		lists = decodedOwnLists{fetchedOwnLists{svc}}
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

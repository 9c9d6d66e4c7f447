package verifier

import (
	"context"
	"testing"

	"github.com/blason-badges/blason/internal/testissuer/testkit"
)

const refreshURL = "https://lab.example/refresh/1"

func withRefresh(m map[string]any) {
	m["@context"] = append(m["@context"].([]any), "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
	m["refreshService"] = map[string]any{"id": refreshURL, "type": "1EdTechCredentialRefresh"}
}

func TestRefresh(t *testing.T) {
	s, other := edSigner(t), edSigner(t)
	original := s.badge(t, withRefresh)
	newer := s.badge(t, func(m map[string]any) {
		withRefresh(m)
		m["validFrom"] = "2026-03-01T00:00:00Z"
		m["name"] = "Teamwork (renewed)"
	})
	cases := []struct {
		name     string
		served   []byte
		outcome  Outcome
		wantName string
	}{
		{"refreshed", newer, Passed, "Teamwork (renewed)"},
		{"unreachable", nil, Warning, "Teamwork"},
		{"refreshed credential tampered", mutate(t, newer, func(m map[string]any) { m["name"] = "Nobel" }), Warning, "Teamwork"},
		{"different credential", s.badge(t, func(m map[string]any) { withRefresh(m); m["id"] = "urn:uuid:00000000-0000-4000-8000-000000000000" }), Warning, "Teamwork"},
		{"other issuer", other.badge(t, withRefresh), Warning, "Teamwork"},
		{"not JSON", []byte("<html>"), Warning, "Teamwork"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := testkit.NewWeb(map[string][]byte{})
			if c.served != nil {
				f.Serve(refreshURL, c.served)
			}
			r, err := New(Options{Now: testNow, Fetcher: f}).Verify(context.Background(), original)
			if err != nil {
				t.Fatalf("the original must stand: %v\n%s", err, dump(r))
			}
			if o := r.Check(CheckRefresh).Outcome; o != c.outcome || r.Credential.Name != c.wantName || f.Total() != 1 {
				t.Fatalf("refresh %s, name %q, %d fetches\n%s", o, r.Credential.Name, f.Total(), dump(r))
			}
			if c.outcome == Passed && r.RefreshedFrom != refreshURL {
				t.Fatalf("RefreshedFrom %q", r.RefreshedFrom)
			}
		})
	}
	// Never before the proof: a forged credential makes no request.
	f := testkit.NewWeb(map[string][]byte{refreshURL: newer})
	r, _ := New(Options{Now: testNow, Fetcher: f}).Verify(context.Background(), mutate(t, original, func(m map[string]any) { m["name"] = "x" }))
	if f.Total() != 0 || r.Check(CheckRefresh).Outcome != NotRun {
		t.Fatalf("forged credential triggered refresh: %d fetches", f.Total())
	}
}

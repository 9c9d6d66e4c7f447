package verifier

import (
	"context"
	"strings"
	"testing"

	"github.com/blason-badges/blason/contexts"
)

// TestUnknownContextNamed: a context Blason does not pin is named in the
// report, and the credential reads as "could not be checked" (issue 8, item 7).
func TestUnknownContextNamed(t *testing.T) {
	t.Parallel()
	s := edSigner(t)
	const unknown = "https://example.org/unknown/v1"
	cases := []struct {
		name  string
		patch func(map[string]any)
	}{
		{"top-level", func(m map[string]any) { m["@context"] = append(m["@context"].([]any), unknown) }},
		{"scoped in the subject", func(m map[string]any) {
			m["credentialSubject"].(map[string]any)["@context"] = unknown
		}},
		{"imported by an inline context", func(m map[string]any) {
			m["@context"] = append(m["@context"].([]any), map[string]any{"@import": unknown})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := New(Options{Now: testNow}).Verify(context.Background(), mutate(t, s.badge(t, nil), tc.patch))
			if err == nil {
				t.Fatal("verified")
			}
			c := r.Check(CheckProof)
			if c.Outcome != Unknown || c.Message != "proof.unknown-context" || !strings.Contains(c.Detail, unknown) {
				t.Fatalf("proof check %+v", c)
			}
			if !r.Unchecked() {
				t.Fatalf("an unknown context is 'could not check':\n%s", dump(r))
			}
		})
	}
}

func TestUnknownContextsList(t *testing.T) {
	t.Parallel()
	doc := map[string]any{
		"@context": []any{contexts.CredentialsV2, "https://a.example/1", map[string]any{"@import": "https://b.example/2"}},
		"proof":    map[string]any{"@context": []any{contexts.CredentialsV2, "https://a.example/1"}},
		"x":        []any{map[string]any{"@context": "https://c.example/3"}},
	}
	got := unknownContexts(doc, 5)
	want := map[string]bool{"https://a.example/1": true, "https://b.example/2": true, "https://c.example/3": true}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for _, u := range got {
		if !want[u] {
			t.Fatalf("got %v", got)
		}
	}
	if got := unknownContexts(doc, 1); len(got) != 1 {
		t.Fatalf("max 1: %v", got)
	}
	if got := unknownContexts(map[string]any{"@context": []any{contexts.CredentialsV2, contexts.StatusV1, contexts.Ed25519_2018V1}}, 5); len(got) != 0 {
		t.Fatalf("pinned contexts reported unknown: %v", got)
	}
}

package issuer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

// plainPreflight hides VerifyStrict: the issuer checks the strict schema
// itself.
type plainPreflight struct{ p issuer.Preflight }

func (p plainPreflight) Verify(ctx context.Context, b []byte) error { return p.p.Verify(ctx, b) }

// TestIssueStrictSchemaEveryPreflight: what Issue emits passes the strict
// (array-only) OB 3.0 schema whichever preflight is set - the verifier's,
// which checks the strict schema on the emitted bytes (one schema check),
// one without VerifyStrict, or none, where Issue checks it itself. An
// alignment given as a single object passes the compaction schema (which
// verifiers use) and fails the strict one: refused in every case; the
// same achievement with an array is issued in every case.
func TestIssueStrictSchemaEveryPreflight(t *testing.T) {
	t.Parallel()
	v := verifier.New(verifier.Options{Now: clock}).Preflight()
	if _, ok := v.(issuer.StrictPreflight); !ok {
		t.Fatal("the verifier's preflight is not a StrictPreflight: every award runs the schema twice")
	}
	alignment := map[string]any{"type": []any{"Alignment"}, "targetName": "Science communication",
		"targetUrl": "https://framework.example/sc"}
	for _, tc := range []struct {
		name string
		p    issuer.Preflight
	}{{"verifier", v}, {"plain", plainPreflight{v}}, {"none", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			is := newIssuer(t, did.Ed25519)
			is.Preflight = tc.p
			single := achievement()
			single["alignment"] = alignment
			_, err := is.Issue(context.Background(), issuer.Award{Achievement: single, Recipient: issuer.Recipient{Email: "a@example.org"}})
			if !errors.Is(err, issuer.ErrPreflight) || !strings.Contains(err.Error(), "alignment") {
				t.Fatalf("single alignment: %v, want ErrPreflight naming alignment", err)
			}
			list := achievement()
			list["alignment"] = []any{alignment}
			out, err := is.Issue(context.Background(), issuer.Award{Achievement: list, Recipient: issuer.Recipient{Email: "a@example.org"}})
			if err != nil {
				t.Fatal(err)
			}
			c, err := credential.Parse(out, credential.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if err := credential.ValidateSchema(c.Doc, credential.OpenBadge, credential.Strict); err != nil {
				t.Fatalf("emitted credential fails the strict schema: %v", err)
			}
		})
	}
}

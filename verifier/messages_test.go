package verifier

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/dataintegrity"
	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/vcjwt"
)

// TestExpiredJWTSaysExpired: an expired VC-JWT signed with the issuer's own
// key is reported as expired; its key is the issuer's (issue 8, item 8).
func TestExpiredJWTSaysExpired(t *testing.T) {
	t.Parallel()
	s := edSigner(t)
	token := func(patch func(map[string]any)) []byte {
		var doc map[string]any
		if err := json.Unmarshal([]byte(strings.Replace(unsignedBadge, "ISSUER", s.did, 1)), &doc); err != nil {
			t.Fatal(err)
		}
		patch(doc)
		jws, err := vcjwt.Sign(doc, s.key, vcjwt.SignOptions{KeyID: s.vm})
		if err != nil {
			t.Fatal(err)
		}
		return []byte(jws)
	}
	cases := []struct {
		name, msg string
		patch     func(map[string]any)
	}{
		{"expired", "validity.expired", func(m map[string]any) { m["validUntil"] = "2026-02-01T00:00:00Z" }},
		{"not yet valid", "validity.not-yet-valid", func(m map[string]any) { m["validFrom"] = "2027-01-01T00:00:00Z" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := New(Options{Now: testNow}).Verify(context.Background(), token(tc.patch))
			if err == nil {
				t.Fatalf("verified:\n%s", dump(r))
			}
			if c := r.Reason(); c == nil || c.Message != tc.msg {
				t.Fatalf("reason %+v, want %s\n%s", c, tc.msg, dump(r))
			}
			if c := r.Check(CheckIssuerKey); c.Outcome != Passed {
				t.Fatalf("issuer-key %+v: the key is the issuer's", c)
			}
			var b bytes.Buffer
			r.WriteText(&b, false)
			if !strings.Contains(b.String(), English[tc.msg]) || strings.Contains(b.String(), English["issuer-key.not-issuer"]) {
				t.Fatalf("text:\n%s", b.String())
			}
		})
	}
}

// unreachable resolves every key but those of one DID, which it cannot reach.
type unreachable struct{ did string }

func (u unreachable) ResolveKey(ctx context.Context, vm, purpose string) (*dataintegrity.VerificationKey, error) {
	if strings.HasPrefix(vm, u.did) {
		return nil, fmt.Errorf("%w: network down", did.ErrResolution)
	}
	return DIDResolver(did.Offline).ResolveKey(ctx, vm, purpose)
}

// TestUncheckedIsNotNotGenuine: a presentation holding a credential whose
// issuer key could not be fetched says it could not be checked, not that
// it is not genuine (issue 8, item 8); a tampered one is still "not genuine".
func TestUncheckedIsNotNotGenuine(t *testing.T) {
	t.Parallel()
	issuer, holder := edSigner(t), edSigner(t)
	badge := issuer.badge(t, nil)
	v := New(Options{Now: testNow, Resolver: unreachable{issuer.did}})
	r, err := v.VerifyPresentation(context.Background(), vp(t, holder, "c", "d", badge), PresentationOptions{Challenge: "c", Domain: "d"})
	if err == nil {
		t.Fatalf("verified:\n%s", dumpP(r))
	}
	if c := r.Check(CheckCredentials); c.Message != "credentials.unchecked" {
		t.Fatalf("credentials check %+v", c)
	}
	if !r.Credentials[0].Unchecked() {
		t.Fatal("the credential report should read as unchecked")
	}
	var b bytes.Buffer
	r.WriteText(&b, false)
	if strings.Contains(b.String(), "not genuine") {
		t.Fatalf("text calls an unchecked credential not genuine:\n%s", b.String())
	}

	tampered := []byte(strings.Replace(string(badge), "Teamwork", "Leadership", 1))
	r, _ = New(Options{Now: testNow}).VerifyPresentation(context.Background(), vp(t, holder, "c", "d", tampered), PresentationOptions{Challenge: "c", Domain: "d"})
	if c := r.Check(CheckCredentials); c.Message != "credentials.invalid" || r.Credentials[0].Unchecked() {
		t.Fatalf("tampered: %+v", c)
	}
}

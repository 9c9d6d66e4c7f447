package testissuer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/testissuer"
	"github.com/blason-badges/blason/internal/testissuer/testkit"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

// TestBadgeAndStatusList: a badge signed by the fixture verifies with the
// fixture's verifier; with a status entry pointing at a list on the
// virtual web, its bit decides; tampered, it fails the preflight.
func TestBadgeAndStatusList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testkit.Ed25519(t, 1)
	const list = "https://lab.example/status/1"
	web := testkit.NewWeb(map[string][]byte{list: testissuer.StatusList(t, s, list, "revocation", 5)})
	badge := func(index string) []byte {
		return testissuer.Badge(t, s, func(m map[string]any) {
			m["credentialStatus"] = map[string]any{"id": list + "#" + index, "type": "BitstringStatusListEntry",
				"statusPurpose": "revocation", "statusListIndex": index, "statusListCredential": list}
		})
	}
	v := testissuer.Verifier(web)
	if r, err := v.Verify(ctx, badge("4")); err != nil || r.Check(verifier.CheckStatus).Outcome != verifier.Passed {
		t.Fatalf("not revoked: %v", err)
	}
	if r, err := v.Verify(ctx, badge("5")); err == nil || r.Check(verifier.CheckStatus).Message != "status.revoked" {
		t.Fatalf("revoked: %v", err)
	}
	tampered := strings.Replace(string(testissuer.Badge(t, s, nil)), "Peer nominated.", "Self nominated.", 1)
	if err := testissuer.Preflight(nil).Verify(ctx, []byte(tampered)); !errors.Is(err, verifier.ErrNotVerified) {
		t.Fatalf("preflight of a tampered badge: %v", err)
	}
	if testissuer.IssuerKey(t, 1).DID != s.DID {
		t.Fatal("IssuerKey(1) is not the key of seed 1")
	}
}

// TestListsOwnOnly: a Service's list fetchers answer only for its own base
// URL; OnlyDecoded never fetches.
func TestListsOwnOnly(t *testing.T) {
	t.Parallel()
	svc := &issuer.Service{BaseURL: "https://b.example"}
	l := testissuer.Lists{Service: svc}
	for u, want := range map[string]bool{
		"https://b.example/status/1":      true,
		"https://b.example/status/1/2021": true,
		"https://c.example/status/1":      false,
		"https://b.example/other/1":       false,
	} {
		if l.IsLocal(u) != want {
			t.Errorf("IsLocal(%s) = %v", u, !want)
		}
	}
	if _, err := l.GetJSON(context.Background(), "https://c.example/status/1"); err == nil {
		t.Error("a foreign list was served")
	}
	if _, ok, _ := testissuer.NewOnlyDecoded(svc).TrustedList(context.Background(), "https://c.example/status/1"); ok {
		t.Error("a foreign list was held")
	}
	if _, err := testissuer.NewOnlyDecoded(svc).GetJSON(context.Background(), "https://b.example/status/1"); err == nil {
		t.Error("OnlyDecoded fetched")
	}
}

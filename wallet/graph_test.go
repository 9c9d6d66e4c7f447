package wallet

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/dataintegrity"
	"github.com/blason-badges/blason/internal/did"
)

// TestPresentMatchesReferenceStack: Blason's presentation of the reference
// badge, by the reference holder key (32 bytes of 0xb2) for the same
// challenge, domain and time, is the presentation Digital Bazaar's stack
// made (testdata/vp-one-badge.json): its canonical N-Quads without proof are
// that stack's byte for byte (the credential and its proof are named
// graphs), and, Ed25519 being deterministic, its proof is the same proof.
func TestPresentMatchesReferenceStack(t *testing.T) {
	t.Parallel()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0xb2}, 32))
	d, vm, err := did.KeyDID(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	badge, err := os.ReadFile("testdata/badge-for-holder.json")
	if err != nil {
		t.Fatal(err)
	}
	created := func() time.Time { return time.Date(2025, 1, 15, 10, 0, 0, 0, time.UTC) }
	out, err := Present([][]byte{badge}, Holder{Signer: priv, DID: d, VerificationMethod: vm},
		PresentOptions{Challenge: "c0ffee-2025", Domain: "verifier.example", Now: created})
	if err != nil {
		t.Fatal(err)
	}
	var ours, theirs map[string]any
	if err := json.Unmarshal(out, &ours); err != nil {
		t.Fatal(err)
	}
	ref, err := os.ReadFile("testdata/vp-one-badge.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(ref, &theirs); err != nil {
		t.Fatal(err)
	}
	unsecured := map[string]any{}
	for k, v := range ours {
		if k != "proof" {
			unsecured[k] = v
		}
	}
	canon, err := dataintegrity.Canonicalize(unsecured)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/vp-one-badge.unsecured.nq")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(canon, want) {
		t.Fatalf("canonical N-Quads differ:\n--- ours\n%s--- reference\n%s", canon, want)
	}
	a, _ := json.Marshal(ours["proof"])
	b, _ := json.Marshal(theirs["proof"])
	if !bytes.Equal(a, b) {
		t.Fatalf("proof differs:\n ours %s\n theirs %s", a, b)
	}
}

// TestPresentWithoutCredential: a presentation of no credential (DID
// authentication) has no verifiableCredential and is signed.
func TestPresentWithoutCredential(t *testing.T) {
	t.Parallel()
	h := holder(t)
	out, err := Present(nil, h, PresentOptions{Challenge: "c"})
	if err != nil {
		t.Fatal(err)
	}
	var vp map[string]any
	if err := json.Unmarshal(out, &vp); err != nil {
		t.Fatal(err)
	}
	if _, has := vp["verifiableCredential"]; has || vp["proof"] == nil || vp["holder"] != h.DID {
		t.Fatalf("presentation %s", out)
	}
	if _, err := PresentJWT(nil, h, PresentOptions{Challenge: "c"}); err != nil {
		t.Fatal(err)
	}
}

package wallet_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/blason-badges/blason/verifier"
	"github.com/blason-badges/blason/wallet"
)

// A learner presents a badge issued to their did:key, bound to the
// verifier's challenge and domain; the verifier checks the presentation
// against the same request. (The key is the test key of testdata/README.md.)
func ExamplePresent() {
	badge, err := os.ReadFile("testdata/badge-for-holder.json")
	if err != nil {
		panic(err)
	}
	const learner = "did:key:z6MkkBPYdMyzcYZ82316KGBobVXJL619wybD692WpZaPQSBg"
	h := wallet.Holder{
		Signer:             ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0xb2}, 32)),
		DID:                learner,
		VerificationMethod: learner + "#z6MkkBPYdMyzcYZ82316KGBobVXJL619wybD692WpZaPQSBg",
	}
	now := func() time.Time { return time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC) }
	vp, err := wallet.Present([][]byte{badge}, h, wallet.PresentOptions{Challenge: "c0ffee-2026", Domain: "verifier.example", Now: now})
	if err != nil {
		panic(err)
	}
	var doc struct {
		Holder string `json:"holder"`
		Proof  struct {
			ProofPurpose string `json:"proofPurpose"`
			Challenge    string `json:"challenge"`
			Domain       string `json:"domain"`
		} `json:"proof"`
	}
	if err := json.Unmarshal(vp, &doc); err != nil {
		panic(err)
	}
	fmt.Println(doc.Holder == learner, doc.Proof.ProofPurpose, doc.Proof.Challenge, doc.Proof.Domain)

	// The verifier's side: the same challenge and domain it asked for. The
	// badge's status list is not fetched offline, hence the verdict.
	report, err := verifier.New(verifier.Options{}).VerifyPresentation(context.Background(), vp,
		verifier.PresentationOptions{Challenge: "c0ffee-2026", Domain: "verifier.example"})
	fmt.Println(report.Verdict, err == nil, len(report.Credentials))
	_, err = verifier.New(verifier.Options{}).VerifyPresentation(context.Background(), vp,
		verifier.PresentationOptions{Challenge: "another-request", Domain: "verifier.example"})
	fmt.Println("replayed to another request:", err != nil)
	// Output:
	// true authentication c0ffee-2026 verifier.example
	// revocation-not-checked true 1
	// replayed to another request: true
}

// Command outside uses Blason as a library, as another Go module would: it
// signs a badge with issuer, presents it with wallet and verifies both with
// verifier. .ci/run builds and runs it, so a change that makes Blason
// unusable from outside its own module (a replace directive, an exported API
// that needs an internal type) fails CI.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
	"github.com/blason-badges/blason/wallet"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "outside:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	// The zero Options verify offline: did:key and did:jwk issuers.
	v := verifier.New(verifier.Options{})

	issuerKey, err := issuer.NewKey("") // Ed25519, identified by a did:key
	if err != nil {
		return err
	}
	learnerKey, err := issuer.NewKey("")
	if err != nil {
		return err
	}
	is := &issuer.Issuer{
		Profile:   issuer.Profile{ID: issuerKey.DID, Name: "Example Lab"},
		Key:       issuerKey,
		Preflight: v.Preflight(),
	}
	badge, err := is.Issue(ctx, issuer.Award{
		Achievement: map[string]any{
			"id":          "https://lab.example/achievements/outside",
			"name":        "Imported Blason",
			"description": "Used Blason from another Go module.",
			"criteria":    map[string]any{"narrative": "Signed, presented and verified a badge."},
		},
		Recipient: issuer.Recipient{DID: learnerKey.DID},
	})
	if err != nil {
		return fmt.Errorf("issue: %w", err)
	}

	report, err := v.Verify(ctx, badge)
	fmt.Printf("credential %q: %s\n", report.Credential.Achievement, report.Verdict)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}

	holder := wallet.Holder{Signer: learnerKey.Signer, DID: learnerKey.DID, VerificationMethod: learnerKey.VerificationMethod}
	req := wallet.PresentOptions{Challenge: "outside-challenge", Domain: "verifier.example"}
	vp, err := wallet.Present([][]byte{badge}, holder, req)
	if err != nil {
		return fmt.Errorf("present: %w", err)
	}
	pr, err := v.VerifyPresentation(ctx, vp, verifier.PresentationOptions{Challenge: req.Challenge, Domain: req.Domain})
	fmt.Printf("presentation by the learner: %s\n", pr.Verdict)
	if err != nil {
		return fmt.Errorf("verify presentation: %w", err)
	}
	return nil
}

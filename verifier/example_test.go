package verifier_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

// A badge signed by another implementation (Digital Bazaar's, eddsa-rdfc-2022,
// a did:key issuer) verifies offline with the zero Options. Its status list
// was not fetched (no Fetcher), so the verdict says revocation was not
// checked, while Verify's error is nil. The same badge with its issuer's name
// changed does not verify, and the report says which check failed.
func ExampleVerifier_Verify() {
	badge, err := os.ReadFile("testdata/js-presentations/badge-for-holder.json")
	if err != nil {
		panic(err)
	}
	v := verifier.New(verifier.Options{})

	report, err := v.Verify(context.Background(), badge)
	fmt.Println(report.Verdict, report.Verified, err == nil)
	fmt.Println(report.Credential.Achievement, "by", report.Credential.IssuerName)

	tampered := strings.Replace(string(badge), `"name": "Example University"`, `"name": "Another University"`, 1)
	report, err = v.Verify(context.Background(), []byte(tampered))
	fmt.Println(report.Verdict, report.Verified, errors.Is(err, verifier.ErrNotVerified))
	fmt.Println(report.Reason().ID, report.Reason().Message)
	// Output:
	// revocation-not-checked true true
	// Verifiable Credentials 101 by Example University
	// not-verified false true
	// proof proof.bad-signature
}

// The issuer checks every credential it signs with a Preflight, an interface
// it declares so as not to import the verifier; Verifier.Preflight is the
// adapter. Here the preflight accepts what the issuer signs, and refuses
// the same credential once its achievement's name has been changed.
func ExampleVerifier_Preflight() {
	ctx := context.Background()
	v := verifier.New(verifier.Options{})
	key, err := issuer.NewKey("") // Ed25519, a did:key
	if err != nil {
		panic(err)
	}
	is := &issuer.Issuer{
		Profile:   issuer.Profile{ID: key.DID, Name: "Science & Society Lab"},
		Key:       key,
		Preflight: v.Preflight(),
	}
	badge, err := is.Issue(ctx, issuer.Award{
		Achievement: map[string]any{
			"id":          "https://lab.example/achievements/teamwork",
			"name":        "Teamwork",
			"description": "Works well in a team.",
			"criteria":    map[string]any{"narrative": "Peer nominated."},
		},
		Recipient: issuer.Recipient{DID: "did:example:learner"},
	})
	fmt.Println("issued:", err == nil)

	tampered := strings.Replace(string(badge), `"Teamwork"`, `"Leadership"`, 1)
	err = v.Preflight().Verify(ctx, []byte(tampered))
	fmt.Println("tampered:", errors.Is(err, verifier.ErrNotVerified))
	// Output:
	// issued: true
	// tampered: true
}

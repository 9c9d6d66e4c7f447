package verifier_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

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

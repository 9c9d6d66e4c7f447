package issuer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

// An issuer with a did:key signs an Open Badges 3.0 credential for a learner
// identified by a DID; the preflight (here Blason's verifier) checks it before
// Issue returns it. What is printed does not depend on the random key.
func ExampleIssuer_Issue() {
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC) }
	key, err := issuer.NewKey("") // Ed25519
	if err != nil {
		panic(err)
	}
	is := &issuer.Issuer{
		Profile:   issuer.Profile{ID: key.DID, Name: "Science & Society Lab"},
		Key:       key,
		Now:       now,
		Preflight: verifier.New(verifier.Options{Now: now}).Preflight(),
	}
	badge, err := is.Issue(ctx, issuer.Award{
		ID: "urn:uuid:7f0c1bde-8d0e-4a8e-9a34-0d6c1f1e2b3c",
		Achievement: map[string]any{
			"id":          "https://lab.example/achievements/public-engagement",
			"name":        "Public engagement",
			"description": "Explained a research topic to a general audience.",
			"criteria":    map[string]any{"narrative": "Ran a stand at the science fair."},
		},
		Recipient: issuer.Recipient{DID: "did:example:learner"},
	})
	if err != nil {
		panic(err)
	}

	var doc struct {
		ID        string   `json:"id"`
		Type      []string `json:"type"`
		Name      string   `json:"name"`
		ValidFrom string   `json:"validFrom"`
		Proof     []struct {
			Cryptosuite  string `json:"cryptosuite"`
			ProofPurpose string `json:"proofPurpose"`
		} `json:"proof"`
	}
	if err := json.Unmarshal(badge, &doc); err != nil {
		panic(err)
	}
	fmt.Println(doc.ID)
	fmt.Println(doc.Type, doc.Name, doc.ValidFrom)
	fmt.Println(doc.Proof[0].Cryptosuite, doc.Proof[0].ProofPurpose)
	// Output:
	// urn:uuid:7f0c1bde-8d0e-4a8e-9a34-0d6c1f1e2b3c
	// [VerifiableCredential OpenBadgeCredential] Public engagement 2026-03-14T09:30:00Z
	// eddsa-rdfc-2022 assertionMethod
}

package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

// demo shows the whole engine in one command: it makes a throw-away issuer
// key, awards a badge to an e-mail address, and verifies it, printing each
// step.
func demo(e env, args []string) int {
	fs := newFlags(e, "demo")
	if !parseFlags(fs, args) || fs.NArg() > 0 {
		return fail(e, "usage: blason demo")
	}
	dir, err := os.MkdirTemp("", "blason-demo-")
	if err != nil {
		return failErr(e, "demo", err)
	}
	defer os.RemoveAll(dir)

	key, err := issuer.NewKey("")
	if err != nil {
		return failErr(e, "demo", err)
	}
	fmt.Fprintf(e.stdout, "1. Issuer key created: %s\n\n", key.DID)
	is := &issuer.Issuer{
		Profile:   issuer.Profile{ID: key.DID, Name: "Demo Science & Society Lab", URL: "https://lab.example"},
		Key:       key,
		Preflight: verifier.New(verifier.Options{}).Preflight(),
	}
	achievement := map[string]any{
		"id":          "https://lab.example/badges/public-engagement",
		"type":        []any{"Achievement"},
		"name":        "Public engagement",
		"description": "Explained a research topic to a general audience at a public event.",
		"criteria":    map[string]any{"narrative": "Ran a hands-on stand at the science festival for a full day."},
	}
	const email = "learner@example.org"
	badge, err := is.Issue(e.ctx, issuer.Award{Achievement: achievement, Recipient: issuer.Recipient{Email: email}})
	if err != nil {
		return failErr(e, "demo", err)
	}
	path := filepath.Join(dir, "badge.json")
	if err := os.WriteFile(path, badge, 0o600); err != nil {
		return failErr(e, "demo", err)
	}
	fmt.Fprintf(e.stdout, "2. Badge awarded to %s (stored only as a salted hash), signed with eddsa-rdfc-2022:\n\n%s\n\n", email, badge)
	fmt.Fprintf(e.stdout, "3. Verifying it, as an employer would, with the recipient's address:\n\n")
	v := verifier.New(verifier.Options{Recipient: &verifier.Recipient{IdentityType: "emailAddress", Value: email}})
	report, verr := v.Verify(e.ctx, badge)
	if err := report.WriteText(e.stdout, false); err != nil {
		return failErr(e, "demo", err)
	}
	if verr != nil {
		return exitNotVerified
	}
	fmt.Fprintf(e.stdout, "\nTry it yourself:\n  go run ./cmd/blason key new --out issuer.key\n  go run ./cmd/blason issue --key issuer.key --achievement achievement.json --recipient-email you@example.org > badge.json\n  go run ./cmd/blason verify badge.json\n")
	return exitOK
}

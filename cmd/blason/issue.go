package main

import (
	"flag"
	"time"

	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/limits"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

func issue(e env, args []string) int {
	fs := newFlags(e, "issue")
	keyPath := fs.String("key", "", "signing key file made by 'blason key new'")
	achPath := fs.String("achievement", "", "JSON file with the Open Badges 3.0 Achievement (id, name, description, criteria)")
	email := fs.String("recipient-email", "", "recipient's e-mail address (stored as a salted hash)")
	recipientDID := fs.String("recipient-did", "", "recipient's DID")
	name := fs.String("issuer-name", "", "issuer's name shown to learners and employers (default: the achievement's creator name, else the DID)")
	url := fs.String("issuer-url", "", "issuer's web site")
	validDays := fs.Int("valid-days", 0, "days until the credential expires (a positive number; without it, the credential does not expire)")
	format := fs.String("format", "json", "json (embedded eddsa-rdfc-2022 proof) or jwt (VC-JWT: EdDSA, ES256 with a p256 key, RS256 with an rsa key)")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if *keyPath == "" || *achPath == "" || fs.NArg() > 0 {
		return fail(e, "usage: blason issue --key FILE --achievement FILE (--recipient-email ADDR | --recipient-did DID)")
	}
	// --valid-days 0 or -5 used to issue a badge that never expires: the
	// opposite of what was asked. Only a positive number is meaningful.
	validDaysSet := false
	fs.Visit(func(f *flag.Flag) { validDaysSet = validDaysSet || f.Name == "valid-days" })
	if validDaysSet && *validDays <= 0 {
		return fail(e, "issue: --valid-days must be a positive number of days, got %d (leave it out for a badge that does not expire)", *validDays)
	}
	key, err := issuer.ReadKeyFile(*keyPath)
	if err != nil {
		return failErr(e, "issue", err)
	}
	raw, err := readFile(e, *achPath, limits.AchievementFileBytes)
	if err != nil {
		return failErr(e, "issue: read the achievement", err)
	}
	v, err := credential.ParseJSON(raw, credential.Limits{})
	if err != nil {
		return failErr(e, "issue: read "+*achPath, err)
	}
	ach, ok := v.(map[string]any)
	if !ok {
		return fail(e, "issue: %s must hold a JSON object (an Achievement)", *achPath)
	}
	issuerName := *name
	if issuerName == "" {
		if c, ok := ach["creator"].(map[string]any); ok {
			issuerName, _ = c["name"].(string)
		}
	}
	if issuerName == "" {
		issuerName = key.DID
	}
	is := &issuer.Issuer{
		Profile:   issuer.Profile{ID: key.DID, Name: issuerName, URL: *url},
		Key:       key,
		Preflight: verifier.New(verifier.Options{}).Preflight(),
	}
	award := issuer.Award{Achievement: ach, Recipient: issuer.Recipient{Email: *email, DID: *recipientDID}}
	switch *format {
	case "json", "":
	case "jwt":
		award.Format = issuer.FormatJWT
	default:
		return fail(e, "issue: unknown --format %q (use json or jwt)", *format)
	}
	if *validDays > 0 {
		award.ValidUntil = time.Now().AddDate(0, 0, *validDays)
	}
	out, err := is.Issue(e.ctx, award)
	if err != nil {
		return failErr(e, "issue", err)
	}
	return writeResult(e, out, award.Format != issuer.FormatJWT)
}

package main

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/limits"
	"github.com/blason-badges/blason/internal/termsafe"
	"github.com/blason-badges/blason/internal/workspace"
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
	data := fs.String("data", envOr("DATA", ""), "record the badge in this issuer data directory (as 'blason serve --data' uses) so that it can be revoked later; without it, the badge can never be revoked (BLASON_DATA)")
	database := fs.String("database", envOr("DATABASE", ""), "with --data: postgres://... when the issuer's state is in PostgreSQL (BLASON_DATABASE)")
	masterKeyFile := fs.String("master-key-file", envOr("MASTER_KEY_FILE", ""), "with --data: the master key file, default DATA/master.key (BLASON_MASTER_KEY_FILE)")
	publicURL := fs.String("public-url", envOr("PUBLIC_URL", ""), "with --data: the public URL of the 'blason serve' that publishes this issuer's status lists (default: https://HOST for a did:web key, else http://127.0.0.1:8080, serve's default) (BLASON_PUBLIC_URL)")
	format := fs.String("format", "json", "json (embedded eddsa-rdfc-2022 proof) or jwt (VC-JWT: EdDSA, ES256 with a p256 key, RS256 with an rsa key)")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	// Without --key, --data signs as the data directory's own issuer (the
	// one 'blason serve --data DIR' created and publishes).
	if (*keyPath == "" && *data == "" && *database == "") || *achPath == "" || fs.NArg() > 0 {
		return fail(e, "usage: blason issue (--key FILE | --data DIR) --achievement FILE (--recipient-email ADDR | --recipient-did DID)")
	}
	// --valid-days 0 or -5 used to issue a badge that never expires: the
	// opposite of what was asked. Only a positive number is meaningful.
	validDaysSet := false
	fs.Visit(func(f *flag.Flag) { validDaysSet = validDaysSet || f.Name == "valid-days" })
	if validDaysSet && *validDays <= 0 {
		return fail(e, "issue: --valid-days must be a positive number of days, got %d (leave it out for a badge that does not expire)", *validDays)
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
	if *keyPath == "" {
		issuerName := *name
		if issuerName == "" {
			issuerName = "Blason demo issuer" // as 'blason serve' names a new data directory's issuer
		}
		return issueAsDataIssuer(e, wsFlags{state: stateFlags{data: data, database: database, masterKeyFile: masterKeyFile},
			publicURL: publicURL, issuerName: &issuerName}, award)
	}
	key, err := issuer.ReadKeyFile(*keyPath)
	if err != nil {
		return failErr(e, "issue", err)
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
	if *data == "" && *database == "" {
		out, err := is.Issue(e.ctx, award)
		if err != nil {
			return failErr(e, "issue", err)
		}
		// Said on stderr, so that `blason issue > badge.json` still works.
		fmt.Fprintln(e.stderr, "blason: note: this badge has no status list and is recorded nowhere: it can never be revoked. Issue with --data DIR to record it, then 'blason revoke ID --data DIR'.")
		return writeResult(e, out, award.Format != issuer.FormatJWT)
	}
	return issueRecorded(e, stateFlags{data: data, database: database, masterKeyFile: masterKeyFile}, key, is.Profile, *name != "", *publicURL, award)
}

// issueRecorded awards through the issuer's Service: the credential gets
// a revocation status entry in the issuer's status list (published by
// 'blason serve' under the public URL) and is recorded with it, so that
// 'blason revoke ID --data DIR' finds it.
func issueRecorded(e env, sf stateFlags, key *issuer.Key, p issuer.Profile, nameGiven bool, publicURL string, award issuer.Award) int {
	st, err := openState(e.ctx, sf)
	if err != nil {
		return failErr(e, "issue", err)
	}
	defer st.Close()
	svc := st.Issuer
	ws, err := workspaceOn(e.ctx, st.DB, svc)
	if err != nil {
		return failErr(e, "issue", err)
	}
	rec, err := svc.Store.GetIssuer(e.ctx, key.DID)
	switch {
	case errors.Is(err, issuer.ErrNotFound):
		if _, err := svc.AddIssuer(e.ctx, p, key); err != nil && !errors.Is(err, issuer.ErrExists) {
			return failErr(e, "issue", err)
		}
	case err != nil:
		return failErr(e, "issue", err)
	case rec.VerificationMethod != key.VerificationMethod:
		return fail(e, "issue: %s already holds the issuer %s with another key (%s)", *sf.data, key.DID, rec.VerificationMethod)
	default:
		// A name given now is the issuer's name from now on, as with
		// 'serve --issuer-name'.
		if nameGiven {
			if _, err := workspace.SetIssuerName(e.ctx, ws, key.DID, p.Name, cliActor(), time.Now()); err != nil {
				return failErr(e, "issue", err)
			}
		}
	}
	svc.BaseURL = strings.TrimSuffix(publicURL, "/")
	if svc.BaseURL == "" {
		svc.BaseURL = "http://127.0.0.1:8080"
		if strings.HasPrefix(key.DID, "did:web:") {
			svc.BaseURL = defaultBaseURL(key.DID, nil)
		}
	}
	if u, err := url.Parse(svc.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fail(e, "issue: --public-url must be an absolute http(s) URL such as https://badges.example.org, got %q", publicURL)
	}
	svc.Preflight = verifier.New(verifier.Options{}).Preflight()
	cr, err := svc.Award(e.ctx, key.DID, award)
	if err != nil {
		return failErr(e, "issue", err)
	}
	fmt.Fprintf(e.stderr, "blason: recorded as %s; its status list is published by 'blason serve --data %s' at %s/status/%s. Revoke it with: blason revoke %s --data %s --reason TEXT\n",
		termsafe.String(cr.ID), *sf.data, svc.BaseURL, cr.Slots[0].ListID, termsafe.String(cr.ID), *sf.data)
	return writeResult(e, cr.Document, award.Format != issuer.FormatJWT)
}

// issueAsDataIssuer awards as the data directory's own issuer (created as
// 'blason serve' creates it when there is none yet): its key never leaves
// the database, the badge gets a status entry and is recorded.
func issueAsDataIssuer(e env, f wsFlags, award issuer.Award) int {
	st, err := openWS(e.ctx, f)
	if err != nil {
		return failErr(e, "issue", err)
	}
	defer st.close()
	cr, err := st.svc.Award(e.ctx, st.issuerID, award)
	if err != nil {
		return failErr(e, "issue", err)
	}
	data := *f.state.data
	fmt.Fprintf(e.stderr, "blason: issued by %s and recorded as %s; its status list is published by 'blason serve --data %s' at %s/status/%s. Revoke it with: blason revoke %s --data %s --reason TEXT\n",
		termsafe.String(st.issuerID), termsafe.String(cr.ID), data, st.svc.BaseURL, cr.Slots[0].ListID, termsafe.String(cr.ID), data)
	return writeResult(e, cr.Document, award.Format != issuer.FormatJWT)
}

package main

import (
	"encoding/json"
	"fmt"
	"github.com/blason-badges/blason/internal/i18n"
	badgeinput "github.com/blason-badges/blason/internal/input"
	"io"

	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/verifier"
)

func verify(e env, args []string) int {
	fs := newFlags(e, "verify")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	verbose := fs.Bool("v", false, "show technical detail for every check")
	email := fs.String("recipient-email", "", "check that the badge was awarded to this e-mail address")
	recipientDID := fs.String("recipient-did", "", "check that the badge was awarded to this DID")
	challenge := fs.String("challenge", "", "presentations: the challenge you asked the holder to sign")
	domain := fs.String("domain", "", "presentations: your domain")
	offline := fs.Bool("offline", false, "do not fetch anything: did:web keys, status lists and refresh services are not checked")
	// A local issuer's state, read only, never created: the same flags as
	// serve, but no BLASON_* defaults (reading a data directory is asked
	// for explicitly).
	data := fs.String("data", "", "read the status lists of the issuers held in this data directory (made by 'blason serve') from its database, instead of fetching them")
	database := fs.String("database", "", "with --data: the issuer's postgres:// database, if it is not the SQLite file in the data directory")
	masterKeyFile := fs.String("master-key-file", "", "with --data: the master key file, if not DATA/master.key (or set BLASON_MASTER_KEY)")
	langFlag := fs.String("lang", "", "language of the report: en or fr (default: from LC_ALL, LC_MESSAGES or LANG)")
	trustList := fs.String("trust-list", "", "JSON file of known issuers, [{\"id\": \"did:web:lab.example\", \"name\": \"Lab\"}]: the report says whether the issuer is one of them")
	allowLoopback := fs.Bool("allow-loopback-status", false, "let status lists be fetched from this machine's loopback address (127.0.0.1, ::1, localhost), over http or https")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if fs.NArg() != 1 {
		return fail(e, "usage: blason verify [--json] [-v] [--offline] [--data DIR] [--allow-loopback-status] [--recipient-email ADDR | --recipient-did DID] [--challenge C --domain D] FILE|-")
	}
	lang, ok := cliLang(*langFlag)
	if !ok {
		return fail(e, "verify: --lang must be en or fr, not %q", *langFlag)
	}
	known, err := readTrustList(*trustList)
	if err != nil {
		return failErr(e, "verify: --trust-list", err)
	}
	if *offline && *allowLoopback {
		return fail(e, "verify: --offline fetches nothing; it cannot be combined with --allow-loopback-status")
	}
	input, err := readBadge(e, fs.Arg(0))
	if err != nil {
		return failErr(e, "verify", err)
	}
	if input, err = unbake(e, input); err != nil {
		return failErr(e, "verify", err)
	}
	// Forgiving input: a byte order mark, CRLF, a JWT broken over lines, a
	// badge saved inside a web page. What holds no badge is "could not read
	// this" (exit 2), never "not verified".
	if input, _, err = badgeinput.Read(input, nil); err != nil {
		fmt.Fprintln(e.stderr, "blason: "+i18n.T(lang, "cli.unreadable", i18n.T(lang, "verdict.unreadable.text")))
		return exitUsage
	}
	// Badges first, but a W3C credential that is not a badge is verified
	// by the VC Data Model's rules and says so, as the server does.
	opts := verifier.Options{AcceptGeneric: true}
	if !*offline {
		// Fetches only what verifying this badge needs, through the
		// hardened client (https only, no private addresses, size caps).
		client := fetch.New(fetch.Options{})
		opts.Fetcher = client
		opts.DIDs = did.MultiResolver{"key": did.Offline, "jwk": did.Offline, "web": &did.WebResolver{Fetcher: client}}
	}
	// Status lists only: the issuer's key and everything else are still
	// fetched under the hardened rules.
	statusFetcher, ownStatus := opts.Fetcher, false
	if *allowLoopback {
		statusFetcher, ownStatus = loopbackStatus{loop: newLoopbackClient(), next: statusFetcher}, true
	}
	if *data != "" || *database != "" {
		st, err := openStateReadOnly(e.ctx, stateFlags{data: data, database: database, masterKeyFile: masterKeyFile})
		if err != nil {
			return failErr(e, "verify", err)
		}
		defer st.Close()
		statusFetcher, ownStatus = &localStatus{svc: st.Issuer, next: statusFetcher}, true
	}
	if ownStatus {
		opts.StatusFetcher = statusFetcher
	}
	switch {
	case *email != "" && *recipientDID != "":
		return fail(e, "verify: give --recipient-email or --recipient-did, not both")
	case *email != "":
		opts.Recipient = &verifier.Recipient{IdentityType: "emailAddress", Value: *email}
	case *recipientDID != "":
		opts.Recipient = &verifier.Recipient{IdentityType: "id", Value: *recipientDID}
	}
	v := verifier.New(opts)
	var report textReport
	var verr error
	var verdict string
	unreadable := false
	if badgeinput.IsPresentation(input) {
		var pr *verifier.PresentationReport
		pr, verr = v.VerifyPresentation(e.ctx, input, verifier.PresentationOptions{Challenge: *challenge, Domain: *domain})
		report, verdict = pr, pr.Verdict
	} else {
		var cr *verifier.Report
		cr, verr = v.Verify(e.ctx, input)
		report, verdict = cr, cr.Verdict
		// A file that is not even JSON (a truncated copy) could not be read:
		// exit 2. JSON the parser refuses (duplicate keys) and a JWT that
		// does not decode (tampered) are "not verified".
		unreadable = input[0] == '{' && !json.Valid(input)
	}
	if *asJSON {
		// The exact text, for programs: JSON escapes every control
		// character, and writeResult the bidi ones.
		b, err := json.MarshalIndent(report, "", "  ")
		if err != nil {
			return failErr(e, "verify", err)
		}
		if code := writeResult(e, b, true); code != exitOK {
			return code
		}
	} else if cr, ok := report.(*verifier.Report); ok {
		if err := cr.WriteTextWith(e.stdout, verifier.TextOptions{Verbose: *verbose, Lang: lang, Known: known}); err != nil {
			return exitUsage // run reports the write error
		}
	} else if err := report.WriteTextIn(e.stdout, *verbose, lang); err != nil {
		return exitUsage
	}
	switch {
	case unreadable:
		return exitUsage
	case verr != nil:
		return exitNotVerified
	case verdict == verifier.VerdictRevocationNotChecked:
		return exitUnchecked
	}
	return exitOK
}

// textReport is a credential or presentation report.
type textReport interface {
	WriteTextIn(w io.Writer, verbose bool, lang i18n.Lang) error
}

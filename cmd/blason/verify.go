package main

import (
	"fmt"
	"io"
	"os"

	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/verifier"
)

func verify(e env, args []string) int {
	fs := newFlags(e, "verify")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	verbose := fs.Bool("v", false, "show technical detail for every check")
	email := fs.String("recipient-email", "", "check that the badge was awarded to this e-mail address")
	recipientDID := fs.String("recipient-did", "", "check that the badge was awarded to this DID")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if fs.NArg() != 1 {
		return fail(e, "usage: blason verify [--json] [--recipient-email ADDR] FILE|-")
	}
	data, err := readInput(e, fs.Arg(0))
	if err != nil {
		return failErr(e, "verify", err)
	}
	opts := verifier.Options{}
	switch {
	case *email != "" && *recipientDID != "":
		return fail(e, "verify: give --recipient-email or --recipient-did, not both")
	case *email != "":
		opts.Recipient = &verifier.Recipient{IdentityType: "emailAddress", Value: *email}
	case *recipientDID != "":
		opts.Recipient = &verifier.Recipient{IdentityType: "id", Value: *recipientDID}
	}
	report, verr := verifier.New(opts).Verify(e.ctx, data)
	if *asJSON {
		b, err := report.JSON()
		if err != nil {
			return failErr(e, "verify", err)
		}
		fmt.Fprintln(e.stdout, string(b))
	} else if err := report.WriteText(e.stdout, *verbose); err != nil {
		return failErr(e, "verify", err)
	}
	if verr != nil {
		return exitNotVerified
	}
	return exitOK
}

// readInput reads a file, or standard input for "-", up to the credential
// size limit (plus one byte, so an oversized input is reported as such).
func readInput(e env, path string) ([]byte, error) {
	var r io.Reader = e.stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	return io.ReadAll(io.LimitReader(r, credential.DefaultMaxBytes+1))
}

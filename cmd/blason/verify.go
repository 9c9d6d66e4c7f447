package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/blason-badges/blason/internal/credential"
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
	if !*offline {
		// Fetches only what verifying this badge needs, through the
		// hardened client (https only, no private addresses, size caps).
		client := fetch.New(fetch.Options{})
		opts.Fetcher = client
		opts.DIDs = did.MultiResolver{"key": did.Offline, "jwk": did.Offline, "web": &did.WebResolver{Fetcher: client}}
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
	if isPresentation(data) || isJWTPresentation(data) {
		report, verr = v.VerifyPresentation(e.ctx, data, verifier.PresentationOptions{Challenge: *challenge, Domain: *domain})
	} else {
		report, verr = v.Verify(e.ctx, data)
	}
	if *asJSON {
		b, err := json.MarshalIndent(report, "", "  ")
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

// textReport is a credential or presentation report.
type textReport interface {
	WriteText(w io.Writer, verbose bool) error
}

// isPresentation reports whether data looks like a Verifiable
// Presentation (its type says so); anything else is verified as a credential.
func isPresentation(data []byte) bool {
	var probe struct {
		Type any `json:"type"`
	}
	if json.Unmarshal(data, &probe) != nil {
		return false
	}
	switch t := probe.Type.(type) {
	case string:
		return t == "VerifiablePresentation"
	case []any:
		for _, x := range t {
			if x == "VerifiablePresentation" {
				return true
			}
		}
	}
	return false
}

// isJWTPresentation reports whether data is a compact JWS whose payload
// has a "vp" claim (a VP-JWT).
func isJWTPresentation(data []byte) bool {
	parts := strings.Split(strings.TrimSpace(string(data)), ".")
	if len(parts) != 3 {
		return false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return false
	}
	var claims map[string]json.RawMessage
	if json.Unmarshal(payload, &claims) != nil {
		return false
	}
	_, ok := claims["vp"]
	return ok
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

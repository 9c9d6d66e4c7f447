package main

import (
	"github.com/blason-badges/blason/internal/limits"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/wallet"
)

func present(e env, args []string) int {
	fs := newFlags(e, "present")
	keyPath := fs.String("key", "", "holder's key file made by 'blason key new'")
	challenge := fs.String("challenge", "", "the verifier's challenge (nonce); required")
	domain := fs.String("domain", "", "the verifier's domain")
	format := fs.String("format", "json", "json (Data Integrity proof) or jwt (VP-JWT)")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	// No badge: the presentation only proves who the holder is (DID
	// authentication).
	if *keyPath == "" || *challenge == "" {
		return fail(e, "usage: blason present --key FILE --challenge C [--domain D] [BADGE.json...]")
	}
	key, err := issuer.ReadKeyFile(*keyPath)
	if err != nil {
		return failErr(e, "present", err)
	}
	var creds [][]byte
	for _, path := range fs.Args() {
		b, err := readFile(e, path, limits.InputFileBytes)
		if err != nil {
			return failErr(e, "present", err)
		}
		creds = append(creds, b)
	}
	holder := wallet.Holder{Signer: key.Signer, DID: key.DID, VerificationMethod: key.VerificationMethod}
	opts := wallet.PresentOptions{Challenge: *challenge, Domain: *domain}
	var out []byte
	switch *format {
	case "json":
		out, err = wallet.Present(creds, holder, opts)
	case "jwt":
		var jws string
		jws, err = wallet.PresentJWT(creds, holder, opts)
		out = []byte(jws)
	default:
		return fail(e, "present: unknown --format %q (use json or jwt)", *format)
	}
	if err != nil {
		return failErr(e, "present", err)
	}
	return writeResult(e, out, *format == "json")
}

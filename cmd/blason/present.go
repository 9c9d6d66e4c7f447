package main

import (
	"fmt"
	"os"

	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/wallet"
)

func present(e env, args []string) int {
	fs := newFlags(e, "present")
	keyPath := fs.String("key", "", "holder's key file made by 'blason key new'")
	challenge := fs.String("challenge", "", "the verifier's challenge (nonce); required")
	domain := fs.String("domain", "", "the verifier's domain")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if *keyPath == "" || *challenge == "" || fs.NArg() == 0 {
		return fail(e, "usage: blason present --key FILE --challenge C [--domain D] BADGE.json...")
	}
	key, err := issuer.ReadKeyFile(*keyPath)
	if err != nil {
		return failErr(e, "present", err)
	}
	var creds [][]byte
	for _, path := range fs.Args() {
		b, err := os.ReadFile(path)
		if err != nil {
			return failErr(e, "present", err)
		}
		creds = append(creds, b)
	}
	out, err := wallet.Present(creds, wallet.Holder{Signer: key.Signer, DID: key.DID, VerificationMethod: key.VerificationMethod},
		wallet.PresentOptions{Challenge: *challenge, Domain: *domain})
	if err != nil {
		return failErr(e, "present", err)
	}
	fmt.Fprintln(e.stdout, string(out))
	return exitOK
}

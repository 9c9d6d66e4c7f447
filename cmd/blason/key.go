package main

import (
	"fmt"
	"strings"

	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/issuer"
)

func keyNew(e env, args []string) int {
	fs := newFlags(e, "key new")
	kt := fs.String("type", "Ed25519", "key type: Ed25519, p256, p384 or rsa (RSA-2048; signs VC-JWTs only, with --format jwt)")
	out := fs.String("out", "", "file to write the key to (mode 0600; never overwritten)")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if *out == "" || fs.NArg() > 0 {
		return fail(e, "usage: blason key new [--type Ed25519|p256|p384|rsa] --out FILE")
	}
	t, ok := map[string]did.KeyType{"ed25519": did.Ed25519, "p256": did.P256, "p-256": did.P256, "p384": did.P384, "p-384": did.P384,
		"rsa": did.RSA}[strings.ToLower(*kt)]
	if !ok {
		return fail(e, "unknown key type %q (use Ed25519, p256, p384 or rsa)", *kt)
	}
	k, err := issuer.NewKey(t)
	if err != nil {
		return failErr(e, "key new", err)
	}
	if err := issuer.WriteKeyFile(*out, k); err != nil {
		return failErr(e, "key new", err)
	}
	fmt.Fprintln(e.stdout, k.DID)
	return exitOK
}

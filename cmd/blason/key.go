package main

import (
	"fmt"
	"strings"

	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/termsafe"
	"github.com/blason-badges/blason/internal/workspace"
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

// keyRotate implements 'blason key rotate': a did:web issuer gets a new
// signing key; the old one stays in its DID document and JWKS (what it
// signed still verifies) and never signs again.
func keyRotate(e env, args []string) int {
	fs := newFlags(e, "key rotate")
	sf := addStateFlags(fs)
	id := fs.String("issuer", "", "the issuer's DID (default: the data directory's issuer, as serve picks it)")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if fs.NArg() > 0 {
		return fail(e, "usage: blason key rotate --data DIR [--issuer DID]")
	}
	// Creates nothing: rotating the key of a mistyped --data must not
	// make a new issuer.
	open := openStateReadOnly
	if *sf.database != "" {
		open = openState
	}
	st, err := open(e.ctx, sf)
	if err != nil {
		return fail(e, "key rotate: %s: no issuer is recorded there (%v)", *sf.data, err)
	}
	defer st.Close()
	if *id == "" {
		list, err := st.Issuers.ListIssuers(e.ctx)
		if err != nil {
			return failErr(e, "key rotate", err)
		}
		if len(list) == 0 {
			return fail(e, "key rotate: %s holds no issuer yet ('blason serve --did-web DID' makes one)", *sf.data)
		}
		*id = list[0].ID
	}
	ws, err := workspaceOn(e.ctx, st.DB, st.Issuer)
	if err != nil {
		return failErr(e, "key rotate", err)
	}
	ks, err := (&workspace.Service{Store: ws, Issuer: st.Issuer}).RotateKey(e.ctx, *id, cliActor())
	if err != nil {
		return failErr(e, "key rotate", err)
	}
	fmt.Fprintf(e.stdout, "%s now signs with %s.\n", termsafe.String(ks.IssuerID), termsafe.String(ks.VerificationMethod))
	for _, r := range ks.Retired {
		fmt.Fprintf(e.stdout, "  retired (still published, never used again): %s\n", termsafe.String(r.VerificationMethod))
	}
	fmt.Fprintln(e.stdout, "A running 'blason serve' on this database publishes the new key at once.")
	return exitOK
}

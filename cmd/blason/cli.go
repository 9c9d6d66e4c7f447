package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Exit codes: 0 success (verified), 1 not verified, 2 usage or I/O error.
const (
	exitOK          = 0
	exitNotVerified = 1
	exitUsage       = 2
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	name, args, summary string
	run                 func(e env, args []string) int
}

func commands() []command {
	return []command{
		{"key new", "[--type Ed25519|p256|p384] --out FILE", "create a signing key and print its DID", keyNew},
		{"issue", "--key FILE --achievement FILE (--recipient-email ADDR | --recipient-did DID)", "award a badge: print a signed Open Badges 3.0 credential", issue},
		{"verify", "[--json] [--offline] [--recipient-email ADDR] [--challenge C --domain D] FILE|-", "check a credential or presentation and explain the result", verify},
		{"present", "--key FILE --challenge C [--domain D] BADGE.json...", "sign a presentation of your badges for a verifier", present},
		{"serve", "[--addr 127.0.0.1:8080] [--data DIR] [--key FILE] [--did-web DID]", "run the HTTP server (W3C VC API); flags also from BLASON_* variables", serve},
		{"revoke", "CREDENTIAL_ID --reason TEXT [--data DIR]", "revoke a credential this server issued (recorded, permanent)", statusCommand("revoke")},
		{"suspend", "CREDENTIAL_ID [--reason TEXT] [--data DIR]", "suspend a credential that has a suspension entry", statusCommand("suspend")},
		{"reinstate", "CREDENTIAL_ID [--reason TEXT] [--data DIR]", "lift a suspension", statusCommand("reinstate")},
		{"demo", "", "issue a badge with a throw-away key and verify it", demo},
		{"version", "", "print the version", func(e env, _ []string) int { fmt.Fprintln(e.stdout, "blason", version); return exitOK }},
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{ctx, stdin, stdout, stderr}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		words := strings.Fields(c.name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == c.name {
			return c.run(e, args[len(words):])
		}
	}
	fmt.Fprintf(stderr, "blason: unknown command %q\n\n", strings.Join(args, " "))
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Blason: Open Badges 3.0 issuer, wallet and verifier.")
	fmt.Fprintln(w, "\nUsage:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  blason %s %s\n      %s\n", c.name, c.args, c.summary)
	}
	fmt.Fprintln(w, "\nExit codes: 0 success, 1 not verified, 2 usage or I/O error.")
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(e env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("blason "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parseFlags parses args; it returns false (after printing why) on error.
func parseFlags(fs *flag.FlagSet, args []string) bool {
	if err := fs.Parse(args); err != nil {
		return false
	}
	return true
}

func fail(e env, format string, a ...any) int {
	msg := fmt.Sprintf(format, a...)
	fmt.Fprintln(e.stderr, "blason:", msg)
	return exitUsage
}

func failErr(e env, what string, err error) int {
	var msg = err.Error()
	if errors.Is(err, context.Canceled) {
		msg = "interrupted"
	}
	fmt.Fprintf(e.stderr, "blason: %s: %s\n", what, msg)
	return exitUsage
}

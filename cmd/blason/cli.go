package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/blason-badges/blason/internal/limits"
	"github.com/blason-badges/blason/internal/termsafe"
)

// Exit codes: 0 success (verified), 1 not verified, 2 usage or I/O error
// (including output that could not be written), 3 signature valid but
// revocation not checked. 3 is distinct from 0 so that a script that only
// tests for success never accepts a badge that may have been revoked.
const (
	exitOK          = 0
	exitNotVerified = 1
	exitUsage       = 2
	exitUnchecked   = 3
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
		{"key rotate", "--data DIR [--issuer DID]", "give a did:web issuer a new signing key; the old one stays published (what it signed still verifies) and never signs again", keyRotate},
		{"issue", "--key FILE --achievement FILE (--recipient-email ADDR | --recipient-did DID)", "award a badge: print a signed Open Badges 3.0 credential", issue},
		{"verify", "[--json] [--offline] [--data DIR] [--allow-loopback-status] [--recipient-email ADDR] [--challenge C --domain D] FILE|-", "check a credential, presentation or baked PNG/SVG and explain the result", verify},
		{"bake", "--credential FILE --image PNG|SVG --out FILE [--force]", "put a badge into its image (a baked badge: one file to share)", bakeCmd},
		{"extract", "FILE|-", "print the badge baked into a PNG or SVG image", extractCmd},
		{"present", "--key FILE --challenge C [--domain D] BADGE.json...", "sign a presentation of your badges for a verifier", present},
		{"achievement add", "--data DIR --file ACH.json [--lang fr|en] [--variant-of ID] [--image FILE]", "add an achievement (OB 3.0 Achievement or OB 2.0 BadgeClass JSON) to the issuer's catalogue; prints its id last", achievementAdd},
		{"achievement list", "[--data DIR] [--archived]", "list the issuer's achievements", achievementList},
		{"achievement archive", "ID [--undo] [--data DIR]", "archive an achievement (no new awards), or bring it back", achievementArchive},
		{"awards", "[--data DIR] [--recipient TEXT] [--achievement ID] [--csv]", "search the awards; --csv exports them for a spreadsheet", awardsCmd},
		{"award", "--data DIR --achievement ID (--csv FILE [--dry-run] [--skip-invalid] | --recipient-email ADDR)", "award an achievement to every row of a spreadsheet (CSV), or to one person, with claim links sent by e-mail", awardCmd},
		{"endorse", "--data DIR --subject ID [--comment TEXT]", "endorse another issuer's achievement or profile: print a signed EndorsementCredential", endorseCmd},
		{"member set", "--data DIR --email ADDR --role admin|issuer|viewer|none", "give an account a role in the issuer's workspace", memberSet},
		{"member list", "[--data DIR]", "list the workspace's members and their roles", memberList},
		{"serve", "[--addr 127.0.0.1:8080] [--data DIR] [--key FILE] [--did-web DID]", "run the HTTP server (W3C VC API); flags also from BLASON_* variables", serve},
		{"revoke", "CREDENTIAL_ID --reason TEXT [--data DIR]", "revoke a credential this server issued (recorded, permanent)", statusCommand("revoke")},
		{"suspend", "CREDENTIAL_ID [--reason TEXT] [--data DIR]", "suspend a credential that has a suspension entry", statusCommand("suspend")},
		{"reinstate", "CREDENTIAL_ID [--reason TEXT] [--data DIR]", "lift a suspension", statusCommand("reinstate")},
		{"token new", "--scope issue,status,admin [--label L] [--expires 720h] [--data DIR] | --scope wallet --email ADDRESS", "make an API token for the server, or a learner's wallet token (shown once)", tokenNew},
		{"token list", "[--data DIR]", "list the server's API tokens", tokenList},
		{"token revoke", "TOKEN_ID [--data DIR]", "revoke an API token", tokenRevoke},
		{"user add", "--email ADDRESS [--public-url URL] [--data DIR]", "make a learner's account and print a one-time sign-in link", userAdd},
		{"user token", "--email ADDRESS [--label L] [--expires 720h] [--data DIR]", "make a learner's personal token for the wallet API (shown once)", userToken},
		{"bench", "[--url http://127.0.0.1:PORT --token T] [--conns 1,8,64,256] [--duration 3s] [-- serve flags]", "load-test a blason serve on loopback: req/s, p50, p99, errors per endpoint", bench},
		{"demo", "", "issue a badge with a throw-away key and verify it", demo},
		{"version", "", "print the version", func(e env, _ []string) int { fmt.Fprintln(e.stdout, "blason", version); return exitOK }},
	}
}

// run runs one command. Every write to stdout is checked: a result that
// could not be written (a full disk, a closed pipe) makes the command fail
// with exit code 2 and a message, whatever it was going to return, so
// `blason issue > badge.json` never reports success with the badge lost.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	out := &checkedWriter{w: stdout}
	code := dispatch(env{ctx, stdin, out, stderr}, args)
	if out.err != nil {
		fmt.Fprintf(stderr, "blason: cannot write the output: %s\n", out.err)
		return exitUsage
	}
	return code
}

// checkedWriter remembers the first write error; later writes are dropped.
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		c.err = err
	}
	return n, err
}

func dispatch(e env, args []string) int {
	stderr := e.stderr
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
	fmt.Fprintln(w, "\nExit codes: 0 success (verified), 1 not verified, 2 usage or I/O error,\n  3 signature valid but revocation not checked (verify).")
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

// fail prints a message and returns exit code 2. Messages may quote what
// a file or a credential holds, so they are made terminal-safe.
func fail(e env, format string, a ...any) int {
	msg := fmt.Sprintf(format, a...)
	fmt.Fprintln(e.stderr, "blason:", termsafe.String(msg))
	return exitUsage
}

func failErr(e env, what string, err error) int {
	var msg = err.Error()
	if errors.Is(err, context.Canceled) {
		msg = "interrupted"
	}
	fmt.Fprintf(e.stderr, "blason: %s: %s\n", termsafe.String(what), termsafe.String(msg))
	return exitUsage
}

// writeResult writes a command's result (a credential, a presentation, a
// JSON report) and a newline to stdout. JSON results have their bidi and
// C1 code points written as \uXXXX escapes (the same JSON value), so they
// are safe on a terminal too. A write error is reported by run.
func writeResult(e env, b []byte, isJSON bool) int {
	if isJSON {
		b = termsafe.EscapeJSON(b)
	}
	if _, err := e.stdout.Write(append(b, '\n')); err != nil {
		return exitUsage
	}
	return exitOK
}

// readFile reads a file named on the command line, or standard input for
// "-", refusing anything larger than limit with a clear error: a file
// such as /dev/zero must fail fast, not fill memory.
func readFile(e env, path string, limit int64) ([]byte, error) {
	if path == "-" {
		return limits.ReadAll(e.stdin, limit, "standard input")
	}
	return limits.ReadFile(path, limit)
}

package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/blason-badges/blason/internal/account"
)

// tokenNew implements blason token new --scope S[,S] [--label L] [--expires D].
// The secret goes to stdout alone (for scripts: TOKEN=$(blason token new
// ...)); what it is goes to stderr.
func tokenNew(e env, args []string) int {
	fs := newFlags(e, "token new")
	sf := addStateFlags(fs)
	scope := fs.String("scope", "", "comma-separated scopes: issue, status, admin (admin implies all)")
	label := fs.String("label", "", "what the token is for, shown by 'token list'")
	expires := fs.Duration("expires", 0, "lifetime, e.g. 720h; default: no expiry")
	email := fs.String("email", "", "with --scope wallet: a learner's personal token for the wallet API (as 'user token')")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if fs.NArg() > 0 {
		return fail(e, "usage: blason token new --scope issue,status [--label L] [--expires 720h] [--data DIR]")
	}
	if *email != "" || *scope == "wallet" {
		// A learner's token acts as that learner on the wallet API; it has
		// no scope among the server's (issue, status, admin).
		if *email == "" || *scope != "wallet" {
			return fail(e, "token new: a wallet token is --scope wallet --email ADDRESS (the learner it acts as)")
		}
		rest := []string{"--email", *email, "--label", *label, "--expires", expires.String(), "--data", *sf.data}
		if *sf.database != "" {
			rest = append(rest, "--database", *sf.database)
		}
		return userToken(e, rest)
	}
	scopes, err := account.ParseScopes(*scope)
	if err != nil {
		return fail(e, "token new: --scope: %v", err)
	}
	if *expires < 0 {
		return fail(e, "token new: --expires must be positive, got %s", *expires)
	}
	st, err := openState(e.ctx, sf)
	if err != nil {
		return failErr(e, "token new", err)
	}
	defer st.Close()
	tokens := st.Tokens
	secret, t, err := tokens.Create(e.ctx, scopes, *label, *expires)
	if err != nil {
		return failErr(e, "token new", err)
	}
	if _, err := fmt.Fprintln(e.stdout, secret); err != nil {
		// The secret is lost: revoke what nobody can use.
		_ = tokens.Revoke(e.ctx, t.ID)
		return failErr(e, "token new", err)
	}
	exp := "never expires"
	if !t.ExpiresAt.IsZero() {
		exp = "expires " + t.ExpiresAt.Format(time.RFC3339)
	}
	fmt.Fprintf(e.stderr, "Created %s (scopes %s, %s). The token above is shown only this once: store it now.\n", t.ID, account.JoinScopes(t.Scopes), exp)
	return exitOK
}

// tokenList implements blason token list.
func tokenList(e env, args []string) int {
	fs := newFlags(e, "token list")
	sf := addStateFlags(fs)
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if fs.NArg() > 0 {
		return fail(e, "usage: blason token list [--data DIR] [--database DSN]")
	}
	st, err := openState(e.ctx, sf)
	if err != nil {
		return failErr(e, "token list", err)
	}
	defer st.Close()
	tokens := st.Tokens
	list, err := tokens.List(e.ctx)
	if err != nil {
		return failErr(e, "token list", err)
	}
	now := time.Now()
	w := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tSCOPES\tSTATE\tCREATED\tEXPIRES\tLAST USED\tLABEL")
	for _, t := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, account.JoinScopes(t.Scopes), t.State(now),
			day(t.CreatedAt), day(t.ExpiresAt), day(t.LastUsedAt), t.Label)
	}
	if err := w.Flush(); err != nil {
		return failErr(e, "token list", err)
	}
	fmt.Fprintf(e.stderr, "%d token(s); the operator token (operator.token or BLASON_OPERATOR_TOKEN) also holds every scope.\n", len(list))
	return exitOK
}

func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

// tokenRevoke implements blason token revoke ID.
func tokenRevoke(e env, args []string) int {
	fs := newFlags(e, "token revoke")
	sf := addStateFlags(fs)
	var id string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if id == "" && fs.NArg() == 1 {
		id = fs.Arg(0)
	} else if fs.NArg() > 0 || id == "" {
		return fail(e, "usage: blason token revoke TOKEN_ID [--data DIR] [--database DSN]")
	}
	st, err := openState(e.ctx, sf)
	if err != nil {
		return failErr(e, "token revoke", err)
	}
	defer st.Close()
	tokens := st.Tokens
	if err := tokens.Revoke(e.ctx, id); err != nil {
		return failErr(e, "token revoke", err)
	}
	fmt.Fprintf(e.stdout, "%s is revoked.\n", id)
	return exitOK
}

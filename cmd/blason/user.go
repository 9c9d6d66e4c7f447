package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/store"
	"github.com/blason-badges/blason/internal/store/userdb"
	"github.com/blason-badges/blason/internal/termsafe"
)

// openUsers opens the accounts over the state's database.
func openUsers(ctx context.Context, f stateFlags) (*account.Users, func(), error) {
	db, err := store.Open(ctx, *f.data, *f.database)
	if err != nil {
		return nil, nil, fmt.Errorf("open database: %w", err)
	}
	st, err := userdb.Open(ctx, db)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return &account.Users{Store: st}, func() { db.Close() }, nil
}

// userAdd implements blason user add --email E: an account without a
// password, and a one-time sign-in link (24 hours) on stdout, alone, for
// scripts; the learner chooses a password on the page it opens.
func userAdd(e env, args []string) int {
	fs := newFlags(e, "user add")
	sf := addStateFlags(fs)
	email := fs.String("email", "", "the learner's e-mail address")
	publicURL := fs.String("public-url", envOr("PUBLIC_URL", "http://127.0.0.1:8080"), "the server's public URL, the base of the link (BLASON_PUBLIC_URL)")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if fs.NArg() > 0 || *email == "" {
		return fail(e, "usage: blason user add --email ADDRESS [--public-url URL] [--data DIR] [--database DSN]")
	}
	base, err := url.Parse(*publicURL)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return fail(e, "user add: --public-url must be an absolute http(s) URL, got %q", *publicURL)
	}
	users, closeDB, err := openUsers(e.ctx, sf)
	if err != nil {
		return failErr(e, "user add", err)
	}
	defer closeDB()
	u, err := users.Create(e.ctx, *email, "")
	if err != nil {
		return failErr(e, "user add", err)
	}
	secret, l, err := users.NewLink(e.ctx, u.ID, account.LinkSignIn)
	if err != nil {
		return failErr(e, "user add", err)
	}
	fmt.Fprintln(e.stdout, signInLinkURL(*publicURL, secret))
	fmt.Fprintf(e.stderr, "Created %s for %s. The link above signs in once, until %s: give it to the learner only.\n",
		u.ID, termsafe.String(u.Email), l.ExpiresAt.Format("2006-01-02 15:04 MST"))
	return exitOK
}

// signInLinkURL is the page a one-time sign-in link opens (the secret is
// in the query, which the server's log lines leave out).
func signInLinkURL(base, secret string) string {
	return strings.TrimSuffix(base, "/") + "/signin/link?token=" + url.QueryEscape(secret)
}

// userToken implements blason user token --email E: a personal API token
// for the wallet API (/wallet/api/...), acting as that learner; the secret
// goes to stdout alone.
func userToken(e env, args []string) int {
	fs := newFlags(e, "user token")
	sf := addStateFlags(fs)
	email := fs.String("email", "", "the learner's e-mail address")
	label := fs.String("label", "", "what the token is for")
	expires := fs.Duration("expires", 0, "lifetime, e.g. 720h; default: no expiry")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if fs.NArg() > 0 || *email == "" {
		return fail(e, "usage: blason user token --email ADDRESS [--label L] [--expires 720h] [--data DIR]")
	}
	users, closeDB, err := openUsers(e.ctx, sf)
	if err != nil {
		return failErr(e, "user token", err)
	}
	defer closeDB()
	addr, err := account.NormalizeEmail(*email)
	if err != nil {
		return failErr(e, "user token", err)
	}
	u, err := users.Store.UserByEmail(e.ctx, addr)
	if err != nil {
		return fail(e, "user token: no account uses %s (make one with: blason user add --email %s)", termsafe.String(addr), termsafe.String(addr))
	}
	secret, t, err := users.NewPersonalToken(e.ctx, u.ID, *label, *expires)
	if err != nil {
		return failErr(e, "user token", err)
	}
	fmt.Fprintln(e.stdout, secret)
	fmt.Fprintf(e.stderr, "Created %s for %s (the wallet API). The token above is shown only this once.\n", t.ID, termsafe.String(u.Email))
	return exitOK
}

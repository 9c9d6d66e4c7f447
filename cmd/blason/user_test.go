package main

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/account"
)

// blason user add makes an account without a password and prints a link
// that signs in once.
func TestUserAdd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "", "user", "add", "--data", dir, "--email", "Learner@Example.org", "--public-url", "https://badges.example.org/")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	link, err := url.Parse(strings.TrimSpace(out))
	if err != nil || link.Host != "badges.example.org" || link.Path != "/signin/link" || len(link.Query().Get("token")) != 43 {
		t.Fatalf("link %q", out)
	}
	if !strings.Contains(errOut, "learner@example.org") || strings.Contains(errOut, link.Query().Get("token")) {
		t.Fatalf("stderr %q", errOut)
	}
	if code, _, errOut := runCLI(t, "", "user", "add", "--data", dir, "--email", "learner@example.org"); code != exitUsage || !strings.Contains(errOut, "already uses") {
		t.Fatalf("second add: %d %s", code, errOut)
	}
	if code, _, _ := runCLI(t, "", "user", "add", "--data", dir, "--email", "not an address"); code != exitUsage {
		t.Fatalf("bad address: %d", code)
	}
	data := dir
	users, done, err := openUsers(context.Background(), stateFlags{data: &data, database: new(string), masterKeyFile: new(string)})
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	if _, u, err := users.UseLink(context.Background(), link.Query().Get("token"), account.LinkSignIn, ""); err != nil || u.Email != "learner@example.org" {
		t.Fatalf("use the printed link: %v", err)
	}
}

func TestUserToken(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if code, _, errOut := runCLI(t, "", "user", "token", "--data", dir, "--email", "nobody@example.org"); code != exitUsage || !strings.Contains(errOut, "no account") {
		t.Fatalf("unknown learner: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, "", "user", "add", "--data", dir, "--email", "ada@example.org"); code != exitOK {
		t.Fatal(errOut)
	}
	code, out, errOut := runCLI(t, "", "user", "token", "--data", dir, "--email", "Ada@example.org")
	if code != exitOK || !strings.HasPrefix(out, account.Prefix) {
		t.Fatalf("%d %q %s", code, out, errOut)
	}
	data := dir
	users, done, err := openUsers(context.Background(), stateFlags{data: &data, database: new(string), masterKeyFile: new(string)})
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	if u, err := users.AuthenticateToken(context.Background(), strings.TrimSpace(out)); err != nil || u.Email != "ada@example.org" {
		t.Fatalf("the printed token: %v", err)
	}
}

// blason token new --scope wallet --email E is the spelling of
// user token.
func TestTokenNewWalletScope(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if code, _, errOut := runCLI(t, "", "user", "add", "--data", dir, "--email", "ada@example.org"); code != exitOK {
		t.Fatal(errOut)
	}
	code, out, errOut := runCLI(t, "", "token", "new", "--data", dir, "--scope", "wallet", "--email", "ada@example.org")
	if code != exitOK || !strings.HasPrefix(out, account.Prefix) {
		t.Fatalf("%d %q %s", code, out, errOut)
	}
	if code, _, _ := runCLI(t, "", "token", "new", "--data", dir, "--scope", "wallet"); code != exitUsage {
		t.Fatalf("wallet scope without --email: %d", code)
	}
	if code, _, _ := runCLI(t, "", "token", "new", "--data", dir, "--scope", "issue", "--email", "ada@example.org"); code != exitUsage {
		t.Fatalf("--email with another scope: %d", code)
	}
}

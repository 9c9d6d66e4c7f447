package userdb_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
	"github.com/blason-badges/blason/internal/store/userdb"
)

type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }

func newUsers(t *testing.T, db *sqldb.DB) (*account.Users, *clock) {
	t.Helper()
	st, err := userdb.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{}
	c.ns.Store(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC).UnixNano())
	return &account.Users{Store: st, Argon2: account.Argon2Params{Memory: 64, Time: 1, Threads: 1}, Now: c.now}, c
}

// The learner's account from sign-up to sign-out everywhere, on both
// engines.
func TestAccountLifecycle(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		us, clk := newUsers(t, db)
		u, err := us.Create(ctx, " Ada@Example.org ", "correct horse")
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "ada@example.org" || u.PasswordHash == "" {
			t.Fatalf("user %+v", u)
		}
		if _, err := us.Create(ctx, "ADA@example.org", "another password"); !errors.Is(err, account.ErrEmailTaken) {
			t.Fatalf("second sign-up with the address: %v", err)
		}
		if _, _, err := us.SignIn(ctx, "ada@example.org", "wrong password", "192.0.2.1"); !errors.Is(err, account.ErrSignIn) {
			t.Fatalf("wrong password: %v", err)
		}
		if _, _, err := us.SignIn(ctx, "nobody@example.org", "correct horse", "192.0.2.1"); !errors.Is(err, account.ErrSignIn) {
			t.Fatalf("unknown address: %v (must read as a wrong password)", err)
		}
		s1, got, err := us.SignIn(ctx, "Ada@example.org", "correct horse", "192.0.2.1")
		if err != nil || got.ID != u.ID {
			t.Fatalf("sign in: %v %+v", err, got)
		}
		s2, _, err := us.SignIn(ctx, "ada@example.org", "correct horse", "198.51.100.7")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{s1, s2} {
			if got, _, err := us.Authenticate(ctx, s); err != nil || got.ID != u.ID {
				t.Fatalf("session: %v", err)
			}
		}
		if _, _, err := us.Authenticate(ctx, s1+"x"); !errors.Is(err, account.ErrNoSession) {
			t.Fatalf("forged session: %v", err)
		}
		if err := us.SignOut(ctx, s1); err != nil {
			t.Fatal(err)
		}
		if _, _, err := us.Authenticate(ctx, s1); !errors.Is(err, account.ErrNoSession) {
			t.Fatalf("signed-out session: %v", err)
		}
		if _, _, err := us.Authenticate(ctx, s2); err != nil {
			t.Fatalf("the other browser was signed out too: %v", err)
		}
		s3, _, _ := us.SignIn(ctx, "ada@example.org", "correct horse", "")
		if err := us.SignOutEverywhere(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{s2, s3} {
			if _, _, err := us.Authenticate(ctx, s); !errors.Is(err, account.ErrNoSession) {
				t.Fatalf("after sign-out everywhere: %v", err)
			}
		}
		// Idle expiry: a week without activity.
		s4, _, _ := us.SignIn(ctx, "ada@example.org", "correct horse", "")
		clk.advance(account.SessionIdle - time.Minute)
		if _, _, err := us.Authenticate(ctx, s4); err != nil {
			t.Fatalf("active session: %v", err)
		}
		clk.advance(account.SessionIdle - time.Minute)
		if _, _, err := us.Authenticate(ctx, s4); err != nil {
			t.Fatalf("session used within the idle time: %v", err)
		}
		clk.advance(account.SessionIdle)
		if _, _, err := us.Authenticate(ctx, s4); !errors.Is(err, account.ErrNoSession) {
			t.Fatalf("idle session: %v", err)
		}
		// Absolute expiry, however active.
		s5, _, _ := us.SignIn(ctx, "ada@example.org", "correct horse", "")
		for elapsed := time.Duration(0); elapsed < account.SessionAbsolute-24*time.Hour; elapsed += 24 * time.Hour {
			clk.advance(24 * time.Hour)
			if _, _, err := us.Authenticate(ctx, s5); err != nil {
				t.Fatalf("day %v: %v", elapsed, err)
			}
		}
		clk.advance(48 * time.Hour)
		if _, _, err := us.Authenticate(ctx, s5); !errors.Is(err, account.ErrNoSession) {
			t.Fatalf("past the absolute expiry: %v", err)
		}
		// Deleting the account ends everything.
		s6, _, _ := us.SignIn(ctx, "ada@example.org", "correct horse", "")
		tok, _, err := us.NewPersonalToken(ctx, u.ID, "cli", 0)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := us.AuthenticateToken(ctx, tok); err != nil || got.ID != u.ID {
			t.Fatalf("personal token: %v", err)
		}
		if err := us.Delete(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := us.Authenticate(ctx, s6); !errors.Is(err, account.ErrNoSession) {
			t.Fatalf("session of a deleted account: %v", err)
		}
		if _, err := us.AuthenticateToken(ctx, tok); !errors.Is(err, account.ErrUnauthenticated) {
			t.Fatalf("token of a deleted account: %v", err)
		}
		if _, err := us.Create(ctx, "ada@example.org", "correct horse"); err != nil {
			t.Fatalf("the address is free again: %v", err)
		}
	})
}

func TestSignInRateLimits(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		us, clk := newUsers(t, db)
		if _, err := us.Create(ctx, "ada@example.org", "correct horse"); err != nil {
			t.Fatal(err)
		}
		// Per account: from many addresses.
		for i := range account.MaxFailuresPerAccount {
			if _, _, err := us.SignIn(ctx, "ada@example.org", "guess", "192.0.2."+string(rune('1'+i))); !errors.Is(err, account.ErrSignIn) {
				t.Fatalf("guess %d: %v", i, err)
			}
		}
		if _, _, err := us.SignIn(ctx, "ada@example.org", "correct horse", "203.0.113.9"); !errors.Is(err, account.ErrThrottled) {
			t.Fatalf("right password while throttled: %v (the limit must hold even then)", err)
		}
		// An unknown address is throttled the same way: throttling does not
		// tell which addresses have accounts.
		for range account.MaxFailuresPerAccount {
			us.SignIn(ctx, "nobody@example.org", "guess", "")
		}
		if _, _, err := us.SignIn(ctx, "nobody@example.org", "guess", ""); !errors.Is(err, account.ErrThrottled) {
			t.Fatalf("unknown address after as many failures: %v", err)
		}
		clk.advance(account.FailureWindow + time.Second)
		if _, _, err := us.SignIn(ctx, "ada@example.org", "correct horse", "203.0.113.9"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
		// Per address: one machine trying many accounts.
		for i := range account.MaxFailuresPerAddress {
			us.SignIn(ctx, "user"+string(rune('a'+i%26))+string(rune('a'+i/26))+"@example.org", "guess", "198.51.100.0/24")
		}
		if _, _, err := us.SignIn(ctx, "ada@example.org", "correct horse", "198.51.100.0/24"); !errors.Is(err, account.ErrThrottled) {
			t.Fatalf("address over its limit: %v", err)
		}
		if _, _, err := us.SignIn(ctx, "ada@example.org", "correct horse", "203.0.113.9"); err != nil {
			t.Fatalf("another address: %v", err)
		}
	})
}

func TestOneTimeLinks(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		us, clk := newUsers(t, db)
		// An account made by "blason user add": no password, a sign-in link.
		u, err := us.Create(ctx, "learner@example.org", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := us.SignIn(ctx, "learner@example.org", "", ""); !errors.Is(err, account.ErrSignIn) {
			t.Fatalf("empty password on a passwordless account: %v", err)
		}
		link, _, err := us.NewLink(ctx, u.ID, account.LinkSignIn)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := us.UseLink(ctx, link, account.LinkReset, "new password 1"); !errors.Is(err, account.ErrLinkInvalid) {
			t.Fatalf("sign-in link used as a reset link: %v", err)
		}
		sess, got, err := us.UseLink(ctx, link, account.LinkSignIn, "")
		if err != nil || got.ID != u.ID || sess == "" {
			t.Fatalf("use link: %v", err)
		}
		if _, _, err := us.UseLink(ctx, link, account.LinkSignIn, ""); !errors.Is(err, account.ErrLinkInvalid) {
			t.Fatalf("second use: %v", err)
		}
		// Reset: an unknown address gets no link and no error.
		if secret, who, err := us.RequestReset(ctx, "nobody@example.org", ""); secret != "" || who != nil || err != nil {
			t.Fatalf("reset for an unknown address: %q %v %v", secret, who, err)
		}
		reset, _, err := us.RequestReset(ctx, "Learner@example.org", "")
		if err != nil || reset == "" {
			t.Fatalf("reset: %q %v", reset, err)
		}
		if _, _, err := us.UseLink(ctx, reset, account.LinkReset, "short"); !errors.Is(err, account.ErrWeakPassword) {
			t.Fatalf("weak new password: %v", err)
		}
		// The weak password did not spend the link.
		s2, _, err := us.UseLink(ctx, reset, account.LinkReset, "a good new password")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := us.Authenticate(ctx, sess); !errors.Is(err, account.ErrNoSession) {
			t.Fatalf("a password reset must end the other sessions: %v", err)
		}
		if _, _, err := us.Authenticate(ctx, s2); err != nil {
			t.Fatalf("the resetting browser is signed in: %v", err)
		}
		if _, _, err := us.SignIn(ctx, "learner@example.org", "a good new password", ""); err != nil {
			t.Fatalf("sign in with the new password: %v", err)
		}
		// Expiry.
		late, _, _ := us.RequestReset(ctx, "learner@example.org", "")
		clk.advance(account.ResetLinkTTL)
		if _, _, err := us.UseLink(ctx, late, account.LinkReset, "yet another password"); !errors.Is(err, account.ErrLinkInvalid) {
			t.Fatalf("expired link: %v", err)
		}
	})
}

// Two uses of one link at once: exactly one succeeds.
func TestLinkSingleUseUnderRace(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		us, _ := newUsers(t, db)
		u, err := us.Create(ctx, "race@example.org", "")
		if err != nil {
			t.Fatal(err)
		}
		link, _, err := us.NewLink(ctx, u.ID, account.LinkSignIn)
		if err != nil {
			t.Fatal(err)
		}
		var ok atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if _, _, err := us.UseLink(ctx, link, account.LinkSignIn, ""); err == nil {
					ok.Add(1)
				} else if !errors.Is(err, account.ErrLinkInvalid) {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if ok.Load() != 1 {
			t.Fatalf("%d uses succeeded, want 1", ok.Load())
		}
	})
}

func TestPersonalTokens(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		us, clk := newUsers(t, db)
		u, _ := us.Create(ctx, "tok@example.org", "")
		tok, pt, err := us.NewPersonalToken(ctx, u.ID, "phone", time.Hour)
		if err != nil || pt.UserID != u.ID {
			t.Fatal(err)
		}
		if got, err := us.AuthenticateToken(ctx, tok); err != nil || got.Email != "tok@example.org" {
			t.Fatalf("token: %v", err)
		}
		for _, bad := range []string{"", tok + "x", "blsn_nope"} {
			if _, err := us.AuthenticateToken(ctx, bad); !errors.Is(err, account.ErrUnknownToken) {
				t.Errorf("token %q: %v", bad, err)
			}
		}
		clk.advance(time.Hour)
		if _, err := us.AuthenticateToken(ctx, tok); !errors.Is(err, account.ErrExpired) {
			t.Fatalf("expired token: %v", err)
		}
	})
}

// A hash with older parameters is re-made with the current ones at the
// next successful sign-in.
func TestRehashOnSignIn(t *testing.T) {
	db := sqldbtest.SQLite(t)
	ctx := context.Background()
	us, _ := newUsers(t, db)
	u, err := us.Create(ctx, "old@example.org", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	us.Argon2 = account.Argon2Params{Memory: 128, Time: 1, Threads: 1}
	if _, _, err := us.SignIn(ctx, "old@example.org", "correct horse", ""); err != nil {
		t.Fatal(err)
	}
	got, _ := us.Store.UserByID(ctx, u.ID)
	if account.NeedsRehash(got.PasswordHash, us.Argon2) || got.PasswordHash == u.PasswordHash {
		t.Fatalf("hash not upgraded: %s", got.PasswordHash)
	}
	if _, _, err := us.SignIn(ctx, "old@example.org", "correct horse", ""); err != nil {
		t.Fatalf("sign in after rehash: %v", err)
	}
}

// Reset requests are limited per address typed (known or not alike) and
// per client network.
func TestResetRequestLimits(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		us, clk := newUsers(t, db)
		us.Create(ctx, "ada@example.org", "")
		for _, addr := range []string{"ada@example.org", "nobody@example.org"} {
			for i := range account.MaxResetsPerAccount {
				if _, _, err := us.RequestReset(ctx, addr, "192.0.2."+string(rune('1'+i))); err != nil {
					t.Fatalf("%s request %d: %v", addr, i, err)
				}
			}
			if _, _, err := us.RequestReset(ctx, addr, "203.0.113.1"); !errors.Is(err, account.ErrThrottled) {
				t.Fatalf("%s over its limit: %v", addr, err)
			}
		}
		clk.advance(account.FailureWindow + time.Second)
		for i := range account.MaxResetsPerAddress {
			us.RequestReset(ctx, "user"+string(rune('a'+i))+"@example.org", "198.51.100.0/24")
		}
		if _, _, err := us.RequestReset(ctx, "ada@example.org", "198.51.100.0/24"); !errors.Is(err, account.ErrThrottled) {
			t.Fatalf("network over its limit: %v", err)
		}
		if secret, _, err := us.RequestReset(ctx, "ada@example.org", "203.0.113.1"); err != nil || secret == "" {
			t.Fatalf("another network: %q %v", secret, err)
		}
	})
}

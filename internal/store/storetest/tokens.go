package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/account"
)

// RunTokens runs the API token cases. open returns a fresh, empty store
// and arranges (with t.Cleanup) for it to be closed and removed.
func RunTokens(t *testing.T, open func(t *testing.T) account.Store) {
	t.Run("TokensRoundTrip", func(t *testing.T) { testTokensRoundTrip(t, open(t)) })
	t.Run("TokensDuplicate", func(t *testing.T) { testTokensDuplicate(t, open(t)) })
	t.Run("TokensRevokeAndTouch", func(t *testing.T) { testTokensRevokeAndTouch(t, open(t)) })
	t.Run("TokensInvalid", func(t *testing.T) { testTokensInvalid(t, open(t)) })
	t.Run("TokensThroughService", func(t *testing.T) { testTokensService(t, open(t)) })
}

func token(i int, scopes ...account.Scope) *account.Token {
	h := sha256.Sum256(fmt.Appendf(nil, "secret-%d-%d", runID, i))
	return &account.Token{ID: fmt.Sprintf("tok_%016x", i), Label: fmt.Sprintf("label %d — ü", i), Scopes: scopes, Hash: h[:],
		CreatedAt: base.Add(time.Duration(i) * time.Minute)}
}

func diffToken(want, got *account.Token) string {
	switch {
	case want.ID != got.ID, want.Label != got.Label:
		return fmt.Sprintf("id/label %q %q, want %q %q", got.ID, got.Label, want.ID, want.Label)
	case account.JoinScopes(want.Scopes) != account.JoinScopes(got.Scopes):
		return fmt.Sprintf("scopes %v, want %v", got.Scopes, want.Scopes)
	case !bytes.Equal(want.Hash, got.Hash):
		return "hash differs"
	}
	for _, p := range []struct {
		name      string
		want, got time.Time
	}{{"created", want.CreatedAt, got.CreatedAt}, {"expires", want.ExpiresAt, got.ExpiresAt},
		{"last used", want.LastUsedAt, got.LastUsedAt}, {"revoked", want.RevokedAt, got.RevokedAt}} {
		if !p.want.Truncate(time.Microsecond).Equal(p.got) || (!p.got.IsZero() && p.got.Location() != time.UTC) {
			return fmt.Sprintf("%s %v, want %v (UTC)", p.name, p.got, p.want)
		}
	}
	return ""
}

func testTokensRoundTrip(t *testing.T, s account.Store) {
	ctx := context.Background()
	if list, err := s.ListTokens(ctx); err != nil || len(list) != 0 {
		t.Fatalf("empty store: %v %v", list, err)
	}
	a := token(1, account.ScopeIssue, account.ScopeStatus)
	a.ExpiresAt = base.Add(720 * time.Hour)
	b := token(2, account.ScopeAdmin)
	for _, tk := range []*account.Token{a, b} {
		if err := s.CreateToken(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []*account.Token{a, b} {
		got, err := s.TokenByHash(ctx, want.Hash)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffToken(want, got); d != "" {
			t.Fatalf("%s: %s", want.ID, d)
		}
	}
	list, err := s.ListTokens(ctx)
	if err != nil || len(list) != 2 || list[0].ID != a.ID || list[1].ID != b.ID {
		t.Fatalf("list (oldest first): %v %v", list, err)
	}
	other := sha256.Sum256([]byte("never stored"))
	if _, err := s.TokenByHash(ctx, other[:]); !errors.Is(err, account.ErrNotFound) {
		t.Fatalf("unknown hash: %v", err)
	}
}

func testTokensDuplicate(t *testing.T, s account.Store) {
	ctx := context.Background()
	a := token(1, account.ScopeIssue)
	if err := s.CreateToken(ctx, a); err != nil {
		t.Fatal(err)
	}
	sameID := token(2, account.ScopeIssue)
	sameID.ID = a.ID
	sameHash := token(3, account.ScopeAdmin)
	sameHash.Hash = a.Hash
	for name, tk := range map[string]*account.Token{"same id": sameID, "same hash": sameHash} {
		if err := s.CreateToken(ctx, tk); !errors.Is(err, account.ErrExists) {
			t.Errorf("%s: %v, want ErrExists", name, err)
		}
	}
	got, err := s.TokenByHash(ctx, a.Hash)
	if err != nil || account.JoinScopes(got.Scopes) != "issue" {
		t.Fatalf("the first token changed: %v %v", got, err)
	}
}

func testTokensRevokeAndTouch(t *testing.T, s account.Store) {
	ctx := context.Background()
	a, b := token(1, account.ScopeIssue), token(2, account.ScopeStatus)
	for _, tk := range []*account.Token{a, b} {
		if err := s.CreateToken(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	used := base.Add(time.Hour)
	if err := s.TouchToken(ctx, a.ID, used); err != nil {
		t.Fatal(err)
	}
	revoked := base.Add(2 * time.Hour)
	if err := s.RevokeToken(ctx, a.ID, revoked); err != nil {
		t.Fatal(err)
	}
	// Revoking again keeps the first time.
	if err := s.RevokeToken(ctx, a.ID, revoked.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := s.TokenByHash(ctx, a.Hash)
	if err != nil {
		t.Fatal(err)
	}
	a.LastUsedAt, a.RevokedAt = used, revoked
	if d := diffToken(a, got); d != "" {
		t.Fatal(d)
	}
	if got.State(revoked) != "revoked" {
		t.Fatalf("state %s", got.State(revoked))
	}
	// The other token is untouched.
	if got, _ := s.TokenByHash(ctx, b.Hash); got == nil || !got.RevokedAt.IsZero() || !got.LastUsedAt.IsZero() {
		t.Fatalf("other token changed: %+v", got)
	}
	for name, err := range map[string]error{
		"revoke unknown": s.RevokeToken(ctx, "tok_unknown", revoked),
		"touch unknown":  s.TouchToken(ctx, "tok_unknown", revoked),
	} {
		if !errors.Is(err, account.ErrNotFound) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func testTokensInvalid(t *testing.T, s account.Store) {
	ctx := context.Background()
	noID := token(1, account.ScopeIssue)
	noID.ID = ""
	shortHash := token(2, account.ScopeIssue)
	shortHash.Hash = shortHash.Hash[:16]
	noScope := token(3)
	badScope := token(4, "write")
	for name, tk := range map[string]*account.Token{"nil": nil, "no id": noID, "short hash": shortHash, "no scope": noScope, "unknown scope": badScope} {
		if err := s.CreateToken(ctx, tk); err == nil {
			t.Errorf("%s: stored", name)
		}
	}
	if list, _ := s.ListTokens(ctx); len(list) != 0 {
		t.Fatalf("invalid tokens stored: %v", list)
	}
}

// testTokensService: the account rules end to end on this store: a made
// token authenticates, expires and is revoked.
func testTokensService(t *testing.T, s account.Store) {
	ctx := context.Background()
	clock := base
	svc := &account.Service{Store: s, Now: func() time.Time { return clock }}
	secret, tk, err := svc.Create(ctx, []account.Scope{account.ScopeIssue}, "ci", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.Authenticate(ctx, secret)
	if err != nil || got.ID != tk.ID || !got.Allows(account.ScopeIssue) || got.Allows(account.ScopeStatus) {
		t.Fatalf("authenticate: %+v %v", got, err)
	}
	if stored, _ := s.TokenByHash(ctx, tk.Hash); stored == nil || stored.LastUsedAt.IsZero() {
		t.Fatalf("last use not recorded: %+v", stored)
	}
	clock = clock.Add(time.Hour)
	if _, err := svc.Authenticate(ctx, secret); !errors.Is(err, account.ErrExpired) {
		t.Fatalf("expired: %v", err)
	}
	secret2, tk2, err := svc.Create(ctx, []account.Scope{account.ScopeStatus}, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Revoke(ctx, tk2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, secret2); !errors.Is(err, account.ErrRevoked) {
		t.Fatalf("revoked: %v", err)
	}
}

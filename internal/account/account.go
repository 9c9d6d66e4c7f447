// Package account holds the rules of API tokens: how they are generated,
// stored (hashed), scoped and expired, and how a presented token is
// authenticated. It knows nothing of HTTP or SQL: it declares the small
// Store it needs (implemented by internal/store/tokendb) and the
// server maps its errors to status codes.
//
// A token is "blsn_" followed by the base64url form of 32 random bytes
// (256 bits). Only its SHA-256 is stored: a token of that entropy cannot be
// found from its hash, so a slow password hash would add nothing, and a
// lookup by hash compares no secret byte by byte. The secret is shown once,
// when the token is made.
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Scope is what a token may do.
type Scope string

// The scopes. Admin implies every other scope.
const (
	ScopeIssue  Scope = "issue"  // sign credentials (POST /credentials/issue)
	ScopeStatus Scope = "status" // revoke, suspend, reinstate
	ScopeAdmin  Scope = "admin"  // anything administrative; implies all scopes
)

// AllScopes lists the scopes in their canonical order.
var AllScopes = []Scope{ScopeIssue, ScopeStatus, ScopeAdmin}

// Prefix starts every token this package makes, so that a leaked token is
// recognisable (secret scanners) and never mistaken for another secret.
const Prefix = "blsn_"

// MinSecretLength is the shortest secret accepted as the operator token
// (DATA/operator.token or BLASON_OPERATOR_TOKEN): 32 characters, e.g. the
// 64 hex digits Blason writes, or a token of this package.
const MinSecretLength = 32

// OperatorID is the id of the operator token in Principal.ID and logs.
const OperatorID = "operator"

// Errors. Authenticate wraps ErrUnauthenticated in every case where the
// caller is not let in; the more precise error says why (for logs).
var (
	ErrUnauthenticated = errors.New("not authenticated")
	ErrUnknownToken    = fmt.Errorf("%w: unknown token", ErrUnauthenticated)
	ErrExpired         = fmt.Errorf("%w: token expired", ErrUnauthenticated)
	ErrRevoked         = fmt.Errorf("%w: token revoked", ErrUnauthenticated)
	// ErrNotFound: no token with that id (Store.RevokeToken, GetToken).
	ErrNotFound = errors.New("token not found")
	// ErrExists: a token with that id or hash is already stored.
	ErrExists = errors.New("token already exists")
	// ErrInvalid: a bad argument (unknown scope, negative expiry, ...).
	ErrInvalid = errors.New("invalid token argument")
)

// Token is a stored token: everything but the secret.
type Token struct {
	ID     string  // public identifier, "tok_" + 16 hex digits; safe to log
	Label  string  // what it is for, free text
	Scopes []Scope // canonical order, no duplicates
	// Hash is the SHA-256 of the secret.
	Hash      []byte
	CreatedAt time.Time
	ExpiresAt time.Time // zero: never expires
	// LastUsedAt is updated at most once a minute (TouchInterval).
	LastUsedAt time.Time
	RevokedAt  time.Time // zero: not revoked
}

// Allows reports whether the token grants scope (admin grants all).
func (t *Token) Allows(scope Scope) bool {
	return slices.Contains(t.Scopes, scope) || slices.Contains(t.Scopes, ScopeAdmin)
}

// State is "active", "expired" or "revoked" at time now.
func (t *Token) State(now time.Time) string {
	switch {
	case !t.RevokedAt.IsZero():
		return "revoked"
	case !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt):
		return "expired"
	}
	return "active"
}

// Store keeps tokens. Implementation: internal/store/tokendb, on SQLite or
// PostgreSQL (the suite storetest.RunTokens runs both).
type Store interface {
	// CreateToken stores t; ErrExists if its ID or Hash is taken.
	CreateToken(ctx context.Context, t *Token) error
	// TokenByHash returns the token whose Hash is hash; ErrNotFound if none.
	TokenByHash(ctx context.Context, hash []byte) (*Token, error)
	// ListTokens returns every token, revoked ones included, oldest first.
	ListTokens(ctx context.Context) ([]*Token, error)
	// RevokeToken sets RevokedAt (if not already set); ErrNotFound for an
	// unknown id.
	RevokeToken(ctx context.Context, id string, at time.Time) error
	// TouchToken sets LastUsedAt; ErrNotFound for an unknown id.
	TouchToken(ctx context.Context, id string, at time.Time) error
}

// Hash is the stored form of a secret: its SHA-256.
func Hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// ParseScopes reads a comma-separated scope list ("issue,status") into
// canonical order. At least one scope is required; unknown ones are refused.
func ParseScopes(s string) ([]Scope, error) {
	seen := map[Scope]bool{}
	for _, part := range strings.Split(s, ",") {
		p := Scope(strings.ToLower(strings.TrimSpace(part)))
		if p == "" {
			continue
		}
		if !slices.Contains(AllScopes, p) {
			return nil, fmt.Errorf("%w: unknown scope %q (issue, status or admin)", ErrInvalid, p)
		}
		seen[p] = true
	}
	var out []Scope
	for _, p := range AllScopes {
		if seen[p] {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: give at least one scope (issue, status or admin)", ErrInvalid)
	}
	return out, nil
}

// JoinScopes is the inverse of ParseScopes.
func JoinScopes(scopes []Scope) string {
	s := make([]string, len(scopes))
	for i, p := range scopes {
		s[i] = string(p)
	}
	return strings.Join(s, ",")
}

// NewSecret returns a fresh token secret: Prefix + base64url(32 random bytes).
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new token: %w", err)
	}
	return Prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

func newID() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new token id: %w", err)
	}
	return "tok_" + hex.EncodeToString(b), nil
}

// TouchInterval is how stale LastUsedAt may get: a token used more often
// is not written to the store on every request.
const TouchInterval = time.Minute

// Service makes, lists, revokes and authenticates tokens.
type Service struct {
	Store Store
	// Operator, if not empty, is the operator token (DATA/operator.token or
	// BLASON_OPERATOR_TOKEN): the first token, with every scope, never
	// stored. Check it with CheckOperatorSecret first.
	Operator string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Create makes a token with the given scopes and label, expiring after ttl
// (0: never). It returns the secret, which is not stored and cannot be
// shown again, and the stored token.
func (s *Service) Create(ctx context.Context, scopes []Scope, label string, ttl time.Duration) (string, *Token, error) {
	if s.Store == nil {
		return "", nil, fmt.Errorf("%w: no token store", ErrInvalid)
	}
	if ttl < 0 {
		return "", nil, fmt.Errorf("%w: expiry %s is negative", ErrInvalid, ttl)
	}
	if len(scopes) == 0 {
		return "", nil, fmt.Errorf("%w: give at least one scope", ErrInvalid)
	}
	canon, err := ParseScopes(JoinScopes(scopes))
	if err != nil {
		return "", nil, err
	}
	if len(label) > 200 || strings.ContainsFunc(label, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", nil, fmt.Errorf("%w: a label is at most 200 characters, without control characters", ErrInvalid)
	}
	secret, err := NewSecret()
	if err != nil {
		return "", nil, err
	}
	id, err := newID()
	if err != nil {
		return "", nil, err
	}
	now := s.now().UTC()
	t := &Token{ID: id, Label: label, Scopes: canon, Hash: Hash(secret), CreatedAt: now}
	if ttl > 0 {
		t.ExpiresAt = now.Add(ttl)
	}
	if err := s.Store.CreateToken(ctx, t); err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// List returns every stored token (the operator token is not stored).
func (s *Service) List(ctx context.Context) ([]*Token, error) {
	if s.Store == nil {
		return nil, nil
	}
	return s.Store.ListTokens(ctx)
}

// Revoke revokes the token with that id; revoking twice is harmless.
func (s *Service) Revoke(ctx context.Context, id string) error {
	if s.Store == nil {
		return fmt.Errorf("token %s: %w", id, ErrNotFound)
	}
	return s.Store.RevokeToken(ctx, id, s.now().UTC())
}

// Authenticate returns the token a presented secret stands for, or an error
// wrapping ErrUnauthenticated (ErrUnknownToken, ErrExpired, ErrRevoked).
// Other errors are the store's: the caller cannot be let in, but it is not
// their fault (a 500, not a 401).
func (s *Service) Authenticate(ctx context.Context, secret string) (*Token, error) {
	if secret == "" {
		return nil, ErrUnknownToken
	}
	// The operator token is compared in constant time: unlike stored
	// tokens it is not looked up by hash.
	if s.Operator != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(s.Operator)) == 1 {
		return &Token{ID: OperatorID, Label: "operator token", Scopes: []Scope{ScopeAdmin}}, nil
	}
	if s.Store == nil {
		return nil, ErrUnknownToken
	}
	t, err := s.Store.TokenByHash(ctx, Hash(secret))
	if errors.Is(err, ErrNotFound) {
		return nil, ErrUnknownToken
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	switch t.State(now) {
	case "revoked":
		return nil, fmt.Errorf("%w (%s)", ErrRevoked, t.ID)
	case "expired":
		return nil, fmt.Errorf("%w (%s)", ErrExpired, t.ID)
	}
	if t.LastUsedAt.IsZero() || now.Sub(t.LastUsedAt) >= TouchInterval {
		// Best effort: a failed bookkeeping write does not refuse a valid
		// token (it would turn a full disk into an outage of issuing).
		if err := s.Store.TouchToken(ctx, t.ID, now.UTC()); err == nil {
			t.LastUsedAt = now.UTC()
		}
	}
	return t, nil
}

// CheckOperatorSecret enforces the minimum strength of an operator token:
// at least MinSecretLength characters, no whitespace or control characters.
func CheckOperatorSecret(secret string) error {
	if len(secret) < MinSecretLength {
		return fmt.Errorf("%w: the operator token is %d characters; it must be at least %d (random)", ErrInvalid, len(secret), MinSecretLength)
	}
	if strings.ContainsFunc(secret, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return fmt.Errorf("%w: the operator token contains whitespace or control characters", ErrInvalid)
	}
	return nil
}

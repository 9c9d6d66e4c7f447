// Package tokendb is the account.Store for API tokens on sqldb (SQLite or
// PostgreSQL), queries written once. Only the SHA-256 of a token's secret is
// stored.
package tokendb

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/store/sqldb"
)

// Component is the name of this package's migrations in schema_versions.
const Component = "tokens"

//go:embed migrations
var migrations embed.FS

// legacy: the first stores created api_tokens as their version 2.
var legacy = map[int]int{2: 1}

// ErrInvalid reports a token the store cannot keep (a caller bug).
var ErrInvalid = errors.New("invalid token")

// Store is the account.Store on a *sqldb.DB. It is safe for concurrent use.
type Store struct {
	db  *sqldb.DB
	now func() time.Time
}

var _ account.Store = (*Store)(nil)

// Open migrates db's token table (adopting a database made by the first
// stores) and returns the store. The store does not own db.
func Open(ctx context.Context, db *sqldb.DB) (*Store, error) {
	if err := db.Adopt(ctx, Component, legacy); err != nil {
		return nil, err
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, Component, sub); err != nil {
		return nil, err
	}
	return &Store{db: db, now: time.Now}, nil
}

// check validates a token before it is stored: an id, at least one known
// scope, and a 32-byte hash (SHA-256).
func check(t *account.Token) error {
	if t == nil || t.ID == "" {
		return fmt.Errorf("%w: token without an id", ErrInvalid)
	}
	if len(t.Hash) != 32 {
		return fmt.Errorf("%w: token hash of %d bytes (need a SHA-256)", ErrInvalid, len(t.Hash))
	}
	if _, err := account.ParseScopes(account.JoinScopes(t.Scopes)); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	for _, v := range []time.Time{t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt} {
		if _, err := sqldb.Time(v).Value(); err != nil {
			return err
		}
	}
	return nil
}

const tokenColumns = "id, label, scopes, hash, created_at, expires_at, last_used_at, revoked_at"

// CreateToken stores t; account.ErrExists if its id or hash is taken.
func (s *Store) CreateToken(ctx context.Context, t *account.Token) error {
	if err := check(t); err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "INSERT INTO api_tokens ("+tokenColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT DO NOTHING`, t.ID, t.Label, account.JoinScopes(t.Scopes), t.Hash,
			sqldb.Time(t.CreatedAt), sqldb.Time(t.ExpiresAt), sqldb.Time(t.LastUsedAt), sqldb.Time(t.RevokedAt))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errors.Join(account.ErrExists, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create token %s: %w", t.ID, err)
	}
	return nil
}

func scanToken(row interface{ Scan(...any) error }) (*account.Token, error) {
	var (
		t      account.Token
		scopes string
		err    error
	)
	if err := row.Scan(&t.ID, &t.Label, &scopes, &t.Hash, (*sqldb.Time)(&t.CreatedAt), (*sqldb.Time)(&t.ExpiresAt),
		(*sqldb.Time)(&t.LastUsedAt), (*sqldb.Time)(&t.RevokedAt)); err != nil {
		return nil, err
	}
	// A stored unknown scope is an error: a token never gets more than it
	// was given.
	if t.Scopes, err = account.ParseScopes(scopes); err != nil {
		return nil, fmt.Errorf("stored token scopes %q: %w", scopes, err)
	}
	return &t, nil
}

// TokenByHash returns account.ErrNotFound if no token has that hash.
func (s *Store) TokenByHash(ctx context.Context, hash []byte) (*account.Token, error) {
	// One statement, no transaction: every authenticated request reads it.
	t, err := scanToken(s.db.R.QueryRowContext(ctx, "SELECT "+tokenColumns+" FROM api_tokens WHERE hash = $1", hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("token by hash: %w", account.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("token by hash: %w", err)
	}
	return t, nil
}

// ListTokens returns every token, oldest first.
func (s *Store) ListTokens(ctx context.Context) ([]*account.Token, error) {
	out, err := sqldb.ReadAll(ctx, s.db, scanToken, "SELECT "+tokenColumns+" FROM api_tokens ORDER BY seq")
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

// RevokeToken sets revoked_at unless it is set; account.ErrNotFound for an
// unknown id.
func (s *Store) RevokeToken(ctx context.Context, id string, at time.Time) error {
	return s.setTime(ctx, "revoke token", id, "revoked_at = coalesce(revoked_at, $1)", at)
}

// TouchToken sets last_used_at; account.ErrNotFound for an unknown id.
func (s *Store) TouchToken(ctx context.Context, id string, at time.Time) error {
	return s.setTime(ctx, "touch token", id, "last_used_at = $1", at)
}

func (s *Store) setTime(ctx context.Context, what, id, set string, at time.Time) error {
	if at.IsZero() {
		at = s.now()
	}
	if _, err := sqldb.Time(at).Value(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE api_tokens SET "+set+" WHERE id = $2", sqldb.Time(at), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errors.Join(account.ErrNotFound, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, strings.TrimSpace(id), err)
	}
	return nil
}

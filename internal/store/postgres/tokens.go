package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/store"
)

var _ account.Store = (*Store)(nil)

const tokenColumns = "id, label, scopes, hash, created_at, expires_at, last_used_at, revoked_at"

// CreateToken stores t; account.ErrExists if its id or hash is taken.
func (s *Store) CreateToken(ctx context.Context, t *account.Token) error {
	if err := store.CheckToken(t); err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	tag, err := s.pool.Exec(ctx, "INSERT INTO api_tokens ("+tokenColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT DO NOTHING`, t.ID, t.Label, account.JoinScopes(t.Scopes), t.Hash,
		ts(t.CreatedAt), ts(t.ExpiresAt), ts(t.LastUsedAt), ts(t.RevokedAt))
	if err != nil {
		return fmt.Errorf("create token %s: %w", t.ID, err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("create token %s: %w", t.ID, account.ErrExists)
	}
	return nil
}

func scanToken(row pgx.Row) (*account.Token, error) {
	var (
		t                           account.Token
		scopes                      string
		created, exp, used, revoked *time.Time
		err                         error
	)
	if err := row.Scan(&t.ID, &t.Label, &scopes, &t.Hash, &created, &exp, &used, &revoked); err != nil {
		return nil, err
	}
	if t.Scopes, err = store.DecodeScopes(scopes); err != nil {
		return nil, err
	}
	t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt = fromTS(created), fromTS(exp), fromTS(used), fromTS(revoked)
	return &t, nil
}

// TokenByHash returns account.ErrNotFound if no token has that hash.
func (s *Store) TokenByHash(ctx context.Context, hash []byte) (*account.Token, error) {
	t, err := scanToken(s.pool.QueryRow(ctx, "SELECT "+tokenColumns+" FROM api_tokens WHERE hash = $1", hash))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("token by hash: %w", account.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("token by hash: %w", err)
	}
	return t, nil
}

// ListTokens returns every token, oldest first.
func (s *Store) ListTokens(ctx context.Context) ([]*account.Token, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+tokenColumns+" FROM api_tokens ORDER BY seq")
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []*account.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

// RevokeToken sets revoked_at unless it is set; account.ErrNotFound for an
// unknown id.
func (s *Store) RevokeToken(ctx context.Context, id string, at time.Time) error {
	return s.setTokenTime(ctx, "revoke token", id, "revoked_at = coalesce(revoked_at, $1)", at)
}

// TouchToken sets last_used_at; account.ErrNotFound for an unknown id.
func (s *Store) TouchToken(ctx context.Context, id string, at time.Time) error {
	return s.setTokenTime(ctx, "touch token", id, "last_used_at = $1", at)
}

func (s *Store) setTokenTime(ctx context.Context, what, id, set string, at time.Time) error {
	if at.IsZero() {
		at = s.now()
	}
	tag, err := s.pool.Exec(ctx, "UPDATE api_tokens SET "+set+" WHERE id = $2", at, id)
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, id, err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("%s %s: %w", what, id, account.ErrNotFound)
	}
	return nil
}

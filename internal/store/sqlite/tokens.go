package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

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
	for what, v := range map[string]time.Time{"created_at": t.CreatedAt, "expires_at": t.ExpiresAt, "last_used_at": t.LastUsedAt, "revoked_at": t.RevokedAt} {
		if err := checkTime(what, v); err != nil {
			return fmt.Errorf("create token: %w", err)
		}
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "INSERT INTO api_tokens ("+tokenColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, t.ID, t.Label, account.JoinScopes(t.Scopes), t.Hash,
			encodeTime(t.CreatedAt), encodeTime(t.ExpiresAt), encodeTime(t.LastUsedAt), encodeTime(t.RevokedAt))
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
		t                          account.Token
		scopes                     string
		created, exp, used, revked sql.NullString
		err                        error
	)
	if err := row.Scan(&t.ID, &t.Label, &scopes, &t.Hash, &created, &exp, &used, &revked); err != nil {
		return nil, err
	}
	if t.Scopes, err = store.DecodeScopes(scopes); err != nil {
		return nil, err
	}
	for _, p := range []struct {
		dst *time.Time
		src sql.NullString
	}{{&t.CreatedAt, created}, {&t.ExpiresAt, exp}, {&t.LastUsedAt, used}, {&t.RevokedAt, revked}} {
		if *p.dst, err = decodeTime(p.src); err != nil {
			return nil, err
		}
	}
	return &t, nil
}

// TokenByHash returns account.ErrNotFound if no token has that hash.
func (s *Store) TokenByHash(ctx context.Context, hash []byte) (*account.Token, error) {
	t, err := scanToken(s.r.QueryRowContext(ctx, "SELECT "+tokenColumns+" FROM api_tokens WHERE hash = ?", hash))
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
	rows, err := s.r.QueryContext(ctx, "SELECT "+tokenColumns+" FROM api_tokens ORDER BY seq")
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
	return s.setTokenTime(ctx, "revoke token", id, "revoked_at = coalesce(revoked_at, ?)", at)
}

// TouchToken sets last_used_at; account.ErrNotFound for an unknown id.
func (s *Store) TouchToken(ctx context.Context, id string, at time.Time) error {
	return s.setTokenTime(ctx, "touch token", id, "last_used_at = ?", at)
}

func (s *Store) setTokenTime(ctx context.Context, what, id, set string, at time.Time) error {
	if at.IsZero() {
		at = s.now()
	}
	if err := checkTime(what, at); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE api_tokens SET "+set+" WHERE id = ?", encodeTime(at), id)
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

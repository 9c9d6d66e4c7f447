// Package userdb keeps accounts (account.UserStore) on the sqldb layer:
// the same SQL on SQLite and PostgreSQL, tables migrated under the
// component name "users". Several serve processes on one PostgreSQL
// database share sessions and sign-in limits through it.
package userdb

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/store/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Component is the name under which the tables are migrated.
const Component = "users"

// Store is an account.UserStore.
type Store struct{ db *sqldb.DB }

var _ account.UserStore = (*Store)(nil)

// Open migrates the users' tables on db and returns the store.
func Open(ctx context.Context, db *sqldb.DB) (*Store, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, Component, sub); err != nil {
		return nil, err
	}
	return &Store{db: db}, nil
}

func (s *Store) exec(ctx context.Context, q string, args ...any) (int64, error) {
	var n int64
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// CreateUser stores u.
func (s *Store) CreateUser(ctx context.Context, u *account.User) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE email = $1", u.Email).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return account.ErrEmailTaken
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO users (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)",
			u.ID, u.Email, u.PasswordHash, sqldb.Time(u.CreatedAt))
		return err
	})
	if sqldb.IsUnique(err) {
		// Two sign-ups at once with one address: the other won.
		if _, e := s.UserByEmail(ctx, u.Email); e == nil {
			return account.ErrEmailTaken
		}
		return account.ErrExists
	}
	if err != nil && !errors.Is(err, account.ErrEmailTaken) {
		return fmt.Errorf("create user: %w", err)
	}
	return err
}

func (s *Store) user(ctx context.Context, where string, arg any) (*account.User, error) {
	var u account.User
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id, email, password_hash, created_at FROM users WHERE "+where+" = $1", arg).
			Scan(&u.ID, &u.Email, &u.PasswordHash, (*sqldb.Time)(&u.CreatedAt))
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, account.ErrNoUser
	}
	if err != nil {
		return nil, fmt.Errorf("read user: %w", err)
	}
	return &u, nil
}

// UserByEmail returns the user with that (normalised) address.
func (s *Store) UserByEmail(ctx context.Context, email string) (*account.User, error) {
	return s.user(ctx, "email", email)
}

// UserByID returns the user with that id.
func (s *Store) UserByID(ctx context.Context, id string) (*account.User, error) {
	return s.user(ctx, "id", id)
}

// SetPasswordHash replaces the user's password hash.
func (s *Store) SetPasswordHash(ctx context.Context, userID, hash string) error {
	n, err := s.exec(ctx, "UPDATE users SET password_hash = $1 WHERE id = $2", hash, userID)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if n == 0 {
		return account.ErrNoUser
	}
	return nil
}

// DeleteUser removes the user; sessions, links and tokens go with it (ON
// DELETE CASCADE), and so do the failed sign-ins recorded for the address.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		var email string
		if err := tx.QueryRowContext(ctx, "SELECT email FROM users WHERE id = $1", id).Scan(&email); err != nil {
			return err
		}
		// Explicit deletes too: they do not rely on the foreign-key pragma.
		for _, q := range []string{"DELETE FROM user_sessions WHERE user_id = $1", "DELETE FROM user_links WHERE user_id = $1",
			"DELETE FROM personal_tokens WHERE user_id = $1", "DELETE FROM users WHERE id = $1"} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM sign_in_failures WHERE key = $1", "email:"+email)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return account.ErrNoUser
	}
	if err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	return nil
}

// CreateSession stores a session.
func (s *Store) CreateSession(ctx context.Context, se *account.Session) error {
	_, err := s.exec(ctx, "INSERT INTO user_sessions (hash, user_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
		se.Hash, se.UserID, sqldb.Time(se.CreatedAt), sqldb.Time(se.LastSeenAt), sqldb.Time(se.ExpiresAt))
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// SessionByHash returns the session with that hash; account.ErrNoSession
// if none.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (*account.Session, error) {
	se := account.Session{Hash: hash}
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT user_id, created_at, last_seen_at, expires_at FROM user_sessions WHERE hash = $1", hash).
			Scan(&se.UserID, (*sqldb.Time)(&se.CreatedAt), (*sqldb.Time)(&se.LastSeenAt), (*sqldb.Time)(&se.ExpiresAt))
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, account.ErrNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("read session: %w", err)
	}
	return &se, nil
}

// TouchSession records activity.
func (s *Store) TouchSession(ctx context.Context, hash []byte, at time.Time) error {
	_, err := s.exec(ctx, "UPDATE user_sessions SET last_seen_at = $1 WHERE hash = $2", sqldb.Time(at), hash)
	return err
}

// DeleteSession ends one session (no error if it is gone already).
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	_, err := s.exec(ctx, "DELETE FROM user_sessions WHERE hash = $1", hash)
	return err
}

// DeleteUserSessions ends every session of a user.
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) error {
	_, err := s.exec(ctx, "DELETE FROM user_sessions WHERE user_id = $1", userID)
	return err
}

// CreateLink stores a one-time link.
func (s *Store) CreateLink(ctx context.Context, l *account.Link) error {
	_, err := s.exec(ctx, "INSERT INTO user_links (hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
		l.Hash, l.UserID, l.Purpose, sqldb.Time(l.CreatedAt), sqldb.Time(l.ExpiresAt))
	if err != nil {
		return fmt.Errorf("create link: %w", err)
	}
	return nil
}

// UseLink marks a link used. The UPDATE's condition is the check: on both
// engines one UPDATE of a row is atomic, so of two uses at once exactly one
// changes the row.
func (s *Store) UseLink(ctx context.Context, hash []byte, purpose string, now time.Time) (*account.Link, error) {
	l := account.Link{Hash: hash, Purpose: purpose, UsedAt: now}
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE user_links SET used_at = $1
			WHERE hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1`, sqldb.Time(now), hash, purpose)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errors.Join(account.ErrLinkInvalid, err)
		}
		return tx.QueryRowContext(ctx, "SELECT user_id, created_at, expires_at FROM user_links WHERE hash = $1", hash).
			Scan(&l.UserID, (*sqldb.Time)(&l.CreatedAt), (*sqldb.Time)(&l.ExpiresAt))
	})
	if errors.Is(err, account.ErrLinkInvalid) {
		return nil, account.ErrLinkInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("use link: %w", err)
	}
	return &l, nil
}

// AddFailure records a failed sign-in, and forgets key's failures older
// than a day (the table stays small).
func (s *Store) AddFailure(ctx context.Context, key string, at time.Time) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM sign_in_failures WHERE key = $1 AND at < $2", key, sqldb.Time(at.Add(-24*time.Hour))); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO sign_in_failures (key, at) VALUES ($1, $2)", key, sqldb.Time(at))
		return err
	})
}

// CountFailures counts key's failures since since.
func (s *Store) CountFailures(ctx context.Context, key string, since time.Time) (int, error) {
	var n int
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT count(*) FROM sign_in_failures WHERE key = $1 AND at >= $2", key, sqldb.Time(since)).Scan(&n)
	})
	return n, err
}

// ClearFailures forgets key's failures.
func (s *Store) ClearFailures(ctx context.Context, key string) error {
	_, err := s.exec(ctx, "DELETE FROM sign_in_failures WHERE key = $1", key)
	return err
}

// CreatePersonalToken stores a personal token.
func (s *Store) CreatePersonalToken(ctx context.Context, t *account.PersonalToken) error {
	_, err := s.exec(ctx, `INSERT INTO personal_tokens (id, user_id, label, hash, created_at, expires_at, revoked_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, t.ID, t.UserID, t.Label, t.Hash, sqldb.Time(t.CreatedAt), sqldb.Time(t.ExpiresAt), sqldb.Time(t.RevokedAt))
	if sqldb.IsUnique(err) {
		return account.ErrExists
	}
	if err != nil {
		return fmt.Errorf("create personal token: %w", err)
	}
	return nil
}

// PersonalTokenByHash returns the personal token with that hash;
// account.ErrNotFound if none.
func (s *Store) PersonalTokenByHash(ctx context.Context, hash []byte) (*account.PersonalToken, error) {
	t := account.PersonalToken{Hash: hash}
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id, user_id, label, created_at, expires_at, revoked_at FROM personal_tokens WHERE hash = $1", hash).
			Scan(&t.ID, &t.UserID, &t.Label, (*sqldb.Time)(&t.CreatedAt), (*sqldb.Time)(&t.ExpiresAt), (*sqldb.Time)(&t.RevokedAt))
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, account.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read personal token: %w", err)
	}
	return &t, nil
}

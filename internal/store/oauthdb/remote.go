package oauthdb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/blason-badges/blason/internal/store/sqldb"
)

// The client side (Blason connecting its users to other hosts) keeps three
// things, each as an opaque sealed blob the caller encrypts
// (internal/obconnect seals them under the master key): Blason's
// registration at each host, the authorizations in flight (by the hash of
// their state), and each user's tokens at each host.

// ErrNoRemote reports a missing registration, pending authorization or
// connection.
var ErrNoRemote = errors.New("no such remote registration or connection")

// RemoteClient returns Blason's sealed registration at baseURL.
func (s *Store) RemoteClient(ctx context.Context, baseURL string) ([]byte, error) {
	var b []byte
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT sealed FROM ob_remote_clients WHERE base_url = $1", baseURL).Scan(&b)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoRemote
	}
	return b, err
}

// PutRemoteClient stores Blason's registration at baseURL unless one is
// there; it returns the one stored (two first connections at once agree).
func (s *Store) PutRemoteClient(ctx context.Context, baseURL string, sealed []byte) ([]byte, error) {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO ob_remote_clients (base_url, sealed, created_at) VALUES ($1, $2, $3) ON CONFLICT (base_url) DO NOTHING",
			baseURL, sealed, sqldb.Time(s.now()))
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.RemoteClient(ctx, baseURL)
}

// DeleteRemoteClient forgets a registration (the host refused it).
func (s *Store) DeleteRemoteClient(ctx context.Context, baseURL string) error {
	return s.exec(ctx, "DELETE FROM ob_remote_clients WHERE base_url = $1", baseURL)
}

// PutPending stores an authorization in flight until expires, and drops
// those expired at now.
func (s *Store) PutPending(ctx context.Context, stateHash, userID string, sealed []byte, now, expires time.Time) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM ob_remote_pending WHERE expires_at < $1", sqldb.Time(now)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO ob_remote_pending (state_hash, user_id, sealed, expires_at) VALUES ($1, $2, $3, $4)",
			stateHash, userID, sealed, sqldb.Time(expires))
		return err
	})
}

// TakePending removes and returns the authorization in flight with this
// state for userID: once only, and not if it expired before now.
func (s *Store) TakePending(ctx context.Context, stateHash, userID string, now time.Time) ([]byte, error) {
	var b []byte
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		var exp time.Time
		err := tx.QueryRowContext(ctx, "SELECT sealed, expires_at FROM ob_remote_pending WHERE state_hash = $1 AND user_id = $2",
			stateHash, userID).Scan(&b, (*sqldb.Time)(&exp))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM ob_remote_pending WHERE state_hash = $1", stateHash); err != nil {
			return err
		}
		if !exp.After(now) {
			b = nil
		}
		return nil
	})
	if errors.Is(err, sql.ErrNoRows) || (err == nil && b == nil) {
		return nil, ErrNoRemote
	}
	return b, err
}

// PutConnection stores (or replaces) userID's sealed tokens at baseURL.
func (s *Store) PutConnection(ctx context.Context, userID, baseURL string, sealed []byte) error {
	now := sqldb.Time(s.now())
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO ob_remote_connections (user_id, base_url, sealed, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
			ON CONFLICT (user_id, base_url) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at`, userID, baseURL, sealed, now)
		return err
	})
}

// Connection returns userID's sealed tokens at baseURL.
func (s *Store) Connection(ctx context.Context, userID, baseURL string) ([]byte, error) {
	var b []byte
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT sealed FROM ob_remote_connections WHERE user_id = $1 AND base_url = $2", userID, baseURL).Scan(&b)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoRemote
	}
	return b, err
}

// Connections lists the hosts userID is connected to.
func (s *Store) Connections(ctx context.Context, userID string) ([]string, error) {
	return sqldb.ReadAll(ctx, s.db, func(sc sqldb.Scanner) (u string, err error) {
		err = sc.Scan(&u)
		return u, err
	}, "SELECT base_url FROM ob_remote_connections WHERE user_id = $1 ORDER BY base_url", userID)
}

// DeleteConnection forgets userID's tokens at baseURL.
func (s *Store) DeleteConnection(ctx context.Context, userID, baseURL string) error {
	return s.exec(ctx, "DELETE FROM ob_remote_connections WHERE user_id = $1 AND base_url = $2", userID, baseURL)
}

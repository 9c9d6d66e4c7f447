package oauthdb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/blason-badges/blason/internal/store/sqldb"
)

// ErrNoProfile reports a user without a stored Open Badges Profile.
var ErrNoProfile = errors.New("no profile")

// Profile returns the Profile a user's apps put (OB 3.0 putProfile), as
// given.
func (s *Store) Profile(ctx context.Context, userID string) ([]byte, error) {
	var p string
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT profile FROM ob_profiles WHERE user_id = $1", userID).Scan(&p)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoProfile
	}
	return []byte(p), err
}

// PutProfile stores (or replaces) the user's Profile.
func (s *Store) PutProfile(ctx context.Context, userID string, profile []byte) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO ob_profiles (user_id, profile, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (user_id) DO UPDATE SET profile = excluded.profile, updated_at = excluded.updated_at`,
			userID, string(profile), sqldb.Time(s.now()))
		return err
	})
}

// DeleteUser forgets everything of the user's on this side: their
// Profile, the tokens they gave apps, and their connections to other
// hosts (an account deleted with its wallet).
func (s *Store) DeleteUser(ctx context.Context, userID string) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			"DELETE FROM ob_profiles WHERE user_id = $1",
			// A code's PKCE challenge is stored under the code's signature.
			"DELETE FROM oauth_pkce WHERE signature IN (SELECT signature FROM oauth_codes WHERE subject = $1)",
			"DELETE FROM oauth_access WHERE subject = $1",
			"DELETE FROM oauth_refresh WHERE subject = $1",
			"DELETE FROM oauth_codes WHERE subject = $1",
			"DELETE FROM ob_remote_connections WHERE user_id = $1",
			"DELETE FROM ob_remote_pending WHERE user_id = $1",
		} {
			if _, err := tx.ExecContext(ctx, q, userID); err != nil {
				return err
			}
		}
		return nil
	})
}

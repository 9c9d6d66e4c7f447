package issuerdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/issuer"
)

var _ issuer.KeyRotator = (*Store)(nil)

// RotateKey implements issuer.KeyRotator in one write transaction: the
// issuer's row takes next only if it still names retired's verification
// method (a concurrent rotation makes the second one fail, on both
// engines: the UPDATE's condition is the rule), and retired is recorded.
// A verification method or public key the issuer already had, current or
// retired, is refused: the primary and unique keys of issuer_keys back
// the check up.
func (s *Store) RotateKey(ctx context.Context, issuerID string, retired issuer.RetiredKey, next issuer.KeyRecord) error {
	if next.VerificationMethod == "" || len(next.SealedKey) == 0 || next.PublicKeyMultibase == "" {
		return fmt.Errorf("rotate key of %s: %w: incomplete new key", issuerID, issuer.ErrInvalid)
	}
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM issuer_keys WHERE issuer_id = $1
			AND (verification_method = $2 OR public_key_multibase = $3)`,
			issuerID, next.VerificationMethod, next.PublicKeyMultibase).Scan(&n); err != nil {
			return err
		}
		if n > 0 || next.VerificationMethod == retired.VerificationMethod || next.PublicKeyMultibase == retired.PublicKeyMultibase {
			return fmt.Errorf("%w: the new key %s was used before; a retired key is never used again", issuer.ErrKeyRotation, next.VerificationMethod)
		}
		res, err := tx.ExecContext(ctx, `UPDATE issuers SET key_type = $1, verification_method = $2, sealed_key = $3
			WHERE id = $4 AND verification_method = $5`,
			next.KeyType, next.VerificationMethod, next.SealedKey, issuerID, retired.VerificationMethod)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			var exists int
			if qerr := tx.QueryRowContext(ctx, sqlIssuerExists, issuerID).Scan(&exists); qerr == nil && exists == 0 {
				return issuer.ErrNotFound
			}
			return errors.Join(fmt.Errorf("%w: the key of %s changed meanwhile (another rotation came first)", issuer.ErrKeyRotation, issuerID), err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO issuer_keys (issuer_id, verification_method, key_type, public_key_multibase, retired_at)
			VALUES ($1, $2, $3, $4, $5)`,
			issuerID, retired.VerificationMethod, retired.KeyType, retired.PublicKeyMultibase, sqldb.Time(retired.RetiredAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("rotate key of %s: %w", issuerID, err)
	}
	return nil
}

// RetiredKeys implements issuer.KeyRotator.
func (s *Store) RetiredKeys(ctx context.Context, issuerID string) ([]issuer.RetiredKey, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT verification_method, key_type, public_key_multibase, retired_at
		FROM issuer_keys WHERE issuer_id = $1 ORDER BY retired_at, verification_method`, issuerID)
	if err != nil {
		return nil, fmt.Errorf("retired keys of %s: %w", issuerID, err)
	}
	defer rows.Close()
	var out []issuer.RetiredKey
	for rows.Next() {
		var r issuer.RetiredKey
		if err := rows.Scan(&r.VerificationMethod, &r.KeyType, &r.PublicKeyMultibase, (*sqldb.Time)(&r.RetiredAt)); err != nil {
			return nil, fmt.Errorf("retired keys of %s: %w", issuerID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("retired keys of %s: %w", issuerID, err)
	}
	return out, nil
}

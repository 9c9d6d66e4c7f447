// Package workspacedb is the issuer workspace's store (workspace.Store) on
// the one SQL layer (sqldb): SQLite or PostgreSQL, one set of queries.
package workspacedb

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/internal/workspace"
)

//go:embed migrations
var migrations embed.FS

// Component is the name the workspace's migrations are recorded under.
const Component = "workspace"

// Store implements workspace.Store.
type Store struct{ db *sqldb.DB }

var _ workspace.Store = (*Store)(nil)

// New migrates db and returns the store. The caller keeps db (and closes it).
func New(ctx context.Context, db *sqldb.DB) (*Store, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, Component, sub); err != nil {
		return nil, err
	}
	return &Store{db: db}, nil
}

func notFound(what, id string) error { return fmt.Errorf("%s %s: %w", what, id, workspace.ErrNotFound) }

// GetProfile implements workspace.Store.
func (s *Store) GetProfile(ctx context.Context, issuerID string) (*workspace.Profile, error) {
	p := &workspace.Profile{IssuerID: issuerID}
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT name, url, email, description, image_id, updated_at FROM ws_profiles WHERE issuer_id = $1", issuerID).
			Scan(&p.Name, &p.URL, &p.Email, &p.Description, &p.ImageID, (*sqldb.Time)(&p.UpdatedAt))
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("profile", issuerID)
	}
	return p, err
}

// PutProfile implements workspace.Store.
func (s *Store) PutProfile(ctx context.Context, p *workspace.Profile) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO ws_profiles (issuer_id, name, url, email, description, image_id, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (issuer_id) DO UPDATE SET name = excluded.name, url = excluded.url, email = excluded.email,
			description = excluded.description, image_id = excluded.image_id, updated_at = excluded.updated_at`,
			p.IssuerID, p.Name, p.URL, p.Email, p.Description, p.ImageID, sqldb.Time(p.UpdatedAt))
		return err
	})
}

// PutImage implements workspace.Store.
func (s *Store) PutImage(ctx context.Context, img *workspace.Image) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO ws_images (id, media_type, data, created_at) VALUES ($1, $2, $3, $4)",
			img.ID, img.MediaType, img.Data, sqldb.Time(img.CreatedAt))
		return err
	})
	if sqldb.IsUnique(err) {
		return fmt.Errorf("image %s: %w", img.ID, workspace.ErrExists)
	}
	return err
}

// GetImage implements workspace.Store.
func (s *Store) GetImage(ctx context.Context, id string) (*workspace.Image, error) {
	img := &workspace.Image{ID: id}
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT media_type, data, created_at FROM ws_images WHERE id = $1", id).
			Scan(&img.MediaType, &img.Data, (*sqldb.Time)(&img.CreatedAt))
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("image", id)
	}
	return img, err
}

const achCols = "id, issuer_id, lang, variant_group, name, doc, archived, version, created_at, updated_at"

func scanAchievement(sc interface{ Scan(...any) error }) (*workspace.Achievement, error) {
	a := &workspace.Achievement{}
	var doc string
	if err := sc.Scan(&a.ID, &a.IssuerID, &a.Lang, &a.Group, &a.Name, &doc, &a.Archived, &a.Version,
		(*sqldb.Time)(&a.CreatedAt), (*sqldb.Time)(&a.UpdatedAt)); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(doc), &a.AchievementDetails); err != nil {
		return nil, fmt.Errorf("achievement %s: stored details: %w", a.ID, err)
	}
	return a, nil
}

// CreateAchievement implements workspace.Store.
func (s *Store) CreateAchievement(ctx context.Context, a *workspace.Achievement) error {
	doc, err := json.Marshal(a.AchievementDetails)
	if err != nil {
		return err
	}
	err = s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO ws_achievements ("+achCols+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
			a.ID, a.IssuerID, a.Lang, a.Group, a.Name, string(doc), a.Archived, a.Version, sqldb.Time(a.CreatedAt), sqldb.Time(a.UpdatedAt))
		return err
	})
	if sqldb.IsUnique(err) {
		return fmt.Errorf("achievement %s: %w", a.ID, workspace.ErrExists)
	}
	return err
}

// UpdateAchievement implements workspace.Store.
func (s *Store) UpdateAchievement(ctx context.Context, a *workspace.Achievement) error {
	doc, err := json.Marshal(a.AchievementDetails)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE ws_achievements SET lang = $1, variant_group = $2, name = $3, doc = $4, archived = $5,
			version = version + 1, updated_at = $6 WHERE id = $7 AND version = $8`,
			a.Lang, a.Group, a.Name, string(doc), a.Archived, sqldb.Time(a.UpdatedAt), a.ID, a.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			var v int64
			if err := tx.QueryRowContext(ctx, "SELECT version FROM ws_achievements WHERE id = $1", a.ID).Scan(&v); errors.Is(err, sql.ErrNoRows) {
				return notFound("achievement", a.ID)
			}
			return fmt.Errorf("achievement %s: %w", a.ID, workspace.ErrConflict)
		}
		a.Version++
		return nil
	})
}

// GetAchievement implements workspace.Store.
func (s *Store) GetAchievement(ctx context.Context, id string) (*workspace.Achievement, error) {
	var a *workspace.Achievement
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		var err error
		a, err = scanAchievement(tx.QueryRowContext(ctx, "SELECT "+achCols+" FROM ws_achievements WHERE id = $1", id))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("achievement", id)
	}
	return a, err
}

func (s *Store) listAchievements(ctx context.Context, where string, args ...any) ([]*workspace.Achievement, error) {
	out, err := sqldb.ReadAll(ctx, s.db, scanAchievement, "SELECT "+achCols+" FROM ws_achievements WHERE "+where+" ORDER BY name, lang, id", args...)
	return out, err
}

// ListAchievements implements workspace.Store.
func (s *Store) ListAchievements(ctx context.Context, issuerID string, archived bool) ([]*workspace.Achievement, error) {
	return s.listAchievements(ctx, "issuer_id = $1 AND archived = $2", issuerID, archived)
}

// Variants implements workspace.Store.
func (s *Store) Variants(ctx context.Context, group string) ([]*workspace.Achievement, error) {
	return s.listAchievements(ctx, "variant_group = $1", group)
}

const awardCols = "credential_id, issuer_id, achievement_id, row_key, recipient_name, recipient_email, lang, state, source, line, created_at, issued_at"

func scanAward(sc interface{ Scan(...any) error }) (*workspace.AwardRecord, error) {
	r := &workspace.AwardRecord{}
	err := sc.Scan(&r.CredentialID, &r.IssuerID, &r.AchievementID, &r.RowKey, &r.Name, &r.Email, &r.Lang, &r.State, &r.Source, &r.Line,
		(*sqldb.Time)(&r.CreatedAt), (*sqldb.Time)(&r.IssuedAt))
	return r, err
}

// AwardsByKey implements workspace.Store.
func (s *Store) AwardsByKey(ctx context.Context, achievementID string, keys []string) (map[string]*workspace.AwardRecord, error) {
	out := map[string]*workspace.AwardRecord{}
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		// In chunks: a parameter list of 10,000 would exceed SQLite's limit.
		for start := 0; start < len(keys); start += 500 {
			chunk := keys[start:min(start+500, len(keys))]
			args := []any{achievementID}
			ph := make([]string, len(chunk))
			for i, k := range chunk {
				args = append(args, k)
				ph[i] = fmt.Sprintf("$%d", i+2)
			}
			rows, err := tx.QueryContext(ctx, "SELECT "+awardCols+" FROM ws_awards WHERE achievement_id = $1 AND row_key IN ("+strings.Join(ph, ",")+")", args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				r, err := scanAward(rows)
				if err != nil {
					rows.Close()
					return err
				}
				out[r.RowKey] = r
			}
			if err := rows.Close(); err != nil {
				return err
			}
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// AddPending implements workspace.Store.
func (s *Store) AddPending(ctx context.Context, recs []*workspace.AwardRecord) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, "INSERT INTO ws_awards ("+awardCols+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
		if err != nil {
			return err
		}
		defer st.Close()
		for _, r := range recs {
			if _, err := st.ExecContext(ctx, r.CredentialID, r.IssuerID, r.AchievementID, r.RowKey, r.Name, r.Email, r.Lang, r.State, r.Source, r.Line,
				sqldb.Time(r.CreatedAt), sqldb.Time(r.IssuedAt)); err != nil {
				if sqldb.IsUnique(err) {
					return fmt.Errorf("award of %s (line %d): %w", r.Email, r.Line, workspace.ErrExists)
				}
				return err
			}
		}
		return nil
	})
	return err
}

func (s *Store) awards(ctx context.Context, q string, args ...any) ([]*workspace.AwardRecord, error) {
	out, err := sqldb.ReadAll(ctx, s.db, scanAward, q, args...)
	return out, err
}

// Pending implements workspace.Store.
func (s *Store) Pending(ctx context.Context, achievementID string) ([]*workspace.AwardRecord, error) {
	return s.awards(ctx, "SELECT "+awardCols+" FROM ws_awards WHERE achievement_id = $1 AND state = $2 ORDER BY line, credential_id",
		achievementID, workspace.AwardPending)
}

// Complete implements workspace.Store.
func (s *Store) Complete(ctx context.Context, recs []*workspace.AwardRecord, claims []*workspace.Claim, mails []*workspace.Mail) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		up, err := tx.PrepareContext(ctx, "UPDATE ws_awards SET state = $1, issued_at = $2 WHERE credential_id = $3")
		if err != nil {
			return err
		}
		defer up.Close()
		for _, r := range recs {
			if _, err := up.ExecContext(ctx, r.State, sqldb.Time(r.IssuedAt), r.CredentialID); err != nil {
				return err
			}
		}
		cl, err := tx.PrepareContext(ctx, "INSERT INTO ws_claims (token_hash, credential_id, expires_at, claimed_at, holder) VALUES ($1, $2, $3, $4, $5)")
		if err != nil {
			return err
		}
		defer cl.Close()
		for _, c := range claims {
			if _, err := cl.ExecContext(ctx, c.TokenHash, c.CredentialID, sqldb.Time(c.ExpiresAt), sqldb.Time(c.ClaimedAt), c.Holder); err != nil {
				return err
			}
		}
		ml, err := tx.PrepareContext(ctx, insertMail)
		if err != nil {
			return err
		}
		defer ml.Close()
		for _, m := range mails {
			if _, err := ml.ExecContext(ctx, mailArgs(m)...); err != nil {
				return err
			}
		}
		return nil
	})
}

// DropPending implements workspace.Store.
func (s *Store) DropPending(ctx context.Context, ids []string) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, "DELETE FROM ws_awards WHERE credential_id = $1 AND state = $2", id, workspace.AwardPending); err != nil {
				return err
			}
		}
		return nil
	})
}

// GetAward implements workspace.Store.
func (s *Store) GetAward(ctx context.Context, credentialID string) (*workspace.AwardRecord, error) {
	out, err := s.awards(ctx, "SELECT "+awardCols+" FROM ws_awards WHERE credential_id = $1", credentialID)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, notFound("award", credentialID)
	}
	return out[0], nil
}

// Rebind implements workspace.Store.
func (s *Store) Rebind(ctx context.Context, oldID, newID string) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE ws_awards SET credential_id = $1 WHERE credential_id = $2", newID, oldID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE ws_outbox SET credential_id = $1 WHERE credential_id = $2", newID, oldID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "UPDATE ws_claims SET credential_id = $1 WHERE credential_id = $2", newID, oldID)
		return err
	})
}

// SearchAwards implements workspace.Store.
func (s *Store) SearchAwards(ctx context.Context, q workspace.AwardQuery) ([]*workspace.AwardRecord, int, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	add("state = ?", workspace.AwardIssued)
	if q.IssuerID != "" {
		add("issuer_id = ?", q.IssuerID)
	}
	if q.AchievementID != "" {
		add("achievement_id = ?", q.AchievementID)
	}
	if r := strings.ToLower(strings.TrimSpace(q.Recipient)); r != "" {
		// LIKE's wildcards in what a person typed are matched literally.
		esc := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(r)
		args = append(args, "%"+esc+"%")
		n := len(args)
		where = append(where, fmt.Sprintf(`(lower(recipient_name) LIKE $%d ESCAPE '\' OR lower(recipient_email) LIKE $%d ESCAPE '\')`, n, n))
	}
	if !q.From.IsZero() {
		add("created_at >= ?", sqldb.Time(q.From))
	}
	if !q.Until.IsZero() {
		add("created_at < ?", sqldb.Time(q.Until))
	}
	cond := strings.Join(where, " AND ")
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var total int
	var out []*workspace.AwardRecord
	err := s.db.Snapshot(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM ws_awards WHERE "+cond, args...).Scan(&total); err != nil {
			return err
		}
		var err error
		out, err = sqldb.All(ctx, tx, scanAward, fmt.Sprintf("SELECT %s FROM ws_awards WHERE %s ORDER BY created_at DESC, line DESC, credential_id LIMIT %d OFFSET %d",
			awardCols, cond, limit, max(q.Offset, 0)), args...)
		return err
	})
	return out, total, err
}

// GetClaim implements workspace.Store.
func (s *Store) GetClaim(ctx context.Context, tokenHash string) (*workspace.Claim, error) {
	c := &workspace.Claim{TokenHash: tokenHash}
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT credential_id, expires_at, claimed_at, holder FROM ws_claims WHERE token_hash = $1", tokenHash).
			Scan(&c.CredentialID, (*sqldb.Time)(&c.ExpiresAt), (*sqldb.Time)(&c.ClaimedAt), &c.Holder)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("claim", "")
	}
	return c, err
}

// UseClaim implements workspace.Store: one UPDATE whose condition is the
// rule (not used, not expired), so two requests racing for one link
// cannot both win.
func (s *Store) UseClaim(ctx context.Context, tokenHash, holder string, at time.Time) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE ws_claims SET claimed_at = $1, holder = $2 WHERE token_hash = $3 AND claimed_at IS NULL AND expires_at > $4",
			sqldb.Time(at), holder, tokenHash, sqldb.Time(at))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return workspace.ErrClaim
		}
		return nil
	})
}

const insertMail = "INSERT INTO ws_outbox (to_addr, subject, body, credential_id, attempts, next_at, last_error, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"

func mailArgs(m *workspace.Mail) []any {
	return []any{m.To, m.Subject, m.Body, m.CredentialID, m.Attempts, sqldb.Time(m.NextAt), m.LastError, sqldb.Time(m.CreatedAt)}
}

// EnqueueMail implements workspace.Store.
func (s *Store) EnqueueMail(ctx context.Context, m *workspace.Mail) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, insertMail, mailArgs(m)...)
		return err
	})
}

const mailCols = "id, to_addr, subject, body, credential_id, attempts, next_at, sent_at, last_error, created_at"

func scanMail(sc interface{ Scan(...any) error }) (*workspace.Mail, error) {
	m := &workspace.Mail{}
	err := sc.Scan(&m.ID, &m.To, &m.Subject, &m.Body, &m.CredentialID, &m.Attempts, (*sqldb.Time)(&m.NextAt), (*sqldb.Time)(&m.SentAt),
		&m.LastError, (*sqldb.Time)(&m.CreatedAt))
	return m, err
}

// LeaseMail implements workspace.Store.
func (s *Store) LeaseMail(ctx context.Context, now time.Time, lease time.Duration, n int) ([]*workspace.Mail, error) {
	var out []*workspace.Mail
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		q := "SELECT " + mailCols + " FROM ws_outbox WHERE sent_at IS NULL AND next_at <= $1 ORDER BY next_at, id LIMIT $2"
		if s.db.Engine == sqldb.Postgres {
			// Several serve processes: each leases different rows.
			q += " FOR UPDATE SKIP LOCKED"
		}
		rows, err := tx.QueryContext(ctx, q, sqldb.Time(now), n)
		if err != nil {
			return err
		}
		for rows.Next() {
			m, err := scanMail(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, m)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, m := range out {
			if _, err := tx.ExecContext(ctx, "UPDATE ws_outbox SET next_at = $1 WHERE id = $2", sqldb.Time(now.Add(lease)), m.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// MailSent implements workspace.Store. The body, which holds the claim
// link, is not kept once delivered.
func (s *Store) MailSent(ctx context.Context, id int64, at time.Time) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE ws_outbox SET sent_at = $1, attempts = attempts + 1, body = '', last_error = '' WHERE id = $2", sqldb.Time(at), id)
		return err
	})
}

// MailFailed implements workspace.Store.
func (s *Store) MailFailed(ctx context.Context, id int64, next time.Time, reason string) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE ws_outbox SET attempts = attempts + 1, next_at = $1, last_error = $2 WHERE id = $3", sqldb.Time(next), reason, id)
		return err
	})
}

// ReleaseMail implements workspace.Store.
func (s *Store) ReleaseMail(ctx context.Context, id int64, next time.Time) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE ws_outbox SET next_at = $1 WHERE id = $2 AND sent_at IS NULL", sqldb.Time(next), id)
		return err
	})
}

// Outbox implements workspace.Store.
func (s *Store) Outbox(ctx context.Context) (workspace.OutboxStats, error) {
	var st workspace.OutboxStats
	err := s.db.Snapshot(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT
			COALESCE(SUM(CASE WHEN sent_at IS NULL THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN sent_at IS NULL AND attempts > 0 THEN 1 ELSE 0 END), 0) FROM ws_outbox`).Scan(&st.Waiting, &st.Sent, &st.Failing)
	})
	return st, err
}

// Mails implements workspace.Store.
func (s *Store) Mails(ctx context.Context, credentialID string) ([]*workspace.Mail, error) {
	out, err := sqldb.ReadAll(ctx, s.db, scanMail, "SELECT "+mailCols+" FROM ws_outbox WHERE credential_id = $1 ORDER BY id", credentialID)
	return out, err
}

// PutMember implements workspace.Store.
func (s *Store) PutMember(ctx context.Context, m *workspace.Member) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO ws_members (issuer_id, email, role, added_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (issuer_id, email) DO UPDATE SET role = excluded.role`, m.IssuerID, m.Email, m.Role, sqldb.Time(m.AddedAt))
		return err
	})
}

// GetMember implements workspace.Store.
func (s *Store) GetMember(ctx context.Context, issuerID, email string) (*workspace.Member, error) {
	m := &workspace.Member{IssuerID: issuerID, Email: email}
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT role, added_at FROM ws_members WHERE issuer_id = $1 AND email = $2", issuerID, email).
			Scan(&m.Role, (*sqldb.Time)(&m.AddedAt))
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("member", email)
	}
	return m, err
}

// DeleteMember implements workspace.Store.
func (s *Store) DeleteMember(ctx context.Context, issuerID, email string) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM ws_members WHERE issuer_id = $1 AND email = $2", issuerID, email)
		return err
	})
}

// Members implements workspace.Store.
func (s *Store) Members(ctx context.Context, issuerID string) ([]*workspace.Member, error) {
	return sqldb.ReadAll(ctx, s.db, func(sc sqldb.Scanner) (*workspace.Member, error) {
		m := &workspace.Member{IssuerID: issuerID}
		return m, sc.Scan(&m.Email, &m.Role, (*sqldb.Time)(&m.AddedAt))
	}, "SELECT email, role, added_at FROM ws_members WHERE issuer_id = $1 ORDER BY email", issuerID)
}

// MembershipsOf implements workspace.Store.
func (s *Store) MembershipsOf(ctx context.Context, email string) ([]*workspace.Member, error) {
	return sqldb.ReadAll(ctx, s.db, func(sc sqldb.Scanner) (*workspace.Member, error) {
		m := &workspace.Member{Email: email}
		return m, sc.Scan(&m.IssuerID, &m.Role, (*sqldb.Time)(&m.AddedAt))
	}, "SELECT issuer_id, role, added_at FROM ws_members WHERE email = $1 ORDER BY issuer_id", email)
}

// Audit implements workspace.Store.
func (s *Store) Audit(ctx context.Context, e workspace.AuditEntry) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO ws_audit (at, issuer_id, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5, $6)",
			sqldb.Time(e.At), e.IssuerID, e.Actor, e.Action, e.Target, e.Detail)
		return err
	})
}

// AuditLog implements workspace.Store: newest first.
func (s *Store) AuditLog(ctx context.Context, issuerID string, limit int) ([]workspace.AuditEntry, error) {
	if limit <= 0 {
		limit = 100
	}
	return sqldb.ReadAll(ctx, s.db, func(sc sqldb.Scanner) (e workspace.AuditEntry, err error) {
		// Scan first: in "return e, sc.Scan(&e...)" e may be read before
		// the call fills it.
		err = sc.Scan(&e.ID, (*sqldb.Time)(&e.At), &e.IssuerID, &e.Actor, &e.Action, &e.Target, &e.Detail)
		return e, err
	}, "SELECT id, at, issuer_id, actor, action, target, detail FROM ws_audit WHERE issuer_id = $1 ORDER BY id DESC LIMIT $2", issuerID, limit)
}

var _ workspace.JobStore = (*Store)(nil)

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// PutJob implements workspace.JobStore: the job's row, made or replaced.
func (s *Store) PutJob(ctx context.Context, j *workspace.JobRecord) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO ws_jobs (id, issuer_id, actor, started_at, updated_at, done, total, ended, failed, awarded, already, skipped)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
			ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, done = excluded.done, total = excluded.total,
				ended = excluded.ended, failed = excluded.failed, awarded = excluded.awarded, already = excluded.already, skipped = excluded.skipped`,
			j.ID, j.IssuerID, j.Actor, sqldb.Time(j.Started), sqldb.Time(j.Updated), j.Done, j.Total, b2i(j.Ended), b2i(j.Failed),
			j.Awarded, j.Already, j.Skipped)
		return err
	})
}

// GetJob implements workspace.JobStore.
func (s *Store) GetJob(ctx context.Context, issuerID, id string) (*workspace.JobRecord, error) {
	j := &workspace.JobRecord{ID: id, IssuerID: issuerID}
	var ended, failed int
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT actor, started_at, updated_at, done, total, ended, failed, awarded, already, skipped
			FROM ws_jobs WHERE id = $1 AND issuer_id = $2`, id, issuerID).
			Scan(&j.Actor, (*sqldb.Time)(&j.Started), (*sqldb.Time)(&j.Updated), &j.Done, &j.Total, &ended, &failed, &j.Awarded, &j.Already, &j.Skipped)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("job", id)
	}
	if err != nil {
		return nil, err
	}
	j.Ended, j.Failed = ended == 1, failed == 1
	return j, nil
}

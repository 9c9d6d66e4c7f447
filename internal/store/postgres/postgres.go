// Package postgres is the issuer.Store on PostgreSQL, for deployments that
// outgrow one machine: several Blason processes may share the database.
//
// Locking (READ COMMITTED throughout, no retries needed):
//   - Award and AwardBatch lock the issuer's row (SELECT ... FOR NO KEY
//     UPDATE) first, so the awards of one issuer run one after the other:
//     reading the open lists' counters, starting new lists when they fill,
//     and advancing the counters (UPDATE ... WHERE used = <as read>, which
//     must hit its row) can neither hand out an index twice nor start two
//     lists. Awards of different issuers run in parallel. UNIQUE (list_id,
//     idx) backs this up in the schema.
//   - ChangeStatus locks the credential row (FOR UPDATE), then flips the
//     bit with one UPDATE of the list row (which locks it), so concurrent
//     changes to the same list never lose a bit. Neither path waits for a
//     lock the other holds while holding one the other waits for: no
//     deadlocks.
//
// Times are timestamptz: they round-trip to the microsecond.
package postgres

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/blason-badges/blason/internal/store"
	"github.com/blason-badges/blason/issuer"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the pg_advisory_xact_lock key that serialises migrations
// of concurrent Open calls.
const migrationLock = 0x626c61736f6e // "blason"

// Store is the PostgreSQL issuer.Store. It is safe for concurrent use, also
// from several processes.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

var _ issuer.Store = (*Store)(nil)

// Open connects to dsn (a libpq URL or key=value string; pgxpool options
// such as pool_max_conns apply) and applies any pending migrations in the
// connection's current schema.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	s := &Store{pool: pool, now: time.Now}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	return s, nil
}

// Close closes the connection pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

func (s *Store) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return errors.New("no embedded migrations")
	}
	sort.Strings(names)
	return s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrationLock)); err != nil {
			return fmt.Errorf("lock migrations: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		for _, name := range names {
			base := strings.TrimPrefix(name, "migrations/")
			version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
			if err != nil {
				return fmt.Errorf("migration %s: name must start with a number: %w", base, err)
			}
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM schema_migrations WHERE version = $1", version).Scan(&n); err != nil {
				return fmt.Errorf("migration %s: %w", base, err)
			}
			if n > 0 {
				continue
			}
			body, err := migrations.ReadFile(name)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", base, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", version, base); err != nil {
				return fmt.Errorf("migration %s: %w", base, err)
			}
		}
		return nil
	})
}

// tx runs fn in a READ COMMITTED transaction and commits if it returns nil.
func (s *Store) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// ts maps the zero time to NULL.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// fromTS maps NULL to the zero time and returns UTC.
func fromTS(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// CreateIssuer records a new issuer; ErrExists if the id is taken.
func (s *Store) CreateIssuer(ctx context.Context, r *issuer.IssuerRecord) error {
	if r == nil || r.ID == "" {
		return fmt.Errorf("create issuer: %w: empty id", store.ErrInvalid)
	}
	profile, err := json.Marshal(r.Profile)
	if err != nil {
		return fmt.Errorf("create issuer: %w", err)
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO issuers (id, profile, key_type, verification_method, sealed_key, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
		r.ID, string(profile), r.KeyType, r.VerificationMethod, nonNil(r.SealedKey), ts(r.CreatedAt))
	if err != nil {
		return fmt.Errorf("create issuer %s: %w", r.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("create issuer %s: %w", r.ID, issuer.ErrExists)
	}
	return nil
}

const issuerColumns = "id, profile, key_type, verification_method, sealed_key, created_at"

func scanIssuer(row pgx.Row) (*issuer.IssuerRecord, error) {
	var (
		r       issuer.IssuerRecord
		profile []byte
		created *time.Time
	)
	if err := row.Scan(&r.ID, &profile, &r.KeyType, &r.VerificationMethod, &r.SealedKey, &created); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(profile, &r.Profile); err != nil {
		return nil, fmt.Errorf("stored profile: %w", err)
	}
	r.CreatedAt = fromTS(created)
	return &r, nil
}

// GetIssuer returns ErrNotFound for an unknown id.
func (s *Store) GetIssuer(ctx context.Context, id string) (*issuer.IssuerRecord, error) {
	r, err := scanIssuer(s.pool.QueryRow(ctx, "SELECT "+issuerColumns+" FROM issuers WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("get issuer %s: %w", id, issuer.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get issuer %s: %w", id, err)
	}
	return r, nil
}

// ListIssuers returns all issuers, oldest first.
func (s *Store) ListIssuers(ctx context.Context) ([]*issuer.IssuerRecord, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+issuerColumns+" FROM issuers ORDER BY created_at NULLS FIRST, id")
	if err != nil {
		return nil, fmt.Errorf("list issuers: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*issuer.IssuerRecord, error) { return scanIssuer(row) })
	if err != nil {
		return nil, fmt.Errorf("list issuers: %w", err)
	}
	return out, nil
}

// Award allocates one status slot per purpose and records the credential
// build returns, in one transaction that holds the issuer's row lock: it is
// AwardBatch of one.
func (s *Store) Award(ctx context.Context, issuerID string, purposes []issuer.StatusPurpose, listSize int,
	build func(slots []issuer.StatusSlot) (*issuer.CredentialRecord, error)) (*issuer.CredentialRecord, error) {
	if err := store.CheckAward(issuerID, purposes, listSize); err != nil {
		return nil, fmt.Errorf("award: %w", err)
	}
	recs, err := s.award(ctx, issuerID, purposes, listSize, 1, store.One(build))
	if err != nil {
		return nil, fmt.Errorf("award for %s: %w", issuerID, err)
	}
	return recs[0], nil
}

// AwardBatch allocates n slots per purpose and records the n credentials
// build returns, in one transaction that holds the issuer's row lock. The
// slots of each purpose come from the issuer's newest list for that purpose
// that is not full, whatever its size, and then from new lists of listSize.
func (s *Store) AwardBatch(ctx context.Context, issuerID string, purposes []issuer.StatusPurpose, listSize, n int,
	build func(slots [][]issuer.StatusSlot) ([]*issuer.CredentialRecord, error)) ([]*issuer.CredentialRecord, error) {
	if err := store.CheckBatch(issuerID, purposes, listSize, n); err != nil {
		return nil, fmt.Errorf("award batch: %w", err)
	}
	recs, err := s.award(ctx, issuerID, purposes, listSize, n, build)
	if err != nil {
		return nil, fmt.Errorf("award batch of %d for %s: %w", n, issuerID, err)
	}
	return recs, nil
}

// Award's statements. The records and their slots go in one INSERT each,
// from arrays (unnest ... WITH ORDINALITY, in the batch's order, so that seq
// follows it), whatever the batch size.
const (
	sqlLockIssuer = "SELECT 1 FROM issuers WHERE id = $1 FOR NO KEY UPDATE"
	sqlOpenList   = `SELECT id, size, used, key FROM status_lists
		WHERE issuer_id = $1 AND purpose = $2 AND used < size ORDER BY seq DESC LIMIT 1`
	sqlAdvanceList = "UPDATE status_lists SET used = $2 WHERE id = $1 AND used = $3"
	sqlCreateList  = `INSERT INTO status_lists (id, issuer_id, purpose, size, used, key, bits, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`
	sqlInsertCredentials = `INSERT INTO credentials (id, issuer_id, achievement_id, recipient_email, recipient_did, status,
			valid_from, valid_until, issued_at, document)
		SELECT id, $2, achievement_id, recipient_email, recipient_did, 'active', valid_from, valid_until, issued_at, document
		FROM unnest($1::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::bytea[])
			WITH ORDINALITY AS r(id, achievement_id, recipient_email, recipient_did, valid_from, valid_until, issued_at, document, ord)
		ORDER BY ord
		ON CONFLICT (id) DO NOTHING`
	sqlInsertSlots = `INSERT INTO credential_slots (credential_id, position, list_id, purpose, idx)
		SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::int[])`
)

// award is Award and AwardBatch, arguments checked. Round trips: BEGIN; the
// issuer's row lock and the open lists (one pipeline); after build, the
// counters, new lists, records and slots (one pipeline); COMMIT. The list
// rows are locked (by the counter UPDATEs) only in that last pipeline, not
// while build runs, so status changes on those lists do not wait for build.
func (s *Store) award(ctx context.Context, issuerID string, purposes []issuer.StatusPurpose, listSize, n int,
	build func(slots [][]issuer.StatusSlot) ([]*issuer.CredentialRecord, error)) ([]*issuer.CredentialRecord, error) {
	var out []*issuer.CredentialRecord
	err := s.tx(ctx, func(tx pgx.Tx) error {
		a, err := s.allocate(ctx, tx, issuerID, purposes, listSize, n)
		if err != nil {
			return err
		}
		recs, err := build(store.CloneSlots(a.Slots))
		if err != nil {
			return fmt.Errorf("build credential: %w", err)
		}
		if recs, err = store.PrepareRecords(recs, n, issuerID, a.Slots); err != nil {
			return err
		}
		b := &pgx.Batch{}
		now := s.now()
		for _, u := range a.Lists {
			if l := u.New; l != nil {
				b.Queue(sqlCreateList, l.ID, issuerID, string(l.Purpose), l.Size, l.Used, l.Key, l.Bits, l.Version, now)
			} else {
				b.Queue(sqlAdvanceList, u.ID, u.To, u.From)
			}
		}
		var (
			ids, achievements, emails, dids = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
			from, until, issued             = make([]pgtype.Timestamptz, n), make([]pgtype.Timestamptz, n), make([]pgtype.Timestamptz, n)
			docs                            = make([][]byte, n)
			slotCred, slotList, slotPurpose []string
			slotPos, slotIdx                []int32
		)
		for i, r := range recs {
			ids[i], achievements[i], emails[i], dids[i] = r.ID, r.AchievementID, r.RecipientEmail, r.RecipientDID
			from[i], until[i], issued[i] = pgTS(r.ValidFrom), pgTS(r.ValidUntil), pgTS(r.IssuedAt)
			docs[i] = nonNil(r.Document)
			for pos, sl := range r.Slots {
				slotCred = append(slotCred, r.ID)
				slotPos = append(slotPos, int32(pos))
				slotList = append(slotList, sl.ListID)
				slotPurpose = append(slotPurpose, string(sl.Purpose))
				slotIdx = append(slotIdx, int32(sl.Index))
			}
		}
		b.Queue(sqlInsertCredentials, ids, issuerID, achievements, emails, dids, from, until, issued, docs)
		if len(slotCred) > 0 {
			b.Queue(sqlInsertSlots, slotCred, slotPos, slotList, slotPurpose, slotIdx)
		}
		br := tx.SendBatch(ctx, b)
		defer br.Close()
		for _, u := range a.Lists {
			tag, err := br.Exec()
			switch {
			case err != nil && u.New != nil:
				return fmt.Errorf("create status list: %w", err)
			case err != nil:
				return fmt.Errorf("advance status list: %w", err)
			case u.New == nil && tag.RowsAffected() != 1:
				return fmt.Errorf("advance status list %s: counter moved under the issuer's lock", u.ID)
			}
		}
		tag, err := br.Exec()
		if err != nil {
			return fmt.Errorf("insert credentials: %w", err)
		}
		if k := tag.RowsAffected(); k != int64(n) {
			// ON CONFLICT (id) DO NOTHING skipped a record: its id is taken.
			if n == 1 {
				return fmt.Errorf("credential %s: %w", ids[0], issuer.ErrExists)
			}
			return fmt.Errorf("%d of %d credential ids: %w", int64(n)-k, n, issuer.ErrExists)
		}
		if len(slotCred) > 0 {
			if tag, err := br.Exec(); err != nil || tag.RowsAffected() != int64(len(slotCred)) {
				return fmt.Errorf("insert status slots: %d of %d rows, %w", tag.RowsAffected(), len(slotCred), err)
			}
		}
		if err := br.Close(); err != nil {
			return fmt.Errorf("insert credentials: %w", err)
		}
		out = recs
		return nil
	})
	return out, err
}

// pgTS maps the zero time to NULL.
func pgTS(t time.Time) pgtype.Timestamptz {
	return pgtype.Timestamptz{Time: t, Valid: !t.IsZero()}
}

// allocate locks the issuer's row and reads its open list of each purpose
// (one pipeline, which the server runs in order: under READ COMMITTED each
// read takes its snapshot after the lock is granted, so it sees the counters
// the previous holder committed), then allocates n slots per purpose
// (store.Allocate). The caller writes the counters and new lists.
func (s *Store) allocate(ctx context.Context, tx pgx.Tx, issuerID string, purposes []issuer.StatusPurpose, listSize, n int) (*store.Allocation, error) {
	b := &pgx.Batch{}
	b.Queue(sqlLockIssuer, issuerID)
	for _, p := range purposes {
		b.Queue(sqlOpenList, issuerID, string(p))
	}
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	var one int
	err := br.QueryRow().Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("issuer %s: %w", issuerID, issuer.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("lock issuer: %w", err)
	}
	open := make([]*store.OpenList, len(purposes))
	for j := range purposes {
		var o store.OpenList
		err := br.QueryRow().Scan(&o.ID, &o.Size, &o.Used, &o.Key)
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("find status list: %w", err)
		}
		open[j] = &o
	}
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("find status lists: %w", err)
	}
	return store.Allocate(issuerID, purposes, open, listSize, n)
}

const credentialColumns = `id, issuer_id, achievement_id, recipient_email, recipient_did, status,
	valid_from, valid_until, issued_at, document`

func scanCredential(row pgx.Row) (*issuer.CredentialRecord, error) {
	var (
		r                     issuer.CredentialRecord
		from, until, issuedAt *time.Time
	)
	if err := row.Scan(&r.ID, &r.IssuerID, &r.AchievementID, &r.RecipientEmail, &r.RecipientDID, &r.Status,
		&from, &until, &issuedAt, &r.Document); err != nil {
		return nil, err
	}
	r.ValidFrom, r.ValidUntil, r.IssuedAt = fromTS(from), fromTS(until), fromTS(issuedAt)
	if r.Document == nil {
		r.Document = []byte{}
	}
	return &r, nil
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func getCredential(ctx context.Context, q querier, id string, lock bool) (*issuer.CredentialRecord, error) {
	query := "SELECT " + credentialColumns + " FROM credentials WHERE id = $1"
	if lock {
		query += " FOR UPDATE"
	}
	r, err := scanCredential(q.QueryRow(ctx, query, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("credential %s: %w", id, issuer.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, "SELECT list_id, purpose, idx FROM credential_slots WHERE credential_id = $1 ORDER BY position", id)
	if err != nil {
		return nil, err
	}
	slots, err := pgx.CollectRows(rows, scanSlot)
	if err != nil {
		return nil, err
	}
	if len(slots) > 0 {
		r.Slots = slots
	}
	return r, nil
}

func scanSlot(row pgx.CollectableRow) (issuer.StatusSlot, error) {
	var (
		sl      issuer.StatusSlot
		purpose string
	)
	err := row.Scan(&sl.ListID, &purpose, &sl.Index)
	sl.Purpose = issuer.StatusPurpose(purpose)
	return sl, err
}

// GetCredential returns ErrNotFound for an unknown id.
func (s *Store) GetCredential(ctx context.Context, id string) (*issuer.CredentialRecord, error) {
	var r *issuer.CredentialRecord
	err := s.readTx(ctx, func(tx pgx.Tx) (err error) {
		r, err = getCredential(ctx, tx, id, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get credential: %w", err)
	}
	return r, nil
}

// readTx runs fn in a REPEATABLE READ, READ ONLY transaction: one snapshot.
func (s *Store) readTx(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// ListCredentials returns an issuer's credentials, newest (last awarded)
// first, and their total count. A negative offset counts as 0; limit <= 0
// means no limit.
func (s *Store) ListCredentials(ctx context.Context, issuerID string, offset, limit int) ([]*issuer.CredentialRecord, int, error) {
	offset = max(offset, 0)
	var lim any // NULL: no limit
	if limit > 0 {
		lim = limit
	}
	var (
		out   []*issuer.CredentialRecord
		total int
	)
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM credentials WHERE issuer_id = $1", issuerID).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT "+credentialColumns+` FROM credentials WHERE issuer_id = $1
			ORDER BY seq DESC LIMIT $2 OFFSET $3`, issuerID, lim, offset)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (*issuer.CredentialRecord, error) { return scanCredential(row) })
		if err != nil || len(out) == 0 {
			return err
		}
		ids := make([]string, len(out))
		byID := make(map[string]*issuer.CredentialRecord, len(out))
		for i, r := range out {
			ids[i] = r.ID
			byID[r.ID] = r
		}
		srows, err := tx.Query(ctx, `SELECT credential_id, list_id, purpose, idx FROM credential_slots
			WHERE credential_id = ANY($1) ORDER BY credential_id, position`, ids)
		if err != nil {
			return err
		}
		defer srows.Close()
		for srows.Next() {
			var (
				cid, purpose string
				sl           issuer.StatusSlot
			)
			if err := srows.Scan(&cid, &sl.ListID, &purpose, &sl.Index); err != nil {
				return err
			}
			sl.Purpose = issuer.StatusPurpose(purpose)
			if r := byID[cid]; r != nil {
				r.Slots = append(r.Slots, sl)
			}
		}
		return srows.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list credentials of %s: %w", issuerID, err)
	}
	return out, total, nil
}

// pgBit converts a Bitstring Status List index (bit 0 = most significant
// bit of byte 0) to PostgreSQL's get_bit/set_bit numbering of bytea (bit 0
// = least significant bit of byte 0).
func pgBit(i int) int { return i/8*8 + 7 - i%8 }

// ChangeStatus applies ev in one transaction: the list bit, its Version and
// UpdatedAt, the credential's status, and the event. Repeating the action
// that led to the current state (revoking a revoked credential, suspending a
// suspended one) changes nothing, records no event, and returns the record.
// An event without a time is stamped with the store's clock.
func (s *Store) ChangeStatus(ctx context.Context, ev issuer.StatusEvent) (*issuer.CredentialRecord, error) {
	if ev.At.IsZero() {
		ev.At = s.now()
	}
	var out *issuer.CredentialRecord
	err := s.tx(ctx, func(tx pgx.Tx) error {
		rec, err := getCredential(ctx, tx, ev.CredentialID, true)
		if err != nil {
			return err
		}
		ch, err := store.Decide(rec.Status, rec.Slots, ev.Action)
		if err != nil {
			return err
		}
		out = rec
		if ch.NoOp {
			return nil
		}
		if ch.Slot != nil {
			want := 0
			if ch.Set {
				want = 1
			}
			// The UPDATE locks the list row: concurrent changes to other
			// bits of the same list queue here and never lose a bit.
			if _, err := tx.Exec(ctx, `UPDATE status_lists SET bits = set_bit(bits, $2, $3), version = version + 1, updated_at = $4
				WHERE id = $1 AND $2 < size AND get_bit(bits, $2) <> $3`,
				ch.Slot.ListID, pgBit(ch.Slot.Index), want, s.now()); err != nil {
				return fmt.Errorf("update status list %s: %w", ch.Slot.ListID, err)
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE credentials SET status = $2 WHERE id = $1", rec.ID, ch.Status); err != nil {
			return fmt.Errorf("update credential: %w", err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO status_events (credential_id, action, reason, actor, at) VALUES ($1, $2, $3, $4, $5)",
			rec.ID, ev.Action, ev.Reason, ev.Actor, ev.At); err != nil {
			return fmt.Errorf("record event: %w", err)
		}
		rec.Status = ch.Status
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", ev.Action, ev.CredentialID, err)
	}
	return out, nil
}

// Events returns a credential's status changes, oldest first; ErrNotFound
// for an unknown credential.
func (s *Store) Events(ctx context.Context, credentialID string) ([]issuer.StatusEvent, error) {
	var out []issuer.StatusEvent
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM credentials WHERE id = $1", credentialID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return issuer.ErrNotFound
		}
		rows, err := tx.Query(ctx, "SELECT credential_id, action, reason, actor, at FROM status_events WHERE credential_id = $1 ORDER BY seq", credentialID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (issuer.StatusEvent, error) {
			var (
				ev issuer.StatusEvent
				at *time.Time
			)
			err := row.Scan(&ev.CredentialID, &ev.Action, &ev.Reason, &ev.Actor, &at)
			ev.At = fromTS(at)
			return ev, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("events of %s: %w", credentialID, err)
	}
	return out, nil
}

const listColumns = "id, issuer_id, purpose, size, used, key, bits, version, created_at, updated_at"

func scanList(row pgx.Row) (*issuer.StatusList, error) {
	var (
		l                issuer.StatusList
		purpose          string
		created, updated *time.Time
	)
	if err := row.Scan(&l.ID, &l.IssuerID, &purpose, &l.Size, &l.Used, &l.Key, &l.Bits, &l.Version, &created, &updated); err != nil {
		return nil, err
	}
	l.Purpose = issuer.StatusPurpose(purpose)
	l.CreatedAt, l.UpdatedAt = fromTS(created), fromTS(updated)
	return &l, nil
}

// GetStatusList returns ErrNotFound for an unknown list. UpdatedAt is the
// time of the last bit change (or of creation).
func (s *Store) GetStatusList(ctx context.Context, id string) (*issuer.StatusList, error) {
	l, err := scanList(s.pool.QueryRow(ctx, "SELECT "+listColumns+" FROM status_lists WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("get status list %s: %w", id, issuer.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get status list %s: %w", id, err)
	}
	return l, nil
}

// ListStatusLists returns an issuer's lists, oldest first.
func (s *Store) ListStatusLists(ctx context.Context, issuerID string) ([]*issuer.StatusList, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+listColumns+" FROM status_lists WHERE issuer_id = $1 ORDER BY seq", issuerID)
	if err != nil {
		return nil, fmt.Errorf("list status lists of %s: %w", issuerID, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*issuer.StatusList, error) { return scanList(row) })
	if err != nil {
		return nil, fmt.Errorf("list status lists of %s: %w", issuerID, err)
	}
	return out, nil
}

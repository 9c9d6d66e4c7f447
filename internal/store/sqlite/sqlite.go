// Package sqlite is the embedded issuer.Store, the default: one SQLite file
// through the pure-Go modernc.org/sqlite driver (no cgo).
//
// Durability and concurrency:
//   - The database is in WAL mode with synchronous=FULL: every commit is
//     synced to disk before it returns, so an award the server acknowledged
//     survives an OS crash or power loss too, not only a crash of the
//     process (synchronous=NORMAL, often used with WAL, may roll back the last
//     commits before a checkpoint; issue 7). Its cost is one fsync per
//     write transaction; AwardBatch amortises it over up to 1,000 awards.
//   - All writes go through one connection, and every write transaction
//     starts with BEGIN IMMEDIATE: it takes SQLite's write lock up front, so
//     two writers never both hold a read snapshot and then deadlock trying
//     to upgrade (SQLITE_BUSY). Other processes opening the same file wait
//     for the lock (busy_timeout, 10 s).
//   - Reads use a separate pool of connections; WAL lets them run alongside
//     the writer, each read transaction on one consistent snapshot.
//
// The file is created with mode 0600 (SQLite gives its -wal and -shm files
// the same mode).
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/blason-badges/blason/internal/store"
	"github.com/blason-badges/blason/issuer"
)

//go:embed migrations/*.sql
var migrations embed.FS

// BusyTimeout is how long a write waits for another process's write lock.
const BusyTimeout = 10 * time.Second

// Store is the SQLite issuer.Store. It is safe for concurrent use.
type Store struct {
	w *sql.DB // exactly one connection; every transaction is BEGIN IMMEDIATE
	r *sql.DB // readers
	// now is the clock for times the store sets itself (list creation,
	// bit changes, events without a time).
	now func() time.Time
	// Award's statements, prepared once on the writer connection (parsing
	// SQL was a third of an award's time); a batch binds each to its
	// transaction once and reuses it for every record.
	stmts map[string]*sql.Stmt
}

const (
	sqlIssuerExists = "SELECT count(*) FROM issuers WHERE id = ?"
	sqlOpenList     = `SELECT id, size, used, key FROM status_lists
		WHERE issuer_id = ? AND purpose = ? AND used < size ORDER BY seq DESC LIMIT 1`
	sqlAdvanceList      = "UPDATE status_lists SET used = ? WHERE id = ? AND used = ?"
	sqlInsertCredential = `INSERT INTO credentials (id, issuer_id, achievement_id, recipient_email,
		recipient_did, status, valid_from, valid_until, issued_at, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`
	sqlInsertSlot = `INSERT INTO credential_slots (credential_id, position, list_id, purpose, idx)
		VALUES (?, ?, ?, ?, ?)`
)

// stmt returns the prepared statement for query bound to tx.
func (s *Store) stmt(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	return tx.StmtContext(ctx, s.stmts[query])
}

var _ issuer.Store = (*Store)(nil)

// Open opens (creating if needed, with mode 0600) the database at path and
// applies any pending migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || strings.ContainsRune(path, '?') || strings.HasPrefix(path, "file:") || path == ":memory:" {
		return nil, fmt.Errorf("open sqlite store: %w: path %q (need a plain file path without '?')", store.ErrInvalid, path)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}
	common := "_pragma=busy_timeout(" + strconv.FormatInt(BusyTimeout.Milliseconds(), 10) + ")" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"
	w, err := sql.Open("sqlite", path+"?"+common+"&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s := &Store{w: w, now: time.Now, stmts: map[string]*sql.Stmt{}}
	// The writer opens first: it switches the file to WAL before any reader.
	if err := s.migrate(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	for _, q := range []string{sqlIssuerExists, sqlOpenList, sqlAdvanceList, sqlInsertCredential, sqlInsertSlot} {
		st, err := w.PrepareContext(ctx, q)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("open sqlite store %s: prepare: %w", path, err)
		}
		s.stmts[q] = st
	}
	r, err := sql.Open("sqlite", path+"?"+common+"&_pragma=query_only(1)&_txlock=deferred")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	s.r = r
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	var errs []error
	for _, st := range s.stmts {
		errs = append(errs, st.Close())
	}
	return errors.Join(append(errs, s.r.Close(), s.w.Close())...)
}

// migrate applies the embedded migrations not yet recorded in
// schema_migrations, in order, each in its own write transaction.
func (s *Store) migrate(ctx context.Context) error {
	var mode string
	if err := s.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("read journal mode: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal mode is %q, not wal", mode)
	}
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return errors.New("no embedded migrations")
	}
	sort.Strings(names)
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number: %w", base, err)
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		err = s.write(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE version = ?", version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				version, base, encodeTime(s.now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
	}
	return nil
}

// write runs fn in a write transaction (BEGIN IMMEDIATE) and commits it if
// fn returns nil.
func (s *Store) write(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// read runs fn in a read transaction: one consistent snapshot.
func (s *Store) read(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// Times are stored as fixed-width UTC text, exact to the nanosecond; NULL is
// the zero time.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func encodeTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeLayout)
}

func checkTime(what string, t time.Time) error {
	if t.IsZero() {
		return nil
	}
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return fmt.Errorf("%w: %s %v outside years 1-9999", store.ErrInvalid, what, t)
	}
	return nil
}

func decodeTime(v sql.NullString) (time.Time, error) {
	if !v.Valid {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, v.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", v.String, err)
	}
	return t.UTC(), nil
}

// CreateIssuer records a new issuer; ErrExists if the id is taken.
func (s *Store) CreateIssuer(ctx context.Context, r *issuer.IssuerRecord) error {
	if r == nil || r.ID == "" {
		return fmt.Errorf("create issuer: %w: empty id", store.ErrInvalid)
	}
	if err := checkTime("created_at", r.CreatedAt); err != nil {
		return fmt.Errorf("create issuer: %w", err)
	}
	profile, err := json.Marshal(r.Profile)
	if err != nil {
		return fmt.Errorf("create issuer: %w", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM issuers WHERE id = ?", r.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return issuer.ErrExists
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO issuers (id, profile, key_type, verification_method, sealed_key, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`,
			r.ID, string(profile), r.KeyType, r.VerificationMethod, nonNil(r.SealedKey), encodeTime(r.CreatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("create issuer %s: %w", r.ID, err)
	}
	return nil
}

const issuerColumns = "id, profile, key_type, verification_method, sealed_key, created_at"

func scanIssuer(row interface{ Scan(...any) error }) (*issuer.IssuerRecord, error) {
	var (
		r       issuer.IssuerRecord
		profile string
		created sql.NullString
	)
	if err := row.Scan(&r.ID, &profile, &r.KeyType, &r.VerificationMethod, &r.SealedKey, &created); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(profile), &r.Profile); err != nil {
		return nil, fmt.Errorf("stored profile: %w", err)
	}
	var err error
	if r.CreatedAt, err = decodeTime(created); err != nil {
		return nil, err
	}
	return &r, nil
}

// GetIssuer returns ErrNotFound for an unknown id.
func (s *Store) GetIssuer(ctx context.Context, id string) (*issuer.IssuerRecord, error) {
	r, err := scanIssuer(s.r.QueryRowContext(ctx, "SELECT "+issuerColumns+" FROM issuers WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("get issuer %s: %w", id, issuer.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get issuer %s: %w", id, err)
	}
	return r, nil
}

// ListIssuers returns all issuers, oldest first.
func (s *Store) ListIssuers(ctx context.Context) ([]*issuer.IssuerRecord, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+issuerColumns+" FROM issuers ORDER BY created_at, id")
	if err != nil {
		return nil, fmt.Errorf("list issuers: %w", err)
	}
	defer rows.Close()
	var out []*issuer.IssuerRecord
	for rows.Next() {
		r, err := scanIssuer(rows)
		if err != nil {
			return nil, fmt.Errorf("list issuers: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list issuers: %w", err)
	}
	return out, nil
}

// Award allocates one status slot per purpose and records the credential
// build returns, all in one write transaction: it is AwardBatch of one.
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
// build returns, all in one write transaction (BEGIN IMMEDIATE: the write
// lock is held from the allocation to the commit, build included). The
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

// award is Award and AwardBatch, arguments checked.
func (s *Store) award(ctx context.Context, issuerID string, purposes []issuer.StatusPurpose, listSize, n int,
	build func(slots [][]issuer.StatusSlot) ([]*issuer.CredentialRecord, error)) ([]*issuer.CredentialRecord, error) {
	var out []*issuer.CredentialRecord
	err := s.write(ctx, func(tx *sql.Tx) error {
		var exists int
		if err := s.stmt(ctx, tx, sqlIssuerExists).QueryRowContext(ctx, issuerID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return fmt.Errorf("issuer %s: %w", issuerID, issuer.ErrNotFound)
		}
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
		for i, rec := range recs {
			for what, t := range map[string]time.Time{"valid_from": rec.ValidFrom, "valid_until": rec.ValidUntil, "issued_at": rec.IssuedAt} {
				if err := checkTime(what, t); err != nil {
					return fmt.Errorf("record %d: %w", i, err)
				}
			}
		}
		insCred, insSlot := s.stmt(ctx, tx, sqlInsertCredential), s.stmt(ctx, tx, sqlInsertSlot)
		defer insCred.Close()
		defer insSlot.Close()
		for _, rec := range recs {
			res, err := insCred.ExecContext(ctx,
				rec.ID, rec.IssuerID, rec.AchievementID, rec.RecipientEmail, rec.RecipientDID, rec.Status,
				encodeTime(rec.ValidFrom), encodeTime(rec.ValidUntil), encodeTime(rec.IssuedAt), nonNil(rec.Document))
			if err != nil {
				return fmt.Errorf("insert credential: %w", err)
			}
			if k, err := res.RowsAffected(); err != nil || k != 1 {
				if err != nil {
					return fmt.Errorf("insert credential: %w", err)
				}
				return fmt.Errorf("credential %s: %w", rec.ID, issuer.ErrExists)
			}
			for pos, sl := range rec.Slots {
				if _, err := insSlot.ExecContext(ctx, rec.ID, pos, sl.ListID, string(sl.Purpose), sl.Index); err != nil {
					return fmt.Errorf("insert status slot: %w", err)
				}
			}
		}
		out = recs
		return nil
	})
	return out, err
}

// allocate reads the issuer's open list of each purpose, allocates n slots
// per purpose (store.Allocate), and writes the lists' new counters and the
// lists it started. The caller holds the write lock.
func (s *Store) allocate(ctx context.Context, tx *sql.Tx, issuerID string, purposes []issuer.StatusPurpose, listSize, n int) (*store.Allocation, error) {
	open := make([]*store.OpenList, len(purposes))
	find := s.stmt(ctx, tx, sqlOpenList)
	defer find.Close()
	for j, p := range purposes {
		var o store.OpenList
		err := find.QueryRowContext(ctx, issuerID, string(p)).Scan(&o.ID, &o.Size, &o.Used, &o.Key)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("find status list: %w", err)
		}
		open[j] = &o
	}
	a, err := store.Allocate(issuerID, purposes, open, listSize, n)
	if err != nil {
		return nil, err
	}
	now := encodeTime(s.now())
	for _, u := range a.Lists {
		if l := u.New; l != nil {
			if _, err := tx.ExecContext(ctx, `INSERT INTO status_lists (id, issuer_id, purpose, size, used, key, bits, version, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, l.ID, issuerID, string(l.Purpose), l.Size, l.Used, l.Key, l.Bits, l.Version, now, now); err != nil {
				return nil, fmt.Errorf("create status list: %w", err)
			}
			continue
		}
		res, err := s.stmt(ctx, tx, sqlAdvanceList).ExecContext(ctx, u.To, u.ID, u.From)
		if err != nil {
			return nil, fmt.Errorf("advance status list: %w", err)
		}
		if k, err := res.RowsAffected(); err != nil || k != 1 {
			return nil, fmt.Errorf("advance status list %s: counter moved under the write lock (%d rows, %v)", u.ID, k, err)
		}
	}
	return a, nil
}

const credentialColumns = `id, issuer_id, achievement_id, recipient_email, recipient_did, status,
	valid_from, valid_until, issued_at, document`

func scanCredential(row interface{ Scan(...any) error }) (*issuer.CredentialRecord, error) {
	var (
		r                     issuer.CredentialRecord
		from, until, issuedAt sql.NullString
		err                   error
	)
	if err := row.Scan(&r.ID, &r.IssuerID, &r.AchievementID, &r.RecipientEmail, &r.RecipientDID, &r.Status,
		&from, &until, &issuedAt, &r.Document); err != nil {
		return nil, err
	}
	if r.ValidFrom, err = decodeTime(from); err != nil {
		return nil, err
	}
	if r.ValidUntil, err = decodeTime(until); err != nil {
		return nil, err
	}
	if r.IssuedAt, err = decodeTime(issuedAt); err != nil {
		return nil, err
	}
	if r.Document == nil {
		r.Document = []byte{}
	}
	return &r, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func getCredential(ctx context.Context, q querier, id string) (*issuer.CredentialRecord, error) {
	r, err := scanCredential(q.QueryRowContext(ctx, "SELECT "+credentialColumns+" FROM credentials WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("credential %s: %w", id, issuer.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, "SELECT list_id, purpose, idx FROM credential_slots WHERE credential_id = ? ORDER BY position", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var sl issuer.StatusSlot
		if err := rows.Scan(&sl.ListID, &sl.Purpose, &sl.Index); err != nil {
			return nil, err
		}
		r.Slots = append(r.Slots, sl)
	}
	return r, rows.Err()
}

// GetCredential returns ErrNotFound for an unknown id.
func (s *Store) GetCredential(ctx context.Context, id string) (*issuer.CredentialRecord, error) {
	var r *issuer.CredentialRecord
	err := s.read(ctx, func(tx *sql.Tx) (err error) {
		r, err = getCredential(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get credential: %w", err)
	}
	return r, nil
}

// ListCredentials returns an issuer's credentials, newest (last awarded)
// first, and their total count. A negative offset counts as 0; limit <= 0
// means no limit.
func (s *Store) ListCredentials(ctx context.Context, issuerID string, offset, limit int) ([]*issuer.CredentialRecord, int, error) {
	offset = max(offset, 0)
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	var (
		out   []*issuer.CredentialRecord
		total int
	)
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM credentials WHERE issuer_id = ?", issuerID).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, "SELECT "+credentialColumns+` FROM credentials WHERE issuer_id = ?
			ORDER BY seq DESC LIMIT ? OFFSET ?`, issuerID, limit, offset)
		if err != nil {
			return err
		}
		defer rows.Close()
		byID := map[string]*issuer.CredentialRecord{}
		for rows.Next() {
			r, err := scanCredential(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
			byID[r.ID] = r
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if len(out) == 0 {
			return nil
		}
		srows, err := tx.QueryContext(ctx, `SELECT credential_id, list_id, purpose, idx FROM credential_slots
			WHERE credential_id IN (SELECT id FROM credentials WHERE issuer_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?)
			ORDER BY credential_id, position`, issuerID, limit, offset)
		if err != nil {
			return err
		}
		defer srows.Close()
		for srows.Next() {
			var (
				cid string
				sl  issuer.StatusSlot
			)
			if err := srows.Scan(&cid, &sl.ListID, &sl.Purpose, &sl.Index); err != nil {
				return err
			}
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

// ChangeStatus applies ev in one write transaction: the list bit, its
// Version and UpdatedAt, the credential's status, and the event. Repeating
// the action that led to the current state (revoking a revoked credential,
// suspending a suspended one) changes nothing, records no event, and returns
// the record. An event without a time is stamped with the store's clock.
func (s *Store) ChangeStatus(ctx context.Context, ev issuer.StatusEvent) (*issuer.CredentialRecord, error) {
	if ev.At.IsZero() {
		ev.At = s.now()
	}
	if err := checkTime("event time", ev.At); err != nil {
		return nil, fmt.Errorf("change status: %w", err)
	}
	var out *issuer.CredentialRecord
	err := s.write(ctx, func(tx *sql.Tx) error {
		rec, err := getCredential(ctx, tx, ev.CredentialID)
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
			var (
				bits []byte
				size int
			)
			if err := tx.QueryRowContext(ctx, "SELECT bits, size FROM status_lists WHERE id = ?", ch.Slot.ListID).Scan(&bits, &size); err != nil {
				return fmt.Errorf("status list %s: %w", ch.Slot.ListID, err)
			}
			if ch.Slot.Index < 0 || ch.Slot.Index >= size || len(bits)*8 != size {
				return fmt.Errorf("status list %s: index %d outside %d bits", ch.Slot.ListID, ch.Slot.Index, len(bits)*8)
			}
			if store.Bit(bits, ch.Slot.Index) != ch.Set {
				store.SetBit(bits, ch.Slot.Index, ch.Set)
				if _, err := tx.ExecContext(ctx, "UPDATE status_lists SET bits = ?, version = version + 1, updated_at = ? WHERE id = ?",
					bits, encodeTime(s.now()), ch.Slot.ListID); err != nil {
					return fmt.Errorf("update status list: %w", err)
				}
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE credentials SET status = ? WHERE id = ?", ch.Status, rec.ID); err != nil {
			return fmt.Errorf("update credential: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO status_events (credential_id, action, reason, actor, at) VALUES (?, ?, ?, ?, ?)",
			rec.ID, ev.Action, ev.Reason, ev.Actor, encodeTime(ev.At)); err != nil {
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
	err := s.read(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM credentials WHERE id = ?", credentialID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return issuer.ErrNotFound
		}
		rows, err := tx.QueryContext(ctx, "SELECT credential_id, action, reason, actor, at FROM status_events WHERE credential_id = ? ORDER BY seq", credentialID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				ev issuer.StatusEvent
				at sql.NullString
			)
			if err := rows.Scan(&ev.CredentialID, &ev.Action, &ev.Reason, &ev.Actor, &at); err != nil {
				return err
			}
			if ev.At, err = decodeTime(at); err != nil {
				return err
			}
			out = append(out, ev)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("events of %s: %w", credentialID, err)
	}
	return out, nil
}

const listColumns = "id, issuer_id, purpose, size, used, key, bits, version, created_at, updated_at"

func scanList(row interface{ Scan(...any) error }) (*issuer.StatusList, error) {
	var (
		l                issuer.StatusList
		created, updated sql.NullString
		err              error
	)
	if err := row.Scan(&l.ID, &l.IssuerID, &l.Purpose, &l.Size, &l.Used, &l.Key, &l.Bits, &l.Version, &created, &updated); err != nil {
		return nil, err
	}
	if l.CreatedAt, err = decodeTime(created); err != nil {
		return nil, err
	}
	if l.UpdatedAt, err = decodeTime(updated); err != nil {
		return nil, err
	}
	return &l, nil
}

// GetStatusList returns ErrNotFound for an unknown list. UpdatedAt is the
// time of the last bit change (or of creation).
func (s *Store) GetStatusList(ctx context.Context, id string) (*issuer.StatusList, error) {
	l, err := scanList(s.r.QueryRowContext(ctx, "SELECT "+listColumns+" FROM status_lists WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("get status list %s: %w", id, issuer.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get status list %s: %w", id, err)
	}
	return l, nil
}

// ListStatusLists returns an issuer's lists, oldest first.
func (s *Store) ListStatusLists(ctx context.Context, issuerID string) ([]*issuer.StatusList, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+listColumns+" FROM status_lists WHERE issuer_id = ? ORDER BY seq", issuerID)
	if err != nil {
		return nil, fmt.Errorf("list status lists of %s: %w", issuerID, err)
	}
	defer rows.Close()
	var out []*issuer.StatusList
	for rows.Next() {
		l, err := scanList(rows)
		if err != nil {
			return nil, fmt.Errorf("list status lists of %s: %w", issuerID, err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list status lists of %s: %w", issuerID, err)
	}
	return out, nil
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

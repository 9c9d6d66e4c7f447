// Package issuerdb is the issuer.Store on sqldb: issuers, status lists,
// credentials with their status slots, and status events, on SQLite (the
// embedded default) or PostgreSQL, with every query written once.
//
// Engine-specific code is confined to the two transactions whose locking
// makes the store correct, the award and the status change:
//
//   - SQLite has one writer: every write transaction is BEGIN IMMEDIATE on
//     sqldb's single write connection, so an award reads the open lists'
//     counters and advances them with no other writer in between, and a
//     status change reads a list's bits and writes them back the same way.
//     The hot statements are prepared once on that connection.
//   - PostgreSQL is shared by several processes (READ COMMITTED, no
//     retries). An award locks the issuer's row (SELECT ... FOR NO KEY
//     UPDATE) first, so the awards of one issuer run one after the other:
//     reading the open lists' counters, starting new lists when they fill,
//     and advancing the counters (UPDATE ... WHERE used = <as read>, which
//     must hit its row) can neither hand out an index twice nor start two
//     lists; awards of different issuers run in parallel. UNIQUE (list_id,
//     idx) backs this up in the schema. A status change locks the
//     credential's row (FOR UPDATE), then flips the bit with one UPDATE of
//     the list row (set_bit, which locks that row), so concurrent changes to
//     one list never lose a bit. Neither path waits for a lock the other
//     holds while holding one the other waits for: no deadlocks.
//
// Times are sqldb.Time: exact to the nanosecond on SQLite, to the
// microsecond on PostgreSQL.
package issuerdb

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"sync"
	"time"

	"github.com/blason-badges/blason/internal/status"
	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/issuer"
)

// Component is the name of this package's migrations in schema_versions.
const Component = "issuer"

//go:embed migrations
var migrations embed.FS

// legacy maps the versions of the first stores' schema_migrations that
// created these tables to this component's versions.
var legacy = map[int]int{1: 1}

// Store is the issuer.Store on a *sqldb.DB. It is safe for concurrent use,
// and on PostgreSQL from several processes.
type Store struct {
	db *sqldb.DB
	// now is the clock for times the store sets itself (list creation,
	// bit changes, events without a time).
	now func() time.Time
	// stmts are the award's statements, prepared once on SQLite's writer
	// connection (parsing SQL was a third of an award's time). On
	// PostgreSQL pgx caches prepared statements per connection itself.
	stmts map[string]*sql.Stmt
	// reads are the one-row reads every award or verification makes (the
	// issuer; a status list's version), prepared once on SQLite's reader
	// pool: preparing them was half their cost.
	reads map[string]*sql.Stmt
	// writes coalesce the write steps of concurrent awards (SQLite).
	writes coalescer[write]
}

const (
	sqlGetIssuer   = "SELECT " + issuerColumns + " FROM issuers WHERE id = $1"
	sqlListVersion = "SELECT version FROM status_lists WHERE id = $1"
)

var _ issuer.Store = (*Store)(nil)

// Open migrates db's issuer tables (adopting a database made by the first
// stores) and returns the issuer. Closing the store does not close db.
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
	s := &Store{db: db, now: time.Now, stmts: map[string]*sql.Stmt{}, reads: map[string]*sql.Stmt{}}
	if db.Engine == sqldb.SQLite {
		for _, q := range []string{sqlGetIssuer, sqlListVersion} {
			st, err := db.R.PrepareContext(ctx, q)
			if err != nil {
				s.Close()
				return nil, fmt.Errorf("open issuer store: prepare: %w", err)
			}
			s.reads[q] = st
		}
		for _, q := range []string{sqlIssuerExists, sqlOpenList, sqlAdvanceList, sqlInsertCredential, sqlInsertSlot} {
			st, err := db.W.PrepareContext(ctx, q)
			if err != nil {
				s.Close()
				return nil, fmt.Errorf("open issuer store: prepare: %w", err)
			}
			s.stmts[q] = st
		}
	}
	return s, nil
}

// Close releases the prepared statements; it does not close the database.
func (s *Store) Close() error {
	var errs []error
	for _, st := range s.stmts {
		errs = append(errs, st.Close())
	}
	for _, st := range s.reads {
		errs = append(errs, st.Close())
	}
	return errors.Join(errs...)
}

// stmt is a statement bound to a transaction.
type stmt interface {
	ExecContext(ctx context.Context, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, args ...any) *sql.Row
}

// text is a statement run as text (PostgreSQL: pgx prepares and caches it
// on the connection, with no extra round trip).
type text struct {
	tx    *sql.Tx
	query string
}

func (t text) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.query, args...)
}

func (t text) QueryRowContext(ctx context.Context, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.query, args...)
}

// stmt returns query bound to tx: prepared once (SQLite) or as text.
func (s *Store) stmt(ctx context.Context, tx *sql.Tx, query string) stmt {
	if st := s.stmts[query]; st != nil {
		return tx.StmtContext(ctx, st)
	}
	return text{tx, query}
}

// readRow runs a one-row read outside a transaction: prepared (SQLite) or
// as text.
func (s *Store) readRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := s.reads[query]; st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.db.R.QueryRowContext(ctx, query, args...)
}

// one adapts Award's build to AwardBatch's, for an Award that is a batch of
// one.
func one(build func(slots []issuer.StatusSlot) (*issuer.CredentialRecord, error)) func([][]issuer.StatusSlot) ([]*issuer.CredentialRecord, error) {
	return func(slots [][]issuer.StatusSlot) ([]*issuer.CredentialRecord, error) {
		rec, err := build(slots[0])
		if err != nil {
			return nil, err
		}
		return []*issuer.CredentialRecord{rec}, nil
	}
}

// cloneSlots returns a deep copy of slots, for build (which may keep or
// change what it is given).
func cloneSlots(slots [][]issuer.StatusSlot) [][]issuer.StatusSlot {
	out := make([][]issuer.StatusSlot, len(slots))
	for i, s := range slots {
		out[i] = append([]issuer.StatusSlot(nil), s...)
	}
	return out
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

type scanner = sqldb.Scanner

// CreateIssuer records a new issuer; ErrExists if the id is taken.
func (s *Store) CreateIssuer(ctx context.Context, r *issuer.IssuerRecord) error {
	if r == nil || r.ID == "" {
		return fmt.Errorf("create issuer: %w: empty id", issuer.ErrInvalid)
	}
	profile, err := json.Marshal(r.Profile)
	if err != nil {
		return fmt.Errorf("create issuer: %w", err)
	}
	err = s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO issuers (id, profile, key_type, verification_method, sealed_key, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
			r.ID, string(profile), r.KeyType, r.VerificationMethod, nonNil(r.SealedKey), sqldb.Time(r.CreatedAt))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errors.Join(issuer.ErrExists, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create issuer %s: %w", r.ID, err)
	}
	return nil
}

const issuerColumns = "id, profile, key_type, verification_method, sealed_key, created_at"

func scanIssuer(row scanner) (*issuer.IssuerRecord, error) {
	var (
		r       issuer.IssuerRecord
		profile string
	)
	if err := row.Scan(&r.ID, &profile, &r.KeyType, &r.VerificationMethod, &r.SealedKey, (*sqldb.Time)(&r.CreatedAt)); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(profile), &r.Profile); err != nil {
		return nil, fmt.Errorf("stored profile: %w", err)
	}
	return &r, nil
}

// GetIssuer returns ErrNotFound for an unknown id.
func (s *Store) GetIssuer(ctx context.Context, id string) (*issuer.IssuerRecord, error) {
	// One statement: no transaction around it (every award reads its
	// issuer; BEGIN and COMMIT were a tenth of an award's store time).
	r, err := scanIssuer(s.readRow(ctx, sqlGetIssuer, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("get issuer %s: %w", id, issuer.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get issuer %s: %w", id, err)
	}
	return r, nil
}

// ListIssuers returns all issuers, oldest first (those without a creation
// time first).
func (s *Store) ListIssuers(ctx context.Context) ([]*issuer.IssuerRecord, error) {
	out, err := sqldb.ReadAll(ctx, s.db, scanIssuer, "SELECT "+issuerColumns+" FROM issuers ORDER BY created_at IS NOT NULL, created_at, id")
	if err != nil {
		return nil, fmt.Errorf("list issuers: %w", err)
	}
	return out, nil
}

// Award allocates one status slot per purpose and records the credential
// build returns, all in one write transaction: it is AwardBatch of one.
func (s *Store) Award(ctx context.Context, issuerID string, purposes []issuer.StatusPurpose, listSize int,
	build func(slots []issuer.StatusSlot) (*issuer.CredentialRecord, error)) (*issuer.CredentialRecord, error) {
	if err := issuer.CheckAward(issuerID, purposes, listSize); err != nil {
		return nil, fmt.Errorf("award: %w", err)
	}
	recs, err := s.award(ctx, issuerID, purposes, listSize, 1, one(build))
	if err != nil {
		return nil, fmt.Errorf("award for %s: %w", issuerID, err)
	}
	return recs[0], nil
}

// AwardBatch allocates n slots per purpose and records the n credentials
// build returns, all in one write transaction. The slots of each purpose
// come from the issuer's newest list for that purpose that is not full,
// whatever its size, and then from new lists of listSize.
func (s *Store) AwardBatch(ctx context.Context, issuerID string, purposes []issuer.StatusPurpose, listSize, n int,
	build func(slots [][]issuer.StatusSlot) ([]*issuer.CredentialRecord, error)) ([]*issuer.CredentialRecord, error) {
	if err := issuer.CheckBatch(issuerID, purposes, listSize, n); err != nil {
		return nil, fmt.Errorf("award batch: %w", err)
	}
	recs, err := s.award(ctx, issuerID, purposes, listSize, n, build)
	if err != nil {
		return nil, fmt.Errorf("award batch of %d for %s: %w", n, issuerID, err)
	}
	return recs, nil
}

// The award's statements.
const (
	// sqlIssuerExists is SQLite's; PostgreSQL locks the row (sqlLockIssuer).
	sqlIssuerExists = "SELECT count(*) FROM issuers WHERE id = $1"
	sqlLockIssuer   = "SELECT count(*) FROM (SELECT 1 FROM issuers WHERE id = $1 FOR NO KEY UPDATE) x"
	sqlOpenList     = `SELECT id, size, used, key FROM status_lists
		WHERE issuer_id = $1 AND purpose = $2 AND used < size ORDER BY seq DESC LIMIT 1`
	sqlAdvanceList = "UPDATE status_lists SET used = $1 WHERE id = $2 AND used = $3"
	sqlCreateList  = `INSERT INTO status_lists (id, issuer_id, purpose, size, used, key, bits, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`
	sqlInsertCredential = `INSERT INTO credentials (id, issuer_id, achievement_id, recipient_email,
		recipient_did, status, valid_from, valid_until, issued_at, document) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (id) DO NOTHING`
	sqlInsertSlot = `INSERT INTO credential_slots (credential_id, position, list_id, purpose, idx)
		VALUES ($1, $2, $3, $4, $5)`
	// PostgreSQL inserts a batch's records and slots in one statement each,
	// from arrays (unnest ... WITH ORDINALITY, in the batch's order, so that
	// seq follows it): one round trip, whatever the batch size.
	sqlInsertCredentials = `INSERT INTO credentials (id, issuer_id, achievement_id, recipient_email, recipient_did, status,
			valid_from, valid_until, issued_at, document)
		SELECT id, $2, achievement_id, recipient_email, recipient_did, 'active',
			NULLIF(valid_from, '')::timestamptz, NULLIF(valid_until, '')::timestamptz, NULLIF(issued_at, '')::timestamptz, document
		FROM unnest($1::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bytea[])
			WITH ORDINALITY AS r(id, achievement_id, recipient_email, recipient_did, valid_from, valid_until, issued_at, document, ord)
		ORDER BY ord
		ON CONFLICT (id) DO NOTHING`
	sqlInsertSlots = `INSERT INTO credential_slots (credential_id, position, list_id, purpose, idx)
		SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::int[])`
)

// award is Award and AwardBatch, arguments checked, in two short write
// transactions with build between them, outside both:
//
//  1. reserve: check (SQLite) or lock (PostgreSQL) the issuer, allocate
//     the slots, advance the lists' counters (or start lists), commit
//     (unsynced: sqldb.DB.WriteUnsynced). From here on the slots are never
//     handed out again, whatever happens next.
//  2. build: sign and verify, holding no lock, so that other awards and
//     status changes proceed meanwhile (and, on PostgreSQL, other
//     processes' awards of the same issuer).
//  3. record: insert the records and their slots, all or nothing.
//
// On SQLite the reservations and records of the awards writing at the
// same moment share one transaction (writeShared).
//
// A failure or crash after 1 leaves reserved slots unused: gaps in the
// lists, whose bits are never set, which nobody can tell from slots of
// revoked-never credentials. A slot is never used twice: the counters
// only move forward under the lock, and UNIQUE (list_id, idx) refuses a
// second record of one.
func (s *Store) award(ctx context.Context, issuerID string, purposes []issuer.StatusPurpose, listSize, n int,
	build func(slots [][]issuer.StatusSlot) ([]*issuer.CredentialRecord, error)) ([]*issuer.CredentialRecord, error) {
	var a *issuer.Allocation
	// The reservation is not synced (reservation.synced says why): one
	// flush per award, not two.
	if s.db.Engine == sqldb.Postgres {
		err := s.db.WriteUnsynced(ctx, func(tx *sql.Tx) (err error) {
			if a, err = s.allocate(ctx, tx, issuerID, purposes, listSize, n); err != nil {
				return err
			}
			return s.writeLists(ctx, tx, issuerID, a)
		})
		if err != nil {
			return nil, err
		}
	} else {
		r := &reservation{issuerID: issuerID, purposes: purposes, listSize: listSize, n: n}
		if err := s.writeShared(ctx, r); err != nil {
			return nil, err
		}
		a = r.alloc
	}
	recs, err := build(cloneSlots(a.Slots))
	if err != nil {
		return nil, fmt.Errorf("build credential: %w", err)
	}
	if recs, err = issuer.PrepareRecords(recs, n, issuerID, a.Slots); err != nil {
		return nil, err
	}
	if s.db.Engine == sqldb.Postgres {
		err = s.db.Write(ctx, func(tx *sql.Tx) error { return insertArrays(ctx, tx, issuerID, recs) })
	} else {
		err = s.writeShared(ctx, recording(recs))
	}
	if err != nil {
		return nil, err
	}
	return recs, nil
}

// waiter is one award's (or batch's) part of a step that concurrent
// SQLite awards share: its request, and where its outcome goes.
type waiter[T any] struct {
	ctx  context.Context // the award's own: cancelled before its turn, it is skipped
	req  T
	done chan error    // the award's outcome
	lead chan struct{} // this award runs the pending requests
}

// coalescer runs the steps of concurrent SQLite awards (reserving slots,
// recording credentials) for all of them in one write transaction.
// SQLite has one writer: transactions queue one behind another anyway,
// and sharing one saves each its BEGIN, COMMIT and log writes (and, for a
// synced commit, its disk flush). Each award stays all or nothing on its
// own, in a savepoint: one that fails is rolled back and fails alone.
//
// The first award to arrive while no transaction of this step runs leads:
// it takes every pending request, runs them, and hands the lead to the
// first that arrived meanwhile. The transaction does not stop when the
// leader's request is cancelled: it carries others too. An award cancelled
// before the transaction that would carry it begins is skipped (its
// context's error); one cancelled after is carried through.
type coalescer[T any] struct {
	mu      sync.Mutex
	pending []*waiter[T]
	busy    bool // a leader is running the step
}

// do runs req with the requests pending at the same moment: run is called
// by the leader with all of them and must answer each exactly once (it
// may send nothing only by panicking, in which case do answers them).
func (c *coalescer[T]) do(ctx context.Context, req T, run func(ctx context.Context, ws []*waiter[T])) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	w := &waiter[T]{ctx: ctx, req: req, done: make(chan error, 1), lead: make(chan struct{}, 1)}
	c.mu.Lock()
	c.pending = append(c.pending, w)
	if !c.busy {
		c.busy = true
		w.lead <- struct{}{}
	}
	c.mu.Unlock()
	select {
	case err := <-w.done:
		return err
	case <-w.lead:
	}
	c.mu.Lock()
	batch := c.pending
	c.pending = nil
	c.mu.Unlock()
	func() {
		// Hand the lead on however the step ends, a panic included:
		// awards arriving later must not wait for a leader that is gone.
		defer func() {
			c.mu.Lock()
			if len(c.pending) > 0 {
				c.pending[0].lead <- struct{}{}
			} else {
				c.busy = false
			}
			c.mu.Unlock()
		}()
		answered := false
		defer func() {
			if !answered { // a panic: no award waits forever for its outcome
				for _, w := range batch {
					w.done <- errors.New("the shared transaction did not complete")
				}
			}
		}()
		run(context.WithoutCancel(ctx), batch)
		answered = true
	}()
	return <-w.done
}

// shared runs each waiter's step in its own savepoint of tx, skipping
// those cancelled before: errs[i] is waiter i's own outcome. An error
// returned (a savepoint statement failing) fails the whole transaction.
func shared[T any](ctx context.Context, tx *sql.Tx, ws []*waiter[T], errs []error, step func(w *waiter[T]) error) error {
	if len(ws) == 1 {
		// Alone (one caller at a time): the transaction is the savepoint.
		if errs[0] = ws[0].ctx.Err(); errs[0] == nil {
			errs[0] = step(ws[0])
		}
		return errs[0]
	}
	for i, w := range ws {
		if errs[i] = w.ctx.Err(); errs[i] != nil {
			continue
		}
		if _, err := tx.ExecContext(ctx, "SAVEPOINT award"); err != nil {
			return err
		}
		if errs[i] = step(w); errs[i] != nil {
			if _, err := tx.ExecContext(ctx, "ROLLBACK TO award"); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "RELEASE award"); err != nil {
			return err
		}
	}
	return nil
}

// answer tells each waiter its outcome: the transaction's error if it
// failed (nothing was committed), else its own.
func answer[T any](ws []*waiter[T], errs []error, txErr error) {
	for i, w := range ws {
		if txErr != nil {
			w.done <- txErr
		} else {
			w.done <- errs[i]
		}
	}
}

// write is one award's step that SQLite awards share a transaction for:
// reserving its slots, or recording its credentials.
type write interface {
	run(ctx context.Context, s *Store, tx *sql.Tx) error
	// synced: the step must be on disk before the award goes on.
	synced() bool
}

// reservation is one award's request for slots, and its outcome.
type reservation struct {
	issuerID string
	purposes []issuer.StatusPurpose
	listSize int
	n        int
	alloc    *issuer.Allocation
}

func (r *reservation) run(ctx context.Context, s *Store, tx *sql.Tx) (err error) {
	if r.alloc, err = s.allocate(ctx, tx, r.issuerID, r.purposes, r.listSize, r.n); err != nil {
		return err
	}
	return s.writeLists(ctx, tx, r.issuerID, r.alloc)
}

// A reservation need not reach the disk by itself: its slots are handed
// out only once a credential using them is recorded by a synced commit,
// which (the log being written in order) makes the reservation durable
// too. A machine crash before that loses only a reservation nothing used.
func (r *reservation) synced() bool { return false }

// recording is one award's (or batch's) records.
type recording []*issuer.CredentialRecord

func (r recording) run(ctx context.Context, s *Store, tx *sql.Tx) error {
	return s.insertRows(ctx, tx, r)
}

func (r recording) synced() bool { return true }

// writeShared runs w in a write transaction shared with the awards
// writing at the same moment (coalescer): their reservations and their
// records together, each in turn, exactly as in a transaction of its own
// (so the lists' counters still count the slots handed out), and one
// award's failure (a duplicate id: ErrExists) fails it alone. The
// transaction is synced (one disk flush for all) when it carries a
// record. It returns once w is committed (and flushed, for a record), or
// failed.
func (s *Store) writeShared(ctx context.Context, w write) error {
	return s.writes.do(ctx, w, func(ctx context.Context, ws []*waiter[write]) {
		errs := make([]error, len(ws))
		commit := s.db.WriteUnsynced
		for _, w := range ws {
			if w.req.synced() {
				commit = s.db.Write
				break
			}
		}
		err := commit(ctx, func(tx *sql.Tx) error {
			return shared(ctx, tx, ws, errs, func(w *waiter[write]) error { return w.req.run(ctx, s, tx) })
		})
		answer(ws, errs, err)
	})
}

// allocate checks (SQLite) or locks (PostgreSQL) the issuer, reads its open
// list of each purpose, and allocates n slots per purpose
// (issuer.Allocate). Under READ COMMITTED each read after the lock takes its
// snapshot after the lock was granted, so it sees the counters the previous
// holder committed.
func (s *Store) allocate(ctx context.Context, tx *sql.Tx, issuerID string, purposes []issuer.StatusPurpose, listSize, n int) (*issuer.Allocation, error) {
	check := sqlIssuerExists
	if s.db.Engine == sqldb.Postgres {
		check = sqlLockIssuer
	}
	var exists int
	if err := s.stmt(ctx, tx, check).QueryRowContext(ctx, issuerID).Scan(&exists); err != nil {
		return nil, fmt.Errorf("lock issuer: %w", err)
	}
	if exists == 0 {
		return nil, fmt.Errorf("issuer %s: %w", issuerID, issuer.ErrNotFound)
	}
	open := make([]*issuer.OpenList, len(purposes))
	find := s.stmt(ctx, tx, sqlOpenList)
	for j, p := range purposes {
		var o issuer.OpenList
		err := find.QueryRowContext(ctx, issuerID, string(p)).Scan(&o.ID, &o.Size, &o.Used, &o.Key)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("find status list: %w", err)
		}
		open[j] = &o
	}
	return issuer.Allocate(issuerID, purposes, open, listSize, n)
}

// writeLists inserts the lists the allocation started and advances the
// counters of the others; a counter that moved under the lock is an error
// (it cannot, unless the locking is broken).
func (s *Store) writeLists(ctx context.Context, tx *sql.Tx, issuerID string, a *issuer.Allocation) error {
	now := sqldb.Time(s.now())
	for _, u := range a.Lists {
		if l := u.New; l != nil {
			if _, err := tx.ExecContext(ctx, sqlCreateList, l.ID, issuerID, string(l.Purpose), l.Size, l.Used, l.Key, l.Bits, l.Version, now); err != nil {
				return fmt.Errorf("create status list: %w", err)
			}
			continue
		}
		res, err := s.stmt(ctx, tx, sqlAdvanceList).ExecContext(ctx, u.To, u.ID, u.From)
		if err != nil {
			return fmt.Errorf("advance status list: %w", err)
		}
		if k, err := res.RowsAffected(); err != nil || k != 1 {
			return fmt.Errorf("advance status list %s: counter moved under the issuer's lock (%d rows, %v)", u.ID, k, err)
		}
	}
	return nil
}

// insertRows inserts the records and their slots one row at a time, with
// statements prepared once (SQLite: no round trips, parsing is the cost).
func (s *Store) insertRows(ctx context.Context, tx *sql.Tx, recs []*issuer.CredentialRecord) error {
	insCred, insSlot := s.stmt(ctx, tx, sqlInsertCredential), s.stmt(ctx, tx, sqlInsertSlot)
	for _, rec := range recs {
		res, err := insCred.ExecContext(ctx,
			rec.ID, rec.IssuerID, rec.AchievementID, rec.RecipientEmail, rec.RecipientDID, rec.Status,
			sqldb.Time(rec.ValidFrom), sqldb.Time(rec.ValidUntil), sqldb.Time(rec.IssuedAt), nonNil(rec.Document))
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
	return nil
}

// timeText is t as sqldb writes it, "" for the zero time (NULL).
func timeText(t time.Time) (string, error) {
	v, err := sqldb.Time(t).Value()
	if err != nil || v == nil {
		return "", err
	}
	return v.(string), nil
}

// insertArrays inserts the records and their slots in one statement each
// (PostgreSQL: round trips are the cost).
func insertArrays(ctx context.Context, tx *sql.Tx, issuerID string, recs []*issuer.CredentialRecord) error {
	n := len(recs)
	var (
		ids, achievements, emails, dids = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		from, until, issued             = make([]string, n), make([]string, n), make([]string, n)
		docs                            = make([][]byte, n)
		slotCred, slotList, slotPurpose []string
		slotPos, slotIdx                []int32
		err                             error
	)
	for i, r := range recs {
		ids[i], achievements[i], emails[i], dids[i] = r.ID, r.AchievementID, r.RecipientEmail, r.RecipientDID
		for _, p := range []struct {
			dst *string
			t   time.Time
		}{{&from[i], r.ValidFrom}, {&until[i], r.ValidUntil}, {&issued[i], r.IssuedAt}} {
			if *p.dst, err = timeText(p.t); err != nil {
				return fmt.Errorf("record %d: %w", i, err)
			}
		}
		docs[i] = nonNil(r.Document)
		for pos, sl := range r.Slots {
			slotCred = append(slotCred, r.ID)
			slotPos = append(slotPos, int32(pos))
			slotList = append(slotList, sl.ListID)
			slotPurpose = append(slotPurpose, string(sl.Purpose))
			slotIdx = append(slotIdx, int32(sl.Index))
		}
	}
	res, err := tx.ExecContext(ctx, sqlInsertCredentials, ids, issuerID, achievements, emails, dids, from, until, issued, docs)
	if err != nil {
		return fmt.Errorf("insert credentials: %w", err)
	}
	if k, err := res.RowsAffected(); err != nil || k != int64(n) {
		if err != nil {
			return fmt.Errorf("insert credentials: %w", err)
		}
		// ON CONFLICT (id) DO NOTHING skipped a record: its id is taken.
		if n == 1 {
			return fmt.Errorf("credential %s: %w", ids[0], issuer.ErrExists)
		}
		return fmt.Errorf("%d of %d credential ids: %w", int64(n)-k, n, issuer.ErrExists)
	}
	if len(slotCred) == 0 {
		return nil
	}
	res, err = tx.ExecContext(ctx, sqlInsertSlots, slotCred, slotPos, slotList, slotPurpose, slotIdx)
	if err != nil {
		return fmt.Errorf("insert status slots: %w", err)
	}
	if k, err := res.RowsAffected(); err != nil || k != int64(len(slotCred)) {
		return fmt.Errorf("insert status slots: %d of %d rows, %v", k, len(slotCred), err)
	}
	return nil
}

const credentialColumns = `id, issuer_id, achievement_id, recipient_email, recipient_did, status,
	valid_from, valid_until, issued_at, document`

func scanCredential(row scanner) (*issuer.CredentialRecord, error) {
	var r issuer.CredentialRecord
	if err := row.Scan(&r.ID, &r.IssuerID, &r.AchievementID, &r.RecipientEmail, &r.RecipientDID, &r.Status,
		(*sqldb.Time)(&r.ValidFrom), (*sqldb.Time)(&r.ValidUntil), (*sqldb.Time)(&r.IssuedAt), &r.Document); err != nil {
		return nil, err
	}
	if r.Document == nil {
		r.Document = []byte{}
	}
	return &r, nil
}

// getCredential reads a credential and its slots; lock (PostgreSQL) locks
// its row until the transaction ends.
func getCredential(ctx context.Context, tx *sql.Tx, id string, lock bool) (*issuer.CredentialRecord, error) {
	query := "SELECT " + credentialColumns + " FROM credentials WHERE id = $1"
	if lock {
		query += " FOR UPDATE"
	}
	r, err := scanCredential(tx.QueryRowContext(ctx, query, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("credential %s: %w", id, issuer.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, "SELECT list_id, purpose, idx FROM credential_slots WHERE credential_id = $1 ORDER BY position", id)
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
	err := s.db.Snapshot(ctx, func(tx *sql.Tx) (err error) {
		r, err = getCredential(ctx, tx, id, false)
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
		limit = math.MaxInt32
	}
	var (
		out   []*issuer.CredentialRecord
		total int
	)
	err := s.db.Snapshot(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM credentials WHERE issuer_id = $1", issuerID).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, "SELECT "+credentialColumns+` FROM credentials WHERE issuer_id = $1
			ORDER BY seq DESC LIMIT $2 OFFSET $3`, issuerID, limit, offset)
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
			WHERE credential_id IN (SELECT id FROM credentials WHERE issuer_id = $1 ORDER BY seq DESC LIMIT $2 OFFSET $3)
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

// pgBit converts a Bitstring Status List index (bit 0 = most significant
// bit of byte 0) to PostgreSQL's get_bit/set_bit numbering of bytea (bit 0
// = least significant bit of byte 0).
func pgBit(i int) int { return i/8*8 + 7 - i%8 }

// ChangeStatus applies ev in one write transaction: the list bit, its
// Version and UpdatedAt, the credential's status, and the event. Repeating
// the action that led to the current state (revoking a revoked credential,
// suspending a suspended one) changes nothing, records no event, and returns
// the record. An event without a time is stamped with the store's clock.
func (s *Store) ChangeStatus(ctx context.Context, ev issuer.StatusEvent) (*issuer.CredentialRecord, error) {
	if ev.At.IsZero() {
		ev.At = s.now()
	}
	if _, err := sqldb.Time(ev.At).Value(); err != nil {
		return nil, fmt.Errorf("change status: %w", err)
	}
	pg := s.db.Engine == sqldb.Postgres
	var out *issuer.CredentialRecord
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		rec, err := getCredential(ctx, tx, ev.CredentialID, pg)
		if err != nil {
			return err
		}
		ch, err := issuer.Decide(rec.Status, rec.Slots, ev.Action)
		if err != nil {
			return err
		}
		out = rec
		if ch.NoOp {
			return nil
		}
		if ch.Slot != nil {
			if pg {
				err = setBitPostgres(ctx, tx, ch.Slot, ch.Set, s.now())
			} else {
				err = setBitSQLite(ctx, tx, ch.Slot, ch.Set, s.now())
			}
			if err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE credentials SET status = $1 WHERE id = $2", ch.Status, rec.ID); err != nil {
			return fmt.Errorf("update credential: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO status_events (credential_id, action, reason, actor, at) VALUES ($1, $2, $3, $4, $5)",
			rec.ID, ev.Action, ev.Reason, ev.Actor, sqldb.Time(ev.At)); err != nil {
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

// setBitSQLite reads the list's bits and writes them back changed, under
// SQLite's one write lock.
func setBitSQLite(ctx context.Context, tx *sql.Tx, slot *issuer.StatusSlot, set bool, now time.Time) error {
	var (
		bits []byte
		size int
	)
	if err := tx.QueryRowContext(ctx, "SELECT bits, size FROM status_lists WHERE id = $1", slot.ListID).Scan(&bits, &size); err != nil {
		return fmt.Errorf("status list %s: %w", slot.ListID, err)
	}
	if slot.Index < 0 || slot.Index >= size || len(bits)*8 != size {
		return fmt.Errorf("status list %s: index %d outside %d bits", slot.ListID, slot.Index, len(bits)*8)
	}
	if status.Bit(bits, slot.Index) == set {
		return nil
	}
	status.SetBit(bits, slot.Index, set)
	if _, err := tx.ExecContext(ctx, "UPDATE status_lists SET bits = $1, version = version + 1, updated_at = $2 WHERE id = $3",
		bits, sqldb.Time(now), slot.ListID); err != nil {
		return fmt.Errorf("update status list: %w", err)
	}
	return nil
}

// setBitPostgres flips the bit with one UPDATE, which locks the list row:
// concurrent changes to other bits of the same list queue there and never
// lose a bit.
func setBitPostgres(ctx context.Context, tx *sql.Tx, slot *issuer.StatusSlot, set bool, now time.Time) error {
	want := 0
	if set {
		want = 1
	}
	if _, err := tx.ExecContext(ctx, `UPDATE status_lists SET bits = set_bit(bits, $2, $3), version = version + 1, updated_at = $4
		WHERE id = $1 AND $2 < size AND get_bit(bits, $2) <> $3`,
		slot.ListID, pgBit(slot.Index), want, sqldb.Time(now)); err != nil {
		return fmt.Errorf("update status list %s: %w", slot.ListID, err)
	}
	return nil
}

// Events returns a credential's status changes, oldest first; ErrNotFound
// for an unknown credential.
func (s *Store) Events(ctx context.Context, credentialID string) ([]issuer.StatusEvent, error) {
	var out []issuer.StatusEvent
	err := s.db.Snapshot(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM credentials WHERE id = $1", credentialID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return issuer.ErrNotFound
		}
		rows, err := tx.QueryContext(ctx, "SELECT credential_id, action, reason, actor, at FROM status_events WHERE credential_id = $1 ORDER BY seq", credentialID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ev issuer.StatusEvent
			if err := rows.Scan(&ev.CredentialID, &ev.Action, &ev.Reason, &ev.Actor, (*sqldb.Time)(&ev.At)); err != nil {
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

func scanList(row scanner) (*issuer.StatusList, error) {
	var l issuer.StatusList
	if err := row.Scan(&l.ID, &l.IssuerID, &l.Purpose, &l.Size, &l.Used, &l.Key, &l.Bits, &l.Version,
		(*sqldb.Time)(&l.CreatedAt), (*sqldb.Time)(&l.UpdatedAt)); err != nil {
		return nil, err
	}
	return &l, nil
}

// GetStatusList returns ErrNotFound for an unknown list. UpdatedAt is the
// time of the last bit change (or of creation).
func (s *Store) GetStatusList(ctx context.Context, id string) (*issuer.StatusList, error) {
	l, err := scanList(s.db.R.QueryRowContext(ctx, "SELECT "+listColumns+" FROM status_lists WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("get status list %s: %w", id, issuer.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get status list %s: %w", id, err)
	}
	return l, nil
}

var _ issuer.ListVersioner = (*Store)(nil)

// StatusListVersion returns a list's Version without its bits (one
// indexed read: status_lists.id is UNIQUE), so that a server keeping lists
// decoded in memory sees a change made by another process at the cost of
// one small read; ErrNotFound for an unknown list.
func (s *Store) StatusListVersion(ctx context.Context, id string) (int64, error) {
	var v int64
	err := s.readRow(ctx, sqlListVersion, id).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("status list %s: %w", id, issuer.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("status list %s version: %w", id, err)
	}
	return v, nil
}

// ListStatusLists returns an issuer's lists, oldest first.
func (s *Store) ListStatusLists(ctx context.Context, issuerID string) ([]*issuer.StatusList, error) {
	out, err := sqldb.ReadAll(ctx, s.db, scanList, "SELECT "+listColumns+" FROM status_lists WHERE issuer_id = $1 ORDER BY seq", issuerID)
	if err != nil {
		return nil, fmt.Errorf("list status lists of %s: %w", issuerID, err)
	}
	return out, nil
}

// Package sqldb is Blason's one SQL layer: a database/sql handle on either
// engine (SQLite through modernc.org/sqlite, the embedded default;
// PostgreSQL through pgx's database/sql driver), write and read
// transactions with the right locking for each, a migration runner shared by
// every component that owns tables, and the few value types whose encoding
// differs between the engines (times).
//
// Queries are written once, with $1, $2... placeholders, which both engines
// accept. Engine-specific SQL is allowed only where it is measured to matter
// (the award and status-change transactions); branch on DB.Engine there.
//
// Each component (the issuer's store, accounts, the wallet, the workspace)
// keeps its tables' migrations beside its code, as an fs.FS holding
// sqlite/NNNN_name.sql and postgres/NNNN_name.sql, and calls Migrate with its
// own component name: versions are numbered per component, so components
// never collide.
package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Engine names the database engine behind a DB.
type Engine int

const (
	SQLite Engine = iota + 1
	Postgres
)

func (e Engine) String() string {
	switch e {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	}
	return "engine(" + strconv.Itoa(int(e)) + ")"
}

// BusyTimeout is how long an SQLite write waits for another process's
// write lock.
const BusyTimeout = 10 * time.Second

// ErrInvalid reports an argument the layer cannot act on.
var ErrInvalid = errors.New("invalid database argument")

// DB is an open database. It is safe for concurrent use.
type DB struct {
	Engine Engine
	// W runs write transactions. On SQLite it holds exactly one
	// connection and every transaction is BEGIN IMMEDIATE: SQLite's write
	// lock is taken up front, so two writers never both hold a read
	// snapshot and then deadlock upgrading it (SQLITE_BUSY). On PostgreSQL
	// W and R are the same pool.
	W *sql.DB
	// R runs reads; on SQLite a pool of query_only connections that WAL
	// lets run beside the writer, each transaction on one snapshot.
	R *sql.DB
}

// OpenSQLite opens (creating with mode 0600 if needed) the SQLite database
// at path: WAL, synchronous=FULL (an acknowledged commit survives power
// loss, not only a crash of the process), foreign keys on, busy timeout
// BusyTimeout.
func OpenSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" || strings.ContainsRune(path, '?') || strings.HasPrefix(path, "file:") || path == ":memory:" {
		return nil, fmt.Errorf("open sqlite: %w: path %q (need a plain file path without '?')", ErrInvalid, path)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	common := "_pragma=busy_timeout(" + strconv.FormatInt(BusyTimeout.Milliseconds(), 10) + ")" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"
	w, err := sql.Open("sqlite", path+"?"+common+"&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// The writer connects first: it switches the file to WAL before any
	// reader opens it.
	var mode string
	if err := w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: read journal mode: %w", path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: journal mode is %q, not wal", path, mode)
	}
	r, err := sql.Open("sqlite", path+"?"+common+"&_pragma=query_only(1)&_txlock=deferred")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	return &DB{Engine: SQLite, W: w, R: r}, nil
}

// OpenPostgres connects to dsn (a libpq URL or key=value string) through
// pgx's database/sql driver. Transactions are READ COMMITTED; components
// take the row locks their rules need.
func OpenPostgres(ctx context.Context, dsn string) (*DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	n := max(8, 4*runtime.GOMAXPROCS(0))
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return &DB{Engine: Postgres, W: db, R: db}, nil
}

// Close closes the handles.
func (db *DB) Close() error {
	if db.R == db.W {
		return db.W.Close()
	}
	return errors.Join(db.R.Close(), db.W.Close())
}

// Write runs fn in a write transaction and commits if fn returns nil.
func (db *DB) Write(ctx context.Context, fn func(*sql.Tx) error) error {
	return run(ctx, db.W, nil, fn)
}

// WriteUnsynced is Write for a transaction that may be lost in a crash of
// the machine, as long as no later synced commit exists: it commits
// without waiting for the disk (SQLite: synchronous=NORMAL for this
// transaction, on the writer connection held throughout; PostgreSQL:
// SET LOCAL synchronous_commit = off). Both engines write their log in
// order, so the next synced commit (Write), by this process or another,
// makes it durable too.
//
// That makes it right for a step whose effect matters only through a
// later synced commit, such as reserving status slots that are handed out
// only once the credential using them is recorded by Write: if the machine
// dies before, the reservation may be lost, but nothing that used it was
// ever acknowledged. It saves one disk flush (fsync) per such step.
func (db *DB) WriteUnsynced(ctx context.Context, fn func(*sql.Tx) error) error {
	if db.Engine == Postgres {
		return run(ctx, db.W, nil, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, "SET LOCAL synchronous_commit TO off"); err != nil {
				return err
			}
			return fn(tx)
		})
	}
	// W has one connection: holding it keeps every other writer, whose
	// commits must be synced, off it while it runs unsynced.
	conn, err := db.W.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = NORMAL"); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	txErr := run(ctx, conn, nil, fn)
	// Back to FULL even if ctx is done: the connection goes back to the
	// pool and must not stay unsynced.
	if _, err := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA synchronous = FULL"); err != nil {
		// A writer that cannot restore FULL must not be reused.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		return errors.Join(txErr, fmt.Errorf("restore synchronous=FULL: %w", err))
	}
	return txErr
}

// Read runs fn in a read-only transaction: one consistent snapshot on
// SQLite; on PostgreSQL, READ COMMITTED (use Snapshot for several
// statements that must agree).
func (db *DB) Read(ctx context.Context, fn func(*sql.Tx) error) error {
	var opts *sql.TxOptions
	if db.Engine == Postgres {
		opts = &sql.TxOptions{ReadOnly: true}
	}
	return run(ctx, db.R, opts, fn)
}

// Snapshot runs fn in a read-only transaction in which every statement sees
// the same data (PostgreSQL REPEATABLE READ; SQLite reads always do).
func (db *DB) Snapshot(ctx context.Context, fn func(*sql.Tx) error) error {
	var opts *sql.TxOptions
	if db.Engine == Postgres {
		opts = &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	return run(ctx, db.R, opts, fn)
}

// run runs fn in a transaction begun on b (a pool, or the one connection
// WriteUnsynced holds) and commits it, or rolls it back if fn fails.
func run(ctx context.Context, b interface {
	BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
}, opts *sql.TxOptions, fn func(*sql.Tx) error) error {
	tx, err := b.BeginTx(ctx, opts)
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

// IsUnique reports whether err is a unique or primary-key constraint
// violation, on either engine: the way a component turns a race on an
// identifier into its ErrExists.
func IsUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

// Scanner is one row to scan: a *sql.Row or a *sql.Rows.
type Scanner = interface{ Scan(dest ...any) error }

// Querier runs a query: a *sql.Tx or a *sql.DB.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// All runs query on q and returns every row, each read by scan: the loop
// each store would otherwise write again (close the rows, check their
// error).
func All[T any](ctx context.Context, q Querier, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// ReadAll is All on the readers, outside a transaction: one statement
// reads one consistent snapshot on either engine.
func ReadAll[T any](ctx context.Context, db *DB, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	return All(ctx, db.R, scan, query, args...)
}

package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
)

// TestSQLiteFileMode: the database and its -wal and -shm files are
// readable by their owner only (they hold sealed keys and who was awarded
// what).
func TestSQLiteFileMode(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "blason.db")
	db, err := sqldb.OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(context.Background(), "notes", testMigrations); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if err != nil {
			if p != path && os.IsNotExist(err) {
				continue
			}
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %04o, want no group/other access", filepath.Base(p), st.Mode().Perm())
		}
	}
}

// TestSQLiteSynchronousFull: every connection, writer and readers, runs
// with synchronous=FULL (2), so an acknowledged award survives a power loss
// (issue 7: NORMAL could drop the last commits before a checkpoint).
func TestSQLiteSynchronousFull(t *testing.T) {
	t.Parallel()
	db, err := sqldb.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var w, r int
	if err := db.W.QueryRowContext(context.Background(), "PRAGMA synchronous").Scan(&w); err != nil {
		t.Fatal(err)
	}
	if err := db.R.QueryRowContext(context.Background(), "PRAGMA synchronous").Scan(&r); err != nil {
		t.Fatal(err)
	}
	if w != 2 || r != 2 {
		t.Fatalf("synchronous: writer %d, reader %d; want 2 (FULL)", w, r)
	}
}

// TestWriteUnsynced: the transaction runs without waiting for the disk
// (SQLite synchronous=NORMAL, PostgreSQL synchronous_commit=off), commits
// like Write, and leaves every later write synced, also after it failed.
func TestWriteUnsynced(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx, "notes", testMigrations); err != nil {
			t.Fatal(err)
		}
		show, unsynced, synced := "PRAGMA synchronous", "1", "2"
		if db.Engine == sqldb.Postgres {
			show, unsynced, synced = "SHOW synchronous_commit", "off", "on"
		}
		setting := func(tx *sql.Tx) string {
			var v string
			if err := tx.QueryRowContext(ctx, show).Scan(&v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		errFail := errors.New("fail")
		for i, fail := range []bool{false, true, false} {
			err := db.WriteUnsynced(ctx, func(tx *sql.Tx) error {
				if v := setting(tx); v != unsynced {
					t.Errorf("inside WriteUnsynced: %s = %s, want %s", show, v, unsynced)
				}
				if _, err := tx.ExecContext(ctx, "INSERT INTO notes (id, body) VALUES ($1, $2)", fmt.Sprint(i), "x"); err != nil {
					return err
				}
				if fail {
					return errFail
				}
				return nil
			})
			if fail != errors.Is(err, errFail) || (!fail && err != nil) {
				t.Fatalf("round %d: %v", i, err)
			}
			if err := db.Write(ctx, func(tx *sql.Tx) error {
				if v := setting(tx); v != synced {
					t.Errorf("after WriteUnsynced: %s = %s, want %s", show, v, synced)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		var n int
		if err := db.Read(ctx, func(tx *sql.Tx) error {
			return tx.QueryRowContext(ctx, "SELECT count(*) FROM notes").Scan(&n)
		}); err != nil || n != 2 {
			t.Fatalf("%d notes, %v; want the 2 committed", n, err)
		}
	})
}

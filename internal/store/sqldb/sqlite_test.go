package sqldb_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/blason-badges/blason/internal/store/sqldb"
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

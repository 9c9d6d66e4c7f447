package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/blason-badges/blason/internal/store"
	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
)

func TestOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("sqlite in the data directory", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), "data")
		db, err := store.Open(ctx, dir, "")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if db.Engine != sqldb.SQLite {
			t.Fatalf("engine %v, want sqlite", db.Engine)
		}
		st, err := os.Stat(filepath.Join(dir, store.DatabaseFile))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			t.Errorf("database mode %04o", st.Mode().Perm())
		}
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		db, err := store.Open(ctx, "", sqldbtest.PostgresDSN(t))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if db.Engine != sqldb.Postgres {
			t.Fatalf("engine %v, want postgres", db.Engine)
		}
	})
	for _, c := range []struct{ name, dir, dsn string }{
		{"not a postgres URL", t.TempDir(), "mysql://x"},
		{"a file name as DSN", t.TempDir(), "other.db"},
		{"no data directory", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if db, err := store.Open(ctx, c.dir, c.dsn); !errors.Is(err, store.ErrInvalid) {
				if db != nil {
					db.Close()
				}
				t.Fatalf("Open(%q, %q) = %v, want ErrInvalid", c.dir, c.dsn, err)
			}
		})
	}
}

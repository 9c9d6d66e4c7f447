package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
)

var testMigrations = os.DirFS("testdata/m")

// One query text, $N placeholders, times and unique violations: the same
// behaviour on both engines.
func TestOneSQLBothEngines(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx, "notes", testMigrations); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 11, 30, 5, 6, 7, 123456000, time.FixedZone("CET", 3600))
		ins := func(id string) error {
			return db.Write(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, "INSERT INTO notes (id, body, at, tag) VALUES ($1, $2, $3, $4)",
					id, "body of "+id, sqldb.Time(at), "t")
				return err
			})
		}
		if err := ins("a"); err != nil {
			t.Fatal(err)
		}
		err := ins("a")
		if err == nil || !sqldb.IsUnique(err) {
			t.Fatalf("second insert: %v, want a unique violation", err)
		}
		if sqldb.IsUnique(errors.New("other")) {
			t.Fatal("IsUnique(other error) = true")
		}
		var got, null sqldb.Time
		var body string
		if err := db.Read(ctx, func(tx *sql.Tx) error {
			return tx.QueryRowContext(ctx, "SELECT body, at, NULL FROM notes WHERE id = $1", "a").Scan(&body, &got, &null)
		}); err != nil {
			t.Fatal(err)
		}
		if body != "body of a" || !time.Time(got).Equal(at) || time.Time(got).Location() != time.UTC {
			t.Fatalf("read back %q %v, want %q %v in UTC", body, time.Time(got), "body of a", at)
		}
		if !time.Time(null).IsZero() {
			t.Fatalf("NULL scanned as %v", time.Time(null))
		}
		// A failing transaction leaves nothing behind.
		boom := errors.New("boom")
		if err := db.Write(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, "INSERT INTO notes (id, body) VALUES ($1, $2)", "b", "x"); err != nil {
				return err
			}
			return boom
		}); !errors.Is(err, boom) {
			t.Fatalf("Write = %v, want boom", err)
		}
		var n int
		if err := db.R.QueryRowContext(ctx, "SELECT count(*) FROM notes").Scan(&n); err != nil || n != 1 {
			t.Fatalf("count = %d, %v; want 1 (rolled back)", n, err)
		}
	})
}

func TestMigrateOnceConcurrently(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() { errs[i] = db.Migrate(ctx, "notes", testMigrations) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		v, err := db.Applied(ctx, "notes")
		if err != nil || len(v) != 2 || v[0] != 1 || v[1] != 2 {
			t.Fatalf("applied %v, %v; want [1 2]", v, err)
		}
		// Another component's versions are its own.
		other := fstest.MapFS{
			"sqlite/0001_x.sql":   {Data: []byte("CREATE TABLE x (id INTEGER PRIMARY KEY) STRICT;")},
			"postgres/0001_x.sql": {Data: []byte("CREATE TABLE x (id integer PRIMARY KEY);")},
		}
		if err := db.Migrate(ctx, "other", other); err != nil {
			t.Fatal(err)
		}
		if v, _ := db.Applied(ctx, "other"); len(v) != 1 {
			t.Fatalf("other applied %v", v)
		}
	})
}

func TestMigrationsRefused(t *testing.T) {
	db := sqldbtest.SQLite(t)
	ctx := context.Background()
	for name, fsys := range map[string]fstest.MapFS{
		"none":       {},
		"unnumbered": {"sqlite/init.sql": {Data: []byte("SELECT 1;")}},
		"duplicate":  {"sqlite/0001_a.sql": {Data: []byte("SELECT 1;")}, "sqlite/1_b.sql": {Data: []byte("SELECT 1;")}},
		"empty":      {"sqlite/0001_a.sql": {Data: []byte("  \n")}},
		"bad sql":    {"sqlite/0001_a.sql": {Data: []byte("CREATE TABLE (;")}},
	} {
		if err := db.Migrate(ctx, "c-"+name, fsys); err == nil {
			t.Errorf("%s: Migrate accepted it", name)
		}
		if v, _ := db.Applied(ctx, "c-"+name); len(v) != 0 {
			t.Errorf("%s: recorded %v", name, v)
		}
	}
	if err := db.Migrate(ctx, "", testMigrations); !errors.Is(err, sqldb.ErrInvalid) {
		t.Errorf("empty component: %v", err)
	}
}

func TestOpenSQLiteRefusesOddPaths(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file:x.db", "x.db?mode=ro"} {
		if _, err := sqldb.OpenSQLite(context.Background(), p); !errors.Is(err, sqldb.ErrInvalid) {
			t.Errorf("OpenSQLite(%q) = %v, want ErrInvalid", p, err)
		}
	}
}

// ReadAll returns every row in order, read by the scan function (value and
// pointer results alike), and a scan error instead of a partial list.
func TestReadAll(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx, "notes", testMigrations); err != nil {
			t.Fatal(err)
		}
		if err := db.Write(ctx, func(tx *sql.Tx) error {
			for _, id := range []string{"b", "a", "c"} {
				if _, err := tx.ExecContext(ctx, "INSERT INTO notes (id, body, tag) VALUES ($1, $2, $3)", id, "body "+id, "t"); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		type note struct{ id, body string }
		got, err := sqldb.ReadAll(ctx, db, func(sc sqldb.Scanner) (n note, err error) {
			err = sc.Scan(&n.id, &n.body)
			return n, err
		}, "SELECT id, body FROM notes WHERE tag = $1 ORDER BY id", "t")
		if err != nil || len(got) != 3 || got[0] != (note{"a", "body a"}) || got[2] != (note{"c", "body c"}) {
			t.Fatalf("ReadAll = %v, %v", got, err)
		}
		none, err := sqldb.ReadAll(ctx, db, func(sc sqldb.Scanner) (s string, err error) { err = sc.Scan(&s); return s, err },
			"SELECT id FROM notes WHERE tag = $1", "none")
		if err != nil || len(none) != 0 {
			t.Fatalf("no rows: %v, %v", none, err)
		}
		bad, err := sqldb.ReadAll(ctx, db, func(sc sqldb.Scanner) (n int, err error) { err = sc.Scan(&n); return n, err },
			"SELECT body FROM notes ORDER BY id")
		if err == nil || bad != nil {
			t.Fatalf("scanning text into an int: %v, %v; want an error and no rows", bad, err)
		}
	})
}

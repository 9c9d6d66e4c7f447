package issuerdb_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/store/issuerdb"
	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
	"github.com/blason-badges/blason/internal/store/storetest"
	"github.com/blason-badges/blason/issuer"
)

// engines opens a fresh database of each engine (PostgreSQL only when
// BLASON_TEST_POSTGRES is set).
var engines = []struct {
	name string
	open func(testing.TB) *sqldb.DB
}{{"sqlite", sqldbtest.SQLite}, {"postgres", sqldbtest.Postgres}}

func open(t testing.TB, db *sqldb.DB) *issuerdb.Store {
	t.Helper()
	s, err := issuerdb.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStore(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) storetest.Store { return open(t, e.open(t)) })
		})
	}
}

func BenchmarkAward10k(b *testing.B) {
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			storetest.BenchAward(b, func(b *testing.B) storetest.Store { return open(b, e.open(b)) }, 10_000)
		})
	}
}

// owned is a store that closes its database too: what the crash test
// opens and closes in each round.
type owned struct {
	*issuerdb.Store
	db *sqldb.DB
}

func (o owned) Close() error { return errors.Join(o.Store.Close(), o.db.Close()) }

func openOwned(ctx context.Context, db *sqldb.DB, err error) (storetest.Store, error) {
	if err != nil {
		return nil, err
	}
	s, err := issuerdb.Open(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return owned{s, db}, nil
}

// openTarget opens a crash test's target: a PostgreSQL DSN in the child
// when BLASON_TEST_POSTGRES is set for it, else an SQLite path.
func openTarget(ctx context.Context, target string) (storetest.Store, error) {
	if filepath.IsAbs(target) {
		db, err := sqldb.OpenSQLite(ctx, target)
		return openOwned(ctx, db, err)
	}
	db, err := sqldb.OpenPostgres(ctx, target)
	return openOwned(ctx, db, err)
}

func TestHelperBulkAward(t *testing.T) { storetest.HelperBulkAward(t, openTarget) }

func TestCrash(t *testing.T) {
	for _, e := range []string{"sqlite", "postgres"} {
		t.Run(e, func(t *testing.T) {
			target, open := crashTarget(t, e)
			storetest.Crash(t, "TestHelperBulkAward", target, open)
		})
	}
}

func TestCrashBatch(t *testing.T) {
	for _, e := range []string{"sqlite", "postgres"} {
		t.Run(e, func(t *testing.T) {
			target, open := crashTarget(t, e)
			storetest.CrashBatch(t, "TestHelperBulkAward", target, open)
		})
	}
}

// crashTarget returns the crash test's target and how to reopen it.
//
// On PostgreSQL the target names its connections, and reopening first
// waits until no such connection is left: a SIGKILLed client's server
// process finishes a COMMIT it had already received, and only then notices
// the closed socket; reading the store before that reads a transaction
// half seen (a list's counter and its slots are read by two statements).
func crashTarget(t *testing.T, engine string) (string, func(context.Context, string) (storetest.Store, error)) {
	if engine == "sqlite" {
		if testing.Short() {
			t.Skip("crash test re-executes the test binary")
		}
		return filepath.Join(t.TempDir(), "crash.db"), openTarget
	}
	dsn := sqldbtest.PostgresDSN(t)
	if testing.Short() {
		t.Skip("crash test re-executes the test binary")
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := "blason_crash_" + hex.EncodeToString(b[:])
	admin := os.Getenv(sqldbtest.EnvPostgres)
	return sqldbtest.WithParam(t, dsn, "application_name", name), func(ctx context.Context, target string) (storetest.Store, error) {
		c, err := sql.Open("pgx", admin)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		deadline := time.Now().Add(15 * time.Second)
		for {
			var n int
			if err := c.QueryRowContext(ctx, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", name).Scan(&n); err != nil {
				return nil, err
			}
			if n == 0 {
				break
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("%d connections of the killed process are still open after 15 s", n)
			}
			time.Sleep(20 * time.Millisecond)
		}
		return openTarget(ctx, target)
	}
}

// TestReopenIsIdempotent: opening the store on a database it already
// migrated runs no migration again and keeps the data.
func TestReopenIsIdempotent(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			db := e.open(t)
			for i := range 3 {
				s, err := issuerdb.Open(ctx, db)
				if err != nil {
					t.Fatalf("open %d: %v", i, err)
				}
				if i == 0 {
					if err := s.CreateIssuer(ctx, &issuer.IssuerRecord{ID: "did:web:x.example", KeyType: "Ed25519"}); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := s.GetIssuer(ctx, "did:web:x.example"); err != nil {
					t.Fatalf("open %d: %v", i, err)
				}
				s.Close()
			}
			if v, err := db.Applied(ctx, issuerdb.Component); err != nil || len(v) != 2 || v[0] != 1 || v[1] != 2 {
				t.Fatalf("applied versions %v, %v; want [1 2]", v, err)
			}
		})
	}
}

// Package sqldbtest opens throwaway databases for tests of components
// built on sqldb: a fresh SQLite file, and a fresh PostgreSQL schema when
// BLASON_TEST_POSTGRES names a server (.ci/postgres.sh prints it; CI sets
// it). Each is closed and removed when the test ends.
package sqldbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/blason-badges/blason/internal/store/sqldb"
)

// EnvPostgres names the PostgreSQL server tests may use.
const EnvPostgres = "BLASON_TEST_POSTGRES"

// SQLite opens a fresh SQLite database in t's temporary directory.
func SQLite(t testing.TB) *sqldb.DB {
	t.Helper()
	db, err := sqldb.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "blason.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// PostgresDSN creates an empty schema on the BLASON_TEST_POSTGRES server,
// drops it when the test ends, and returns a DSN whose connections use it;
// the test is skipped when the variable is not set.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvPostgres)
	if dsn == "" {
		t.Skip("set " + EnvPostgres + "=postgres://... to run the PostgreSQL tests (.ci/postgres.sh start prints it)")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "blason_test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	t.Cleanup(func() {
		c, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		if _, err := c.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Error(err)
		}
	})
	return WithParam(t, dsn, "search_path", schema)
}

// Postgres opens a fresh schema (PostgresDSN); skipped without a server.
func Postgres(t testing.TB) *sqldb.DB {
	t.Helper()
	db, err := sqldb.OpenPostgres(context.Background(), PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Each runs fn as a subtest on a fresh SQLite database and, when a server
// is configured, on a fresh PostgreSQL schema.
func Each(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// WithParam sets a connection parameter in a URL or key=value DSN.
func WithParam(t testing.TB, dsn, k, v string) string {
	t.Helper()
	if strings.Contains(dsn, "://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set(k, v)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " " + k + "=" + v
}

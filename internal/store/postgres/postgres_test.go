package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/blason-badges/blason/internal/store/postgres"
	"github.com/blason-badges/blason/internal/store/storetest"
	"github.com/blason-badges/blason/issuer"
)

const envDSN = "BLASON_TEST_POSTGRES"

func baseDSN(t testing.TB) string {
	dsn := os.Getenv(envDSN)
	if dsn == "" {
		t.Skip("set BLASON_TEST_POSTGRES=postgres://... to run the PostgreSQL store tests")
	}
	return dsn
}

// freshSchema creates an empty schema, drops it when the test ends, and
// returns a DSN whose connections use it.
func freshSchema(t testing.TB) string {
	t.Helper()
	dsn := baseDSN(t)
	ctx := context.Background()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "blason_test_" + hex.EncodeToString(b[:])
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", envDSN, err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Error(err)
		}
	})
	return withParam(t, dsn, "search_path", schema)
}

func withParam(t testing.TB, dsn, k, v string) string {
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

func openFresh(t testing.TB) *postgres.Store {
	t.Helper()
	dsn := freshSchema(t)
	s, err := postgres.Open(context.Background(), withParam(t, dsn, "pool_max_conns", "16"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStore(t *testing.T) {
	baseDSN(t)
	storetest.Run(t, func(t *testing.T) issuer.Store { return openFresh(t) })
}

func openDSN(ctx context.Context, dsn string) (issuer.Store, error) { return postgres.Open(ctx, dsn) }

func TestCrash(t *testing.T) {
	dsn := freshSchema(t)
	if testing.Short() {
		t.Skip("crash test re-executes the test binary")
	}
	storetest.Crash(t, "TestHelperBulkAward", dsn, openDSN)
}

func TestCrashBatch(t *testing.T) {
	dsn := freshSchema(t)
	if testing.Short() {
		t.Skip("crash test re-executes the test binary")
	}
	storetest.CrashBatch(t, "TestHelperBulkAward", dsn, openDSN)
}

func TestHelperBulkAward(t *testing.T) { storetest.HelperBulkAward(t, openDSN) }

func TestReopenIsIdempotent(t *testing.T) {
	dsn := freshSchema(t)
	for i := range 3 {
		s, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		s.Close()
	}
}

func BenchmarkAward10k(b *testing.B) {
	baseDSN(b)
	storetest.BenchAward(b, func(b *testing.B) issuer.Store { return openFresh(b) }, 10_000)
}

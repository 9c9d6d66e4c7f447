package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

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
	dsn, open := afterCrash(t, dsn)
	storetest.Crash(t, "TestHelperBulkAward", dsn, open)
}

func TestCrashBatch(t *testing.T) {
	dsn := freshSchema(t)
	if testing.Short() {
		t.Skip("crash test re-executes the test binary")
	}
	dsn, open := afterCrash(t, dsn)
	storetest.CrashBatch(t, "TestHelperBulkAward", dsn, open)
}

// afterCrash names the crash test's connections, and returns an open that
// first waits until no such connection is left. A SIGKILLed client's
// server process finishes a COMMIT it had already received, and only then
// notices the closed socket: reading the store before that reads a
// transaction half seen (the list's counter and its slots are read by two
// statements), which made TestCrashBatch fail now and then ("used 64 but
// 48 slots recorded", once in a full run beside the scale-out test).
func afterCrash(t *testing.T, dsn string) (string, func(context.Context, string) (issuer.Store, error)) {
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := "blason_crash_" + hex.EncodeToString(b[:])
	admin := baseDSN(t)
	return withParam(t, dsn, "application_name", name), func(ctx context.Context, target string) (issuer.Store, error) {
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			return nil, err
		}
		defer c.Close(ctx)
		deadline := time.Now().Add(15 * time.Second)
		for {
			var n int
			if err := c.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", name).Scan(&n); err != nil {
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
		return postgres.Open(ctx, target)
	}
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

package testissuer

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/store/issuerdb"
	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/internal/store/tokendb"
	"github.com/blason-badges/blason/issuer"
)

// MasterKey is the fixture's master key (32 bytes), sealing issuer keys.
func MasterKey() []byte { return []byte("test master key, 32 bytes long!!") }

// Store is the issuer's and the tokens' stores on one database, as blason
// serve builds them.
type Store struct {
	*issuerStore
	*tokenStore
}

type (
	issuerStore = issuerdb.Store
	tokenStore  = tokendb.Store
)

// SQLite opens the stores on the SQLite database at path, or a fresh one
// in t.TempDir() for "", and closes them when the test ends.
func SQLite(t testing.TB, path string) *Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "blason.db")
	}
	ctx := context.Background()
	db, err := sqldb.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	is, err := issuerdb.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { is.Close() })
	ts, err := tokendb.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return &Store{is, ts}
}

// NewService is a Service over st as blason serve sets one up: the
// fixture's master key, publishing at baseURL, with the clock now (nil:
// Now) and our verifier as its preflight.
func NewService(st issuer.Store, baseURL string, now func() time.Time) *issuer.Service {
	if now == nil {
		now = Now
	}
	return &issuer.Service{Store: st, MasterKey: MasterKey(), BaseURL: baseURL, Now: now, Preflight: Preflight(now)}
}

// AddIssuer adds to svc the issuer "Lab" with the key IssuerKey(seed), and
// returns the key.
func AddIssuer(t testing.TB, svc *issuer.Service, seed byte) *issuer.Key {
	t.Helper()
	k := IssuerKey(t, seed)
	if _, err := svc.AddIssuer(context.Background(), issuer.Profile{Name: "Lab"}, k); err != nil {
		t.Fatal(err)
	}
	return k
}

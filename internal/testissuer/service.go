package testissuer

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/store/sqlite"
	"github.com/blason-badges/blason/issuer"
)

// MasterKey is the fixture's master key (32 bytes), sealing issuer keys.
func MasterKey() []byte { return []byte("test master key, 32 bytes long!!") }

// SQLite opens the SQLite store at path, or a fresh one in t.TempDir()
// for "", and closes it when the test ends.
func SQLite(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "blason.db")
	}
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
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

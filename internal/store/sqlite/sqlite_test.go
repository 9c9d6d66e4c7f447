package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/blason-badges/blason/internal/store/sqlite"
	"github.com/blason-badges/blason/internal/store/storetest"
	"github.com/blason-badges/blason/issuer"
)

func openTemp(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "blason.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) issuer.Store { return openTemp(t) })
}

func openPath(ctx context.Context, path string) (issuer.Store, error) { return sqlite.Open(ctx, path) }

func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test re-executes the test binary")
	}
	storetest.Crash(t, "TestHelperBulkAward", filepath.Join(t.TempDir(), "crash.db"), openPath)
}

func TestCrashBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test re-executes the test binary")
	}
	storetest.CrashBatch(t, "TestHelperBulkAward", filepath.Join(t.TempDir(), "crash.db"), openPath)
}

func TestHelperBulkAward(t *testing.T) { storetest.HelperBulkAward(t, openPath) }

func BenchmarkAward10k(b *testing.B) {
	storetest.BenchAward(b, func(b *testing.B) issuer.Store { return openTemp(b) }, 10_000)
}

func TestFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "blason.db")
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
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

func TestReopenIsIdempotent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "blason.db")
	var id string
	for i := range 3 {
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		if i == 0 {
			if err := s.CreateIssuer(ctx, &issuer.IssuerRecord{ID: "did:web:x.example", KeyType: "Ed25519"}); err != nil {
				t.Fatal(err)
			}
			rec, err := s.Award(ctx, "did:web:x.example", []issuer.StatusPurpose{issuer.PurposeRevocation}, 16,
				func(sl []issuer.StatusSlot) (*issuer.CredentialRecord, error) {
					return &issuer.CredentialRecord{ID: "urn:x:1", Document: []byte("{}")}, nil
				})
			if err != nil {
				t.Fatal(err)
			}
			id = rec.ID
		}
		if _, err := s.GetCredential(ctx, id); err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenRejectsBadPaths(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file:x.db", "x.db?mode=ro"} {
		if s, err := sqlite.Open(context.Background(), p); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", p)
		}
	}
}

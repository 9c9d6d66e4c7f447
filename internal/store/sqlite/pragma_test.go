package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

// TestSynchronousFull: every connection, writer and readers, runs with
// synchronous=FULL (2), so an acknowledged award survives a power loss
// (issue 7: NORMAL could drop the last commits before a checkpoint).
func TestSynchronousFull(t *testing.T) {
	t.Parallel()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var w, r int
	if err := s.w.QueryRowContext(context.Background(), "PRAGMA synchronous").Scan(&w); err != nil {
		t.Fatal(err)
	}
	if err := s.r.QueryRowContext(context.Background(), "PRAGMA synchronous").Scan(&r); err != nil {
		t.Fatal(err)
	}
	if w != 2 || r != 2 {
		t.Fatalf("synchronous: writer %d, reader %d; want 2 (FULL)", w, r)
	}
}

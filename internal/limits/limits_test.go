package limits

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	exact := filepath.Join(dir, "exact")
	over := filepath.Join(dir, "over")
	os.WriteFile(exact, []byte(strings.Repeat("a", 100)), 0o600)
	os.WriteFile(over, []byte(strings.Repeat("a", 101)), 0o600)
	if b, err := ReadFile(exact, 100); err != nil || len(b) != 100 {
		t.Fatalf("exactly at the limit: %d %v", len(b), err)
	}
	_, err := ReadFile(over, 100)
	var tl *TooLargeError
	if !errors.Is(err, ErrTooLarge) || !errors.As(err, &tl) || tl.Limit != 100 ||
		err.Error() != over+" is larger than 100 bytes" {
		t.Fatalf("one byte over: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing"), 100); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing: %v", err)
	}
}

// TestReadFileDevZero: a file with no end fails fast instead of filling
// memory.
func TestReadFileDevZero(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	_, err := ReadFile("/dev/zero", CredentialBytes)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "/dev/zero is larger than 1048576 bytes") {
		t.Fatalf("/dev/zero: %v", err)
	}
}

func TestReadAll(t *testing.T) {
	t.Parallel()
	if _, err := ReadAll(strings.NewReader("abcd"), 3, "standard input"); err == nil || err.Error() != "standard input is larger than 3 bytes" {
		t.Fatalf("over: %v", err)
	}
	if b, err := ReadAll(strings.NewReader(""), 3, "x"); err != nil || len(b) != 0 {
		t.Fatalf("empty: %q %v", b, err)
	}
}

package rdfc

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"hash"
	"maps"
	"os"
	"path/filepath"
	"testing"
	"time"
)

const suiteDir = "testdata/rdf-canon-suite"

type manifestEntry struct {
	ID            string `json:"id"`
	Type          string `json:"type"`
	Name          string `json:"name"`
	Action        string `json:"action"`
	Result        string `json:"result"`
	HashAlgorithm string `json:"hashAlgorithm"`
}

func loadManifest(t testing.TB) []manifestEntry {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(suiteDir, "manifest.jsonld"))
	if err != nil {
		t.Fatalf("read manifest: %v", err)
	}
	var m struct {
		Entries []manifestEntry `json:"entries"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("decode manifest: %v", err)
	}
	if len(m.Entries) == 0 {
		t.Fatal("manifest has no entries")
	}
	return m.Entries
}

func suiteFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(suiteDir, name))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return b
}

func hashFor(t testing.TB, alg string) func() hash.Hash {
	switch alg {
	case "", "SHA256":
		return sha256.New
	case "SHA384":
		return sha512.New384
	}
	t.Fatalf("unknown hashAlgorithm %q", alg)
	return nil
}

// TestSuite runs every entry of the W3C RDFC-1.0 test suite manifest.
func TestSuite(t *testing.T) {
	entries := loadManifest(t)
	counts := map[string]int{}
	for _, e := range entries {
		counts[e.Type]++
	}
	t.Logf("W3C suite: %d eval, %d map, %d negative tests",
		counts["rdfc:RDFC10EvalTest"], counts["rdfc:RDFC10MapTest"], counts["rdfc:RDFC10NegativeEvalTest"])
	if counts["rdfc:RDFC10EvalTest"] != 64 || counts["rdfc:RDFC10MapTest"] != 21 ||
		counts["rdfc:RDFC10NegativeEvalTest"] != 1 || len(counts) != 3 {
		t.Errorf("manifest test counts = %v; want 64 eval, 21 map, 1 negative", counts)
	}
	for _, e := range entries {
		t.Run(e.ID[1:]+"/"+e.Name, func(t *testing.T) {
			t.Parallel()
			in := suiteFile(t, e.Action)
			quads, err := ParseNQuads(in)
			if err != nil {
				t.Fatalf("parse %s: %v", e.Action, err)
			}
			opts := &Options{Hash: hashFor(t, e.HashAlgorithm)}
			switch e.Type {
			case "rdfc:RDFC10EvalTest":
				got, _, err := Canonicalize(quads, opts)
				if err != nil {
					t.Fatalf("Canonicalize: %v", err)
				}
				if want := suiteFile(t, e.Result); !bytes.Equal(got, want) {
					t.Errorf("output mismatch\ngot:\n%s\nwant:\n%s", got, want)
				}
			case "rdfc:RDFC10MapTest":
				_, got, err := Canonicalize(quads, opts)
				if err != nil {
					t.Fatalf("Canonicalize: %v", err)
				}
				var want map[string]string
				if err := json.Unmarshal(suiteFile(t, e.Result), &want); err != nil {
					t.Fatalf("decode %s: %v", e.Result, err)
				}
				if !maps.Equal(got, want) {
					t.Errorf("issued map = %v, want %v", got, want)
				}
			case "rdfc:RDFC10NegativeEvalTest":
				start := time.Now()
				_, _, err := Canonicalize(quads, opts)
				if !errors.Is(err, ErrTooComplex) {
					t.Fatalf("Canonicalize error = %v, want ErrTooComplex", err)
				}
				// About 50 ms on an idle core; the bound is loose because
				// the suite runs in parallel on possibly busy machines.
				d := time.Since(start)
				t.Logf("poison graph rejected in %v", d)
				if d > 5*time.Second {
					t.Errorf("poison graph took %v to reject", d)
				}
			default:
				t.Errorf("unknown test type %q", e.Type)
			}
		})
	}
}

// TestSuiteWork reports the work needed by the most demanding positive test,
// guarding the DefaultMaxWork margin.
func TestSuiteWork(t *testing.T) {
	t.Parallel()
	maxWork, maxID := 0, ""
	for _, e := range loadManifest(t) {
		if e.Type != "rdfc:RDFC10EvalTest" {
			continue
		}
		quads, err := ParseNQuads(suiteFile(t, e.Action))
		if err != nil {
			t.Fatal(err)
		}
		// Find the smallest bound that still succeeds.
		lo, hi := 0, DefaultMaxWork
		for lo < hi {
			mid := (lo + hi) / 2
			_, _, err := Canonicalize(quads, &Options{Hash: hashFor(t, e.HashAlgorithm), MaxWork: max(mid, 1)})
			if errors.Is(err, ErrTooComplex) {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		if lo > maxWork {
			maxWork, maxID = lo, e.ID
		}
	}
	t.Logf("most demanding positive test %s needs %d work units (DefaultMaxWork %d)", maxID, maxWork, DefaultMaxWork)
	if maxWork*10 > DefaultMaxWork {
		t.Errorf("DefaultMaxWork %d leaves less than 10x margin over %d", DefaultMaxWork, maxWork)
	}
}

package bake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/input"
	"github.com/blason-badges/blason/internal/vcjwt"
)

// TestFixtureProvenance: every file in testdata is listed in its README
// with the sha256 it has.
func TestFixtureProvenance(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("testdata/README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile("(?m)^\\| `([^`]+)` \\|.*\\| `([0-9a-f]{64})` \\|$").FindAllStringSubmatch(string(readme), -1)
	files, _ := filepath.Glob("testdata/*.*")
	if len(rows) != 6 || len(files) != 7 {
		t.Fatalf("%d README rows, %d files", len(rows), len(files))
	}
	for _, r := range rows {
		b, err := os.ReadFile(filepath.Join("testdata", r[1]))
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != r[2] {
			t.Errorf("%s: sha256 differs from the README", r[1])
		}
	}
}

// TestValidatorFixtures: each of the 1EdTech validator's baked images
// extracts; what comes out is a credential (JSON) or a VC-JWT whose
// signature verifies with the key in its header.
func TestValidatorFixtures(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		file   string
		format Format
		jwt    bool
	}{
		{"simple-json.png", PNG, false},
		{"simple-json.svg", SVG, false},
		{"simple-jwt.png", PNG, true},
		{"simple-jwt.svg", SVG, true},
		{"simple-jwt_v1.png", PNG, true},
		{"simple-jwt_v1.svg", SVG, true},
	} {
		t.Run(c.file, func(t *testing.T) {
			t.Parallel()
			img, err := os.ReadFile(filepath.Join("testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			if Kind(img) != c.format {
				t.Fatalf("Kind = %v", Kind(img))
			}
			got, err := Extract(img)
			if err != nil {
				t.Fatal(err)
			}
			if got.Format != c.format || got.Version != OB3 {
				t.Fatalf("format %v version %v", got.Format, got.Version)
			}
			if c.jwt {
				if !input.IsCompactJWS(got.Credential) {
					t.Fatalf("not a compact JWS: %.60q", got.Credential)
				}
				// A nil Result means the header, key or signature failed;
				// after that, claim checks may fail on a test fixture.
				res, err := vcjwt.Verify(context.Background(), string(got.Credential), vcjwt.VerifyOptions{
					Now: func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) },
				})
				if res == nil || !res.KeyFromJWK {
					t.Fatalf("signature does not verify: %v", err)
				}
				return
			}
			cred, err := credential.Parse(got.Credential, credential.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			types, _ := cred.Doc["type"].([]any)
			proof, _ := cred.Doc["proof"].([]any)
			if !slices.Contains(types, any("OpenBadgeCredential")) || len(proof) != 1 || cred.Doc["name"] != "Teamwork Badge" {
				t.Fatalf("unexpected credential: %v", cred.Doc)
			}
		})
	}
}

// TestRebakeFixtures: re-baking a fixture replaces its credential, keeps
// every other chunk, and the result still holds exactly one.
func TestRebakeFixtures(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"simple-json.png", "simple-jwt.svg", "simple-json.svg"} {
		img, _ := os.ReadFile(filepath.Join("testdata", f))
		old, _ := Extract(img)
		out, err := Bake(img, []byte(jsonCred))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		got, err := Extract(out)
		if err != nil || string(got.Credential) != jsonCred || ob3Count(t, out) != 1 || bytes.Contains(out, old.Credential) {
			t.Fatalf("%s: %q %v", f, got.Credential, err)
		}
		// Baking the old credential back gives back a file that still
		// holds it, and the rest of the file is the same length.
		back, err := Bake(out, old.Credential)
		if err != nil {
			t.Fatal(err)
		}
		if g, _ := Extract(back); !bytes.Equal(g.Credential, old.Credential) {
			t.Fatalf("%s: baking the fixture's credential back lost it", f)
		}
		if Kind(back) == PNG && !bytes.Equal(back, img) {
			t.Fatalf("%s: re-baking the same credential did not give back the fixture byte for byte", f)
		}
	}
}

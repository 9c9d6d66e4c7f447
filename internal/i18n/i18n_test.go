package i18n

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestEveryKeyHasBothLanguages: no text is empty in either language, and a
// formatted text takes the same arguments in both.
func TestEveryKeyHasBothLanguages(t *testing.T) {
	for k, m := range messages {
		if strings.TrimSpace(m[0]) == "" || strings.TrimSpace(m[1]) == "" {
			t.Errorf("%s: English %q, French %q", k, m[0], m[1])
		}
		if a, b := strings.Count(m[0], "%"), strings.Count(m[1], "%"); a != b {
			t.Errorf("%s: %d verbs in English, %d in French", k, a, b)
		}
	}
}

func TestNegotiate(t *testing.T) {
	cases := []struct {
		query, cookie, accept string
		def                   Lang
		want                  Lang
	}{
		{"", "", "", EN, EN},
		{"", "", "", FR, FR},
		{"fr", "en", "en-GB", EN, FR},
		{"", "fr", "en-GB", EN, FR},
		{"", "", "fr-CH, fr;q=0.9, en;q=0.8", EN, FR},
		{"", "", "de-DE, en;q=0.5", FR, EN},
		{"", "", "de-DE", FR, FR},
		{"xx", "yy", "", FR, FR},
		{"", "", "garbage;;;q=x", EN, EN},
	}
	for _, c := range cases {
		if got := Negotiate(c.query, c.cookie, c.accept, c.def); got != c.want {
			t.Errorf("Negotiate(%q, %q, %q, %s) = %s, want %s", c.query, c.cookie, c.accept, c.def, got, c.want)
		}
	}
}

func TestFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		env  map[string]string
		want Lang
	}{
		{map[string]string{}, EN},
		{map[string]string{"LANG": "fr_FR.UTF-8"}, FR},
		{map[string]string{"LANG": "fr_FR.UTF-8", "LC_ALL": "C"}, EN},
		{map[string]string{"LC_MESSAGES": "fr_CA", "LANG": "en_US"}, FR},
	}
	for _, c := range cases {
		if got := FromEnv(env(c.env)); got != c.want {
			t.Errorf("%v: %s, want %s", c.env, got, c.want)
		}
	}
}

func TestDates(t *testing.T) {
	d := time.Date(2026, 12, 1, 14, 5, 0, 0, time.UTC)
	for _, c := range []struct {
		got, want string
	}{
		{Date(EN, d), "1 December 2026"},
		{Date(FR, d), "1er décembre 2026"},
		{DateTime(FR, d.Add(24*time.Hour)), "2 décembre 2026 à 14:05 UTC"},
		{DateTime(EN, d), "1 December 2026, 14:05 UTC"},
		{T(FR, "verify.too-large", 8), "Le fichier est trop volumineux (8 Mo au plus)."},
		{T(EN, "no.such.key"), "no.such.key"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// TestEveryKeyInTheCodeHasTexts: every literal key the code passes to T
// (i18n.T(lang, "key") or a local T("key")) has its texts; a typo would
// print the key itself to a person.
func TestEveryKeyInTheCodeHasTexts(t *testing.T) {
	calls := regexp.MustCompile(`\bT\((?:[A-Za-z.]+, )?"([a-z0-9-]+(?:\.[a-z0-9-]+)+)"`)
	found := 0
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "../.." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "jsongold" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range calls.FindAllSubmatch(b, -1) {
			found++
			if !Has(string(m[1])) {
				t.Errorf("%s: key %q has no texts", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d literal keys checked", found)
	if found < 40 {
		t.Fatalf("found only %d keys passed to T: the pattern no longer matches the code", found)
	}
}

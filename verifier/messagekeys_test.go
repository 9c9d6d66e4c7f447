package verifier

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/i18n"
)

// declaredMessages reads the constants of messages.go: name to key.
func declaredMessages(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "messages.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Fatalf("%s is not a string literal", n.Name)
				}
				out[n.Name], _ = strconv.Unquote(lit.Value)
			}
		}
	}
	return out
}

// TestMessageKeysDeclaredOnce: the report's message keys are declared once
// (messages.go), each has its English and French texts, every report text
// in the catalogue is a declared key, and the code writes no key as a
// literal (a typo in a literal would show the key itself to a person).
func TestMessageKeysDeclaredOnce(t *testing.T) {
	declared := declaredMessages(t)
	if len(declared) < 100 {
		t.Fatalf("found only %d declared keys", len(declared))
	}
	keys := map[string]string{}
	prefixes := map[string]bool{}
	for name, k := range declared {
		if other, dup := keys[k]; dup {
			t.Errorf("%s is declared twice: %s and %s", k, name, other)
		}
		keys[k] = name
		prefixes[k[:strings.Index(k, ".")]] = true
		if strings.HasSuffix(k, ".not-run") {
			// Check.TextIn gives every check that did not run one sentence.
			if i18n.Has(k) || !i18n.Has("check.not-run") {
				t.Errorf("%s: a .not-run key has the text of check.not-run, not its own", k)
			}
			continue
		}
		if !i18n.Has(k) || English[k] == "" || i18n.Catalog(i18n.FR)[k] == "" {
			t.Errorf("%s (%s) has no English or no French text", k, name)
		}
	}
	// The verification page's recipient form shares the prefix of the
	// recipient check; those texts are the page's, not the report's.
	pageOnly := map[string]bool{"recipient.check": true, "recipient.email": true, "recipient.heading": true, "recipient.help": true}
	for k := range English {
		if p, _, _ := strings.Cut(k, "."); prefixes[p] && keys[k] == "" && !pageOnly[k] {
			t.Errorf("the catalogue has the report text %q, which no constant declares", k)
		}
	}

	// No literal key in the package's other files but those passed to
	// i18n.T (the text's own phrases, checked by internal/i18n's test).
	literal := regexp.MustCompile(`"([a-z][a-z0-9-]*\.[a-z0-9-]+)"`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f == "messages.go" || strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			for _, m := range literal.FindAllStringSubmatchIndex(line, -1) {
				k := line[m[2]:m[3]]
				if keys[k] != "" && !regexp.MustCompile(`\bT\((?:[A-Za-z.]+, )?$`).MatchString(line[:m[0]]) {
					t.Errorf("%s:%d: the key %q is written as a literal; use %s", f, i+1, k, keys[k])
				}
			}
		}
	}
}

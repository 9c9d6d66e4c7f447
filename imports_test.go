package blason_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/blason-badges/blason"

// packageImports reads the production (non-test) imports of every package
// of the module from its source files. It reads the files itself (not 'go
// list') so that 'go test' caching sees every file it depends on.
func packageImports(t *testing.T) map[string][]string {
	t.Helper()
	return goImports(t, false)
}

// testFileImports reads the imports of every _test.go file of the module,
// keyed by file path.
func testFileImports(t *testing.T) map[string][]string {
	t.Helper()
	return goImports(t, true)
}

// goImports walks the module's Go files, production ones (keyed by package
// directory) or _test.go ones (keyed by file), skipping what the go command
// skips: testdata, directories starting with "." or "_" (.ci/outside is
// another module), and nested modules.
func goImports(t *testing.T, tests bool) map[string][]string {
	t.Helper()
	pkgs := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == "." {
				return nil
			}
			name := d.Name()
			if name == "testdata" || name == "node_modules" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") != tests {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(filepath.Dir(path))
		if tests {
			pkg = filepath.ToSlash(path)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			pkgs[pkg] = append(pkgs[pkg], p)
		}
		if _, ok := pkgs[pkg]; !ok {
			pkgs[pkg] = nil
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// TestImportRules keeps the dependency graph the architecture describes:
// third-party libraries stay behind the packages that own them, the three
// roles never import each other, and shared machinery does not reach up
// into the roles (except the store implementations, which implement the
// issuer's Store interface, and the server, which serves the roles).
func TestImportRules(t *testing.T) {
	owners := map[string][]string{
		// The patched json-gold copy (see internal/jsongold/README.md);
		// its own subpackages import each other.
		module + "/internal/jsongold": {"contexts", "internal/dataintegrity", "internal/jsongold/ld"},
		// Upstream json-gold: no production code (it would bypass the
		// patches); only the benchmark baseline, see TestUpstreamJSONGoldOnlyInBaseline.
		"github.com/piprate/json-gold": {},
		"github.com/go-jose/go-jose":   {"internal/did", "internal/vcjwt"},
		// The server and its parts (internal/server/vcapi, status, web, ...).
		"github.com/gin-gonic/gin":     {"internal/server", "internal/server/..."},
		"github.com/chromedp/chromedp": {"internal/server/web"},
		// QR codes of share links: the pages draw them.
		"github.com/yeqown/go-qrcode": {"internal/server/web"},
		// The OAuth 2.0 authorization server library stays behind the
		// authorization server and its store.
		"github.com/ory/fosite":                 {"internal/oauth", "internal/store/oauthdb"},
		"github.com/santhosh-tekuri/jsonschema": {"internal/credential", "internal/obapi/obapitest"}, // obapitest: tests only
		// The one SQL layer (internal/store/sqldb) owns the drivers.
		"modernc.org/sqlite":   {"internal/store/sqldb"},
		"github.com/jackc/pgx": {"internal/store/sqldb", "internal/store/sqldb/sqldbtest"},
	}
	roles := []string{"issuer", "wallet", "verifier"}
	pkgs := packageImports(t)
	if len(pkgs) < 15 {
		t.Fatalf("found only %d packages", len(pkgs))
	}
	for pkg, imports := range pkgs {
		for _, imp := range imports {
			for lib, allowed := range owners {
				if strings.HasPrefix(imp, lib) && !allowedIn(allowed, pkg) {
					t.Errorf("%s imports %s; only %v may", pkg, imp, allowed)
				}
			}
			for _, role := range roles {
				if imp != module+"/"+role || pkg == role {
					continue
				}
				switch {
				case contains(roles, pkg):
					t.Errorf("role %s imports role %s", pkg, role)
				case pkg == "internal/store", strings.HasPrefix(pkg, "internal/store/"):
					// Store implementations implement the roles' Store interfaces.
				case pkg == "internal/server", strings.HasPrefix(pkg, "internal/server/"), strings.HasPrefix(pkg, "cmd/"), pkg == "internal/testissuer":
					// The server and its parts (pages, APIs) are where the roles meet.
				case (pkg == "internal/workspace" || strings.HasPrefix(pkg, "internal/workspace/")) && role == "issuer":
					// The issuer's workspace (catalogue, awards, delivery) is
					// the issuer role's own rules over issuer.Service; it
					// never imports the wallet or the verifier.
				case strings.HasPrefix(pkg, "internal/"):
					t.Errorf("%s (shared machinery) imports the role %s", pkg, role)
				}
			}
		}
	}
}

// TestUpstreamJSONGoldOnlyInBaseline: json-gold as released is a test-only
// dependency, for the benchmark that measures it and for the tests that
// compare the patched copy's expansion with it (the patches that only save
// time must change nothing); everything else uses the patched copy
// (expansion results differ, see internal/jsongold/README.md).
func TestUpstreamJSONGoldOnlyInBaseline(t *testing.T) {
	allowed := []string{"internal/dataintegrity/bench_test.go", "internal/dataintegrity/expand_upstream_test.go"}
	files := testFileImports(t)
	if len(files) < 50 {
		t.Fatalf("found only %d test files", len(files))
	}
	seen := false
	for file, imports := range files {
		for _, imp := range imports {
			if !strings.HasPrefix(imp, "github.com/piprate/json-gold") {
				continue
			}
			if !contains(allowed, file) {
				t.Errorf("%s imports upstream %s; only %v may", file, imp, allowed)
			}
			seen = true
		}
	}
	if !seen {
		// go.mod requires upstream json-gold only for the baseline: drop
		// the requirement (go mod tidy) or restore the baseline.
		t.Errorf("no test file imports upstream json-gold, but %v should", allowed)
	}
}

// TestAccountHasNoHTTPOrSQL: the account and token rules stay free of transport and
// storage (the server and the stores depend on them, not the reverse), so
// the wallet and admin pages can reuse them.
func TestAccountHasNoHTTPOrSQL(t *testing.T) {
	imports, ok := packageImports(t)["internal/account"]
	if !ok {
		t.Fatal("no internal/account package")
	}
	for _, imp := range imports {
		// golang.org/x/crypto is the one outside library it needs (argon2id
		// for passwords); it does neither transport nor storage.
		if strings.HasPrefix(imp, "golang.org/x/crypto/") {
			continue
		}
		if strings.HasPrefix(imp, "net/") || strings.HasPrefix(imp, "database/") || strings.Contains(imp, ".") {
			t.Errorf("internal/account imports %s", imp)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// allowedIn reports whether pkg is one of allowed, where "dir/..." stands
// for every package under dir.
func allowedIn(allowed []string, pkg string) bool {
	for _, a := range allowed {
		if dir, ok := strings.CutSuffix(a, "/..."); ok && strings.HasPrefix(pkg, dir+"/") || a == pkg {
			return true
		}
	}
	return false
}

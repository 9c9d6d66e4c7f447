package blason_test

import (
	"go/parser"
	"go/token"
	"io/fs"
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
	pkgs := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "testdata", "third_party", "node_modules":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(filepath.Dir(path))
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
		"github.com/piprate/json-gold":          {"contexts", "internal/dataintegrity"},
		"github.com/go-jose/go-jose":            {"internal/did", "internal/vcjwt"},
		"github.com/gin-gonic/gin":              {"internal/server"},
		"github.com/chromedp/chromedp":          {"internal/server/web"},
		"github.com/santhosh-tekuri/jsonschema": {"internal/credential"},
		"modernc.org/sqlite":                    {"internal/store/sqlite"},
		"github.com/jackc/pgx":                  {"internal/store/postgres"},
	}
	roles := []string{"issuer", "wallet", "verifier"}
	pkgs := packageImports(t)
	if len(pkgs) < 15 {
		t.Fatalf("found only %d packages", len(pkgs))
	}
	for pkg, imports := range pkgs {
		for _, imp := range imports {
			for lib, allowed := range owners {
				if strings.HasPrefix(imp, lib) && !contains(allowed, pkg) {
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
				case strings.HasPrefix(pkg, "internal/store") && role == "issuer":
				case pkg == "internal/server", strings.HasPrefix(pkg, "internal/server/"), strings.HasPrefix(pkg, "cmd/"), pkg == "internal/testissuer":
					// The server and its parts (pages, APIs) are where the roles meet.
				case strings.HasPrefix(pkg, "internal/"):
					t.Errorf("%s (shared machinery) imports the role %s", pkg, role)
				}
			}
		}
	}
}

// TestAccountHasNoHTTPOrSQL: the token rules stay free of transport and
// storage (the server and the stores depend on them, not the reverse), so
// the wallet and admin pages can reuse them.
func TestAccountHasNoHTTPOrSQL(t *testing.T) {
	imports, ok := packageImports(t)["internal/account"]
	if !ok {
		t.Fatal("no internal/account package")
	}
	for _, imp := range imports {
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

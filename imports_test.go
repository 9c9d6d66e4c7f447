package blason_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportRules keeps the dependency graph the architecture describes:
// third-party libraries stay behind the packages that own them, and the
// three roles never import each other.
func TestImportRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/blason-badges/blason/"
	owners := map[string][]string{
		"github.com/piprate/json-gold":          {"contexts", "internal/dataintegrity"},
		"github.com/go-jose/go-jose":            {"internal/did", "internal/vcjwt"},
		"github.com/gin-gonic/gin":              {"internal/server"},
		"github.com/santhosh-tekuri/jsonschema": {"internal/credential"},
	}
	roles := []string{"issuer", "wallet", "verifier"}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 8 {
		t.Fatalf("go list found only %d packages", len(lines))
	}
	for _, line := range lines {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], mod)
		for _, imp := range fields[1:] {
			for lib, allowed := range owners {
				if strings.HasPrefix(imp, lib) && !contains(allowed, pkg) {
					t.Errorf("%s imports %s; only %v may", pkg, imp, allowed)
				}
			}
			for _, a := range roles {
				for _, b := range roles {
					if a != b && pkg == a && imp == mod+b {
						t.Errorf("role %s imports role %s", a, b)
					}
				}
			}
			if strings.HasPrefix(pkg, "internal/") && (imp == mod+"issuer" || imp == mod+"wallet" || imp == mod+"verifier") &&
				pkg != "internal/server" && pkg != "internal/testissuer" {
				t.Errorf("%s (shared machinery) imports the role %s", pkg, imp)
			}
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

package server

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"
)

// TestIssueLanguageDirection: the VC API issues a credential whose name
// and description (of the credential and of its issuer) are language value
// objects with a base direction, and it verifies; changing a direction
// breaks the signature (the direction is signed, as an i18n datatype).
func TestIssueLanguageDirection(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	cred := genericVC("")
	cred["issuer"] = map[string]any{"id": f.key.DID,
		"name":        map[string]any{"@value": "مختبر العلوم", "@language": "ar", "@direction": "rtl"},
		"description": map[string]any{"@value": "A lab", "@language": "en", "@direction": "ltr"}}
	cred["name"] = []any{
		map[string]any{"@value": "شهادة الخريجين", "@language": "ar-EG", "@direction": "rtl"},
		map[string]any{"@value": "Alumni credential", "@language": "en", "@direction": "ltr"}}
	cred["description"] = map[string]any{"@value": "Awarded to alumni.", "@direction": "ltr"}
	vc := f.issue(t, cred)
	code, out, _ := f.do(t, "POST", "/credentials/verify", map[string]any{"verifiableCredential": vc})
	if code != http.StatusOK || out["verified"] != true {
		t.Fatalf("verify: %d %v", code, out)
	}
	vc["description"].(map[string]any)["@direction"] = "rtl"
	if code, out, _ := f.do(t, "POST", "/credentials/verify", map[string]any{"verifiableCredential": vc}); code == http.StatusOK || out["verified"] != false {
		t.Fatalf("direction changed but verified: %d %v", code, out)
	}
}

// TestVerifyReferencePresentations: the presentations signed by Digital
// Bazaar's stack verify over HTTP, with and without a credential.
func TestVerifyReferencePresentations(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	for _, name := range []string{"vp-one-badge", "vp-no-credential"} {
		b, err := os.ReadFile("testdata/js-presentations/" + name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var vp map[string]any
		if err := json.Unmarshal(b, &vp); err != nil {
			t.Fatal(err)
		}
		code, out, _ := f.do(t, "POST", "/presentations/verify", map[string]any{"verifiablePresentation": vp,
			"options": map[string]any{"challenge": "c0ffee-2025", "domain": "verifier.example"}})
		if code != http.StatusOK || out["verified"] != true {
			t.Fatalf("%s: %d %v", name, code, out)
		}
		code, _, _ = f.do(t, "POST", "/presentations/verify", map[string]any{"verifiablePresentation": vp,
			"options": map[string]any{"challenge": "replayed", "domain": "verifier.example"}})
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("%s with another challenge: %d", name, code)
		}
	}
}

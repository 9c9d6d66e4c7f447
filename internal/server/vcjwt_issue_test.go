package server

import (
	"net/http"
	"strings"
	"testing"
)

// TestIssueVCJWT: POST /credentials/issue/vc-jwt answers the VC API issue
// request with an EnvelopedVerifiableCredential holding a VC-JWT, which the
// verify endpoint accepts; options.format is honoured or refused.
func TestIssueVCJWT(t *testing.T) {
	f := newFixture(t, 0)
	envelope := func(out map[string]any) string {
		t.Helper()
		vc, _ := out["verifiableCredential"].(map[string]any)
		id, _ := vc["id"].(string)
		if vc["type"] != "EnvelopedVerifiableCredential" || !strings.HasPrefix(id, "data:application/vc+jwt,ey") {
			t.Fatalf("not an enveloped VC-JWT: %v", out)
		}
		return id
	}
	for _, c := range []struct {
		path    string
		options map[string]any
	}{
		{"/credentials/issue/vc-jwt", nil},
		{"/credentials/issue/vc-jwt", map[string]any{"format": "application/vc+jwt"}},
		{"/credentials/issue", map[string]any{"format": "vc+jwt"}},
	} {
		body := map[string]any{"credential": genericVC(f.key.DID)}
		if c.options != nil {
			body["options"] = c.options
		}
		code, out, _ := f.do(t, "POST", c.path, body)
		if code != http.StatusCreated {
			t.Fatalf("%s %v: %d %v", c.path, c.options, code, out)
		}
		vc := out["verifiableCredential"]
		envelope(out)
		code, res, _ := f.do(t, "POST", "/credentials/verify", map[string]any{"verifiableCredential": vc})
		if code != http.StatusOK || res["verified"] != true {
			t.Fatalf("%s: the issued VC-JWT does not verify: %d %v", c.path, code, res)
		}
	}
	// Data Integrity stays the default, and can be asked for by name.
	code, out, _ := f.do(t, "POST", "/credentials/issue", map[string]any{"credential": genericVC(f.key.DID), "options": map[string]any{"format": "ldp_vc"}})
	if vc, _ := out["verifiableCredential"].(map[string]any); code != http.StatusCreated || vc["proof"] == nil {
		t.Fatalf("ldp_vc: %d %v", code, out)
	}
	// Refused, never silently ignored.
	for _, c := range []struct {
		path   string
		format any
	}{
		{"/credentials/issue", "sd-jwt"},
		{"/credentials/issue", 42},
		{"/credentials/issue/vc-jwt", "ldp_vc"},
	} {
		code, out, _ := f.do(t, "POST", c.path, map[string]any{"credential": genericVC(f.key.DID), "options": map[string]any{"format": c.format}})
		if code != http.StatusBadRequest || !strings.HasSuffix(out["type"].(string), "unsupported-format") {
			t.Errorf("%s format %v: %d %v", c.path, c.format, code, out)
		}
	}
	// The same token rules.
	f.token = ""
	if code, _, _ := f.do(t, "POST", "/credentials/issue/vc-jwt", map[string]any{"credential": genericVC(f.key.DID)}); code != http.StatusUnauthorized {
		t.Fatalf("no token: %d", code)
	}
}

package server

import (
	"net/http"
	"strings"
	"testing"
)

// TestIssueRefusesVCDataModelRules: POST /credentials/issue answers 400
// with the vc-data-model problem naming the broken rule (issue 8, item 5).
func TestIssueRefusesVCDataModelRules(t *testing.T) {
	f := newFixture(t, 0)
	mod := func(fn func(m map[string]any)) map[string]any { m := genericVC(f.key.DID); fn(m); return m }
	cases := []struct {
		name, rule string
		cred       map[string]any
	}{
		{"evidence without type", "evidence-type", mod(func(m map[string]any) { m["evidence"] = map[string]any{"id": "https://example.org/e"} })},
		{"termsOfUse without type", "termsOfUse-type", mod(func(m map[string]any) { m["termsOfUse"] = map[string]any{"id": "https://example.org/t"} })},
		{"refreshService without type", "refreshService-type", mod(func(m map[string]any) { m["refreshService"] = map[string]any{"id": "https://example.org/r"} })},
		{"credentialStatus without type", "credentialStatus-type", mod(func(m map[string]any) { m["credentialStatus"] = map[string]any{"id": "https://example.org/s#1"} })},
		{"credentialSchema without type", "credentialSchema-type", mod(func(m map[string]any) {
			m["credentialSchema"] = map[string]any{"id": "https://example.org/schema.json"}
		})},
		{"credentialSchema id a number", "credentialSchema-id", mod(func(m map[string]any) { m["credentialSchema"] = map[string]any{"id": 7.0, "type": "JsonSchema"} })},
		{"empty subject", "credentialSubject", mod(func(m map[string]any) { m["credentialSubject"] = map[string]any{} })},
		{"validFrom without zone", "validFrom-dateTimeStamp", mod(func(m map[string]any) { m["validFrom"] = "2026-01-01T00:00:00" })},
		{"validUntil a date", "validUntil-dateTimeStamp", mod(func(m map[string]any) { m["validUntil"] = "2027-01-01" })},
		{"relatedResource without digest", "relatedResource-digest", mod(func(m map[string]any) {
			m["relatedResource"] = map[string]any{"id": "https://example.org/a.png"}
		})},
		{"relatedResource repeated id", "relatedResource-id-unique", mod(func(m map[string]any) {
			r := map[string]any{"id": "https://example.org/a.png", "digestSRI": "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}
			m["relatedResource"] = []any{r, r}
		})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, _ := f.do(t, "POST", "/credentials/issue", map[string]any{"credential": tc.cred})
			detail, _ := out["detail"].(string)
			if code != http.StatusBadRequest || !strings.HasSuffix(out["type"].(string), "#vc-data-model") || !strings.Contains(detail, tc.rule) {
				t.Fatalf("%d %v", code, out)
			}
		})
	}
	// The same credential with the rule kept is issued.
	f.issue(t, mod(func(m map[string]any) {
		m["evidence"] = map[string]any{"id": "https://example.org/e", "type": "Evidence"}
	}))
}

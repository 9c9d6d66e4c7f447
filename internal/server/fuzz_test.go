package server

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzHTTPBodies sends arbitrary bodies to the VC API. Properties: never a
// 5xx, always a JSON body, and a verify response says verified exactly when
// its status is 200 (a 2xx with verified false would read as success).
func FuzzHTTPBodies(f *testing.F) {
	fx := newFixture(f, 64<<10)
	good := fx.issue(f, genericVC(fx.key.DID))
	gb, _ := json.Marshal(map[string]any{"verifiableCredential": good})
	ib, _ := json.Marshal(map[string]any{"credential": genericVC(fx.key.DID)})
	for _, seed := range []string{string(gb), string(ib), `{}`, `{"verifiableCredential": null}`, `[]`, `"x"`, `{"verifiablePresentation": {"type": "VerifiablePresentation"}}`} {
		for _, path := range []string{"/credentials/verify", "/credentials/issue", "/presentations/verify"} {
			f.Add(path, []byte(seed))
		}
	}
	f.Fuzz(func(t *testing.T, path string, body []byte) {
		switch path {
		case "/credentials/verify", "/credentials/issue", "/presentations/verify":
		default:
			return
		}
		req := fx.request("POST", path, strings.NewReader(string(body)))
		w := httptest.NewRecorder()
		fx.srv.Handler().ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s: %d for %q", path, w.Code, body)
		}
		var out map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s: response is not JSON: %q", path, w.Body.String())
		}
		if path != "/credentials/issue" {
			if v, ok := out["verified"]; ok && (v == true) != (w.Code == 200) {
				t.Fatalf("%s: status %d with verified=%v", path, w.Code, v)
			}
			if w.Code == 200 && out["verified"] != true {
				t.Fatalf("%s: 200 without verified=true", path)
			}
		}
	})
}

package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/blason-badges/blason/wallet"
)

// The share page's JSON answer is written member by member; it must stay
// the document json.Encoder makes of {credential, report}: compact, with
// <, > and & escaped (a hostile issuer name cannot become markup if the
// answer is ever shown as HTML), a JWT as a JSON string, and a report
// encoded from the verifier's value equal to the one it would read back.
func TestShareJSONAnswer(t *testing.T) {
	t.Parallel()
	e := newWalletEnv(t)
	ctx := context.Background()
	u, err := e.users.Create(ctx, "json@example.org", "")
	if err != nil {
		t.Fatal(err)
	}
	// The badge as a person may have saved it: indented, its issuer's
	// "<script>" written as is rather than as \u003c.
	var doc any
	if err := json.Unmarshal(newFixture(t, nil).badge, &doc); err != nil {
		t.Fatal(err)
	}
	var indented bytes.Buffer
	enc := json.NewEncoder(&indented)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(indented.Bytes(), []byte("<script>")) {
		t.Fatal("the fixture lost its hostile issuer name")
	}
	for _, tc := range []struct {
		name, format string
		raw          []byte
		verified     bool
	}{
		{"json", "json", indented.Bytes(), true},
		{"compact", "json", newFixture(t, nil).badge, true}, // copied as it is (verbatimJSON)
		{"jwt", "jwt", []byte("eyJhbGciOiJFZERTQSJ9.<script>&\"x\".sig"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &wallet.Credential{ID: "crd_00000000000000" + tc.name[:2], UserID: u.ID, Raw: tc.raw, Format: tc.format,
				Source: "test", Key: "k-" + tc.name, Name: "Badge", Report: json.RawMessage("{}"), CheckedAt: now, AddedAt: now}
			if err := e.wallet.Store.PutCredential(ctx, c, ""); err != nil {
				t.Fatal(err)
			}
			sh, err := e.wallet.CreateShare(ctx, u.ID, c.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest("GET", "/s/"+sh.Token, nil)
			r.Header.Set("Accept", "application/json")
			w := httptest.NewRecorder()
			e.srv.Config.Handler.ServeHTTP(w, r)
			if w.Code != 200 || w.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("status %d, %s", w.Code, w.Header().Get("Content-Type"))
			}
			v, err := e.wallet.Verify(ctx, tc.raw)
			if err != nil || v.Verified != tc.verified {
				t.Fatalf("verified %v, want %v (%v)", v.Verified, tc.verified, err)
			}
			var cred any = json.RawMessage(tc.raw)
			if tc.format == "jwt" {
				cred = string(tc.raw)
			}
			var want bytes.Buffer
			if err := json.NewEncoder(&want).Encode(map[string]any{"credential": cred, "report": v.ReportJSON()}); err != nil {
				t.Fatal(err)
			}
			if got := w.Body.String(); got != want.String() {
				t.Fatalf("answer:\n%s\nwant:\n%s", got, want.String())
			}
			if bytes.ContainsAny(w.Body.Bytes(), "<>") {
				t.Fatal("markup characters left unescaped")
			}
		})
	}
}

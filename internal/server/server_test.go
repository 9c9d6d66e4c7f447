package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
	"github.com/blason-badges/blason/internal/store/workspacedb"
	"github.com/blason-badges/blason/internal/testissuer"
	"github.com/blason-badges/blason/internal/vcjwt"
	"github.com/blason-badges/blason/internal/workspace"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

var now = func() time.Time { return time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC) }

type fixture struct {
	srv    *Server
	key    *issuer.Key
	holder *issuer.Key
	// token is sent as the bearer token of every request (issue scope);
	// operator holds every scope.
	token, operator string
	tokens          *account.Service
}

// testOperator is the fixtures' operator token (every scope).
const testOperator = "operator-token-for-tests-0123456789abcdef"

// newTokens returns a token service over a fresh SQLite store, with
// testOperator as the operator token.
func newTokens(t testing.TB) *account.Service {
	t.Helper()
	return &account.Service{Store: testissuer.SQLite(t, ""), Operator: testOperator}
}

func mustToken(t testing.TB, svc *account.Service, scopes ...account.Scope) string {
	t.Helper()
	secret, _, err := svc.Create(context.Background(), scopes, "test", 0)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// newFixture is a server issuing as a fresh issuer (a did:key) with the
// state blason serve has: a Service over a temporary SQLite store, which
// also holds the tokens, and a verifier that reads the issuer's own status
// lists from that state.
func newFixture(t testing.TB, maxBody int64) *fixture {
	t.Helper()
	st := testissuer.SQLite(t, "")
	svc := testissuer.NewService(st, "https://b.example", now)
	key := testissuer.AddIssuer(t, svc, 1)
	holder := testissuer.IssuerKey(t, 2)
	v := verifier.New(verifier.Options{AcceptGeneric: true, Now: now, Fetcher: testissuer.DecodedLists{Lists: testissuer.Lists{Service: svc}}})
	tokens := &account.Service{Store: st, Operator: testOperator}
	srv := New(Config{
		Service:  svc,
		IssuerID: key.DID,
		Verifier: v,
		MaxBody:  maxBody,
		Tokens:   tokens,
	})
	return &fixture{srv: srv, key: key, holder: holder, token: mustToken(t, tokens, account.ScopeIssue), operator: testOperator, tokens: tokens}
}

// request builds a request as a well-behaved client sends it: a loopback
// Host, a JSON body, the fixture's bearer token (if any).
func (f *fixture) request(method, path string, body io.Reader) *http.Request {
	req := httptest.NewRequest(method, path, body)
	req.Host = "localhost:8080"
	req.Header.Set("Content-Type", "application/json")
	if f.token != "" {
		req.Header.Set("Authorization", "Bearer "+f.token)
	}
	return req
}

func (f *fixture) do(t testing.TB, method, path string, body any) (int, map[string]any, http.Header) {
	t.Helper()
	var r *bytes.Reader
	switch b := body.(type) {
	case nil:
		r = bytes.NewReader(nil)
	case string:
		r = bytes.NewReader([]byte(b))
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		r = bytes.NewReader(j)
	}
	w := httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(w, f.request(method, path, r))
	var out map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil && w.Body.Len() > 0 {
		t.Fatalf("%s %s: response is not JSON (%d): %s", method, path, w.Code, w.Body.String())
	}
	if ct := w.Header().Get("Content-Type"); w.Body.Len() > 0 && !strings.Contains(ct, "json") {
		t.Fatalf("%s %s: Content-Type %q", method, path, ct)
	}
	return w.Code, out, w.Header()
}

// newURN is a fresh random urn:uuid (RFC 9562 version 4).
func newURN() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// genericVC is the VC Data Model's alumni example, with a fresh id: the
// fixtures record what they issue, and an id is issued once.
func genericVC(issuerID string) map[string]any {
	return map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"},
		"id":                newURN(),
		"type":              []any{"VerifiableCredential", "ExampleAlumniCredential"},
		"issuer":            issuerID,
		"validFrom":         "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
	}
}

func (f *fixture) issue(t testing.TB, cred map[string]any) map[string]any {
	t.Helper()
	code, out, _ := f.do(t, "POST", "/credentials/issue", map[string]any{"credential": cred})
	if code != http.StatusCreated {
		t.Fatalf("issue: %d %v", code, out)
	}
	return out["verifiableCredential"].(map[string]any)
}

func TestIssueAndVerify(t *testing.T) {
	f := newFixture(t, 0)
	vc := f.issue(t, genericVC(f.key.DID))
	proof := vc["proof"].(map[string]any)
	if proof["cryptosuite"] != "eddsa-rdfc-2022" || proof["proofPurpose"] != "assertionMethod" || proof["verificationMethod"] != f.key.VerificationMethod {
		t.Fatalf("proof %v", proof)
	}
	// credentialSubject comes back deep-equal to what was sent.
	want, _ := json.Marshal(genericVC("")["credentialSubject"])
	got, _ := json.Marshal(vc["credentialSubject"])
	if !bytes.Equal(want, got) {
		t.Fatalf("credentialSubject changed: %s", got)
	}
	code, out, _ := f.do(t, "POST", "/credentials/verify", map[string]any{"verifiableCredential": vc, "options": map[string]any{"checks": []any{"proof"}}})
	if code != http.StatusOK || out["verified"] != true || len(out["errors"].([]any)) != 0 {
		t.Fatalf("verify: %d %v", code, out)
	}
	if !strings.Contains(strings.Join(toStrings(out["checks"]), ","), "proof") {
		t.Fatalf("checks %v", out["checks"])
	}

	// VC 1.1: signable, with the Data Integrity context appended.
	v1 := map[string]any{
		"@context":          []any{"https://www.w3.org/2018/credentials/v1", "https://www.w3.org/ns/credentials/examples/v2"},
		"type":              []any{"VerifiableCredential"},
		"issuer":            f.key.DID,
		"issuanceDate":      "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"id": "did:example:1", "name": "x"},
	}
	signed := f.issue(t, v1)
	ctx := signed["@context"].([]any)
	if ctx[len(ctx)-1] != "https://w3id.org/security/data-integrity/v2" {
		t.Fatalf("@context %v", ctx)
	}
	if code, out, _ := f.do(t, "POST", "/credentials/verify", map[string]any{"verifiableCredential": signed}); code != 200 {
		t.Fatalf("VC 1.1 verify: %d %v", code, out)
	}
	// An issuer given as an object works too.
	obj := genericVC("")
	obj["issuer"] = map[string]any{"id": f.key.DID, "name": "Lab"}
	f.issue(t, obj)
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// TestIssueRejects: every malformed or lossy request of vc-api.md gets 400.
func TestIssueRejects(t *testing.T) {
	f := newFixture(t, 0)
	mod := func(fn func(m map[string]any)) map[string]any { m := genericVC(f.key.DID); fn(m); return m }
	cases := map[string]any{
		// Without the examples context (whose @vocab defines everything).
		"undefined type": map[string]any{"credential": mod(func(m map[string]any) {
			m["@context"] = []any{"https://www.w3.org/ns/credentials/v2"}
			m["type"] = []any{"VerifiableCredential", "InvalidType"}
			m["credentialSubject"] = map[string]any{"id": "did:example:1"}
		})},
		"undefined subject term v1": map[string]any{"credential": map[string]any{"@context": []any{"https://www.w3.org/2018/credentials/v1"}, "type": []any{"VerifiableCredential"}, "issuer": f.key.DID, "issuanceDate": "2026-01-01T00:00:00Z", "credentialSubject": map[string]any{"invalidTerm": "x"}}},
		"no credentialSubject":      map[string]any{"credential": mod(func(m map[string]any) { delete(m, "credentialSubject") })},
		"bad statusListIndex": map[string]any{"credential": mod(func(m map[string]any) {
			m["credentialStatus"] = map[string]any{"id": "https://x.example/s#1", "type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex": true, "statusListCredential": "https://x.example/s"}
		})},
		"context not VC first": map[string]any{"credential": mod(func(m map[string]any) {
			m["@context"] = []any{"https://www.w3.org/ns/credentials/examples/v2", "https://www.w3.org/ns/credentials/v2"}
		})},
		"someone else's issuer":  map[string]any{"credential": mod(func(m map[string]any) { m["issuer"] = "did:example:someone-else" })},
		"no issuer":              map[string]any{"credential": mod(func(m map[string]any) { delete(m, "issuer") })},
		"credential as a string": map[string]any{"credential": "{}"},
		"no credential":          map[string]any{"options": map[string]any{}},
		"options not an object":  map[string]any{"credential": genericVC(f.key.DID), "options": "x"},
		"already has a proof":    map[string]any{"credential": mod(func(m map[string]any) { m["proof"] = map[string]any{"type": "DataIntegrityProof"} })},
		"relative id":            map[string]any{"credential": mod(func(m map[string]any) { m["id"] = "../credentials/1" })},
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			code, out, _ := f.do(t, "POST", "/credentials/issue", body)
			if code != http.StatusBadRequest || out["detail"] == "" || out["type"] == nil {
				t.Fatalf("%d %v", code, out)
			}
		})
	}
	for name, raw := range map[string]string{"not JSON": `{"credential": `, "duplicate keys": `{"credential": {}, "credential": {}}`, "array": `[]`} {
		if code, out, _ := f.do(t, "POST", "/credentials/issue", raw); code != http.StatusBadRequest {
			t.Errorf("%s: %d %v", name, code, out)
		}
	}
}

// TestVerifyRejects: the negative verify requests of vc-api.md are never 2xx.
func TestVerifyRejects(t *testing.T) {
	f := newFixture(t, 0)
	good := f.issue(t, genericVC(f.key.DID))
	withProof := func(fn func(p map[string]any)) map[string]any {
		b, _ := json.Marshal(good)
		var m map[string]any
		json.Unmarshal(b, &m)
		fn(m["proof"].(map[string]any))
		return m
	}
	cases := map[string]any{
		"proof null":            func() map[string]any { m := withProof(func(map[string]any) {}); m["proof"] = nil; return m }(),
		"no proof":              func() map[string]any { m := withProof(func(map[string]any) {}); delete(m, "proof"); return m }(),
		"proof without type":    withProof(func(p map[string]any) { delete(p, "type") }),
		"unknown proof type":    withProof(func(p map[string]any) { p["type"] = "UnknownProofType" }),
		"no verificationMethod": withProof(func(p map[string]any) { delete(p, "verificationMethod") }),
		"no proofPurpose":       withProof(func(p map[string]any) { delete(p, "proofPurpose") }),
		"wrong proofPurpose":    withProof(func(p map[string]any) { p["proofPurpose"] = "authentication" }),
		"no proofValue":         withProof(func(p map[string]any) { delete(p, "proofValue") }),
		"null proofValue":       withProof(func(p map[string]any) { p["proofValue"] = nil }),
		"proofValue not z":      withProof(func(p map[string]any) { p["proofValue"] = "u" + p["proofValue"].(string)[1:] }),
		"unknown cryptosuite":   withProof(func(p map[string]any) { p["cryptosuite"] = "unknown-2099" }),
		"undefined term":        func() map[string]any { m := withProof(func(map[string]any) {}); m["invalidTerm"] = "x"; return m }(),
		"relative URL trick":    func() map[string]any { m := withProof(func(map[string]any) {}); m["id"] = "../x"; return m }(),
		"tampered subject": func() map[string]any {
			m := withProof(func(map[string]any) {})
			m["credentialSubject"].(map[string]any)["alumniOf"] = "Elsewhere"
			return m
		}(),
		"enveloped, empty context":   map[string]any{"@context": []any{}, "type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,a.b.c"},
		"enveloped, wrong context":   map[string]any{"@context": "https://www.w3.org/2018/credentials/v1", "type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,a.b.c"},
		"enveloped, no data: prefix": map[string]any{"@context": "https://www.w3.org/ns/credentials/v2", "type": "EnvelopedVerifiableCredential", "id": "application/vc+jwt,a.b.c"},
	}
	for name, vc := range cases {
		t.Run(name, func(t *testing.T) {
			code, out, _ := f.do(t, "POST", "/credentials/verify", map[string]any{"verifiableCredential": vc})
			if code != http.StatusUnprocessableEntity || out["verified"] != false || len(out["errors"].([]any)) == 0 {
				t.Fatalf("%d %v", code, out)
			}
		})
	}
	// A credential sent as a JSON string is a malformed request.
	b, _ := json.Marshal(good)
	if code, out, _ := f.do(t, "POST", "/credentials/verify", map[string]any{"verifiableCredential": string(b)}); code != http.StatusBadRequest {
		t.Fatalf("JSON string: %d %v", code, out)
	}
	// Proof sets verify when every proof does.
	if code, out, _ := f.do(t, "POST", "/credentials/verify", map[string]any{"verifiableCredential": good}); code != 200 {
		t.Fatalf("good: %d %v", code, out)
	}
}

func TestVerifyEnvelopedJWT(t *testing.T) {
	f := newFixture(t, 0)
	jws, err := vcjwt.Sign(genericVC(f.key.DID), f.key.Signer, vcjwt.SignOptions{KeyID: f.key.VerificationMethod, Envelope: true})
	if err != nil {
		t.Fatal(err)
	}
	env := vcjwt.Envelope(jws)
	if code, out, _ := f.do(t, "POST", "/credentials/verify", map[string]any{"verifiableCredential": env}); code != 200 {
		t.Fatalf("enveloped: %d %v", code, out)
	}
	env["id"] = env["id"].(string) + "x"
	if code, _, _ := f.do(t, "POST", "/credentials/verify", map[string]any{"verifiableCredential": env}); code != 422 {
		t.Fatalf("tampered enveloped: %d", code)
	}
}

func TestVerifyPresentations(t *testing.T) {
	f := newFixture(t, 0)
	// The W3C VC 2.0 suite's enveloped VP-JWT.
	raw, err := os.ReadFile("testdata/vp_jwt.txt")
	if err != nil {
		t.Fatal(err)
	}
	vp := map[string]any{"@context": "https://www.w3.org/ns/credentials/v2", "type": "EnvelopedVerifiablePresentation",
		"id": "data:application/jwt," + strings.TrimSpace(string(raw))}
	code, out, _ := f.do(t, "POST", "/presentations/verify", map[string]any{"verifiablePresentation": vp,
		"options": map[string]any{"challenge": "123456789", "domain": "example.com"}})
	if code != 200 {
		t.Fatalf("W3C vp_jwt: %d %v", code, out)
	}
	if code, _, _ = f.do(t, "POST", "/presentations/verify", map[string]any{"verifiablePresentation": vp,
		"options": map[string]any{"challenge": "other", "domain": "example.com"}}); code != 422 {
		t.Fatalf("wrong challenge: %d", code)
	}
	if code, _, _ = f.do(t, "POST", "/presentations/verify", map[string]any{"verifiablePresentation": "x"}); code != 400 {
		t.Fatalf("string VP: %d", code)
	}
}

func TestLimitsAndErrors(t *testing.T) {
	f := newFixture(t, 4096)
	big := `{"credential": {"x": "` + strings.Repeat("a", 5000) + `"}}`
	if code, out, _ := f.do(t, "POST", "/credentials/issue", big); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized: %d %v", code, out)
	}
	// Without Content-Length (chunked), the limit holds while reading.
	req := f.request("POST", "/credentials/verify", strings.NewReader(big))
	req.ContentLength = -1
	w := httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(w, req)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked oversized: %d %s", w.Code, w.Body)
	}
	if code, out, _ := f.do(t, "GET", "/nowhere", nil); code != 404 || out["type"] == nil {
		t.Fatalf("404: %d %v", code, out)
	}
	if code, out, _ := f.do(t, "GET", "/credentials/verify", nil); code != 405 || out["type"] == nil {
		t.Fatalf("405: %d %v", code, out)
	}
	if code, out, _ := f.do(t, "GET", "/healthz", nil); code != 200 || out["status"] != "ok" {
		t.Fatalf("healthz: %d %v", code, out)
	}
	s := New(Config{Verifier: f.srv.cfg.Verifier, Tokens: f.tokens})
	w = httptest.NewRecorder()
	s.Handler().ServeHTTP(w, f.request("POST", "/credentials/issue", strings.NewReader(`{"credential": {}}`)))
	if w.Code != http.StatusNotImplemented {
		t.Fatalf("no issuer: %d", w.Code)
	}
}

// TestOpenAPIDescribesEveryRoute: /openapi.json documents each endpoint served.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	k, _ := issuer.NewKey("")
	doc, _ := did.ControllerDocument("did:web:badges.example:lab", "did:web:badges.example:lab#key-1", k.Signer.Public())
	jwk, _ := did.PublicJWK(k.Signer.Public(), "did:web:badges.example:lab#key-1")
	// A server with every optional route: persistent state (status lists,
	// status changes), a DID document, a JWKS.
	_, _, svc := newStatusServerStore(t, "")
	wsStore, err := workspacedb.New(context.Background(), sqldbtest.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{DIDDocument: doc, JWKS: []byte(`{"keys":[` + string(jwk) + `]}`), Service: svc, Tokens: newTokens(t),
		Workspace: &workspace.Service{Store: wsStore, Issuer: svc}})
	f := &fixture{srv: s}
	code, api, _ := f.do(t, "GET", "/openapi.json", nil)
	if code != 200 {
		t.Fatal(code)
	}
	paths := api["paths"].(map[string]any)
	schemes, _ := api["components"].(map[string]any)["securitySchemes"].(map[string]any)
	if b, _ := schemes["bearer"].(map[string]any); b["scheme"] != "bearer" {
		t.Fatalf("no bearer security scheme: %v", schemes)
	}
	// The routes that take a token, with the scope they need.
	secured := map[string]string{"POST /credentials/issue": "issue", "POST /credentials/issue/vc-jwt": "issue", "POST /credentials/status": "status",
		// The issuer workspace (internal/server/admin).
		"GET /admin/api/achievements": "issue", "POST /admin/api/achievements": "issue", "GET /admin/api/achievements/:id": "issue",
		"PUT /admin/api/achievements/:id": "issue", "POST /admin/api/achievements/:id/archive": "issue", "POST /admin/api/achievements/import": "issue",
		"POST /admin/api/images": "issue", "POST /admin/api/awards": "issue", "GET /admin/api/awards": "issue", "GET /admin/api/awards.csv": "issue",
		"POST /admin/api/awards/status": "status", "GET /admin/api/outbox": "issue", "POST /admin/api/endorsements": "issue",
		"GET /admin/api/members": "admin", "POST /admin/api/members": "admin", "GET /admin/api/profile": "issue", "PUT /admin/api/profile": "admin", "GET /admin/api/audit": "admin",
		"GET /admin/api/profile/keys": "admin", "POST /admin/api/profile/keys/rotate": "admin"}
	seen := 0
	for _, r := range s.engine.Routes() {
		p := regexp.MustCompile(`:(\w+)`).ReplaceAllString(r.Path, "{$1}")
		if strings.HasSuffix(p, "/did.json") {
			p = "/.well-known/did.json" // did:web path form is documented under the host form
		}
		op, ok := paths[p].(map[string]any)[strings.ToLower(r.Method)].(map[string]any)
		if !ok {
			t.Errorf("route %s %s is not in openapi.json", r.Method, r.Path)
			continue
		}
		responses := op["responses"].(map[string]any)
		if _, ok := responses["421"]; !ok {
			t.Errorf("%s %s: 421 (foreign Host) not described", r.Method, p)
		}
		if r.Method == "POST" {
			if _, ok := responses["415"]; !ok {
				t.Errorf("%s %s: 415 not described", r.Method, p)
			}
		}
		scope, needsToken := secured[r.Method+" "+r.Path]
		sec, _ := json.Marshal(op["security"])
		if needsToken {
			seen++
			_, has401 := responses["401"]
			_, has403 := responses["403"]
			if !has401 || !has403 || string(sec) != `[{"bearer":["`+scope+`"]}]` {
				t.Errorf("%s %s: security %s, 401 %v, 403 %v", r.Method, p, sec, has401, has403)
			}
		} else if op["security"] != nil {
			t.Errorf("%s %s: documented as secured (%s) but takes no token", r.Method, p, sec)
		}
	}
	if seen != len(secured) {
		t.Fatalf("saw %d of the %d secured routes", seen, len(secured))
	}
	// The path-form did:web document is served where did:web says.
	code, d, h := f.do(t, "GET", "/lab/did.json", nil)
	if code != 200 || d["id"] != "did:web:badges.example:lab" || !strings.Contains(h.Get("Content-Type"), "did+json") {
		t.Fatalf("did.json: %d %v", code, d)
	}
	code, jwks, _ := f.do(t, "GET", "/.well-known/jwks.json", nil)
	if code != 200 || len(jwks["keys"].([]any)) != 1 {
		t.Fatalf("jwks: %d %v", code, jwks)
	}
}

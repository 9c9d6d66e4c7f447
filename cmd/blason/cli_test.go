package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blason-badges/blason/verifier"
)

func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// TestIssueAndVerify walks the README's commands: key new, issue, verify.
func TestIssueAndVerify(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "issuer.key")
	code, out, errs := runCLI(t, "", "key", "new", "--out", key)
	if code != 0 || !strings.HasPrefix(out, "did:key:z6Mk") {
		t.Fatalf("key new: %d %q %q", code, out, errs)
	}
	did := strings.TrimSpace(out)
	code, badge, errs := runCLI(t, "", "issue", "--key", key, "--achievement", "../../docs/examples/achievement.json",
		"--recipient-email", "learner@example.org", "--issuer-name", "Lab")
	if code != 0 {
		t.Fatalf("issue: %d %s", code, errs)
	}
	path := filepath.Join(dir, "badge.json")
	os.WriteFile(path, []byte(badge), 0o600)

	code, out, _ = runCLI(t, "", "verify", path)
	if code != 0 || !strings.Contains(out, "VERIFIED: issued by "+did) {
		t.Fatalf("verify: %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "", "verify", "--json", "--recipient-email", "learner@example.org", path)
	var report struct {
		Verified bool `json:"verified"`
		Checks   []struct {
			ID, Outcome, Message, Detail string
		} `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil || code != 0 || !report.Verified {
		t.Fatalf("verify --json: %d %v\n%s", code, err, out)
	}
	outcomes := map[string]string{}
	for _, c := range report.Checks {
		outcomes[c.ID] = c.Outcome
	}
	if outcomes["proof"] != "passed" || outcomes["recipient"] != "passed" || outcomes["status"] != "skipped" || len(report.Checks) != 14 {
		t.Fatalf("checks %v", outcomes)
	}
	// Standard input works too.
	if code, _, _ = runCLI(t, badge, "verify", "-"); code != 0 {
		t.Fatalf("verify - : %d", code)
	}
	// Wrong recipient, tampered badge: exit 1 with a reason.
	if code, out, _ = runCLI(t, "", "verify", "--recipient-email", "other@example.org", path); code != 1 || !strings.Contains(out, "NOT VERIFIED") {
		t.Fatalf("wrong recipient: %d\n%s", code, out)
	}
	tampered := strings.Replace(badge, "Public engagement", "Nobel Prize", 1)
	if code, out, _ = runCLI(t, tampered, "verify", "-"); code != 1 || !strings.Contains(out, "signature does not match") {
		t.Fatalf("tampered: %d\n%s", code, out)
	}
	// The key file is never overwritten.
	if code, _, errs = runCLI(t, "", "key", "new", "--out", key); code != 2 || !strings.Contains(errs, "refusing to overwrite") {
		t.Fatalf("overwrite: %d %s", code, errs)
	}
}

func TestKeyTypes(t *testing.T) {
	for typ, prefix := range map[string]string{"p256": "did:key:zDn", "p384": "did:key:z82", "Ed25519": "did:key:z6Mk"} {
		code, out, errs := runCLI(t, "", "key", "new", "--type", typ, "--out", filepath.Join(t.TempDir(), "k"))
		if code != 0 || !strings.HasPrefix(out, prefix) {
			t.Fatalf("%s: %d %q %s", typ, code, out, errs)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	notJSON := filepath.Join(dir, "x.json")
	os.WriteFile(notJSON, []byte(`{"a": 1, "a": 2}`), 0o600)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "Usage"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"verify"}, 2, "usage"},
		{[]string{"verify", filepath.Join(dir, "missing.json")}, 2, "no such file"},
		{[]string{"verify", notJSON}, 1, "duplicate key"},
		{[]string{"key", "new"}, 2, "usage"},
		{[]string{"key", "new", "--type", "secp256k1", "--out", filepath.Join(dir, "k")}, 2, "unknown key type"},
		{[]string{"issue", "--key", filepath.Join(dir, "missing.key"), "--achievement", "x"}, 2, "no such file"},
		{[]string{"verify", "--bogus", "x"}, 2, "flag provided but not defined"},
	}
	for _, c := range cases {
		code, out, errs := runCLI(t, "", c.args...)
		if code != c.code || !strings.Contains(out+errs, c.want) {
			t.Errorf("%v: exit %d (want %d), output %q %q", c.args, code, c.code, out, errs)
		}
	}
}

func TestDemo(t *testing.T) {
	code, out, errs := runCLI(t, "", "demo")
	if code != 0 || !strings.Contains(out, "VERIFIED") || !strings.Contains(out, "It was awarded to the person you named.") {
		t.Fatalf("demo: %d\n%s\n%s", code, out, errs)
	}
}

// TestPresentAndVerify: a learner presents a badge issued to their DID to
// an employer's challenge; the employer verifies it.
func TestPresentAndVerify(t *testing.T) {
	dir := t.TempDir()
	issuerKey, holderKey := filepath.Join(dir, "issuer.key"), filepath.Join(dir, "holder.key")
	_, _, _ = runCLI(t, "", "key", "new", "--out", issuerKey)
	_, holderDID, _ := runCLI(t, "", "key", "new", "--out", holderKey)
	code, badge, errs := runCLI(t, "", "issue", "--key", issuerKey, "--achievement", "../../docs/examples/achievement.json",
		"--recipient-did", strings.TrimSpace(holderDID))
	if code != 0 {
		t.Fatalf("issue: %s", errs)
	}
	badgePath := filepath.Join(dir, "badge.json")
	os.WriteFile(badgePath, []byte(badge), 0o600)
	code, vpJSON, errs := runCLI(t, "", "present", "--key", holderKey, "--challenge", "n-42", "--domain", "jobs.example", badgePath)
	if code != 0 {
		t.Fatalf("present: %s", errs)
	}
	code, out, _ := runCLI(t, vpJSON, "verify", "--challenge", "n-42", "--domain", "jobs.example", "-")
	if code != 0 || !strings.Contains(out, "PRESENTATION VERIFIED") || !strings.Contains(out, "The person presenting is the person the badges were awarded to.") {
		t.Fatalf("verify: %d\n%s", code, out)
	}
	if code, out, _ = runCLI(t, vpJSON, "verify", "--challenge", "other", "--domain", "jobs.example", "-"); code != 1 || !strings.Contains(out, "challenge mismatch") {
		t.Fatalf("replayed to another challenge: %d\n%s", code, out)
	}
	// Someone else presenting the same badge is caught.
	otherKey := filepath.Join(dir, "other.key")
	runCLI(t, "", "key", "new", "--out", otherKey)
	_, stolen, _ := runCLI(t, "", "present", "--key", otherKey, "--challenge", "n-42", badgePath)
	if code, out, _ = runCLI(t, stolen, "verify", "--challenge", "n-42", "-"); code != 1 || !strings.Contains(out, "not the person the badges were awarded to") {
		t.Fatalf("stolen badge: %d\n%s", code, out)
	}
	// The same as a VP-JWT, with a VC-JWT badge inside.
	_, jwtBadge, _ := runCLI(t, "", "issue", "--format", "jwt", "--key", issuerKey, "--achievement", "../../docs/examples/achievement.json",
		"--recipient-did", strings.TrimSpace(holderDID))
	jwtPath := filepath.Join(dir, "badge.jwt")
	os.WriteFile(jwtPath, []byte(jwtBadge), 0o600)
	code, vpJWT, errs := runCLI(t, "", "present", "--format", "jwt", "--key", holderKey, "--challenge", "n-43", "--domain", "jobs.example", jwtPath, badgePath)
	if code != 0 {
		t.Fatalf("present jwt: %s", errs)
	}
	if code, out, _ = runCLI(t, vpJWT, "verify", "--challenge", "n-43", "--domain", "jobs.example", "-"); code != 0 || !strings.Contains(out, "PRESENTATION VERIFIED") {
		t.Fatalf("verify VP-JWT: %d\n%s", code, out)
	}
	if code, out, _ = runCLI(t, vpJWT, "verify", "--challenge", "n-42", "-"); code != 1 {
		t.Fatalf("VP-JWT, wrong challenge: %d\n%s", code, out)
	}
	if code, _, errs = runCLI(t, "", "present", "--key", holderKey, badgePath); code != 2 || !strings.Contains(errs, "usage") {
		t.Fatalf("no challenge: %d %s", code, errs)
	}
	// No badge: DID authentication, in both formats.
	for _, format := range []string{"json", "jwt"} {
		code, vpOut, errs := runCLI(t, "", "present", "--format", format, "--key", holderKey, "--challenge", "n-44")
		if code != 0 {
			t.Fatalf("present %s without badge: %s", format, errs)
		}
		if code, out, _ = runCLI(t, vpOut, "verify", "--challenge", "n-44", "-"); code != 0 ||
			!strings.Contains(out, "PRESENTATION VERIFIED") || !strings.Contains(out, "It holds no credential") {
			t.Fatalf("verify %s without badge: %d\n%s", format, code, out)
		}
	}
}

// TestIssueJWT: a VC-JWT badge (EdDSA with an Ed25519 key, ES256 with a
// P-256 key) verifies from a .jwt file; a tampered one does not.
func TestIssueJWT(t *testing.T) {
	for _, typ := range []string{"Ed25519", "p256"} {
		dir := t.TempDir()
		key := filepath.Join(dir, "issuer.key")
		runCLI(t, "", "key", "new", "--type", typ, "--out", key)
		code, jws, errs := runCLI(t, "", "issue", "--format", "jwt", "--key", key, "--achievement", "../../docs/examples/achievement.json",
			"--recipient-did", "did:example:learner")
		if code != 0 || strings.Count(strings.TrimSpace(jws), ".") != 2 {
			t.Fatalf("%s issue: %d %s %s", typ, code, jws, errs)
		}
		path := filepath.Join(dir, "badge.jwt")
		os.WriteFile(path, []byte(jws), 0o600)
		code, out, _ := runCLI(t, "", "verify", "-v", path)
		if code != 0 || !strings.Contains(out, "VERIFIED") {
			t.Fatalf("%s verify: %d\n%s", typ, code, out)
		}
		parts := strings.Split(strings.TrimSpace(jws), ".")
		tampered := parts[0] + "." + parts[1] + "x." + parts[2]
		if code, out, _ = runCLI(t, tampered, "verify", "-"); code != 1 {
			t.Fatalf("%s tampered: %d\n%s", typ, code, out)
		}
	}
}

// TestIssueRS256: an RSA key (OB 3.0 §8.2.3 "MUST be RS256 as a minimum")
// is a did:key z4MX… that signs RS256 VC-JWTs which verify; with the default
// Data Integrity format, issue refuses it with a clear reason (exit 2).
func TestIssueRS256(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "issuer.key")
	code, out, errs := runCLI(t, "", "key", "new", "--type", "rsa", "--out", key)
	if code != 0 || !strings.HasPrefix(out, "did:key:z4MX") {
		t.Fatalf("key new --type rsa: %d %q %s", code, out, errs)
	}
	did := strings.TrimSpace(out)
	// The key file holds RSA Multikeys (rsa-pub z4MX…, rsa-priv) and the DID.
	raw, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	var kf struct{ Type, Controller, ID, PublicKeyMultibase, SecretKeyMultibase string }
	if err := json.Unmarshal(raw, &kf); err != nil || kf.Type != "RSA" || kf.Controller != did ||
		kf.ID != did+"#"+kf.PublicKeyMultibase || "did:key:"+kf.PublicKeyMultibase != did || kf.SecretKeyMultibase == "" {
		t.Fatalf("key file: %v\n%s", err, raw)
	}
	// "RSA" is accepted as well as "rsa".
	if code, out, errs := runCLI(t, "", "key", "new", "--type", "RSA", "--out", filepath.Join(dir, "other.key")); code != 0 ||
		!strings.HasPrefix(out, "did:key:z4MX") || strings.TrimSpace(out) == did {
		t.Fatalf("key new --type RSA: %d %q %s", code, out, errs)
	}

	code, jws, errs := runCLI(t, "", "issue", "--format", "jwt", "--key", key, "--achievement", "../../docs/examples/achievement.json",
		"--recipient-did", "did:example:learner", "--issuer-name", "Lab")
	jws = strings.TrimSpace(jws)
	if code != 0 || strings.Count(jws, ".") != 2 {
		t.Fatalf("issue --format jwt: %d %s %s", code, jws, errs)
	}
	parts := strings.Split(jws, ".")
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	var header struct{ Alg, Kid, Typ string }
	if err := json.Unmarshal(hb, &header); err != nil || header.Alg != "RS256" || header.Kid != kf.ID {
		t.Fatalf("header %s: %v (want alg RS256, kid %s)", hb, err, kf.ID)
	}
	path := filepath.Join(dir, "badge.jwt")
	if err := os.WriteFile(path, []byte(jws), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCLI(t, "", "verify", "-v", path); code != 0 || !strings.Contains(out, "VERIFIED: issued by "+did) {
		t.Fatalf("verify: %d\n%s", code, out)
	}
	tampered := parts[0] + "." + parts[1] + "x." + parts[2]
	if code, out, _ := runCLI(t, tampered, "verify", "-"); code != 1 {
		t.Fatalf("tampered: %d\n%s", code, out)
	}

	code, out, errs = runCLI(t, "", "issue", "--key", key, "--achievement", "../../docs/examples/achievement.json",
		"--recipient-did", "did:example:learner", "--issuer-name", "Lab")
	if code != 2 || out != "" || !strings.Contains(errs, "RSA keys sign VC-JWTs only (RS256): use --format jwt") {
		t.Fatalf("issue (json) with an RSA key: %d %q %s", code, out, errs)
	}
}

// syncBuffer is a bytes.Buffer safe to read while serve writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestServe starts 'blason serve' on a free loopback port with settings
// from BLASON_* variables, issues and verifies over HTTP, then stops it as
// SIGTERM would (context cancelled) and expects a clean exit.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("BLASON_DATA", dir)
	t.Setenv("BLASON_ADDR", "127.0.0.1:0")
	t.Setenv("BLASON_LOG_FORMAT", "json")
	t.Setenv("BLASON_DID_WEB", "did:web:badges.lab.example")
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int)
	go func() { done <- run(ctx, []string{"serve"}, strings.NewReader(""), &out, &errb) }()
	var base string
	deadline := time.Now().Add(10 * time.Second)
	for base == "" {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not start: %s %s", out.String(), errb.String())
		}
		if m := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)`).FindStringSubmatch(out.String()); m != nil {
			base = "http://" + m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, f := range []string{"master.key", "blason.db", "operator.token"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", f, err, st)
		}
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var health map[string]any
	json.NewDecoder(resp.Body).Decode(&health)
	resp.Body.Close()
	if health["status"] != "ok" || health["issuer"] != "did:web:badges.lab.example" {
		t.Fatalf("healthz %v", health)
	}
	resp, err = http.Get(base + "/.well-known/did.json")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("did.json: %v %v", err, resp)
	}
	var doc map[string]any
	json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if doc["id"] != "did:web:badges.lab.example" {
		t.Fatalf("DID document %v", doc)
	}
	cred := `{"credential": {"@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
		"id": "urn:uuid:11111111-2222-4333-8444-555555555555",
		"type": ["VerifiableCredential"], "issuer": "did:web:badges.lab.example", "validFrom": "2026-01-01T00:00:00Z",
		"credentialSubject": {"id": "did:example:1", "name": "x"}}}`
	// Issuing needs a token with the issue scope: one made with 'blason
	// token new' on the same data directory while the server runs.
	resp, err = http.Post(base+"/credentials/issue", "application/json", strings.NewReader(cred))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("issue without a token: %v %v", err, resp)
	}
	resp.Body.Close()
	code, issueToken, errs := runCLI(t, "", "token", "new", "--scope", "issue", "--label", "test")
	if code != 0 || !strings.HasPrefix(issueToken, "blsn_") {
		t.Fatalf("token new: %d %q %s", code, issueToken, errs)
	}
	post := func(path, token, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(token))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp = post("/credentials/issue", issueToken, cred)
	if resp.StatusCode != 201 {
		t.Fatalf("issue: %v", resp)
	}
	var issued map[string]any
	json.NewDecoder(resp.Body).Decode(&issued)
	resp.Body.Close()
	vc := issued["verifiableCredential"].(map[string]any)
	if vm := vc["proof"].(map[string]any)["verificationMethod"]; vm != "did:web:badges.lab.example#key-1" {
		t.Fatalf("signed with %v", vm)
	}
	// The server verifies its own credential, status included (its own
	// lists are read from its state).
	verifyOwn := func() (int, map[string]any) {
		b, _ := json.Marshal(map[string]any{"verifiableCredential": vc})
		resp, err := http.Post(base+"/credentials/verify", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if code, out := verifyOwn(); code != 200 || !strings.Contains(fmt.Sprint(out["checks"]), "status") {
		t.Fatalf("verify own credential: %d %v", code, out)
	}
	// The status entry points at https://badges.lab.example/status/ID; the
	// list itself is served here at /status/ID.
	listURL := vc["credentialStatus"].(map[string]any)["statusListCredential"].(string)
	listPath := strings.TrimPrefix(listURL, "https://badges.lab.example")
	resp, err = http.Get(base + listPath)
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("ETag") == "" || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age") {
		t.Fatalf("status list: %v %v", err, resp)
	}
	etag := resp.Header.Get("ETag")
	resp.Body.Close()
	get := func(ifNoneMatch string) int {
		req, _ := http.NewRequest("GET", base+listPath, nil)
		req.Header.Set("If-None-Match", ifNoneMatch)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(etag); code != http.StatusNotModified {
		t.Fatalf("If-None-Match: %d", code)
	}
	// Revoking needs the operator token.
	change := `{"credentialId": "urn:uuid:11111111-2222-4333-8444-555555555555", "credentialStatus": [{"type": "BitstringStatusListCredential", "status": "revoked"}], "reason": "test"}`
	resp, _ = http.Post(base+"/credentials/status", "application/json", strings.NewReader(change))
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unauthenticated status change: %d", resp.StatusCode)
	}
	resp.Body.Close()
	// The issue-scoped token may not change status; the operator token
	// (every scope) may.
	if resp = post("/credentials/status", issueToken, change); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("status change with an issue token: %v", resp)
	}
	resp.Body.Close()
	tok, _ := os.ReadFile(filepath.Join(dir, "operator.token"))
	if resp = post("/credentials/status", string(tok), change); resp.StatusCode != 200 {
		t.Fatalf("status change: %v", resp)
	}
	resp.Body.Close()
	// A duplicate id is a conflict, not a server error.
	if resp = post("/credentials/issue", issueToken, cred); resp.StatusCode != http.StatusConflict {
		t.Fatalf("duplicate id: %v", resp)
	}
	resp.Body.Close()
	if code := get(etag); code != 200 {
		t.Fatalf("after a change the old ETag must not match: %d", code)
	}
	if code, out := verifyOwn(); code != 422 || !strings.Contains(fmt.Sprint(out["errors"]), "revoked") {
		t.Fatalf("verify revoked credential: %d %v", code, out)
	}
	// The CLI works on the same data directory while the server runs.
	if code, out, errs := runCLI(t, "", "revoke", "urn:uuid:11111111-2222-4333-8444-555555555555", "--reason", "again"); code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("cli revoke: %d %s %s", code, out, errs)
	}
	if code, _, errs := runCLI(t, "", "reinstate", "urn:uuid:11111111-2222-4333-8444-555555555555"); code != 2 || !strings.Contains(errs, "does not apply") {
		t.Fatalf("cli reinstate revoked: %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, "", "revoke", "urn:uuid:11111111-2222-4333-8444-555555555555"); code != 2 || !strings.Contains(errs, "reason") {
		t.Fatalf("cli revoke without reason: %d %s", code, errs)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d: %s", code, errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(errb.String(), `"msg":"request"`) || !strings.Contains(errb.String(), `"status":201`) {
		t.Fatalf("no structured request log: %s", errb.String())
	}
	// Bad configuration is a usage error.
	t.Setenv("BLASON_MAX_BODY", "lots")
	if code, _, errs := runCLI(t, "", "serve"); code != 2 || !strings.Contains(errs, "max-body") {
		t.Fatalf("bad BLASON_MAX_BODY: %d %s", code, errs)
	}
}

// TestVerifyOB2: an Open Badges 2.0 badge is recognised and labelled as the
// older format; with nothing fetched (offline, or an address the fetcher
// refuses) its hosted original "could not be checked", which is not the same
// as forged: exit 1 (not verified), never "anyone could have written it".
func TestVerifyOB2(t *testing.T) {
	const assertion = `{
  "@context": "https://w3id.org/openbadges/v2",
  "id": "https://127.0.0.1/assertions/123",
  "type": "Assertion",
  "recipient": {"type": "email", "hashed": false, "identity": "alice@example.org"},
  "issuedOn": "2016-12-31T23:59:59+00:00",
  "verification": {"type": "hosted"},
  "badge": "https://127.0.0.1/badges/5"
}`
	path := filepath.Join(t.TempDir(), "ob2.json")
	if err := os.WriteFile(path, []byte(assertion), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"offline", []string{"verify", "--offline", path}, []string{"Open Badges 2.0", verifier.English["format.ob2"], verifier.English["proof.ob2-offline"], "NOT VERIFIED"}},
		// The fetcher refuses loopback addresses: nothing leaves the machine.
		{"unreachable", []string{"verify", path}, []string{"Open Badges 2.0", verifier.English["proof.ob2-unreachable"], "NOT VERIFIED"}},
		{"json", []string{"verify", "--offline", "--json", path}, []string{`"format": "ob2-hosted"`, `"message": "format.ob2"`, `"outcome": "unknown"`}},
	}
	for _, c := range cases {
		code, out, errs := runCLI(t, "", c.args...)
		if code != exitNotVerified {
			t.Errorf("%s: exit %d, want %d\n%s%s", c.name, code, exitNotVerified, out, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: output lacks %q:\n%s", c.name, w, out)
			}
		}
		if strings.Contains(out, "anyone could have written it") || strings.Contains(out, `"outcome": "failed"`) {
			t.Errorf("%s: an unchecked OB 2.0 badge reads as forged:\n%s", c.name, out)
		}
	}
}

// TestTokenCommands: token new prints the secret once (stdout, alone),
// list shows it without the secret, revoke marks it; bad input is a usage
// error.
func TestTokenCommands(t *testing.T) {
	dir := t.TempDir()
	code, secret, errs := runCLI(t, "", "token", "new", "--data", dir, "--scope", "status,issue", "--label", "ci runner", "--expires", "720h")
	secret = strings.TrimSpace(secret)
	if code != 0 || !regexp.MustCompile(`^blsn_[A-Za-z0-9_-]{43}$`).MatchString(secret) || !strings.Contains(errs, "shown only this once") {
		t.Fatalf("token new: %d %q %q", code, secret, errs)
	}
	id := regexp.MustCompile(`tok_[0-9a-f]{16}`).FindString(errs)
	if id == "" {
		t.Fatalf("no token id in %q", errs)
	}
	code, admin, _ := runCLI(t, "", "token", "new", "--data", dir, "--scope", "admin")
	if code != 0 || strings.TrimSpace(admin) == secret {
		t.Fatalf("second token: %d %q", code, admin)
	}
	code, out, errs := runCLI(t, "", "token", "list", "--data", dir)
	if code != 0 || strings.Contains(out, secret) || strings.Contains(out, strings.TrimSpace(admin)) {
		t.Fatalf("token list shows a secret or failed: %d %s %s", code, out, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], id) || !strings.Contains(lines[1], "issue,status") ||
		!strings.Contains(lines[1], "active") || !strings.Contains(lines[1], "ci runner") || !strings.Contains(lines[2], "admin") {
		t.Fatalf("token list:\n%s", out)
	}
	// The id may come before or after the flags.
	if code, out, errs := runCLI(t, "", "token", "revoke", id, "--data", dir); code != 0 || !strings.Contains(out, id+" is revoked") {
		t.Fatalf("token revoke: %d %s %s", code, out, errs)
	}
	_, out, _ = runCLI(t, "", "token", "list", "--data", dir)
	if !strings.Contains(strings.Split(out, "\n")[1], "revoked") {
		t.Fatalf("after revoke:\n%s", out)
	}
	for name, args := range map[string][]string{
		"no scope":       {"token", "new", "--data", dir},
		"unknown scope":  {"token", "new", "--data", dir, "--scope", "write"},
		"negative":       {"token", "new", "--data", dir, "--scope", "issue", "--expires", "-1h"},
		"unknown id":     {"token", "revoke", "--data", dir, "tok_0000000000000000"},
		"no id":          {"token", "revoke", "--data", dir},
		"extra argument": {"token", "list", "--data", dir, "x"},
	} {
		if code, _, errs := runCLI(t, "", args...); code != 2 || errs == "" {
			t.Errorf("%s: exit %d %q", name, code, errs)
		}
	}
}

// TestServeRefusesWeakOperatorToken: a token file others can read, or a
// short token, stops serve at startup with how to fix it.
func TestServeRefusesWeakOperatorToken(t *testing.T) {
	strong := strings.Repeat("0123456789abcdef", 4) + "\n"
	for name, c := range map[string]struct {
		content string
		mode    os.FileMode
		env     string
		want    string
	}{
		"world readable file": {strong, 0o644, "", "chmod 600"},
		"group readable file": {strong, 0o640, "", "chmod 600"},
		"one character file":  {"x\n", 0o600, "", "at least 32"},
		"short env token":     {"", 0, "short", "BLASON_OPERATOR_TOKEN"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if c.content != "" {
				p := filepath.Join(dir, "operator.token")
				if err := os.WriteFile(p, []byte(c.content), c.mode); err != nil {
					t.Fatal(err)
				}
				os.Chmod(p, c.mode)
			}
			t.Setenv("BLASON_OPERATOR_TOKEN", c.env)
			code, out, errs := runCLI(t, "", "serve", "--data", dir, "--addr", "127.0.0.1:0")
			if code != 2 || !strings.Contains(errs, c.want) || strings.Contains(out, "serving") {
				t.Fatalf("exit %d, stderr %q, want %q", code, errs, c.want)
			}
		})
	}
}

// TestServeBadNetworkFlags: the connection cap, body deadline and trusted
// proxies are checked before anything starts.
func TestServeBadNetworkFlags(t *testing.T) {
	for _, c := range []struct{ flag, value, want string }{
		{"--max-conns", "0", "max-conns"},
		{"--max-conns", "many", "max-conns"},
		{"--max-inflight", "0", "max-inflight"},
		{"--max-inflight", "all", "max-inflight"},
		{"--body-timeout", "-1s", "body-timeout"},
		{"--body-timeout", "10", "body-timeout"},
		{"--trusted-proxy", "10.0.0.0/33", "trusted-proxy"},
		{"--trusted-proxy", "proxy.example", "trusted-proxy"},
	} {
		code, out, errs := runCLI(t, "", "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0", c.flag, c.value)
		if code != 2 || !strings.Contains(errs, c.want) || out != "" {
			t.Errorf("%s %s: exit %d %q %q", c.flag, c.value, code, out, errs)
		}
	}
}

// TestVerifyLanguage: the report is in the reader's language: --lang, else
// the locale; dates as people write them; the exit code is the same.
func TestVerifyLanguage(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "issuer.key")
	if code, _, errs := runCLI(t, "", "key", "new", "--out", key); code != 0 {
		t.Fatal(errs)
	}
	code, badge, errs := runCLI(t, "", "issue", "--key", key, "--achievement", "../../docs/examples/achievement.json",
		"--recipient-email", "learner@example.org", "--issuer-name", "Lab")
	if code != 0 {
		t.Fatal(errs)
	}
	path := filepath.Join(dir, "badge.json")
	os.WriteFile(path, []byte(badge), 0o600)
	tampered := filepath.Join(dir, "tampered.json")
	os.WriteFile(tampered, []byte(strings.Replace(badge, `"Lab"`, `"Bal"`, 1)), 0o600)

	cases := []struct {
		env, flag, file string
		code            int
		says            []string
	}{
		{"fr_FR.UTF-8", "", path, 0, []string{"VÉRIFIÉ : émis par", "Sa signature numérique est valide", "à partir du"}},
		{"fr_FR.UTF-8", "en", path, 0, []string{"VERIFIED: issued by", "from "}},
		{"en_GB.UTF-8", "fr", tampered, 1, []string{"NON VÉRIFIÉ : Sa signature numérique ne correspond pas"}},
		{"C", "", tampered, 1, []string{"NOT VERIFIED: Its digital signature does not match"}},
	}
	for _, c := range cases {
		t.Setenv("LC_ALL", "")
		t.Setenv("LANG", c.env)
		args := []string{"verify"}
		if c.flag != "" {
			args = append(args, "--lang", c.flag)
		}
		code, out, errs := runCLI(t, "", append(args, c.file)...)
		if code != c.code {
			t.Fatalf("%s %s: exit %d, want %d\n%s%s", c.env, c.flag, code, c.code, out, errs)
		}
		for _, s := range c.says {
			if !strings.Contains(out, s) {
				t.Errorf("%s --lang %q: output lacks %q:\n%s", c.env, c.flag, s, out)
			}
		}
	}
	// Who issued it: the name is a claim, a did:key proves nothing about it;
	// --trust-list says whether the issuer is known.
	trust := filepath.Join(dir, "trust.json")
	os.WriteFile(trust, []byte(`[{"id": "did:web:lab.example", "name": "Lab"}]`), 0o600)
	t.Setenv("LANG", "C")
	_, out, _ := runCLI(t, "", "verify", "--trust-list", trust, path)
	for _, s := range []string{"Who issued it:", "The badge says it was issued by Lab.", "anonymous key", "Unknown issuer: it is not on your --trust-list"} {
		if !strings.Contains(out, s) {
			t.Errorf("issuer block lacks %q:\n%s", s, out)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.HasPrefix(lines[len(lines)-1], "VERIFIED") {
		t.Errorf("the verdict is not the last line:\n%s", out)
	}
	if code, _, errs := runCLI(t, "", "verify", "--trust-list", filepath.Join(dir, "nope.json"), path); code != 2 || !strings.Contains(errs, "trust-list") {
		t.Errorf("missing trust list: %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, "", "verify", "--lang", "de", path); code != 2 || !strings.Contains(errs, "en or fr") {
		t.Fatalf("--lang de: %d %s", code, errs)
	}
}

// TestMain runs the CLI tests in the C locale, so that a developer's
// French locale does not change what they read. With envRunMain set, the
// test binary is the blason command instead (main never returns).
func TestMain(m *testing.M) {
	if os.Getenv(envRunMain) == "1" {
		main() // a child 'blason serve' of TestScaleOutPostgres or TestBench
	}
	os.Setenv("LC_ALL", "C")
	os.Exit(m.Run())
}

// TestVerifyForgivingInput: what a person saves or copies is read; what
// holds no badge is "could not read this" (exit 2), never "not verified".
func TestVerifyForgivingInput(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "issuer.key")
	if code, _, errs := runCLI(t, "", "key", "new", "--out", key); code != 0 {
		t.Fatal(errs)
	}
	issue := func(format string) string {
		code, out, errs := runCLI(t, "", "issue", "--key", key, "--achievement", "../../docs/examples/achievement.json",
			"--recipient-email", "learner@example.org", "--issuer-name", "Lab", "--format", format)
		if code != 0 {
			t.Fatal(errs)
		}
		return strings.TrimSpace(out)
	}
	badge, jwt := issue("json"), issue("jwt")
	var wrapped strings.Builder
	for i := 0; i < len(jwt); i += 60 { // as a mail client breaks it
		wrapped.WriteString("  " + jwt[i:min(i+60, len(jwt))] + "\r\n")
	}
	cases := []struct {
		name, content string
		code          int
		says          string
	}{
		{"saved by a browser", "\xef\xbb\xbf" + strings.ReplaceAll(badge, "\n", "\r\n") + "\r\n", 0, "VERIFIED"},
		{"JWT broken over lines", wrapped.String(), 0, "VERIFIED"},
		{"saved web page", "<html><body><pre>" + html.EscapeString(badge) + "</pre></body></html>", 0, "VERIFIED"},
		{"a letter", "Dear employer, my badge is attached.", 2, "could not read this"},
		{"truncated copy", badge[:len(badge)/2], 2, ""},
		{"empty", "", 2, "could not read this"},
	}
	for _, c := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-"))
		os.WriteFile(path, []byte(c.content), 0o600)
		code, out, errs := runCLI(t, "", "verify", path)
		if code != c.code || !strings.Contains(out+errs, c.says) {
			t.Errorf("%s: exit %d (want %d)\n%s%s", c.name, code, c.code, out, errs)
		}
		if c.code == 2 && strings.Contains(out, "NOT VERIFIED") && c.name != "truncated copy" {
			t.Errorf("%s: an unreadable input reads NOT VERIFIED", c.name)
		}
	}
}

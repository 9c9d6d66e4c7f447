package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	if outcomes["proof"] != "passed" || outcomes["recipient"] != "passed" || outcomes["status"] != "skipped" || len(report.Checks) != 11 {
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
		{[]string{"key", "new", "--type", "rsa", "--out", filepath.Join(dir, "k")}, 2, "unknown key type"},
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
	if code, _, errs = runCLI(t, "", "present", "--key", holderKey, badgePath); code != 2 || !strings.Contains(errs, "usage") {
		t.Fatalf("no challenge: %d %s", code, errs)
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

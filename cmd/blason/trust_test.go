package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/blason-badges/blason/issuer"
)

// newKey makes a key file with 'blason key new' and returns its path and DID.
func newKey(t *testing.T, dir string) (string, string) {
	t.Helper()
	key := filepath.Join(dir, "issuer.key")
	code, out, errs := runCLI(t, "", "key", "new", "--out", key)
	if code != 0 {
		t.Fatalf("key new: %d %s", code, errs)
	}
	return key, strings.TrimSpace(out)
}

func issuerNameOf(t *testing.T, badge string) string {
	t.Helper()
	var doc struct {
		Issuer struct {
			Name string `json:"name"`
		} `json:"issuer"`
	}
	if err := json.Unmarshal([]byte(badge), &doc); err != nil {
		t.Fatalf("%v\n%s", err, badge)
	}
	return doc.Issuer.Name
}

// A badge issued with --data is recorded with a status entry: verify
// --data reads it as valid, revoke finds it, and verify then says revoked.
func TestIssueRecordedCanBeRevoked(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	key, _ := newKey(t, dir)
	code, badge, errs := runCLI(t, "", "issue", "--key", key, "--achievement", "../../docs/examples/achievement.json",
		"--recipient-email", "learner@example.org", "--issuer-name", "Lab", "--data", data)
	if code != 0 {
		t.Fatalf("issue --data: %d %s", code, errs)
	}
	m := regexp.MustCompile(`Revoke it with: blason revoke (urn:uuid:[0-9a-f-]+) --data`).FindStringSubmatch(errs)
	if m == nil {
		t.Fatalf("issue --data does not say how to revoke: %s", errs)
	}
	id := m[1]
	if !strings.Contains(badge, `"credentialStatus"`) || !strings.Contains(badge, id) || strings.Contains(errs, "never be revoked") {
		t.Fatalf("recorded badge: %s\n%s", errs, badge)
	}
	path := filepath.Join(dir, "badge.json")
	if err := os.WriteFile(path, []byte(badge), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCLI(t, "", "verify", "--data", data, path); code != 0 || !strings.Contains(out, "VERIFIED") {
		t.Fatalf("verify before revoke: %d\n%s", code, out)
	}
	if code, out, errs := runCLI(t, "", "revoke", id, "--data", data, "--reason", "awarded by mistake"); code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke: %d %s %s", code, out, errs)
	}
	if code, out, _ := runCLI(t, "", "verify", "--data", data, path); code != 1 || !strings.Contains(out, "revoked") {
		t.Fatalf("verify after revoke: %d\n%s", code, out)
	}
}

// Without a data directory the badge cannot be revoked, and issue says so
// (on stderr: stdout is the badge alone).
func TestIssueWithoutDataSaysNeverRevocable(t *testing.T) {
	dir := t.TempDir()
	key, _ := newKey(t, dir)
	t.Setenv("BLASON_DATA", "")
	code, badge, errs := runCLI(t, "", "issue", "--key", key, "--achievement", "../../docs/examples/achievement.json",
		"--recipient-email", "learner@example.org")
	if code != 0 || !strings.Contains(errs, "can never be revoked") {
		t.Fatalf("issue: %d %q", code, errs)
	}
	if strings.Contains(badge, "credentialStatus") || strings.Contains(badge, "never be revoked") {
		t.Fatalf("badge: %s", badge)
	}
}

// revoke of an unknown id says so; with a data directory that does not
// exist it creates nothing.
func TestRevokeUnknown(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "typo")
	code, _, errs := runCLI(t, "", "revoke", "urn:uuid:00000000-0000-4000-8000-000000000000", "--data", missing, "--reason", "r")
	if code != 2 || !strings.Contains(errs, "no issuer is recorded there") {
		t.Fatalf("revoke in a missing directory: %d %s", code, errs)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatalf("revoke created %s: %v", missing, err)
	}
	// An existing issuer directory, an id it never issued.
	data := filepath.Join(dir, "data")
	key, _ := newKey(t, dir)
	if code, _, errs := runCLI(t, "", "issue", "--key", key, "--achievement", "../../docs/examples/achievement.json",
		"--recipient-email", "a@example.org", "--data", data); code != 0 {
		t.Fatalf("issue: %s", errs)
	}
	for _, action := range []string{"revoke", "suspend", "reinstate"} {
		code, _, errs = runCLI(t, "", action, "urn:uuid:00000000-0000-4000-8000-000000000000", "--data", data, "--reason", "r")
		if code != 2 || !strings.Contains(errs, "no badge urn:uuid:00000000-0000-4000-8000-000000000000 is recorded in "+data) {
			t.Fatalf("%s unknown id: %d %s", action, code, errs)
		}
	}
}

// --issuer-name given to a later 'issue --data' renames the issuer for the
// badges that follow; leaving it out keeps the last name.
func TestIssueDataIssuerName(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	key, _ := newKey(t, dir)
	issue := func(extra ...string) string {
		args := append([]string{"issue", "--key", key, "--achievement", "../../docs/examples/achievement.json",
			"--recipient-email", "a@example.org", "--data", data}, extra...)
		code, badge, errs := runCLI(t, "", args...)
		if code != 0 {
			t.Fatalf("issue %v: %s", extra, errs)
		}
		return badge
	}
	for _, c := range []struct {
		args []string
		want string
	}{{[]string{"--issuer-name", "Lab A"}, "Lab A"}, {[]string{"--issuer-name", "Lab B"}, "Lab B"}, {nil, "Lab B"}} {
		if got := issuerNameOf(t, issue(c.args...)); got != c.want {
			t.Fatalf("issue %v: issuer name %q, want %q", c.args, got, c.want)
		}
	}
}

// serve's --issuer-name applies to an issuer that already exists: the
// badges signed after the restart carry the new name.
func TestServeIssuerNameApplied(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("BLASON_DATA", dir)
	t.Setenv("BLASON_ADDR", "127.0.0.1:0")
	t.Setenv("BLASON_ISSUER_NAME", "")
	os.Unsetenv("BLASON_ISSUER_NAME")
	startStop := func(args ...string) string {
		ctx, cancel := context.WithCancel(context.Background())
		var out, errb syncBuffer
		done := make(chan int)
		go func() { done <- run(ctx, append([]string{"serve"}, args...), strings.NewReader(""), &out, &errb) }()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(out.String(), "Stop with Ctrl-C") {
			if time.Now().After(deadline) {
				cancel()
				t.Fatalf("serve did not start: %s %s", out.String(), errb.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		if code := <-done; code != 0 {
			t.Fatalf("serve exit %d: %s", code, errb.String())
		}
		return out.String()
	}
	if out := startStop(); !strings.Contains(out, "issuer:  Blason demo issuer") {
		t.Fatalf("first start: %s", out)
	}
	if out := startStop("--issuer-name", "Laboratoire de physique"); !strings.Contains(out, "issuer:  Laboratoire de physique") {
		t.Fatalf("restart with --issuer-name: %s", out)
	}
	// A badge awarded from this state after the restart carries the name.
	sf := stateFlags{data: &dir, database: new(string), masterKeyFile: new(string)}
	st, err := openState(context.Background(), sf)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := st.Issuer
	if _, err := workspaceOn(context.Background(), st.DB, svc); err != nil {
		t.Fatal(err)
	}
	svc.BaseURL = "http://127.0.0.1:8080"
	list, err := st.Issuers.ListIssuers(context.Background())
	if err != nil || len(list) != 1 {
		t.Fatalf("issuers %v %v", list, err)
	}
	ach := map[string]any{"id": "urn:uuid:6d1e7b4e-2b7a-4c43-9f1e-0d3a3d5d7c11", "name": "N", "description": "D", "criteria": map[string]any{"narrative": "C"}}
	rec, err := svc.Award(context.Background(), list[0].ID, issuer.Award{Achievement: ach, Recipient: issuer.Recipient{Email: "a@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := issuerNameOf(t, string(rec.Document)); got != "Laboratoire de physique" {
		t.Fatalf("badge issuer name %q", got)
	}
}

// 'issue --data DIR' without --key signs as the data directory's own issuer
// (the one 'blason serve --data DIR' publishes): the badge names it, is
// recorded, verifies, and can be revoked. Without --key or --data, issue
// says how to call it.
func TestIssueAsDataIssuer(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	t.Setenv("BLASON_DATA", "")
	if code, _, errs := runCLI(t, "", "issue", "--achievement", "../../docs/examples/achievement.json", "--recipient-email", "a@example.org"); code != 2 ||
		!strings.Contains(errs, "usage: blason issue (--key FILE | --data DIR)") {
		t.Fatalf("no key, no data: %d %s", code, errs)
	}
	code, badge, errs := runCLI(t, "", "issue", "--data", data, "--achievement", "../../docs/examples/achievement.json",
		"--recipient-email", "a@example.org")
	if code != 0 || !strings.Contains(errs, "recorded as urn:uuid:") || !strings.Contains(badge, "credentialStatus") {
		t.Fatalf("issue --data: %d %s\n%s", code, errs, badge)
	}
	if got := issuerNameOf(t, badge); got != "Blason demo issuer" {
		t.Fatalf("issuer name %q", got)
	}
	id := regexp.MustCompile(`recorded as (urn:uuid:[0-9a-f-]+)`).FindStringSubmatch(errs)[1]
	path := filepath.Join(t.TempDir(), "badge.json")
	if err := os.WriteFile(path, []byte(badge), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCLI(t, "", "verify", "--data", data, path); code != 0 || !strings.Contains(out, "VERIFIED") {
		t.Fatalf("verify: %d\n%s", code, out)
	}
	if code, out, errs := runCLI(t, "", "revoke", id, "--data", data, "--reason", "test"); code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke: %d %s %s", code, out, errs)
	}
	if code, out, _ := runCLI(t, "", "verify", "--data", data, path); code != 1 || !strings.Contains(out, "revoked") {
		t.Fatalf("verify after revoke: %d\n%s", code, out)
	}
}

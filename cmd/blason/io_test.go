package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const achievementPath = "../../docs/examples/achievement.json"

// failingWriter fails every write, as a full disk or a closed pipe does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestWriteErrors: every command that prints a result exits 2 with a
// message when the result cannot be written (the issue's `blason issue >
// /dev/full` exited 0 and the credential was lost).
func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "issuer.key")
	if code, _, errs := runCLI(t, "", "key", "new", "--out", key); code != 0 {
		t.Fatal(errs)
	}
	_, badge, _ := runCLI(t, "", "issue", "--key", key, "--achievement", achievementPath, "--recipient-did", "did:example:x")
	badgePath := filepath.Join(dir, "badge.json")
	os.WriteFile(badgePath, []byte(badge), 0o600)

	// /dev/full, where the system has one: the real ENOSPC path.
	stdouts := []io.Writer{failingWriter{}}
	if f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0); err == nil {
		defer f.Close()
		stdouts = append(stdouts, f)
	}
	cases := [][]string{
		{"issue", "--key", key, "--achievement", achievementPath, "--recipient-did", "did:example:x"},
		{"issue", "--format", "jwt", "--key", key, "--achievement", achievementPath, "--recipient-did", "did:example:x"},
		{"present", "--key", key, "--challenge", "c", badgePath},
		{"key", "new", "--out", ""}, // a fresh file name is filled in below
		{"verify", badgePath},
		{"verify", "--json", badgePath},
		{"demo"},
	}
	for i, args := range cases {
		for j, w := range stdouts {
			a := append([]string(nil), args...)
			if a[0] == "key" {
				a[3] = filepath.Join(dir, fmt.Sprintf("k%d-%d", i, j))
			}
			var errb strings.Builder
			code := run(context.Background(), a, strings.NewReader(""), w, &errb)
			if code != exitUsage || !strings.Contains(errb.String(), "cannot write the output") {
				t.Errorf("%v (stdout %T): exit %d, stderr %q; want 2 and a message", a, w, code, errb.String())
			}
		}
	}
}

// TestBoundedReads: every file the CLI reads is read with a bound, so
// /dev/zero or a huge file fails fast with a clear message (exit 2).
func TestBoundedReads(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "issuer.key")
	runCLI(t, "", "key", "new", "--out", key)
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, []byte(`{"a":"`+strings.Repeat("x", 1<<20)+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	bigKey := filepath.Join(dir, "big.key")
	os.WriteFile(bigKey, []byte(strings.Repeat(" ", 70<<10)), 0o600)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"issue", "--key", key, "--achievement", "/dev/zero", "--recipient-did", "did:example:x"}, "/dev/zero is larger than 1048576 bytes"},
		{[]string{"issue", "--key", key, "--achievement", big, "--recipient-did", "did:example:x"}, "big.json is larger than 1048576 bytes"},
		{[]string{"issue", "--key", bigKey, "--achievement", achievementPath, "--recipient-did", "did:example:x"}, "big.key is larger than 65536 bytes"},
		{[]string{"verify", "/dev/zero"}, "/dev/zero is larger than 1048576 bytes"},
		{[]string{"verify", big}, "is larger than 1048576 bytes"},
		{[]string{"present", "--key", key, "--challenge", "c", "/dev/zero"}, "/dev/zero is larger than 1048576 bytes"},
	}
	for _, c := range cases {
		if strings.Contains(strings.Join(c.args, " "), "/dev/zero") {
			if _, err := os.Stat("/dev/zero"); err != nil {
				continue
			}
		}
		code, _, errs := runCLI(t, "", c.args...)
		if code != exitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", c.args, code, errs, c.want)
		}
	}
	// Standard input is bounded too.
	if code, _, errs := runCLI(t, strings.Repeat(" ", 1<<20+1), "verify", "-"); code != exitUsage || !strings.Contains(errs, "standard input is larger than 1048576 bytes") {
		t.Errorf("verify - : %d %s", code, errs)
	}
}

// TestValidDays: --valid-days must be positive; without it the badge has
// no expiry; with it, validUntil is that many days ahead.
func TestValidDays(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "issuer.key")
	runCLI(t, "", "key", "new", "--out", key)
	base := []string{"issue", "--key", key, "--achievement", achievementPath, "--recipient-did", "did:example:x"}
	for _, bad := range []string{"0", "-5"} {
		code, out, errs := runCLI(t, "", append(base, "--valid-days", bad)...)
		if code != exitUsage || out != "" || !strings.Contains(errs, "--valid-days must be a positive number of days, got "+bad) {
			t.Errorf("--valid-days %s: exit %d %q %q", bad, code, out, errs)
		}
	}
	for _, c := range []struct {
		args  []string
		until bool
	}{{nil, false}, {[]string{"--valid-days", "30"}, true}} {
		code, out, errs := runCLI(t, "", append(base, c.args...)...)
		var doc map[string]any
		if code != 0 || json.Unmarshal([]byte(out), &doc) != nil {
			t.Fatalf("%v: %d %s", c.args, code, errs)
		}
		if _, ok := doc["validUntil"]; ok != c.until {
			t.Errorf("%v: validUntil present %v", c.args, ok)
		}
	}
}

// hostileName is what a forged badge writes in its name to take over the
// terminal: clear the screen, draw a verdict, reverse text.
const hostileName = "\x1b[2J\x1b[H VERIFIED \u202eDEKOVER\u202c \u2067x\u2069 \u009b2J"

// TestVerifyTerminalSafe: the CLI's text output carries no escape or bidi
// character from a hostile badge, and the real verdict is its last line;
// --json carries the exact name (escaped, so safe on a terminal too).
func TestVerifyTerminalSafe(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "issuer.key")
	runCLI(t, "", "key", "new", "--out", key)
	ach, _ := os.ReadFile(achievementPath)
	var a map[string]any
	json.Unmarshal(ach, &a)
	a["name"] = hostileName
	achPath := filepath.Join(dir, "ach.json")
	b, _ := json.Marshal(a)
	os.WriteFile(achPath, b, 0o600)
	code, signed, errs := runCLI(t, "", "issue", "--key", key, "--achievement", achPath, "--recipient-did", "did:example:x", "--issuer-name", hostileName)
	if code != 0 {
		t.Fatalf("issue: %s", errs)
	}
	if strings.ContainsAny(signed, "\x1b\u202e\u009b") {
		t.Fatalf("issue printed raw controls: %q", signed)
	}
	var doc map[string]any
	json.Unmarshal([]byte(signed), &doc)
	doc["name"] = "Nobel Prize " + hostileName // a forgery: the signature no longer matches
	forged, _ := json.Marshal(doc)
	for _, c := range []struct {
		name, cred string
		code       int
		verdict    string
	}{
		{"signed by its author", signed, exitOK, "VERIFIED: issued by did:key:"},
		{"forged", string(forged), exitNotVerified, "NOT VERIFIED: Its digital signature does not match"},
	} {
		code, out, _ := runCLI(t, c.cred, "verify", "-v", "-")
		if code != c.code {
			t.Errorf("%s: exit %d\n%s", c.name, code, out)
		}
		for _, r := range out {
			if (r < 0x20 && r != '\n') || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
				t.Fatalf("%s: %U reaches the terminal:\n%q", c.name, r, out)
			}
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if !strings.HasPrefix(lines[len(lines)-1], c.verdict) {
			t.Errorf("%s: last line %q", c.name, lines[len(lines)-1])
		}
		code, js, _ := runCLI(t, c.cred, "verify", "--json", "-")
		if code != c.code || strings.ContainsAny(js, "\x1b\u202e\u2067\u009b") {
			t.Errorf("%s --json: exit %d, raw controls: %q", c.name, code, js)
		}
		var r struct {
			Credential struct{ Name, IssuerName string }
		}
		if err := json.Unmarshal([]byte(js), &r); err != nil || !strings.HasSuffix(r.Credential.Name, hostileName) || r.Credential.IssuerName != hostileName {
			t.Errorf("%s --json: the exact text is lost: %v %q %q", c.name, err, r.Credential.Name, r.Credential.IssuerName)
		}
	}
	// Error messages that quote a credential are safe too.
	if code, _, errs := runCLI(t, "", "revoke", hostileName, "--reason", "x", "--data", filepath.Join(dir, "state")); code != exitUsage ||
		strings.ContainsAny(errs, "\x1b\u202e") || !strings.Contains(errs, `\x1b[2J`) {
		t.Errorf("revoke error: %d %q", code, errs)
	}
}

package main

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/blason-badges/blason/issuer"
)

// TestVerifyLocalIssuerStatus walks the employer's case end to end: a
// server on this machine issued a badge whose status list URL is the
// loopback default (http://127.0.0.1:PORT/status/ID), then revoked it.
// The hardened fetcher cannot check that URL, so plain `verify` says
// "revocation not checked" (exit 3), never VERIFIED; `verify --data DIR`
// reads the list from the issuer's state and `--allow-loopback-status`
// fetches it from the running server: both say REVOKED (exit 1).
func TestVerifyLocalIssuerStatus(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("BLASON_DATA", dir)
	t.Setenv("BLASON_ADDR", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int)
	go func() { done <- run(ctx, []string{"serve"}, strings.NewReader(""), &out, &errb) }()
	var base string
	for deadline := time.Now().Add(10 * time.Second); base == ""; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s %s", out.String(), errb.String())
		}
		if m := regexp.MustCompile(`status lists: (http://127\.0\.0\.1:\d+)/status/`).FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
	}
	// A loopback listener with loopback status URLs: no warning.
	if strings.Contains(errb.String(), "level=WARN") {
		t.Fatalf("unexpected warning: %s", errb.String())
	}

	// Award an Open Badge in the server's state, as the server would.
	st, err := openState(ctx, stateFlags{data: &dir, database: new(string), masterKeyFile: new(string)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := st.Issuer
	svc.BaseURL = base
	issuers, err := st.Issuers.ListIssuers(ctx)
	if err != nil || len(issuers) != 1 {
		t.Fatalf("issuers: %v %v", issuers, err)
	}
	ach := map[string]any{"id": "https://lab.example/badges/x", "type": []any{"Achievement"}, "name": "X",
		"description": "d", "criteria": map[string]any{"narrative": "n"}}
	rec, err := svc.Award(ctx, issuers[0].ID, issuer.Award{Achievement: ach, Recipient: issuer.Recipient{Email: "a@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	badge := filepath.Join(t.TempDir(), "badge.json")
	if err := os.WriteFile(badge, rec.Document, 0o600); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`"statusListCredential":\s*"` + regexp.QuoteMeta(base) + `/status/`).Match(rec.Document) {
		t.Fatalf("status entry does not use the loopback default: %s", rec.Document)
	}

	type want struct {
		code     int
		headline string
	}
	check := func(stage string, w want, args ...string) {
		t.Helper()
		code, stdout, stderr := runCLI(t, "", append(append([]string{"verify"}, args...), badge)...)
		if code != w.code || !strings.Contains(stdout, "\n"+w.headline) {
			t.Fatalf("%s: verify %v: exit %d (want %d), want %q\n%s%s", stage, args, code, w.code, w.headline, stdout, stderr)
		}
		if w.code != exitOK && regexp.MustCompile(`(?m)^VERIFIED`).MatchString(stdout) {
			t.Fatalf("%s: verify %v prints a bare VERIFIED:\n%s", stage, args, stdout)
		}
	}
	notChecked := want{exitUnchecked, "SIGNATURE VALID — REVOCATION NOT CHECKED: issued by " + issuers[0].ID}
	verified := want{exitOK, "VERIFIED: issued by " + issuers[0].ID}
	revoked := want{exitNotVerified, "NOT VERIFIED: It has been revoked by its issuer."}

	check("active", notChecked)
	check("active", notChecked, "--offline")
	check("active", verified, "--data", dir)
	check("active", verified, "--offline", "--data", dir)
	check("active", verified, "--allow-loopback-status")

	if code, _, errs := runCLI(t, "", "revoke", rec.ID, "--reason", "awarded in error", "--data", dir); code != 0 {
		t.Fatalf("revoke: %d %s", code, errs)
	}
	check("revoked", notChecked)
	check("revoked", revoked, "--data", dir)
	check("revoked", revoked, "--allow-loopback-status")
	check("revoked", revoked, "--offline", "--data", dir)

	// The JSON report carries the same distinction: verified stays true
	// (nothing failed) but the verdict says revocation was not checked.
	for _, c := range []struct {
		args     []string
		code     int
		verified bool
		verdict  string
		status   string
	}{
		{nil, exitUnchecked, true, "revocation-not-checked", "unknown"},
		{[]string{"--data", dir}, exitNotVerified, false, "not-verified", "failed"},
	} {
		code, stdout, _ := runCLI(t, "", append(append([]string{"verify", "--json"}, c.args...), badge)...)
		var r struct {
			Verified bool
			Verdict  string
			Checks   []struct{ ID, Outcome string }
		}
		if err := json.Unmarshal([]byte(stdout), &r); err != nil || code != c.code || r.Verified != c.verified || r.Verdict != c.verdict {
			t.Fatalf("verify --json %v: exit %d, %+v, %v", c.args, code, r, err)
		}
		for _, ch := range r.Checks {
			if ch.ID == "status" && ch.Outcome != c.status {
				t.Fatalf("verify --json %v: status %s, want %s", c.args, ch.Outcome, c.status)
			}
		}
	}

	// --data never creates state: a mistyped directory is an error.
	if code, _, errs := runCLI(t, "", "verify", "--data", filepath.Join(dir, "nope"), badge); code != exitUsage || !strings.Contains(errs, "data directory") {
		t.Fatalf("missing data dir: %d %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "nope")); err == nil {
		t.Fatal("verify --data created a directory")
	}
	if code, _, errs := runCLI(t, "", "verify", "--offline", "--allow-loopback-status", badge); code != exitUsage || !strings.Contains(errs, "cannot be combined") {
		t.Fatalf("--offline --allow-loopback-status: %d %s", code, errs)
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
}

// TestStatusURLWarning: serve warns when it listens beyond loopback but the
// status-list URLs it writes into badges are http or loopback.
func TestStatusURLWarning(t *testing.T) {
	t.Parallel()
	loop := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	all := &net.TCPAddr{IP: net.IPv4zero, Port: 8080}
	lan := &net.TCPAddr{IP: net.IPv4(192, 168, 1, 10), Port: 8080}
	cases := []struct {
		base string
		addr net.Addr
		want string
	}{
		{"http://127.0.0.1:8080", loop, ""},
		{"https://badges.lab.example", all, ""},
		{"https://badges.lab.example", lan, ""},
		{"http://0.0.0.0:8080", all, "use http"},
		{"http://badges.lab.example", lan, "use http"},
		{"http://127.0.0.1:8080", lan, "loopback"},
		{"https://localhost:8443", all, "loopback"},
		{"https://[::1]:8443", all, "loopback"},
	}
	for _, c := range cases {
		got := statusURLWarning(c.base, c.addr)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("statusURLWarning(%s, %s) = %q, want %q", c.base, c.addr, got, c.want)
		}
	}
}

package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestBench: blason bench starts its own serve (this test binary as the
// blason command), issues and verifies through it, measures every
// endpoint at every concurrency within its bounds, and stops by itself.
func TestBench(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	t.Setenv(envRunMain, "1")
	code, out, errs := runCLI(t, "", "bench", "--duration", "300ms", "--conns", "1,3", "--max-requests", "30")
	if code != 0 {
		t.Fatalf("bench: exit %d\n%s\n%s", code, out, errs)
	}
	row := regexp.MustCompile(`(?m)^(GET /healthz|POST /credentials/verify|POST /credentials/issue|GET /status/\{id\}|GET /verify)\s+(\d+)\s+\d+\s+[\d.]+\s+[\d.]+\s+(\d+)\s+(\d+)\s+(\d+)$`)
	rows := row.FindAllStringSubmatch(out, -1)
	if len(rows) != 10 {
		t.Fatalf("%d rows, want 5 endpoints x 2 concurrencies:\n%s", len(rows), out)
	}
	for _, r := range rows {
		ok, _ := strconv.Atoi(r[3])
		if ok == 0 || ok > 30 || r[5] != "0" {
			t.Errorf("%s at %s connections: %s correct answers, %s errors (want 1 to 30, no error)", r[1], r[2], r[3], r[5])
		}
	}
	if !strings.Contains(out, "load average") {
		t.Errorf("the machine's load is not reported:\n%s", out)
	}
	for _, args := range [][]string{
		{"bench", "--conns", "0"},
		{"bench", "--url", "http://127.0.0.1:1"},
		{"bench", "--url", "http://192.0.2.1:8080", "--token", "x"},
	} {
		if code, _, errs := runCLI(t, "", args...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d %q", args, code, errs)
		}
	}
}

// TestServeGCPercent: serve sets its own GOGC only when the operator set
// none (an empty GOGC counts as set: the runtime read it).
func TestServeGCPercent(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		env     map[string]string
		want    int
		applied bool
	}{
		{"unset", map[string]string{}, defaultServeGC, true},
		{"unset, memory limit set", map[string]string{"GOMEMLIMIT": "256MiB"}, defaultServeGC, true},
		{"GOGC=100", map[string]string{"GOGC": "100"}, 0, false},
		{"GOGC=off", map[string]string{"GOGC": "off"}, 0, false},
		{"GOGC empty", map[string]string{"GOGC": ""}, 0, false},
	} {
		got, applied := serveGCPercent(func(k string) (string, bool) { v, ok := c.env[k]; return v, ok })
		if got != c.want || applied != c.applied {
			t.Errorf("%s: %d %v, want %d %v", c.name, got, applied, c.want, c.applied)
		}
	}
	if defaultServeGC <= 100 {
		t.Errorf("defaultServeGC %d is not above Go's default", defaultServeGC)
	}
}

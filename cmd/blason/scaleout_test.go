package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/blason-badges/blason/internal/status"
)

// envRunMain makes the test binary run as the blason command (TestMain):
// the scale-out test starts 'blason serve' processes from it, so that they
// run exactly this package's code without a separate 'go build'.
const envRunMain = "BLASON_TEST_RUN_MAIN"

// scaleOutPublicURL is the public URL both processes share, as servers
// behind one load balancer do: credentials name their status lists under
// it, and each process serves every list under it from the database.
const scaleOutPublicURL = "https://badges.scale.example"

// serveProc is one 'blason serve' OS process.
type serveProc struct {
	name     string
	base     string // http://127.0.0.1:port
	cmd      *exec.Cmd
	out, err syncBuffer
	done     chan error
	stopOnce sync.Once
}

// startServe starts 'blason serve' as a child process with args and the
// BLASON_* variables of env (the parent's own BLASON_* are not passed on)
// and returns once it listens. The process is stopped when the test ends.
func startServe(t *testing.T, name string, env map[string]string, args ...string) (*serveProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	p := &serveProc{name: name, done: make(chan error, 1)}
	p.cmd = exec.Command(exe, append([]string{"serve"}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BLASON_") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	p.cmd.Env = append(p.cmd.Env, envRunMain+"=1")
	for k, v := range env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.err
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() { p.stop(t) })
	deadline := time.After(60 * time.Second)
	addr := regexp.MustCompile(`serving on (http://127\.0\.0\.1:\d+)`)
	for p.base == "" {
		select {
		case err := <-p.done:
			p.stopOnce.Do(func() {}) // nothing left to stop
			return nil, fmt.Errorf("%s exited before listening (%v):\n%s\n%s", name, err, p.out.String(), p.err.String())
		case <-deadline:
			return nil, fmt.Errorf("%s did not start:\n%s\n%s", name, p.out.String(), p.err.String())
		case <-time.After(20 * time.Millisecond):
		}
		if m := addr.FindStringSubmatch(p.out.String()); m != nil {
			p.base = m[1]
		}
	}
	return p, nil
}

// stop ends the process as a service manager does (SIGTERM) and expects a
// clean exit; it kills a process that does not stop. Stopping twice is a
// no-op.
func (p *serveProc) stop(t *testing.T) {
	p.stopOnce.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-p.done:
			if err != nil {
				t.Errorf("%s: exit after SIGTERM: %v\n%s", p.name, err, p.err.String())
			}
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Kill()
			t.Errorf("%s did not stop on SIGTERM", p.name)
		}
	})
}

// do sends a request with the bearer token and decodes a JSON answer.
func (p *serveProc) do(t *testing.T, method, path, token string, body any, hdr map[string]string) (int, http.Header, map[string]any, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, p.base+path, r)
	if err != nil {
		return 0, nil, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, nil, err
	}
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			return resp.StatusCode, resp.Header, nil, fmt.Errorf("%s %s on %s: not JSON (%d): %.200s", method, path, p.name, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, resp.Header, out, nil
}

// scaleOutSchema creates an empty schema in BLASON_TEST_POSTGRES's
// database, drops it when the test ends, and returns a DSN using it.
func scaleOutSchema(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("BLASON_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("set BLASON_TEST_POSTGRES=postgres://... to run the PostgreSQL tests (.ci/postgres.sh)")
	}
	ctx := context.Background()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "blason_scaleout_" + hex.EncodeToString(b[:])
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect BLASON_TEST_POSTGRES: %v", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Error(err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("BLASON_TEST_POSTGRES must be a postgres:// URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// issued is one credential as a server returned it.
type issued struct {
	vc     map[string]any
	by     int    // which server issued it
	list   string // status list path, /status/ID
	index  int
	listID string
}

// listBits fetches a status list from a server and decodes its bits.
func listBits(t *testing.T, p *serveProc, path string, hdr map[string]string) (int, string, *status.Bitstring) {
	t.Helper()
	code, h, doc, err := p.do(t, "GET", path, "", nil, hdr)
	if err != nil {
		t.Fatal(err)
	}
	if code != http.StatusOK {
		return code, h.Get("ETag"), nil
	}
	subj, _ := doc["credentialSubject"].(map[string]any)
	enc, _ := subj["encodedList"].(string)
	bits, err := status.Decode(enc, status.DecodeOptions{})
	if err != nil {
		t.Fatalf("%s %s: %v", p.name, path, err)
	}
	return code, h.Get("ETag"), bits
}

// TestScaleOutPostgres: two 'blason serve' processes share one PostgreSQL
// database, master key and issuer key, as replicas behind a load balancer
// do. Started at the same moment, both come up as the same issuer. 200
// awards through POST /credentials/issue, from 8 clients spread over both,
// all succeed with distinct status indices and all are recorded (each can
// be revoked through the process that did not issue it). A revocation
// through one process is seen by the other at once: its GET /status/{id}
// has the bit set (its cached signed list is not reused: the old ETag no
// longer matches) and its verify says revoked. Revocations of all 200,
// concurrently through both, lose no bit.
func TestScaleOutPostgres(t *testing.T) {
	dsn := scaleOutSchema(t)
	dir := t.TempDir()
	key := filepath.Join(dir, "issuer.key")
	code, out, errs := runCLI(t, "", "key", "new", "--out", key)
	if code != 0 {
		t.Fatalf("key new: %s", errs)
	}
	issuerDID := strings.TrimSpace(out)
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	tokenBytes := make([]byte, 32)
	_, _ = rand.Read(tokenBytes)
	token := hex.EncodeToString(tokenBytes)
	env := map[string]string{
		"BLASON_MASTER_KEY":     base64.StdEncoding.EncodeToString(master),
		"BLASON_OPERATOR_TOKEN": token,
		"BLASON_DATABASE":       dsn,
		"BLASON_KEY":            key,
		"BLASON_PUBLIC_URL":     scaleOutPublicURL,
		"BLASON_ADDR":           "127.0.0.1:0",
		"BLASON_LOG_FORMAT":     "json",
		"BLASON_ISSUER_NAME":    "Scale-out Lab",
	}

	// Both start at once: the first run of two replicas on an empty
	// database (migrations and the issuer created once).
	procs := make([]*serveProc, 2)
	var wg sync.WaitGroup
	for i := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := map[string]string{"BLASON_DATA": filepath.Join(dir, "data"+strconv.Itoa(i))}
			for k, v := range env {
				e[k] = v
			}
			var err error
			if procs[i], err = startServe(t, "serve-"+string(rune('A'+i)), e); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	for _, p := range procs {
		code, _, health, err := p.do(t, "GET", "/healthz", "", nil, nil)
		if err != nil || code != 200 || health["issuer"] != issuerDID {
			t.Fatalf("%s healthz: %d %v %v (want issuer %s)", p.name, code, health, err, issuerDID)
		}
	}

	// 200 awards from 8 clients, each alternating between the processes.
	const awards, clients = 200, 8
	creds := make([]*issued, awards)
	start := time.Now()
	var failures sync.Map
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; i < awards; i += clients {
				by := (i / clients) % 2
				vc := map[string]any{
					"@context":          []any{"https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"},
					"id":                fmt.Sprintf("urn:uuid:5ca1e007-0000-4000-8000-%012d", i),
					"type":              []any{"VerifiableCredential", "ExampleAlumniCredential"},
					"issuer":            issuerDID,
					"validFrom":         "2026-01-01T00:00:00Z",
					"credentialSubject": map[string]any{"id": fmt.Sprintf("did:example:learner%d", i), "alumniOf": "The School of Examples"},
				}
				code, _, res, err := procs[by].do(t, "POST", "/credentials/issue", token, map[string]any{"credential": vc}, nil)
				if err != nil || code != http.StatusCreated {
					failures.Store(i, fmt.Sprintf("award %d on %s: %d %v %v", i, procs[by].name, code, res, err))
					continue
				}
				signed, _ := res["verifiableCredential"].(map[string]any)
				entry, _ := signed["credentialStatus"].(map[string]any)
				listURL, _ := entry["statusListCredential"].(string)
				idx, err := strconv.Atoi(fmt.Sprint(entry["statusListIndex"]))
				path, ok := strings.CutPrefix(listURL, scaleOutPublicURL)
				if err != nil || !ok || !strings.HasPrefix(path, "/status/") {
					failures.Store(i, fmt.Sprintf("award %d: status entry %v", i, entry))
					continue
				}
				creds[i] = &issued{vc: signed, by: by, list: path, index: idx, listID: strings.TrimPrefix(path, "/status/")}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	failures.Range(func(_, v any) bool { t.Error(v); return true })
	if t.Failed() {
		t.FailNow()
	}
	type slot struct {
		list  string
		index int
	}
	seen := map[slot]int{}
	perList := map[string][]int{}
	for i, c := range creds {
		s := slot{c.list, c.index}
		if j, dup := seen[s]; dup {
			t.Fatalf("awards %d and %d share %s#%d", j, i, c.list, c.index)
		}
		seen[s] = i
		perList[c.list] = append(perList[c.list], c.index)
	}
	t.Logf("%d awards through 2 processes from %d clients in %v (%.0f/s); %d distinct slots in %d list(s)",
		awards, clients, elapsed.Round(time.Millisecond), awards/elapsed.Seconds(), len(seen), len(perList))

	// Each process reads the other's credentials as its own, and caches a
	// signed list for each before anything changes.
	x, y := creds[0], creds[clients] // issued through A and through B
	if x.by != 0 || y.by != 1 {
		t.Fatalf("x by %d, y by %d", x.by, y.by)
	}
	verify := func(p *serveProc, c *issued) (int, map[string]any) {
		t.Helper()
		code, _, res, err := p.do(t, "POST", "/credentials/verify", "", map[string]any{"verifiableCredential": c.vc}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return code, res
	}
	etags := map[string]string{}
	for i, p := range procs {
		for _, c := range []*issued{x, y} {
			if code, res := verify(p, c); code != http.StatusOK {
				t.Fatalf("%s verifies the credential issued by %s: %d %v", p.name, procs[c.by].name, code, res)
			}
			code, etag, bits := listBits(t, p, c.list, nil)
			if code != 200 || etag == "" {
				t.Fatalf("%s GET %s: %d %q", p.name, c.list, code, etag)
			}
			if set, _ := bits.Get(c.index); set {
				t.Fatalf("%s: bit %d set before any revocation", p.name, c.index)
			}
			if code, _, _ := listBits(t, p, c.list, map[string]string{"If-None-Match": etag}); code != http.StatusNotModified {
				t.Fatalf("%s: unchanged list with its own ETag: %d", p.name, code)
			}
			etags[strconv.Itoa(i)+c.list] = etag
		}
	}
	// The ETag names the bits, not one process's signed bytes: weak, and
	// the same on both, so a cache revalidating through either gets 304.
	for _, c := range []*issued{x, y} {
		a, b := etags["0"+c.list], etags["1"+c.list]
		if a != b || !strings.HasPrefix(a, "W/") {
			t.Fatalf("ETags of %s: %s on A, %s on B; want one weak ETag", c.list, a, b)
		}
	}

	// Revoke x through A and y through B; each is seen by the other.
	revoke := func(p *serveProc, c *issued) (int, map[string]any, error) {
		code, _, res, err := p.do(t, "POST", "/credentials/status", token,
			map[string]any{"credentialId": c.vc["id"], "action": "revoke", "reason": "scale-out test"}, nil)
		return code, res, err
	}
	for _, step := range []struct {
		c           *issued
		via, reader int
	}{{x, 0, 1}, {y, 1, 0}} {
		if code, res, err := revoke(procs[step.via], step.c); err != nil || code != 200 {
			t.Fatalf("revoke through %s: %d %v %v", procs[step.via].name, code, res, err)
		}
		r := procs[step.reader]
		old := etags[strconv.Itoa(step.reader)+step.c.list]
		code, etag, bits := listBits(t, r, step.c.list, map[string]string{"If-None-Match": old})
		if code != 200 || etag == old {
			t.Fatalf("%s after a revocation through %s: %d, ETag %s (was %s): a stale list", r.name, procs[step.via].name, code, etag, old)
		}
		if set, _ := bits.Get(step.c.index); !set {
			t.Fatalf("%s: bit %d of %s not set after the revocation through %s", r.name, step.c.index, step.c.list, procs[step.via].name)
		}
		code, res := verify(r, step.c)
		if code != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(res["errors"]), "revoked") {
			t.Fatalf("%s verifies the credential revoked through %s: %d %v", r.name, procs[step.via].name, code, res["errors"])
		}
	}

	// The other 198, concurrently, each through the process that did not
	// issue it: every record exists (none lost) and no bit is lost.
	rest := make(chan *issued, awards)
	for _, c := range creds {
		if c != x && c != y {
			rest <- c
		}
	}
	close(rest)
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range rest {
				if code, res, err := revoke(procs[1-c.by], c); err != nil || code != 200 {
					failures.Store(c.vc["id"], fmt.Sprintf("revoke %v through %s: %d %v %v", c.vc["id"], procs[1-c.by].name, code, res, err))
				}
			}
		}()
	}
	wg.Wait()
	failures.Range(func(_, v any) bool { t.Error(v); return true })
	if t.Failed() {
		t.FailNow()
	}
	for _, p := range procs {
		for list, want := range perList {
			_, _, bits := listBits(t, p, list, nil)
			var got []int
			for i := 0; i < bits.Len(); i++ {
				if set, _ := bits.Get(i); set {
					got = append(got, i)
				}
			}
			sort.Ints(want)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s %s: %d bits set, want the %d revoked: %v", p.name, list, len(got), len(want), got)
			}
		}
	}
	for _, p := range procs {
		p.stop(t)
	}
}

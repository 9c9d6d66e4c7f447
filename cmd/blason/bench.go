package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/blason-badges/blason/internal/loadtest"
)

// bench runs the load benchmark (internal/loadtest) against a blason serve
// on loopback: a new one in a throw-away data directory, started as a child
// process (so the load generator and the server do not share a runtime),
// or a running one (--url, with --token of scope issue). Arguments after
// "--" go to the child serve, e.g. -- --max-inflight 16.
func bench(e env, args []string) int {
	var serveArgs []string
	for i, a := range args {
		if a == "--" {
			args, serveArgs = args[:i], args[i+1:]
			break
		}
	}
	fs := newFlags(e, "bench")
	target := fs.String("url", "", "drive this running server (http://127.0.0.1:PORT) instead of starting one")
	token := fs.String("token", "", "with --url: a token with scope issue (blason token new --scope issue)")
	connList := fs.String("conns", "1,8,64,256", "concurrent connections of each step")
	dur := fs.Duration("duration", 3*time.Second, "time of each step")
	maxReq := fs.Int("max-requests", 200000, "most requests of each step (a bound on memory and time; the default lets even /healthz run the whole --duration, so that it is a fair reference)")
	retry := fs.Bool("honour-retry-after", true, "a connection refused with 503 waits its Retry-After before asking again, as a well-behaved client does")
	only := fs.String("endpoints", "", "measure only the endpoints whose name contains one of these words (comma-separated), e.g. healthz,verify")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if fs.NArg() > 0 {
		return fail(e, "usage: blason bench [flags] [-- serve flags]; see blason bench -h")
	}
	var conns []int
	for _, f := range strings.Split(*connList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 || n > 4096 {
			return fail(e, "bench: --conns must be numbers between 1 and 4096, got %q", *connList)
		}
		conns = append(conns, n)
	}
	if *dur <= 0 || *dur > 5*time.Minute || *maxReq <= 0 {
		return fail(e, "bench: --duration must be between 0 and 5m and --max-requests positive")
	}
	base, tok := *target, *token
	if base == "" {
		b, t, stop, err := startServer(e, serveArgs)
		if err != nil {
			return failErr(e, "bench: start blason serve", err)
		}
		defer stop()
		base, tok = b, t
	} else if tok == "" {
		return fail(e, "bench: --url needs --token, a token with scope issue (blason token new --scope issue)")
	}
	targets, err := loadtest.Prepare(e.ctx, base, tok)
	if err != nil {
		return failErr(e, "bench", err)
	}
	if *only != "" {
		var keep []loadtest.Target
		for _, t := range targets {
			for _, w := range strings.Split(*only, ",") {
				if w = strings.TrimSpace(w); w != "" && strings.Contains(t.Name, w) {
					keep = append(keep, t)
					break
				}
			}
		}
		targets = keep
	}
	fmt.Fprintf(e.stdout, "blason bench: %s, %d CPUs (GOMAXPROCS %d), load average %s, %s per step, at most %d requests\n",
		base, runtime.NumCPU(), runtime.GOMAXPROCS(0), loadAverage(), *dur, *maxReq)
	fmt.Fprintln(e.stdout, loadtest.Header)
	_, err = loadtest.Run(e.ctx, base, targets, loadtest.Options{Conns: conns, Duration: *dur, MaxRequests: *maxReq, HonourRetryAfter: *retry},
		func(s loadtest.Step) { fmt.Fprintln(e.stdout, loadtest.Line(s)) })
	fmt.Fprintf(e.stdout, "load average after: %s\n", loadAverage())
	if err != nil {
		return failErr(e, "bench", err)
	}
	return exitOK
}

// startServer runs this binary's serve on 127.0.0.1:0 with a new data
// directory and returns its URL and operator token (every scope), and a
// function that stops it and removes the directory.
func startServer(e env, extra []string) (base, token string, stop func(), err error) {
	exe, err := os.Executable()
	if err != nil {
		return "", "", nil, err
	}
	dir, err := os.MkdirTemp("", "blason-bench-")
	if err != nil {
		return "", "", nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	args := append([]string{"serve", "--data", dir, "--addr", "127.0.0.1:0"}, extra...)
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 30 * time.Second
	// The request log goes where a quiet production log would: nowhere
	// here, but every line is still formatted and written.
	cmd.Stderr = nil
	cmd.Env = append(os.Environ(), "BLASON_OPERATOR_TOKEN=")
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return "", "", nil, err
	}
	if err := cmd.Start(); err != nil {
		cancel()
		os.RemoveAll(dir)
		return "", "", nil, err
	}
	stop = func() {
		cancel()
		_ = cmd.Wait()
		os.RemoveAll(dir)
	}
	found := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`serving on (http://127\.0\.0\.1:\d+)`)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				break
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case base = <-found:
	case <-time.After(30 * time.Second):
		stop()
		return "", "", nil, fmt.Errorf("the server did not start within 30 s (blason %s)", strings.Join(args, " "))
	case <-e.ctx.Done():
		stop()
		return "", "", nil, e.ctx.Err()
	}
	b, err := os.ReadFile(filepath.Join(dir, "operator.token"))
	if err != nil {
		stop()
		return "", "", nil, err
	}
	return base, strings.TrimSpace(string(b)), stop, nil
}

// loadAverage is the 1, 5 and 15 minute load averages (Linux), or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

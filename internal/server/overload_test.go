package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/blason-badges/blason/internal/server/problem"
	"github.com/blason-badges/blason/internal/server/web"
)

// TestAdmission: with MaxInFlight verifications running, the next one is
// refused at once with 503, Retry-After: 1 and a problem body, on every
// verification endpoint; other endpoints are not held back; a slot freed
// admits again, and no slot leaks.
func TestAdmission(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	vc := f.issue(t, genericVC(f.key.DID))
	cfg := f.srv.cfg
	cfg.MaxInFlight = 2
	cfg.Pages = &web.Config{}
	f.srv = New(cfg)
	entered, release := make(chan struct{}), make(chan struct{})
	// A verification that holds its slot until released.
	f.srv.engine.POST("/test/hold", f.srv.admit, func(c *gin.Context) {
		entered <- struct{}{}
		<-release
		c.Status(http.StatusNoContent)
	})
	var wg sync.WaitGroup
	for i := 0; i < cfg.MaxInFlight; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := httptest.NewRecorder()
			f.srv.Handler().ServeHTTP(w, f.request("POST", "/test/hold", nil))
		}()
		<-entered
	}

	full := []struct{ path, key string }{
		{"/credentials/verify", "verifiableCredential"},
		{"/presentations/verify", "verifiablePresentation"},
	}
	for _, c := range full {
		code, body, h := f.do(t, "POST", c.path, map[string]any{c.key: vc})
		if code != http.StatusServiceUnavailable || h.Get("Retry-After") != "1" {
			t.Fatalf("%s with every slot taken: %d, Retry-After %q", c.path, code, h.Get("Retry-After"))
		}
		if typ, _ := body["type"].(string); !strings.HasSuffix(typ, "#overloaded") || body["status"] != float64(503) || body["title"] == "" {
			t.Fatalf("%s: problem body %v", c.path, body)
		}
	}
	if code, _, _ := f.do(t, "GET", "/healthz", nil); code != http.StatusOK {
		t.Fatalf("healthz is not a verification, yet got %d", code)
	}
	// The page: what verifies (a posted badge, ?url=) is admitted; the
	// empty form is not held back.
	page := func(method, target, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Host = "localhost"
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		f.srv.Handler().ServeHTTP(w, req)
		return w
	}
	b, _ := json.Marshal(vc)
	for _, c := range []struct {
		method, target, body string
		want                 int
	}{
		{"POST", "/verify", url.Values{"credential": {string(b)}}.Encode(), http.StatusServiceUnavailable},
		{"GET", "/verify?url=" + url.QueryEscape("https://lab.example/badge"), "", http.StatusServiceUnavailable},
		{"GET", "/verify", "", http.StatusOK},
	} {
		if w := page(c.method, c.target, c.body); w.Code != c.want || (c.want == 503 && w.Header().Get("Retry-After") != "1") {
			t.Fatalf("%s %s with every slot taken: %d (Retry-After %q), want %d", c.method, c.target, w.Code, w.Header().Get("Retry-After"), c.want)
		}
	}

	release <- struct{}{} // one slot frees
	deadline := time.Now().Add(5 * time.Second)
	for len(f.srv.slots) == cfg.MaxInFlight && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if code, body, _ := f.do(t, "POST", "/credentials/verify", map[string]any{"verifiableCredential": vc}); code != http.StatusOK {
		t.Fatalf("a free slot must admit: %d %v", code, body)
	}
	close(release)
	wg.Wait()
	if n := len(f.srv.slots); n != 0 {
		t.Fatalf("%d slots still taken after every request ended", n)
	}
}

// TestAdmissionRefusesTheWaiting: requests already waiting for a CPU when
// a verification is admitted meet its slot taken and are refused, instead
// of queueing behind it where no bound applies. On one P, without the yield
// in admit each handler (which never blocks) would run to its end before
// the next request is even looked at, and every one would be admitted in
// turn: at 256 connections that hidden queue was the p99. Not parallel: it
// sets GOMAXPROCS.
func TestAdmissionRefusesTheWaiting(t *testing.T) {
	srv := New(Config{MaxInFlight: 1})
	srv.engine.POST("/test/work", srv.admit, func(c *gin.Context) { c.Status(http.StatusNoContent) })
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	const n = 8
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequest("POST", "/test/work", nil)
			req.Host = "localhost"
			w := httptest.NewRecorder()
			srv.Handler().ServeHTTP(w, req)
			codes[i] = w.Code
		}()
	}
	wg.Wait()
	var ok, refused int
	for _, c := range codes {
		switch c {
		case http.StatusNoContent:
			ok++
		case http.StatusServiceUnavailable:
			refused++
		default:
			t.Fatalf("status %d", c)
		}
	}
	if ok == 0 || refused == 0 {
		t.Fatalf("%d admitted and %d refused of %d waiting at once with one slot: want both", ok, refused, n)
	}
	if len(srv.slots) != 0 {
		t.Fatalf("%d slots still taken", len(srv.slots))
	}
}

// TestCancelledRequestLog: a request whose client went away is logged as
// 499 at INFO (whatever the handler made of the cancelled context), while a
// real server error stays a 500 at ERROR.
func TestCancelledRequestLog(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		cancel bool
		want   string
	}{
		{"client gone", true, "level=INFO msg=request method=GET path=/test/wait status=499"},
		{"server error", false, "level=ERROR msg=request method=GET path=/test/wait status=500"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			logs := &logBuffer{}
			srv := New(Config{Logger: slog.New(slog.NewTextHandler(logs, nil))})
			entered := make(chan struct{})
			srv.engine.GET("/test/wait", func(gc *gin.Context) {
				close(entered)
				ctx := gc.Request.Context()
				if c.cancel {
					<-ctx.Done() // as a store call does when its context ends
				}
				err := ctx.Err()
				if err == nil {
					err = errors.New("disk full")
				}
				_ = gc.Error(err)
				problem.Write(gc, http.StatusInternalServerError, "internal", "")
			})
			ts := httptest.NewServer(srv.Handler())
			defer ts.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/test/wait", nil)
			done := make(chan error, 1)
			go func() {
				resp, err := http.DefaultClient.Do(req)
				if err == nil {
					resp.Body.Close()
				}
				done <- err
			}()
			<-entered
			if c.cancel {
				cancel()
			}
			<-done
			deadline := time.Now().Add(5 * time.Second)
			for !strings.Contains(logs.String(), "msg=request") && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			if got := logs.String(); !strings.Contains(got, c.want) {
				t.Fatalf("log %q, want %q", got, c.want)
			}
		})
	}
}

// BenchmarkRequestLog: the cost of the request log line per request (a
// JSON handler writing to nowhere), which every request pays.
func BenchmarkRequestLog(b *testing.B) {
	srv := New(Config{Logger: slog.New(slog.NewJSONHandler(discard{}, nil))})
	req := httptest.NewRequest("GET", "/healthz", nil)
	req.Host = "localhost"
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		w.Body.Reset()
		srv.Handler().ServeHTTP(w, req)
	}
	var out map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || out["status"] != "ok" {
		b.Fatalf("healthz: %v %s", err, w.Body.String())
	}
}

// BenchmarkRefusal: what a verification refused under overload costs the
// server (every slot taken, the request log on, as JSON to nowhere): the
// 503 is answered before the body is read or parsed, so at 256
// connections the refused requests take almost nothing from the admitted
// ones. cpu-ns/op is the process's CPU time per request.
// Run: go test -run=^$ -bench=Refusal -cpu 1 -benchmem ./internal/server/
func BenchmarkRefusal(b *testing.B) {
	f, body, _ := ownStatusServerWith(b, true, openBadge)
	cfg := f.srv.cfg
	cfg.Logger = slog.New(slog.NewJSONHandler(discard{}, nil))
	srv := New(cfg)
	for range cap(srv.slots) {
		srv.slots <- struct{}{}
	}
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, f.request("POST", "/credentials/verify", bytes.NewReader(body)))
		if w.Code != http.StatusServiceUnavailable {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
	b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
}

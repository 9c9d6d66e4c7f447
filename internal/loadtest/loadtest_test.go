package loadtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestCheckLoopback(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://[::1]:8080/", true},
		{"http://localhost:8080", true},
		{"http://127.0.0.2:8080", true},
		{"http://10.0.0.1:8080", false},
		{"http://badges.example.org", false},
		{"https://127.0.0.1:8080", false},
		{"127.0.0.1:8080", false},
		{"", false},
	} {
		if err := CheckLoopback(c.url); (err == nil) != c.ok {
			t.Errorf("%q: %v, want ok %v", c.url, err, c.ok)
		}
	}
}

// TestRun: every step is bounded by its request budget and its time,
// answers are sorted into correct, refused (503) and errors, and the
// requests carry their method, body and token.
func TestRun(t *testing.T) {
	t.Parallel()
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		switch r.URL.Path {
		case "/ok":
			if r.Method != "POST" || r.Header.Get("Authorization") != "Bearer tok" || r.Header.Get("Content-Type") != "application/json" {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			w.WriteHeader(http.StatusCreated)
		case "/busy":
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/slow":
			time.Sleep(5 * time.Millisecond)
		default:
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	var bodies atomic.Int64
	targets := []Target{
		{Name: "ok", Method: "POST", Path: "/ok", ContentType: "application/json", Token: "tok",
			NewBody: func() []byte { bodies.Add(1); return []byte("{}") }},
		{Name: "busy", Method: "GET", Path: "/busy"},
		{Name: "bad", Method: "GET", Path: "/bad"},
	}
	var reported []Step
	steps, err := Run(context.Background(), srv.URL, targets, Options{Conns: []int{1, 4}, Duration: 5 * time.Second, MaxRequests: 40},
		func(s Step) { reported = append(reported, s) })
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 6 || len(reported) != 6 {
		t.Fatalf("%d steps, %d reported, want 6", len(steps), len(reported))
	}
	for _, s := range steps {
		var want [3]int
		switch s.Target {
		case "ok":
			want[0] = 40
		case "busy":
			want[1] = 40
		case "bad":
			want[2] = 40
		}
		if got := [3]int{s.OK, s.Refused, s.Errors}; got != want {
			t.Errorf("%s at %d: ok, 503, errors %v, want %v (%s)", s.Target, s.Conns, got, want, s.FirstError)
		}
		if s.Target == "ok" && (s.P50 <= 0 || s.P99 < s.P50 || s.RPS() <= 0) {
			t.Errorf("ok at %d: p50 %v p99 %v rps %v", s.Conns, s.P50, s.P99, s.RPS())
		}
		if s.Target == "bad" && s.FirstError != "HTTP 500" {
			t.Errorf("bad: first error %q", s.FirstError)
		}
	}
	if n := served.Load(); n != 6*40 {
		t.Fatalf("the server saw %d requests, want %d", n, 6*40)
	}
	if n := bodies.Load(); n != 80 {
		t.Fatalf("%d bodies made, want one per request (80)", n)
	}

	// Time bound: a step stops at its Duration even with budget left.
	start := time.Now()
	steps, err = Run(context.Background(), srv.URL, []Target{{Name: "slow", Method: "GET", Path: "/slow"}},
		Options{Conns: []int{2}, Duration: 200 * time.Millisecond, MaxRequests: 1 << 30}, nil)
	if err != nil || len(steps) != 1 {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 3*time.Second || steps[0].OK == 0 || steps[0].Errors != 0 {
		t.Fatalf("time-bounded step: %v elapsed, %+v", el, steps[0])
	}

	// Retry-After honoured: a refused connection waits its second, so a
	// step shorter than that sees one refusal per connection.
	for _, honour := range []bool{true, false} {
		steps, err = Run(context.Background(), srv.URL, []Target{{Name: "busy", Method: "GET", Path: "/busy"}},
			Options{Conns: []int{2}, Duration: 300 * time.Millisecond, MaxRequests: 1000, HonourRetryAfter: honour}, nil)
		if err != nil || len(steps) != 1 {
			t.Fatal(err)
		}
		if r := steps[0].Refused; (honour && r != 2) || (!honour && r <= 2) {
			t.Fatalf("honour Retry-After %v: %d refusals on 2 connections in 300 ms", honour, r)
		}
	}

	if _, err := Run(context.Background(), "http://192.0.2.1:80", targets, Options{}, nil); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("a non-loopback server must be refused: %v", err)
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	var d []time.Duration
	for i := 100; i >= 1; i-- {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	if p := percentile(d, 0.50); p != 50*time.Millisecond {
		t.Errorf("p50 %v", p)
	}
	if p := percentile(d, 0.99); p != 99*time.Millisecond {
		t.Errorf("p99 %v", p)
	}
	if p := percentile(nil, 0.99); p != 0 {
		t.Errorf("empty: %v", p)
	}
	if p := percentile([]time.Duration{7}, 0.99); p != 7 {
		t.Errorf("one: %v", p)
	}
}

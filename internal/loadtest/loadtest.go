// Package loadtest drives a running Blason server over loopback and
// measures it: each endpoint at each number of connections for a bounded
// time and a bounded number of requests, reporting requests per second,
// the 50th and 99th latency percentiles, refusals (503) and errors.
//
// It is the load benchmark behind the README's server figures (blason
// bench): what someone running `blason serve` gets, with its store, its
// request log and its own status lists, not an in-process handler.
package loadtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Target is one request to repeat.
type Target struct {
	Name   string
	Method string
	Path   string // with its query, if any
	Body   []byte
	// NewBody, when set, makes each request's body (a credential to issue
	// needs a new id every time).
	NewBody     func() []byte
	ContentType string
	Token       string // bearer token; "" for none
	// OK reports whether a status is a correct answer; nil means 2xx.
	OK func(status int) bool
}

// Step is the result of driving one target at one concurrency.
type Step struct {
	Target   string
	Conns    int
	OK       int // correct answers
	Refused  int // 503: admission control said "retry later"
	Errors   int // anything else, transport errors included
	Elapsed  time.Duration
	P50, P99 time.Duration // over the correct answers
	// FirstError describes the first error, for the operator.
	FirstError string
}

// RPS is correct answers per second.
func (s Step) RPS() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.OK) / s.Elapsed.Seconds()
}

// Options bound a run. Every step stops at Duration or MaxRequests,
// whichever comes first.
type Options struct {
	Conns       []int         // default DefaultConns
	Duration    time.Duration // per step; default 3 s
	MaxRequests int           // per step; default 50,000
	Timeout     time.Duration // per request; default 10 s
	// HonourRetryAfter makes a connection refused with 503 wait as its
	// Retry-After says (at most 5 s) before its next request, as a
	// well-behaved client does; otherwise it asks again at once, and the
	// refusals themselves become the load.
	HonourRetryAfter bool
}

// DefaultConns are the concurrencies of a run.
var DefaultConns = []int{1, 8, 64, 256}

func (o Options) withDefaults() Options {
	if len(o.Conns) == 0 {
		o.Conns = DefaultConns
	}
	if o.Duration <= 0 {
		o.Duration = 3 * time.Second
	}
	if o.MaxRequests <= 0 {
		o.MaxRequests = 50000
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	return o
}

// CheckLoopback refuses a base URL that is not http on a loopback address:
// a load test is pointed at one's own machine, never at someone's server.
func CheckLoopback(base string) error {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return fmt.Errorf("the server URL must be http://127.0.0.1:PORT, got %q", base)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("the load test drives loopback servers only (127.0.0.1, ::1), not %q", host)
	}
	return nil
}

// Run drives every target at every concurrency of opts, one step after the
// other, calling report after each step. It stops early when ctx ends.
func Run(ctx context.Context, base string, targets []Target, opts Options, report func(Step)) ([]Step, error) {
	if err := CheckLoopback(base); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	var out []Step
	for _, t := range targets {
		for _, n := range opts.Conns {
			if err := ctx.Err(); err != nil {
				return out, err
			}
			s := runStep(ctx, strings.TrimSuffix(base, "/"), t, n, opts)
			out = append(out, s)
			if report != nil {
				report(s)
			}
		}
	}
	return out, nil
}

// runStep keeps conns requests in flight on conns connections until the
// step's time or request budget is spent.
func runStep(ctx context.Context, base string, t Target, conns int, opts Options) Step {
	tr := &http.Transport{MaxConnsPerHost: conns, MaxIdleConnsPerHost: conns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: opts.Timeout}
	ok := t.OK
	if ok == nil {
		ok = func(s int) bool { return s >= 200 && s < 300 }
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Duration)
	defer cancel()
	var issued atomic.Int64
	lat := make([][]time.Duration, conns)
	counts := make([][3]int, conns) // ok, refused, errors
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for ctx.Err() == nil && issued.Add(1) <= int64(opts.MaxRequests) {
				t0 := time.Now()
				status, retry, err := do(ctx, client, base, t)
				d := time.Since(t0)
				switch {
				case err != nil && ctx.Err() != nil:
					return // the step ended while the request was in flight
				case err != nil:
					counts[w][2]++
					firstErr.CompareAndSwap(nil, err.Error())
				case ok(status):
					counts[w][0]++
					lat[w] = append(lat[w], d)
				case status == http.StatusServiceUnavailable:
					counts[w][1]++
					if opts.HonourRetryAfter && retry > 0 {
						select {
						case <-ctx.Done():
						case <-time.After(retry):
						}
					}
				default:
					counts[w][2]++
					firstErr.CompareAndSwap(nil, fmt.Sprintf("HTTP %d", status))
				}
			}
		}(w)
	}
	wg.Wait()
	s := Step{Target: t.Name, Conns: conns, Elapsed: time.Since(start)}
	var all []time.Duration
	for w := range conns {
		s.OK += counts[w][0]
		s.Refused += counts[w][1]
		s.Errors += counts[w][2]
		all = append(all, lat[w]...)
	}
	s.P50, s.P99 = percentile(all, 0.50), percentile(all, 0.99)
	if e, ok := firstErr.Load().(string); ok {
		s.FirstError = e
	}
	return s
}

// do sends one request and reads the whole answer; it returns the status
// and the Retry-After delay (0 when absent).
func do(ctx context.Context, client *http.Client, base string, t Target) (int, time.Duration, error) {
	var body io.Reader
	switch {
	case t.NewBody != nil:
		body = bytes.NewReader(t.NewBody())
	case t.Body != nil:
		body = bytes.NewReader(t.Body)
	}
	req, err := http.NewRequestWithContext(ctx, t.Method, base+t.Path, body)
	if err != nil {
		return 0, 0, err
	}
	if t.ContentType != "" {
		req.Header.Set("Content-Type", t.ContentType)
	}
	if t.Token != "" {
		req.Header.Set("Authorization", "Bearer "+t.Token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	// Read the whole answer: the time to the last byte is the latency,
	// and the connection is reused.
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	var retry time.Duration
	if n, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil && n > 0 {
		retry = min(time.Duration(n)*time.Second, 5*time.Second)
	}
	return resp.StatusCode, retry, err
}

// percentile is the nearest-rank percentile of d (sorted in place).
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	i := int(p*float64(len(d))+0.5) - 1
	return d[max(0, min(i, len(d)-1))]
}

// Header is the table's first line; Line formats one step under it.
const Header = "endpoint                 conns      req/s   p50 ms   p99 ms       ok      503   errors"

// Line formats one step as a row of the table.
func Line(s Step) string {
	line := fmt.Sprintf("%-24s %5d %10.0f %8.2f %8.2f %8d %8d %8d", s.Target, s.Conns, s.RPS(),
		ms(s.P50), ms(s.P99), s.OK, s.Refused, s.Errors)
	if s.FirstError != "" {
		line += "  (first error: " + s.FirstError + ")"
	}
	return line
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Prepare builds the standard targets against a Blason server: /healthz
// (the reference), POST /credentials/verify of a badge the server issued
// (so its status entry points at the server's own list), POST
// /credentials/issue with token (scope issue), GET of that badge's status
// list, and GET /verify (the page). It issues one badge to get there.
func Prepare(ctx context.Context, base, token string) ([]Target, error) {
	if err := CheckLoopback(base); err != nil {
		return nil, err
	}
	base = strings.TrimSuffix(base, "/")
	client := &http.Client{Timeout: 30 * time.Second}
	var health struct {
		Issuer string `json:"issuer"`
	}
	if err := getJSON(ctx, client, base+"/healthz", &health); err != nil {
		return nil, fmt.Errorf("healthz: %w", err)
	}
	if health.Issuer == "" {
		return nil, errors.New("the server names no issuer in /healthz: is it 'blason serve'?")
	}
	issue := Target{Name: "POST /credentials/issue", Method: "POST", Path: "/credentials/issue",
		NewBody: func() []byte {
			b, _ := json.Marshal(map[string]any{"credential": Badge(health.Issuer, newID())})
			return b
		},
		ContentType: "application/json", Token: token}
	status, body, err := send(ctx, client, base, issue)
	if err != nil {
		return nil, fmt.Errorf("issue a badge to verify: %w", err)
	}
	if status != http.StatusCreated {
		return nil, fmt.Errorf("issue a badge to verify: HTTP %d: %s (is the token's scope issue?)", status, bytes.TrimSpace(body))
	}
	var issued struct {
		VC map[string]any `json:"verifiableCredential"`
	}
	if err := json.Unmarshal(body, &issued); err != nil {
		return nil, fmt.Errorf("issued badge: %w", err)
	}
	entry, _ := issued.VC["credentialStatus"].(map[string]any)
	listURL, _ := entry["statusListCredential"].(string)
	lu, err := url.Parse(listURL)
	if err != nil || lu.Path == "" {
		return nil, fmt.Errorf("the issued badge has no status list URL (%q)", listURL)
	}
	verifyBody, err := json.Marshal(map[string]any{"verifiableCredential": issued.VC})
	if err != nil {
		return nil, err
	}
	verify := Target{Name: "POST /credentials/verify", Method: "POST", Path: "/credentials/verify", Body: verifyBody,
		ContentType: "application/json", OK: func(s int) bool { return s == http.StatusOK }}
	// The badge must verify, status included, before it is measured.
	if status, body, err := send(ctx, client, base, verify); err != nil || status != http.StatusOK {
		return nil, fmt.Errorf("the server does not verify its own badge: HTTP %d %v: %s", status, err, bytes.TrimSpace(body))
	}
	return []Target{
		{Name: "GET /healthz", Method: "GET", Path: "/healthz"},
		verify,
		issue,
		{Name: "GET /status/{id}", Method: "GET", Path: lu.Path},
		{Name: "GET /verify", Method: "GET", Path: "/verify"},
	}, nil
}

// Badge is the Open Badges 3.0 credential issued by the load test, with
// its id (OB 3.0 requires one; each issue needs a new one).
func Badge(issuerID, id string) map[string]any {
	return map[string]any{
		"id":        id,
		"@context":  []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"type":      []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":    map[string]any{"id": issuerID, "type": []any{"Profile"}, "name": "Blason load test"},
		"name":      "Load test badge",
		"validFrom": time.Now().UTC().Format(time.RFC3339),
		"credentialSubject": map[string]any{
			"type": []any{"AchievementSubject"},
			"id":   "did:example:load-test-learner",
			"achievement": map[string]any{
				"id": "https://badges.example/achievements/load-test", "type": []any{"Achievement"},
				"name": "Load test", "description": "Issued by blason bench.",
				"criteria": map[string]any{"narrative": "Be issued during a load test."},
			},
		},
	}
}

// newID is a random urn:uuid (RFC 9562 version 4).
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func send(ctx context.Context, client *http.Client, base string, t Target) (int, []byte, error) {
	body := t.Body
	if t.NewBody != nil {
		body = t.NewBody()
	}
	req, err := http.NewRequestWithContext(ctx, t.Method, base+t.Path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if t.ContentType != "" {
		req.Header.Set("Content-Type", t.ContentType)
	}
	if t.Token != "" {
		req.Header.Set("Authorization", "Bearer "+t.Token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return resp.StatusCode, b, err
}

func getJSON(ctx context.Context, client *http.Client, u string, v any) error {
	status, b, err := send(ctx, client, "", Target{Method: "GET", Path: u})
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("HTTP %d", status)
	}
	return json.Unmarshal(b, v)
}

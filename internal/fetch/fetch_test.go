package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Every test here talks only to httptest servers on loopback. Clients are
// built with testResolver (never the system resolver) and, where a host
// name must look public, with a DialContext hook that always connects to
// the test server's loopback listener, whatever vetted address it is given.

// Fake host names: the httptest certificate is valid for example.com and
// *.example.com. 203.0.113.0/24 (TEST-NET-3) plays a public address; it is
// never contacted (the dial hook redirects to loopback).
const (
	publicHost  = "public.example.com"
	privateHost = "private.example.com"
	mixedHost   = "mixed.example.com"
	metaHost    = "meta.example.com"
	fakePublic  = "203.0.113.7"
)

type testResolver map[string][]netip.Addr

func (r testResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if ips, ok := r[host]; ok {
		return ips, nil
	}
	return nil, &net.DNSError{Err: "no such host (test resolver)", Name: host, IsNotFound: true}
}

var resolver = testResolver{
	publicHost:  {netip.MustParseAddr(fakePublic)},
	privateHost: {netip.MustParseAddr("127.0.0.1")},
	mixedHost:   {netip.MustParseAddr(fakePublic), netip.MustParseAddr("10.0.0.8")},
	metaHost:    {netip.MustParseAddr("169.254.169.254")},
}

// testEnv is a TLS test server plus the means to build clients for it.
type testEnv struct {
	srv    *httptest.Server
	port   string
	tlsCfg *tls.Config

	mu     sync.Mutex
	dialed []string // addresses handed to the dial hook
}

func newEnv(t *testing.T, h http.Handler) *testEnv {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	return &testEnv{srv: srv, port: port, tlsCfg: &tls.Config{RootCAs: pool}}
}

// dial connects to the test server whatever address it is asked for, and
// records the address.
func (e *testEnv) dial(ctx context.Context, network, address string) (net.Conn, error) {
	e.mu.Lock()
	e.dialed = append(e.dialed, address)
	e.mu.Unlock()
	var d net.Dialer
	return d.DialContext(ctx, network, e.srv.Listener.Addr().String())
}

func (e *testEnv) client(o Options) *Client {
	o.TLSConfig = e.tlsCfg
	o.Resolver = resolver
	if o.DialContext == nil {
		o.DialContext = e.dial
	}
	return New(o)
}

// url returns https://host:port+path for the test server's port.
func (e *testEnv) url(host, path string) string {
	return "https://" + net.JoinHostPort(host, e.port) + path
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func okHandler(body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body)
	})
}

func TestHTTPSOnlyByDefault(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(okHandler(`{}`))
	defer srv.Close()
	c := New(Options{AllowPrivate: true, Resolver: resolver})
	_, err := c.Get(ctxT(t), srv.URL)
	if !errors.Is(err, ErrInsecureURL) {
		t.Fatalf("http URL: got %v, want ErrInsecureURL", err)
	}
	if !strings.Contains(err.Error(), "127.0.0.1") {
		t.Errorf("error %q does not name the URL", err)
	}
}

func TestAllowHTTP(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(okHandler(`{"ok":true}`))
	defer srv.Close()
	c := New(Options{AllowHTTP: true, AllowPrivate: true, Resolver: resolver})
	resp, err := c.Get(ctxT(t), srv.URL+"/x")
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != `{"ok":true}` || resp.StatusCode != 200 || resp.URL != srv.URL+"/x" {
		t.Fatalf("got %+v", resp)
	}
}

func TestPrivateAddressGuard(t *testing.T) {
	t.Parallel()
	e := newEnv(t, okHandler(`{}`))
	tests := []struct {
		name   string
		url    string
		hook   bool // dial through the test hook (needed for fake names)
		denied bool // refused without AllowPrivate
	}{
		{"loopback literal", e.srv.URL, false, true},
		{"IPv4-mapped loopback literal", e.url("::ffff:127.0.0.1", "/"), false, true},
		{"name resolving to loopback", e.url(privateHost, "/"), true, true},
		{"name with one private address", e.url(mixedHost, "/"), true, true},
		{"name resolving to metadata IP", e.url(metaHost, "/"), true, true},
		{"name resolving to public address", e.url(publicHost, "/"), true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, allow := range []bool{false, true} {
				var dials int
				o := Options{AllowPrivate: allow, TLSConfig: e.tlsCfg, Resolver: resolver}
				if tt.hook {
					o.DialContext = func(ctx context.Context, network, address string) (net.Conn, error) {
						dials++
						return e.dial(ctx, network, address)
					}
				}
				_, err := New(o).Get(ctxT(t), tt.url)
				if tt.denied && !allow {
					if !errors.Is(err, ErrPrivateAddress) {
						t.Errorf("AllowPrivate=false: got %v, want ErrPrivateAddress", err)
					}
					if dials != 0 {
						t.Errorf("AllowPrivate=false: dial hook called %d times", dials)
					}
					continue
				}
				if err != nil {
					t.Errorf("AllowPrivate=%v: %v", allow, err)
				}
			}
		})
	}
}

func TestDialControlRefusesPrivate(t *testing.T) {
	t.Parallel()
	c := New(Options{})
	for addr, bad := range map[string]bool{
		"127.0.0.1:443":         true,
		"[::1]:443":             true,
		"[::ffff:10.0.0.1]:443": true,
		"169.254.169.254:80":    true,
		fakePublic + ":443":     false,
		"[2606:4700::1]:443":    false,
		"not-an-address":        true,
	} {
		err := c.control("tcp", addr, nil)
		if bad != errors.Is(err, ErrPrivateAddress) {
			t.Errorf("control(%s) = %v, want refused=%v", addr, err, bad)
		}
	}
	if err := New(Options{AllowPrivate: true}).control("tcp", "127.0.0.1:1", nil); err != nil {
		t.Errorf("AllowPrivate control: %v", err)
	}
}

func TestRedirects(t *testing.T) {
	t.Parallel()
	var e *testEnv
	e = newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/to-private":
			http.Redirect(w, r, e.url(privateHost, "/end"), http.StatusFound)
		case r.URL.Path == "/to-loopback-literal":
			http.Redirect(w, r, e.url("127.0.0.1", "/end"), http.StatusMovedPermanently)
		case r.URL.Path == "/to-metadata":
			http.Redirect(w, r, "https://169.254.169.254/latest/meta-data/", http.StatusTemporaryRedirect)
		case r.URL.Path == "/to-http":
			http.Redirect(w, r, "http://"+net.JoinHostPort(publicHost, e.port)+"/end", http.StatusFound)
		case r.URL.Path == "/to-file":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		case r.URL.Path == "/to-public":
			http.Redirect(w, r, e.url(publicHost, "/end"), http.StatusSeeOther)
		case strings.HasPrefix(r.URL.Path, "/chain/"):
			n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/chain/"))
			if n == 0 {
				fmt.Fprint(w, "done")
				return
			}
			http.Redirect(w, r, "/chain/"+strconv.Itoa(n-1), http.StatusFound)
		default:
			fmt.Fprint(w, "end")
		}
	}))
	tests := []struct {
		path     string
		opts     Options
		want     error
		wantBody string
	}{
		{"/to-private", Options{}, ErrPrivateAddress, ""},
		{"/to-loopback-literal", Options{}, ErrPrivateAddress, ""},
		{"/to-metadata", Options{}, ErrPrivateAddress, ""},
		{"/to-http", Options{}, ErrInsecureURL, ""},
		{"/to-file", Options{}, ErrInvalidURL, ""},
		{"/to-public", Options{}, nil, "end"},
		{"/to-private", Options{AllowPrivate: true}, nil, "end"},
		{"/chain/3", Options{}, nil, "done"},
		{"/chain/4", Options{}, ErrTooManyRedirects, ""},
		{"/chain/1", Options{MaxRedirects: 1}, nil, "done"},
		{"/chain/2", Options{MaxRedirects: 1}, ErrTooManyRedirects, ""},
		{"/chain/1", Options{MaxRedirects: -1}, ErrTooManyRedirects, ""},
		{"/chain/0", Options{MaxRedirects: -1}, nil, "done"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%+v", tt.path, tt.opts.MaxRedirects), func(t *testing.T) {
			c := e.client(tt.opts)
			resp, err := c.Get(ctxT(t), e.url(publicHost, tt.path))
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Fatalf("got %v, want %v", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(resp.Body) != tt.wantBody {
				t.Fatalf("body %q, want %q", resp.Body, tt.wantBody)
			}
			if tt.path == "/to-public" && resp.URL != e.url(publicHost, "/end") {
				t.Errorf("final URL %q", resp.URL)
			}
		})
	}
}

func TestBodyCap(t *testing.T) {
	t.Parallel()
	const limit = 1000
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/exact":
			w.Write(make([]byte, limit))
		case "/over":
			w.Write(make([]byte, limit+1))
		case "/declared":
			w.Header().Set("Content-Length", "5000000")
			w.WriteHeader(200)
		case "/forever":
			w.Header().Set("Content-Type", "application/json")
			chunk := make([]byte, 4096)
			deadline := time.After(5 * time.Second)
			for {
				select {
				case <-r.Context().Done():
					return
				case <-deadline:
					return
				default:
				}
				if _, err := w.Write(chunk); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		}
	}))
	c := e.client(Options{MaxBytes: limit})
	resp, err := c.Get(ctxT(t), e.url(publicHost, "/exact"))
	if err != nil || len(resp.Body) != limit {
		t.Fatalf("exact: %v", err)
	}
	for _, p := range []string{"/over", "/declared", "/forever"} {
		start := time.Now()
		_, err := c.Get(ctxT(t), e.url(publicHost, p))
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: got %v, want ErrTooLarge", p, err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%s: took %s", p, d)
		}
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow-body" {
			w.Write([]byte("{"))
			w.(http.Flusher).Flush()
		}
		// Block until the test ends (not on r.Context: the property under
		// test is the client's own limit).
		select {
		case <-release:
		case <-time.After(5 * time.Second):
		}
	}))
	t.Cleanup(func() { close(release) }) // runs before the server's Close
	c := e.client(Options{Timeout: 200 * time.Millisecond})
	for _, p := range []string{"/slow-headers", "/slow-body"} {
		start := time.Now()
		resp, err := c.Get(ctxT(t), e.url(publicHost, p))
		if !errors.Is(err, ErrTimeout) {
			t.Errorf("%s: got %v (%+v), want ErrTimeout", p, err, resp)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: took %s", p, d)
		}
	}
	// The caller's shorter deadline also maps to ErrTimeout.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := e.client(Options{}).Get(ctx, e.url(publicHost, "/slow-headers")); !errors.Is(err, ErrTimeout) {
		t.Errorf("caller deadline: got %v, want ErrTimeout", err)
	}
	// Cancellation is not a timeout.
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := e.client(Options{}).Get(ctx, e.url(publicHost, "/slow-headers")); err == nil || errors.Is(err, ErrTimeout) || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
}

func TestStatusError(t *testing.T) {
	t.Parallel()
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gone", http.StatusGone)
	}))
	_, err := e.client(Options{}).Get(ctxT(t), e.url(publicHost, "/x"))
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 410 || !errors.Is(err, ErrStatus) {
		t.Fatalf("got %v", err)
	}
	if se.URL != e.url(publicHost, "/x") || !strings.Contains(err.Error(), "410") {
		t.Errorf("StatusError %+v / %q", se, err)
	}
}

func TestHeadersSent(t *testing.T) {
	t.Parallel()
	var got http.Header
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.Header().Set("Content-Type", "application/did+json")
		fmt.Fprint(w, `{}`)
	}))
	if _, err := e.client(Options{}).GetJSON(ctxT(t), e.url(publicHost, "/"), "application/did+json", "application/json;q=0.5"); err != nil {
		t.Fatal(err)
	}
	if ua := got.Get("User-Agent"); !strings.HasPrefix(ua, "Blason/") || !strings.Contains(ua, "github.com/blason-badges/blason") {
		t.Errorf("User-Agent %q", ua)
	}
	if a := got.Get("Accept"); a != "application/did+json, application/json;q=0.5" {
		t.Errorf("Accept %q", a)
	}
	if _, err := e.client(Options{UserAgent: "test/1"}).Get(ctxT(t), e.url(publicHost, "/")); err != nil || got.Get("User-Agent") != "test/1" {
		t.Errorf("custom User-Agent: %v %q", err, got.Get("User-Agent"))
	}
}

func TestGetJSONContentType(t *testing.T) {
	t.Parallel()
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = nil // suppress sniffing
		if ct := r.URL.Query().Get("ct"); ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		fmt.Fprint(w, `{"a":1}`)
	}))
	tests := []struct {
		ct   string
		opts Options
		ok   bool
	}{
		{"application/json", Options{}, true},
		{"application/json; charset=utf-8", Options{}, true},
		{"Application/JSON", Options{}, true},
		{"application/did+json", Options{}, true},
		{"application/ld+json", Options{}, true},
		{"application/vc+ld+json", Options{}, true},
		{"application/+json", Options{}, false},
		{"text/html", Options{}, false},
		{"text/plain", Options{}, false},
		{"application/jsonx", Options{}, false},
		{"", Options{}, false},
		{"garbage;;", Options{}, false},
		{"application/ld+json", Options{JSONContentTypes: []string{"application/json"}}, false},
		{"application/jwt", Options{JSONContentTypes: []string{"application/jwt"}}, true},
	}
	for _, tt := range tests {
		body, err := e.client(tt.opts).GetJSON(ctxT(t), e.url(publicHost, "/?ct="+url.QueryEscape(tt.ct)))
		if tt.ok && (err != nil || string(body) != `{"a":1}`) {
			t.Errorf("%q: %v", tt.ct, err)
		}
		if !tt.ok && !errors.Is(err, ErrContentType) {
			t.Errorf("%q: got %v, want ErrContentType", tt.ct, err)
		}
	}
}

func TestInvalidURLs(t *testing.T) {
	t.Parallel()
	// A client that cannot reach anything: any URL passing the policy
	// would fail in the test resolver, never on the network.
	c := New(Options{Resolver: resolver, DialContext: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("test: dialing is not allowed here")
	}})
	tests := []struct {
		url  string
		want error
	}{
		{"", ErrInvalidURL},
		{"example.com/did.json", ErrInvalidURL},
		{"//example.com/x", ErrInvalidURL},
		{"https://", ErrInvalidURL},
		{"https:///path", ErrInvalidURL},
		{"https:example.com", ErrInvalidURL},
		{"file:///etc/passwd", ErrInvalidURL},
		{"gopher://example.com/", ErrInvalidURL},
		{"data:application/json,{}", ErrInvalidURL},
		{"ftp://example.com/x", ErrInvalidURL},
		{"javascript:alert(1)", ErrInvalidURL},
		{"https://user:secret@example.com/", ErrInvalidURL},
		{"https://user@example.com/", ErrInvalidURL},
		{"https://example.com:0/", ErrInvalidURL},
		{"https://example.com:65536/", ErrInvalidURL},
		{"https://example.com:/", ErrInvalidURL},
		{"https://exa mple.com/", ErrInvalidURL},
		{"https://example.com/\x00", ErrInvalidURL},
		{"https://exa%41mple.com/", ErrInvalidURL},
		{"https://" + strings.Repeat("a", MaxURLLength), ErrInvalidURL},
		{"http://example.com/", ErrInsecureURL},
		{"HTTP://example.com/", ErrInsecureURL},
		{"https://127.0.0.1/", ErrPrivateAddress},
		{"https://[::1]:8443/", ErrPrivateAddress},
		{"https://169.254.169.254/latest/meta-data/", ErrPrivateAddress},
		{"https://[::ffff:169.254.169.254]/", ErrPrivateAddress},
		{"https://[fe80::1%25eth0]/", ErrPrivateAddress},
		{"https://10.0.0.1/", ErrPrivateAddress},
		{"https://100.100.100.100/", ErrPrivateAddress},
		{"https://0.0.0.0/", ErrPrivateAddress},
	}
	for _, tt := range tests {
		_, err := c.Get(ctxT(t), tt.url)
		if !errors.Is(err, tt.want) {
			t.Errorf("%q: got %v, want %v", tt.url, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("%q: error leaks the password: %v", tt.url, err)
		}
		if len(err.Error()) > 400 {
			t.Errorf("%q: error message is %d bytes", tt.url, len(err.Error()))
		}
	}
}

func TestNonPublicReason(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ip      string
		private bool
	}{
		// IPv4
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"10.0.0.1", true},
		{"10.255.255.255", true},
		{"100.63.255.255", false},
		{"100.64.0.0", true},
		{"100.127.255.255", true},
		{"100.128.0.0", false},
		{"127.0.0.1", true},
		{"127.255.255.254", true},
		{"169.254.0.1", true},
		{"169.254.169.254", true},
		{"172.15.255.255", false},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"172.32.0.0", false},
		{"192.0.0.170", true},
		{"192.168.1.1", true},
		{"198.18.0.1", true},
		{"224.0.0.1", true},
		{"239.255.255.250", true},
		{"240.0.0.1", true},
		{"255.255.255.255", true},
		{"1.1.1.1", false},
		{"8.8.8.8", false},
		{"93.184.215.14", false},
		{"203.0.113.7", false},
		// IPv6
		{"::", true},
		{"::1", true},
		{"::127.0.0.1", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.1.2.3", true},
		{"::ffff:169.254.169.254", true},
		{"::ffff:100.64.1.1", true},
		{"::ffff:8.8.8.8", false},
		{"64:ff9b::7f00:1", true},
		{"64:ff9b::808:808", false},
		{"64:ff9b:1::1", true},
		{"2002:7f00:1::1", true},
		{"2002:0808:0808::1", false},
		{"2001::1", true},
		{"100::1", true},
		{"fc00::1", true},
		{"fd12:3456::1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"fec0::1", true},
		{"ff02::1", true},
		{"2606:4700:4700::1111", false},
		{"2001:4860:4860::8888", false},
	}
	for _, tt := range tests {
		ip := netip.MustParseAddr(tt.ip)
		r := nonPublicReason(ip)
		if (r != "") != tt.private {
			t.Errorf("%s: reason %q, want private=%v", tt.ip, r, tt.private)
		}
		err := checkIP(ip, "", false)
		if tt.private != errors.Is(err, ErrPrivateAddress) {
			t.Errorf("%s: checkIP = %v", tt.ip, err)
		}
		if err := checkIP(ip, "", true); err != nil {
			t.Errorf("%s: AllowPrivate checkIP = %v", tt.ip, err)
		}
	}
	if r := nonPublicReason(netip.MustParseAddr("169.254.169.254")); !strings.Contains(r, "metadata") {
		t.Errorf("metadata IP reason %q", r)
	}
	if r := nonPublicReason(netip.Addr{}); r == "" {
		t.Error("zero Addr classified public")
	}
}

// FuzzCheckURL checks the URL policy: it never panics, and anything it
// accepts is absolute with scheme https (or http when allowed), a host, no
// userinfo, and — unless private addresses are allowed — no non-public IP
// literal host.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{
		"https://example.com/.well-known/did.json",
		"http://example.com/",
		"https://user:pw@example.com/",
		"https://127.0.0.1:8443/x",
		"https://[::ffff:127.0.0.1]/",
		"https://[fe80::1%25eth0]/",
		"file:///etc/passwd",
		"data:,x",
		"HTTPS://EXAMPLE.COM:443/a?b#c",
		"https://example.com:99999/",
		"//example.com",
		"https://169.254.169.254/latest",
		"https://0x7f.1/",
		"https://2130706433/",
	} {
		f.Add(s, false, false)
		f.Add(s, true, true)
	}
	f.Fuzz(func(t *testing.T, raw string, allowHTTP, allowPrivate bool) {
		p := policy{allowHTTP: allowHTTP, allowPrivate: allowPrivate}
		u, err := p.checkURL(raw)
		if err != nil {
			if !errors.Is(err, ErrInvalidURL) && !errors.Is(err, ErrInsecureURL) && !errors.Is(err, ErrPrivateAddress) {
				t.Fatalf("checkURL(%q) error wraps no sentinel: %v", raw, err)
			}
			return
		}
		switch strings.ToLower(u.Scheme) {
		case "https":
		case "http":
			if !allowHTTP {
				t.Fatalf("accepted http URL %q", raw)
			}
		default:
			t.Fatalf("accepted scheme %q in %q", u.Scheme, raw)
		}
		if u.Hostname() == "" || u.User != nil || u.Opaque != "" {
			t.Fatalf("accepted %q: host %q user %v opaque %q", raw, u.Hostname(), u.User, u.Opaque)
		}
		if ip, err := netip.ParseAddr(u.Hostname()); err == nil && !allowPrivate && nonPublicReason(ip) != "" {
			t.Fatalf("accepted non-public IP literal in %q", raw)
		}
		// The serialised URL the transport will use parses to the same host.
		u2, err := p.checkURL(u.String())
		if err != nil || u2.Host != u.Host {
			t.Fatalf("re-check of %q (%q): %v", raw, u.String(), err)
		}
	})
}

package testkit

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/fetch"
)

// HTTPS is a virtual web on the wire: an httptest TLS server on loopback
// answering by host and request URI with a document, a redirect or nothing
// (404), and counting requests. Its certificate is valid for example.com
// and *.example.com, which Client resolves to 127.0.0.1, so tests go
// through the production fetch.Client, TLS and redirects included.
type HTTPS struct {
	srv    *httptest.Server
	port   string
	mu     sync.Mutex
	routes map[string]route
	hits   map[string]int
}

type route struct {
	body     []byte
	ct       string
	redirect string
}

// NewHTTPS starts the server; it stops when the test ends.
func NewHTTPS(t testing.TB) *HTTPS {
	t.Helper()
	e := &HTTPS{routes: map[string]route{}, hits: map[string]int{}}
	e.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Host + r.URL.RequestURI()
		e.mu.Lock()
		e.hits[key]++
		rt, ok := e.routes[key]
		e.mu.Unlock()
		switch {
		case !ok:
			http.NotFound(w, r)
		case rt.redirect != "":
			http.Redirect(w, r, rt.redirect, http.StatusFound)
		default:
			w.Header().Set("Content-Type", rt.ct)
			w.Write(rt.body)
		}
	}))
	t.Cleanup(e.srv.Close)
	_, e.port, _ = net.SplitHostPort(e.srv.Listener.Addr().String())
	return e
}

// Base returns "https://host:port" for a host the certificate covers.
func (e *HTTPS) Base(host string) string { return "https://" + host + ":" + e.port }

// Serve publishes body with content type ct at the absolute URL u.
func (e *HTTPS) Serve(u string, body []byte, ct string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.routes[strings.TrimPrefix(u, "https://")] = route{body: body, ct: ct}
}

// Redirect answers from with a 302 to to.
func (e *HTTPS) Redirect(from, to string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.routes[strings.TrimPrefix(from, "https://")] = route{redirect: to}
}

// Count is how many requests reached u.
func (e *HTTPS) Count(u string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.hits[strings.TrimPrefix(u, "https://")]
}

// Port is the server's port, as it appears in Base's URLs.
func (e *HTTPS) Port() string { return e.port }

// Client is the production fetch.Client, allowed to reach loopback and
// trusting the server's certificate.
func (e *HTTPS) Client() *fetch.Client {
	return e.ClientWith(fetch.Options{AllowPrivate: true})
}

// ClientWith is the production fetch.Client with o, trusting the server's
// certificate and resolving with ExampleLoopback (a zero Timeout is 5 s).
func (e *HTTPS) ClientWith(o fetch.Options) *fetch.Client {
	pool := x509.NewCertPool()
	pool.AddCert(e.srv.Certificate())
	o.TLSConfig = &tls.Config{RootCAs: pool}
	o.Resolver = ExampleLoopback{}
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	return fetch.New(o)
}

// Direct is a minimal fetcher (no guard, no content-type check) whose
// dialer connects every URL to the server, whatever its port: for URLs
// without one, such as did:web:example.com's, that the production client
// would send to port 443.
func (e *HTTPS) Direct() DirectFetcher {
	tr := e.srv.Client().Transport.(*http.Transport).Clone()
	addr := e.srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	return DirectFetcher{&http.Client{Transport: tr, Timeout: 5 * time.Second}}
}

// DirectFetcher is what HTTPS.Direct returns: a GetJSON over a plain
// http.Client, a non-200 answer a *fetch.StatusError.
type DirectFetcher struct{ c *http.Client }

func (f DirectFetcher) GetJSON(ctx context.Context, u string, accept ...string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", strings.Join(accept, ", "))
	resp, err := f.c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &fetch.StatusError{Code: resp.StatusCode, URL: u}
	}
	return io.ReadAll(io.LimitReader(resp.Body, 4<<20))
}

// ExampleLoopback is a fetch resolver mapping example.com and its
// subdomains to 127.0.0.1; any other name does not exist.
type ExampleLoopback struct{}

func (ExampleLoopback) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if host == "example.com" || strings.HasSuffix(host, ".example.com") {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	return nil, &net.DNSError{Err: "no such host (test resolver)", Name: host, IsNotFound: true}
}

package fetch

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/blason-badges/blason/internal/limits"
)

// Defaults applied to zero Options fields.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultMaxBytes     = limits.FetchBytes
	DefaultMaxRedirects = limits.FetchRedirects
)

// DefaultJSONContentTypes are the media types GetJSON accepts when
// Options.JSONContentTypes is nil. A pattern "application/*+json" matches
// any structured-syntax "+json" subtype (RFC 6839).
var DefaultJSONContentTypes = []string{
	"application/json",
	"application/*+json",
	"application/did+json",
	"application/ld+json",
}

// DefaultUserAgent returns "Blason/<version> (+https://github.com/blason-badges/blason)",
// where version is the main module version recorded in the binary's build
// information, or "dev" when there is none.
var DefaultUserAgent = sync.OnceValue(func() string {
	v := "dev"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	return "Blason/" + v + " (+https://github.com/blason-badges/blason)"
})

// Resolver looks up the IP addresses of a host name. *net.Resolver
// satisfies it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Options configures a Client. The zero value is the safe default for
// fetching public https resources.
type Options struct {
	// Timeout bounds the whole fetch: connecting, redirects and reading
	// the body. Zero (or negative) means DefaultTimeout (10 s). A shorter
	// deadline on the caller's context also applies. Exceeding either is
	// ErrTimeout.
	Timeout time.Duration

	// MaxBytes caps the response body. Zero (or negative) means
	// DefaultMaxBytes (1 MiB). A larger body is ErrTooLarge, never a
	// truncated success; reading stops at the cap.
	MaxBytes int64

	// MaxRedirects is the number of redirects followed. Zero means
	// DefaultMaxRedirects (3); negative means none is followed (a redirect
	// response is then ErrTooManyRedirects). Every redirect target is
	// re-checked against the URL rules and the private-address guard.
	MaxRedirects int

	// AllowHTTP permits http:// URLs (and redirects to them). False (the
	// default) means https only: an http:// URL is ErrInsecureURL.
	AllowHTTP bool

	// AllowPrivate permits connecting to non-public addresses. False (the
	// default) refuses loopback, private (RFC 1918), link-local (including
	// the 169.254.169.254 metadata address), CGNAT (100.64.0.0/10), unique
	// local (fc00::/7), unspecified, multicast and reserved addresses,
	// IPv4-mapped IPv6 forms of those, and host names resolving to any of
	// them, with ErrPrivateAddress. The check runs at dial time on the
	// resolved address actually connected to.
	AllowPrivate bool

	// UserAgent is sent with every request. Empty means DefaultUserAgent().
	UserAgent string

	// JSONContentTypes lists the media types GetJSON accepts; entries may
	// be patterns "type/*+suffix". Nil means DefaultJSONContentTypes.
	JSONContentTypes []string

	// TLSConfig configures TLS (e.g. RootCAs in tests). Nil means the
	// system roots and Go's defaults. It is cloned; its minimum version is
	// raised to TLS 1.2 if lower.
	TLSConfig *tls.Config

	// Resolver resolves host names before the guard checks them. Nil means
	// net.DefaultResolver. Tests use it to map a fake host name to a
	// chosen address.
	Resolver Resolver

	// DialContext opens connections. It is only ever called with an
	// "ip:port" address that has passed the private-address guard (the
	// Client resolves names itself, so the address checked is the address
	// dialled). Nil means a net.Dialer whose Control function re-checks
	// the socket address once more just before connecting.
	DialContext func(ctx context.Context, network, address string) (net.Conn, error)
}

// Response is a fully read, successful (2xx) response.
type Response struct {
	URL        string // final URL, after redirects
	StatusCode int
	Header     http.Header
	Body       []byte
}

// Client fetches resources under Options' rules. It is safe for concurrent
// use; create it once with New and share it.
type Client struct {
	opts   Options
	policy policy
	hc     *http.Client
	// send is hc without redirects, for Do.
	send *http.Client
}

// New returns a Client for opts (see Options for the zero-value defaults).
func New(opts Options) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.MaxRedirects == 0 {
		opts.MaxRedirects = DefaultMaxRedirects
	} else if opts.MaxRedirects < 0 {
		opts.MaxRedirects = 0
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent()
	}
	if opts.JSONContentTypes == nil {
		opts.JSONContentTypes = DefaultJSONContentTypes
	}
	if opts.Resolver == nil {
		opts.Resolver = net.DefaultResolver
	}
	c := &Client{opts: opts, policy: policy{allowHTTP: opts.AllowHTTP, allowPrivate: opts.AllowPrivate}}

	var tlsConf *tls.Config
	if opts.TLSConfig != nil {
		tlsConf = opts.TLSConfig.Clone()
	} else {
		tlsConf = &tls.Config{}
	}
	if tlsConf.MinVersion < tls.VersionTLS12 {
		tlsConf.MinVersion = tls.VersionTLS12
	}
	tr := &http.Transport{
		Proxy:                  nil, // never route through an environment proxy: the guard must see the real peer
		DialContext:            c.dial,
		TLSClientConfig:        tlsConf,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    opts.Timeout,
		ResponseHeaderTimeout:  opts.Timeout,
		MaxIdleConns:           16,
		IdleConnTimeout:        30 * time.Second,
		MaxResponseHeaderBytes: limits.HTTPHeaderBytes,
	}
	c.hc = &http.Client{
		Transport:     tr,
		CheckRedirect: c.checkRedirect,
	}
	c.send = &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c
}

// dial resolves the host itself, refuses the whole host if any of its
// addresses is not public (unless AllowPrivate), then dials the vetted IP
// addresses in turn.
func (c *Client) dial(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("%w: bad address %s", ErrInvalidURL, quoted(address))
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		ips, err = c.opts.Resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, err
		}
		if len(ips) == 0 {
			return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
		}
	}
	for _, ip := range ips {
		if err := checkIP(ip, host, c.opts.AllowPrivate); err != nil {
			return nil, err
		}
	}
	dialer := c.opts.DialContext
	if dialer == nil {
		d := &net.Dialer{Control: c.control}
		dialer = d.DialContext
	}
	var firstErr error
	for _, ip := range ips {
		conn, err := dialer(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, firstErr
}

// control is the default dialer's last check, on the socket address about
// to be connected.
func (c *Client) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot parse dial address %s", ErrPrivateAddress, quoted(address))
	}
	return checkIP(ap.Addr(), "", c.opts.AllowPrivate)
}

// checkRedirect bounds the redirect chain and re-applies the URL rules to
// every target.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > c.opts.MaxRedirects {
		return fmt.Errorf("%w: more than %d", ErrTooManyRedirects, c.opts.MaxRedirects)
	}
	if err := c.policy.checkParsed(req.URL); err != nil {
		return fmt.Errorf("redirect: %w", err)
	}
	return nil
}

// Get fetches rawURL and returns the whole body of a 2xx response. accept
// values, if any, are joined into the Accept header. A non-2xx status is a
// *StatusError (wrapping ErrStatus).
func (c *Client) Get(ctx context.Context, rawURL string, accept ...string) (*Response, error) {
	u, err := c.policy.checkURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("get: %w", err)
	}
	shown := quoted(u.Redacted())

	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w: %v", shown, ErrInvalidURL, err)
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	if len(accept) > 0 {
		req.Header.Set("Accept", strings.Join(accept, ", "))
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.mapErr(ctx, shown, err)
	}
	defer resp.Body.Close()
	final := u.Redacted()
	if resp.Request != nil && resp.Request.URL != nil {
		final = resp.Request.URL.Redacted()
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &StatusError{Code: resp.StatusCode, URL: short(final)}
	}
	if resp.ContentLength > c.opts.MaxBytes {
		return nil, fmt.Errorf("get %s: %w: declares %d bytes, over the %d-byte limit", quoted(final), ErrTooLarge, resp.ContentLength, c.opts.MaxBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBytes+1))
	if err != nil {
		return nil, c.mapErr(ctx, quoted(final), err)
	}
	if int64(len(body)) > c.opts.MaxBytes {
		return nil, fmt.Errorf("get %s: %w: body exceeds the %d-byte limit", quoted(final), ErrTooLarge, c.opts.MaxBytes)
	}
	return &Response{URL: final, StatusCode: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// Do sends a request (any method, an optional body) under the same rules as
// Get: the URL policy, the private-address guard at dial time, the timeout
// and the body cap. Unlike Get it follows no redirect (a POST carrying
// credentials must not be replayed elsewhere) and returns the response
// whatever its status, since an API's error bodies matter to its client;
// the caller checks StatusCode.
func (c *Client) Do(ctx context.Context, method, rawURL string, header http.Header, body []byte) (*Response, error) {
	u, err := c.policy.checkURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", strings.ToLower(method), err)
	}
	shown := quoted(u.Redacted())
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w: %v", strings.ToLower(method), shown, ErrInvalidURL, err)
	}
	for k, v := range header {
		req.Header[k] = append([]string(nil), v...)
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	resp, err := c.send.Do(req)
	if err != nil {
		return nil, c.mapErr(ctx, shown, err)
	}
	defer resp.Body.Close()
	if resp.ContentLength > c.opts.MaxBytes {
		return nil, fmt.Errorf("%s %s: %w: declares %d bytes, over the %d-byte limit", strings.ToLower(method), shown, ErrTooLarge, resp.ContentLength, c.opts.MaxBytes)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBytes+1))
	if err != nil {
		return nil, c.mapErr(ctx, shown, err)
	}
	if int64(len(b)) > c.opts.MaxBytes {
		return nil, fmt.Errorf("%s %s: %w: body exceeds the %d-byte limit", strings.ToLower(method), shown, ErrTooLarge, c.opts.MaxBytes)
	}
	return &Response{URL: u.Redacted(), StatusCode: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// GetJSON is Get followed by a Content-Type check: the response must
// declare one of Options.JSONContentTypes (by default application/json,
// application/*+json, application/did+json, application/ld+json), or the
// error wraps ErrContentType. It returns the body; it does not parse it.
// With no accept values it sends "Accept: application/json".
func (c *Client) GetJSON(ctx context.Context, rawURL string, accept ...string) ([]byte, error) {
	if len(accept) == 0 {
		accept = []string{"application/json"}
	}
	resp, err := c.Get(ctx, rawURL, accept...)
	if err != nil {
		return nil, err
	}
	ct := resp.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || !matchMediaType(strings.ToLower(mt), c.opts.JSONContentTypes) {
		return nil, fmt.Errorf("get %s: %w: %s", quoted(resp.URL), ErrContentType, quoted(ct))
	}
	return resp.Body, nil
}

// GetJSONFinal is GetJSON that also returns the final URL (after
// redirects, redacted), so that callers can refuse a document served from
// another origin than the one asked for (internal/did.FinalURLFetcher).
func (c *Client) GetJSONFinal(ctx context.Context, rawURL string, accept ...string) (body []byte, finalURL string, err error) {
	if len(accept) == 0 {
		accept = []string{"application/json"}
	}
	resp, err := c.Get(ctx, rawURL, accept...)
	if err != nil {
		return nil, "", err
	}
	ct := resp.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || !matchMediaType(strings.ToLower(mt), c.opts.JSONContentTypes) {
		return nil, "", fmt.Errorf("get %s: %w: %s", quoted(resp.URL), ErrContentType, quoted(ct))
	}
	return resp.Body, resp.URL, nil
}

// matchMediaType reports whether mt (lower case, no parameters) equals one
// of patterns or matches a "type/*+suffix" pattern.
func matchMediaType(mt string, patterns []string) bool {
	for _, p := range patterns {
		p = strings.ToLower(strings.TrimSpace(p))
		if prefix, suffix, ok := strings.Cut(p, "*"); ok {
			if strings.HasPrefix(mt, prefix) && strings.HasSuffix(mt, suffix) && len(mt) > len(prefix)+len(suffix) {
				return true
			}
			continue
		}
		if mt == p {
			return true
		}
	}
	return false
}

// mapErr turns an error from the transport or body read into one wrapping
// the matching sentinel, naming the URL.
func (c *Client) mapErr(ctx context.Context, shown string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var oe *net.OpError
	if errors.As(err, &oe) && isOwn(oe.Err) {
		err = oe.Err // drop "dial tcp …:" noise around the guard's own message
	}
	if isOwn(err) {
		return fmt.Errorf("get %s: %w", shown, err)
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("get %s: %w (limit %s)", shown, ErrTimeout, c.opts.Timeout)
	}
	return fmt.Errorf("get %s: %w", shown, err)
}

// isOwn reports whether err wraps one of the policy sentinels.
func isOwn(err error) bool {
	return errors.Is(err, ErrPrivateAddress) || errors.Is(err, ErrInsecureURL) ||
		errors.Is(err, ErrInvalidURL) || errors.Is(err, ErrTooManyRedirects)
}

// Package fetch is Blason's one hardened HTTP client. Every network fetch
// Blason makes — did:web documents, JWKS and key URLs, status lists,
// revocation lists, refresh services, badge URLs a user asked to import —
// goes through a *Client so that the same rules apply everywhere:
//
//   - https only, unless Options.AllowHTTP;
//   - no userinfo, no schemes other than http(s), a host is required;
//   - a total time limit (Options.Timeout) mapped to ErrTimeout;
//   - a response body cap (Options.MaxBytes): a larger body is ErrTooLarge,
//     never a truncated success;
//   - a bounded number of redirects, each target re-checked;
//   - a private-address guard that runs at dial time on the IP actually
//     connected to, so DNS rebinding and redirects to internal hosts are
//     refused (ErrPrivateAddress), not just a pre-check on the host name.
//
// The package also provides Cache, a small size-bounded TTL cache keyed by
// URL (or any string) that resolvers and status-list checkers share.
//
// The package never logs. Every error wraps one of the sentinel errors
// below (or the caller's own context cancellation); test with errors.Is, and
// use errors.As with *StatusError to read an HTTP status code.
package fetch

import (
	"errors"
	"strconv"
)

// Sentinel errors. Messages of returned errors name the (truncated,
// redacted) URL and the reason.
var (
	// ErrInvalidURL reports a URL that cannot be fetched at all: it does
	// not parse, is too long, has no host, carries userinfo
	// ("user:pass@"), or uses a scheme other than http and https (file:,
	// gopher:, data:, …).
	ErrInvalidURL = errors.New("fetch: invalid URL")
	// ErrInsecureURL reports an http:// URL (or a redirect to one) while
	// Options.AllowHTTP is false.
	ErrInsecureURL = errors.New("fetch: insecure URL (https required)")
	// ErrPrivateAddress reports a host that is, or resolves to, a
	// non-public address (loopback, private, link-local, CGNAT, unique
	// local, multicast, …) while Options.AllowPrivate is false.
	ErrPrivateAddress = errors.New("fetch: address is not public")
	// ErrTooLarge reports a response body larger than Options.MaxBytes.
	ErrTooLarge = errors.New("fetch: response too large")
	// ErrTooManyRedirects reports more than Options.MaxRedirects redirects.
	ErrTooManyRedirects = errors.New("fetch: too many redirects")
	// ErrStatus reports a non-2xx HTTP status; the error is a *StatusError.
	ErrStatus = errors.New("fetch: unexpected HTTP status")
	// ErrTimeout reports a fetch that did not complete within
	// Options.Timeout or the caller's context deadline.
	ErrTimeout = errors.New("fetch: timed out")
	// ErrContentType reports a response whose Content-Type is not one
	// GetJSON accepts.
	ErrContentType = errors.New("fetch: unexpected content type")
)

// StatusError reports a response with a non-2xx status code. It wraps
// ErrStatus.
type StatusError struct {
	Code int    // HTTP status code, e.g. 404
	URL  string // the URL that answered (after redirects), truncated
}

func (e *StatusError) Error() string {
	return "get " + strconv.Quote(e.URL) + ": " + ErrStatus.Error() + " " + strconv.Itoa(e.Code)
}

// Unwrap returns ErrStatus.
func (e *StatusError) Unwrap() error { return ErrStatus }

// maxShownURL is the longest URL echoed verbatim in an error message.
const maxShownURL = 96

// short truncates s for an error message.
func short(s string) string {
	if len(s) > maxShownURL {
		return s[:maxShownURL-3] + "…"
	}
	return s
}

// quoted is strconv.Quote(short(s)).
func quoted(s string) string { return strconv.Quote(short(s)) }

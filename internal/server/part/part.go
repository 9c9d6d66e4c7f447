// Package part is the contract between Blason's HTTP composition root
// (internal/server) and its parts (internal/server/vcapi, status, and the
// parts to come: walletapi, obapi, oauth, admin pages).
//
// A part is a package under internal/server with
//
//	func New(sh part.Shared, cfg Config) *T // T implements Part
//
// where Config holds what only that part needs (its services) and Shared
// what the root gives every part: the logger, authentication, admission
// control and the body limits. The root builds Shared once, constructs each
// configured part and calls Mount on it; a part adds its routes there and
// nothing else (no global middleware: the root owns host checks, body
// limits, logging and panics). Errors are answered with
// internal/server/problem, whose one table maps the libraries' errors to
// statuses.
//
// Adding a part: write the package, add its Config to server.Config, and
// one line to server.New's list of parts.
package part

import (
	"bytes"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/server/problem"
)

// Part is one area of the HTTP API.
type Part interface {
	// Mount adds the part's routes to r. The root calls it once, before
	// serving; r already runs the root's middleware.
	Mount(r gin.IRouter)
}

// Shared is what the composition root gives every part. Every field is
// set by the root.
type Shared struct {
	// Logger is the server's logger, for what a part logs outside a
	// request (a request's errors go on the request: c.Error).
	Logger *slog.Logger
	// Auth returns the middleware that lets a request through only with a
	// bearer token holding scope (admin holds every scope): 401 or 403
	// otherwise, and 403 on a server with no token configured. TokenID
	// then names the token.
	Auth func(scope account.Scope) gin.HandlerFunc
	// Admit bounds the CPU-bound requests (verifications) in flight:
	// beyond the bound, 503 with Retry-After: 1.
	Admit gin.HandlerFunc
	// MaxBody is the largest request body (the root already refuses
	// larger ones with 413; ReadObject uses it for its JSON limits).
	MaxBody int64
	// BodyTimeout is how long a body may take to arrive once a handler
	// starts reading it.
	BodyTimeout time.Duration
}

// TokenKey is the gin context key under which Auth stores the
// authenticated token's id.
const TokenKey = "blason.token"

// TokenID is the id of the token Auth authenticated ("" before Auth).
func TokenID(c *gin.Context) string { return c.GetString(TokenKey) }

// ReadObject reads the request body as one strict JSON object (duplicate
// keys refused) and returns it, or writes the error response and returns
// nil.
func (sh Shared) ReadObject(c *gin.Context) map[string]any {
	// A body that trickles in must not hold the connection for the whole
	// ReadTimeout: the body gets BodyTimeout from now. Not every
	// ResponseWriter supports deadlines (httptest's does not); the server's
	// ReadTimeout still bounds those.
	_ = http.NewResponseController(c.Writer).SetReadDeadline(time.Now().Add(sh.BodyTimeout))
	// Read into a pooled buffer sized from Content-Length (io.ReadAll grows
	// from 512 bytes, five allocations and copies for a typical badge).
	// ParseJSON copies every string out of it, so the buffer goes back to
	// the pool once parsed.
	buf := bodyBufs.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledBody {
			bodyBufs.Put(buf)
		}
	}()
	buf.Reset()
	if n := c.Request.ContentLength; n > 0 && n <= sh.MaxBody {
		// MinRead more than announced: ReadFrom keeps that much room for
		// each read, so it finds EOF without growing the buffer. At most
		// maxPooledBody up front: a Content-Length is a claim, and a
		// client announcing 2 MiB and sending nothing must not hold 2 MiB
		// for the body timeout; beyond it the buffer grows as bytes come.
		buf.Grow(int(min(n, maxPooledBody)) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(c.Request.Body); err != nil {
		problem.ReadError(c, sh.MaxBody, err)
		return nil
	}
	v, err := credential.ParseJSON(buf.Bytes(), credential.Limits{MaxBytes: int(sh.MaxBody)})
	if err != nil {
		problem.Write(c, http.StatusBadRequest, problem.Malformed, "the body is not valid JSON: "+err.Error())
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		problem.Write(c, http.StatusBadRequest, problem.Malformed, "the body must be a JSON object")
		return nil
	}
	return m
}

var bodyBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBody is the largest body buffer kept for the next request: a
// badge with a large embedded image is read into a buffer of its own.
const maxPooledBody = 64 << 10

// RequireJSON refuses a request body that is not declared JSON with 415:
// only application/json and application/<something>+json (RFC 6839). A web
// page can post text/plain, multipart/form-data and
// application/x-www-form-urlencoded across sites without a CORS preflight
// (the "simple requests" of the Fetch standard); a JSON content type needs
// one, which this server never grants.
func RequireJSON(c *gin.Context) {
	if !IsJSON(c.GetHeader("Content-Type")) {
		problem.Write(c, http.StatusUnsupportedMediaType, problem.UnsupportedMediaType, "send the body as Content-Type: application/json")
		c.Abort()
		return
	}
	c.Next()
}

// IsJSON reports whether a Content-Type is JSON (application/json or
// application/<something>+json).
func IsJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	sub, ok := strings.CutPrefix(mt, "application/")
	return ok && (sub == "json" || (strings.HasSuffix(sub, "+json") && len(sub) > len("+json")))
}

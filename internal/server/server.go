// Package server is Blason's HTTP composition root (gin). It owns what
// every request goes through - the host check (DNS rebinding), panics,
// body limits, one log line per request, bearer-token authentication and
// admission control - and mounts the parts, each a package under
// internal/server:
//
//   - vcapi: the W3C VC API (issue, verify credentials and presentations,
//     change a credential's status);
//   - status: the issuer's public documents (status lists, DID document,
//     JWKS);
//   - web: the public pages (/verify), adapted in pages.go;
//   - to come, mounted the same way: walletapi, obapi, oauth, admin pages.
//
// A part is constructed with part.Shared (logger, Auth, Admit, body
// limits) and its own Config, and adds its routes in Mount (see
// internal/server/part). Every error response goes through
// internal/server/problem, the one mapping from errors to statuses; a 500
// never leaks internals. The server itself serves /healthz and
// /openapi.json.
package server

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/net/netutil"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/limits"
	"github.com/blason-badges/blason/internal/server/admin"
	oauthpart "github.com/blason-badges/blason/internal/server/oauth"
	"github.com/blason-badges/blason/internal/server/obapi"
	connectpart "github.com/blason-badges/blason/internal/server/obconnect"
	"github.com/blason-badges/blason/internal/server/part"
	"github.com/blason-badges/blason/internal/server/problem"
	"github.com/blason-badges/blason/internal/server/status"
	"github.com/blason-badges/blason/internal/server/vcapi"
	"github.com/blason-badges/blason/internal/server/walletapi"
	"github.com/blason-badges/blason/internal/server/web"
	"github.com/blason-badges/blason/internal/workspace"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

// Config is what the server serves. Every zero value is documented.
type Config struct {
	// Service issues as IssuerID (POST /credentials/issue): issued
	// credentials get a status entry and are recorded, status lists are
	// published at /status/{id}, and POST /credentials/status changes a
	// credential's status. Nil: issuing answers 501, no status routes.
	Service  *issuer.Service
	IssuerID string
	// Tokens authenticates the bearer tokens of the endpoints that sign or
	// change state (POST /credentials/issue: scope issue; POST
	// /credentials/status: scope status; admin holds both). Nil, with no
	// OperatorToken either, disables those endpoints (403).
	Tokens *account.Service
	// OperatorToken, when Tokens is nil, is the one token accepted (every
	// scope); with Tokens set, set Tokens.Operator instead.
	OperatorToken string
	// PublicURL is the server's public base URL. Requests are answered only
	// when their Host is its host or a loopback name (localhost, 127.0.0.1,
	// [::1]); others get 421 (DNS rebinding). Empty: loopback names only.
	PublicURL string
	// TrustedProxies are the CIDRs (or addresses) of reverse proxies whose
	// X-Forwarded-For names the client in logs; any other peer is logged as
	// its socket address. Nil: no proxy is trusted.
	TrustedProxies []string
	// BodyTimeout is how long a request body may take to arrive once its
	// handler starts reading (408 after); zero means DefaultBodyTimeout.
	BodyTimeout time.Duration
	// MaxConns caps the connections ListenAndServe holds open at once (more
	// wait in the listen queue); zero means DefaultMaxConns.
	MaxConns int
	// MaxInFlight caps the verifications running at once (POST
	// /credentials/verify, /presentations/verify and the /verify page);
	// beyond it a request is refused at once with 503 and Retry-After: 1,
	// so that latency stays bounded under overload instead of every
	// request slowing down. Zero means DefaultMaxInFlight().
	MaxInFlight int
	// Verifier checks credentials and presentations; nil means
	// verifier.New with AcceptGeneric (offline did:key/did:jwk only).
	Verifier *verifier.Verifier
	// DIDDocument, when set (a did:web issuer), is served at the path its
	// DID maps to (/.well-known/did.json for a bare host). When nil and
	// Service and IssuerID are set, the did:web issuer's document is made
	// from the store on each request (Service.DIDDocument: current and
	// retired keys), as blason serve does.
	DIDDocument *did.Document
	// JWKS is the issuer's public key set served at /.well-known/jwks.json
	// (OB 3.0 §8.5 key provenance for VC-JWTs); nil: Service.JWKS of
	// IssuerID when both are set, else not served.
	JWKS json.RawMessage
	// MaxBody is the largest request body accepted; zero means
	// DefaultMaxBody. Larger bodies get 413.
	MaxBody int64
	// Logger receives one structured line per request; nil discards.
	Logger *slog.Logger
	// Version is reported by /healthz.
	Version string
	// Workspace, when set, serves the issuer workspace's JSON API
	// (/admin/api/..., internal/server/admin) and its images (/images/{id})
	// for IssuerID; nil: not served.
	Workspace *workspace.Service
	// Fetch GETs what an achievement import names by URL (internal/fetch's
	// hardened client); nil: imports by URL are refused.
	Fetch func(ctx context.Context, url string) ([]byte, error)
	// Pages, when set, serves the public pages (/verify) from
	// internal/web; the server fills in its verifier, its report format
	// and its own issuer as a known issuer. Nil: JSON APIs only.
	Pages *web.Config
	// Wallet, when its Wallet and Users are set, serves the wallet API
	// (/wallet/api/..., personal bearer tokens).
	Wallet walletapi.Config
	// OpenBadges, when set, serves the 1EdTech Open Badges 3.0 API host
	// (/ims/ob/v3p0) for the wallet's users and its OAuth 2.0
	// authorization server (/oauth/..., the connected apps page).
	OpenBadges *OpenBadges
}

// DefaultMaxBody is the default request body limit: a 1 MiB credential
// (the verifier's own limit) plus its JSON envelope.
const DefaultMaxBody = limits.HTTPBody

// DefaultBodyTimeout is the default time a request body may take: 2 MiB
// arrive in well under a second on any link a server is reached over; a
// client that trickles bytes holds a connection no longer than this.
const DefaultBodyTimeout = 10 * time.Second

// DefaultMaxConns is the default connection cap: far above what 2 cores
// verify at once, far below the file descriptors a process gets.
const DefaultMaxConns = 512

// DefaultMaxInFlight is the default verification cap: 4 per core. A
// verification is CPU-bound (signature, canonicalisation), so more in
// flight than a few per core only lengthens every one of them.
func DefaultMaxInFlight() int { return 4 * runtime.GOMAXPROCS(0) }

// Log attribute keys.
const (
	logMethod   = "method"
	logPath     = "path"
	logStatus   = "status"
	logDuration = "duration_ms"
	logBytes    = "bytes"
	logRemote   = "remote"
	logError    = "error"
	logToken    = "token"
)

// Server is the HTTP handler.
// OpenBadges configures the Open Badges API parts (see Config.OpenBadges).
type OpenBadges struct {
	API   obapi.Config
	OAuth oauthpart.Config
	// Connect, when set, serves the learner's pages for other hosts
	// (/account/hosts) and deliveries from claim pages (/deliver).
	Connect *connectpart.Config
}

type Server struct {
	cfg        Config
	engine     *gin.Engine
	publicHost string        // PublicURL's host, as checkHost compares it
	slots      chan struct{} // one per verification in flight (admit)
}

// New builds the server's routes.
func New(cfg Config) *Server {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(discard{}, nil))
	}
	if cfg.Verifier == nil {
		cfg.Verifier = verifier.New(verifier.Options{AcceptGeneric: true})
	}
	if cfg.BodyTimeout <= 0 {
		cfg.BodyTimeout = DefaultBodyTimeout
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight()
	}
	if cfg.Tokens == nil && cfg.OperatorToken != "" {
		cfg.Tokens = &account.Service{Operator: cfg.OperatorToken}
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	s := &Server{cfg: cfg, engine: e, slots: make(chan struct{}, cfg.MaxInFlight)}
	if cfg.PublicURL != "" {
		// An unparsable URL leaves loopback only: fail closed.
		s.publicHost, _ = PublicHost(cfg.PublicURL)
	}
	configureProxies(e, cfg.TrustedProxies, cfg.Logger)
	e.Use(s.logRequests, s.recover, s.checkHost, s.limitBody)
	e.NoRoute(func(c *gin.Context) {
		problem.Write(c, http.StatusNotFound, problem.NotFound, "no such endpoint: "+c.Request.URL.Path)
	})
	e.NoMethod(func(c *gin.Context) {
		problem.Write(c, http.StatusMethodNotAllowed, problem.MethodNotAllowed, c.Request.Method+" is not allowed on "+c.Request.URL.Path)
	})

	sh := part.Shared{
		Logger:      cfg.Logger,
		Auth:        s.requireScope,
		Admit:       s.admit,
		MaxBody:     cfg.MaxBody,
		BodyTimeout: cfg.BodyTimeout,
	}
	parts := []part.Part{
		vcapi.New(sh, vcapi.Config{Service: cfg.Service, IssuerID: cfg.IssuerID, Verifier: cfg.Verifier}),
		status.New(sh, status.Config{Service: cfg.Service, DIDDocument: cfg.DIDDocument, JWKS: cfg.JWKS, IssuerID: cfg.IssuerID}),
		walletapi.New(sh, cfg.Wallet),
		admin.New(sh, admin.Config{Workspace: cfg.Workspace, IssuerID: cfg.IssuerID, Fetch: cfg.Fetch}),
	}
	if ob := cfg.OpenBadges; ob != nil {
		if ob.API.Verifier == nil {
			ob.API.Verifier = cfg.Verifier
		}
		parts = append(parts, obapi.New(sh, ob.API), oauthpart.New(sh, ob.OAuth))
		if ob.Connect != nil {
			parts = append(parts, connectpart.New(sh, *ob.Connect))
		}
	}
	for _, p := range parts {
		p.Mount(e)
	}
	if cfg.Pages != nil {
		s.mountPages(e, *cfg.Pages)
	}
	e.GET("/healthz", s.health)
	e.GET("/openapi.json", s.openAPI)
	return s
}

// Handler returns the server as an http.Handler.
func (s *Server) Handler() http.Handler { return s.engine }

// ListenAndServe serves on addr until ctx is cancelled, then shuts down
// gracefully, giving requests in flight up to grace to finish. ready, if
// non-nil, receives the bound address once listening.
func (s *Server) ListenAndServe(ctx context.Context, addr string, grace time.Duration, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	// At most MaxConns connections at once: the others wait in the kernel's
	// listen queue instead of each holding a goroutine and a descriptor.
	ln = netutil.LimitListener(ln, s.cfg.MaxConns)
	srv := &http.Server{
		Handler:           s.engine,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    limits.HTTPHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.cfg.Logger.Handler(), slog.LevelWarn),
	}
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (s *Server) health(c *gin.Context) {
	body := gin.H{"status": "ok", "version": s.cfg.Version}
	if s.cfg.IssuerID != "" {
		body["issuer"] = s.cfg.IssuerID
	}
	c.JSON(http.StatusOK, body)
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) openAPI(c *gin.Context) {
	c.Data(http.StatusOK, "application/json", openAPIDoc)
}

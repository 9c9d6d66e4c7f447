package server

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/server/part"
	"github.com/blason-badges/blason/internal/server/problem"
)

// requireScope authenticates the request's bearer token (RFC 6750 §2.1,
// "Authorization: Bearer <token>") and lets it through only with scope
// (admin holds every scope):
//
//   - no token, or an unknown, expired or revoked one: 401 with
//     WWW-Authenticate: Bearer (RFC 6750 §3);
//   - a valid token without the scope: 403 with error="insufficient_scope"
//     (RFC 6750 §3.1).
//
// Without a configured token service no request can be authenticated and the
// endpoint is disabled (403).
func (s *Server) requireScope(scope account.Scope) gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.cfg.Tokens == nil {
			problem.Write(c, http.StatusForbidden, problem.Forbidden, "this endpoint is disabled: no API token is configured on this server")
			c.Abort()
			return
		}
		secret, ok := bearer(c.GetHeader("Authorization"))
		if !ok {
			c.Header("WWW-Authenticate", `Bearer realm="blason"`)
			problem.Write(c, http.StatusUnauthorized, problem.Unauthorized, "send Authorization: Bearer <token> (a token with the "+string(scope)+" scope)")
			c.Abort()
			return
		}
		tok, err := s.cfg.Tokens.Authenticate(c.Request.Context(), secret)
		switch {
		case errors.Is(err, account.ErrUnauthenticated):
			// One message for unknown, expired and revoked: which one it was
			// is the operator's business (logged), not the caller's.
			_ = c.Error(err)
			c.Header("WWW-Authenticate", `Bearer realm="blason", error="invalid_token"`)
			problem.Error(c, err, "the bearer token is not valid (unknown, expired or revoked)")
			c.Abort()
			return
		case err != nil:
			problem.Error(c, err, "")
			c.Abort()
			return
		}
		c.Set(part.TokenKey, tok.ID)
		if !tok.Allows(scope) {
			c.Header("WWW-Authenticate", `Bearer realm="blason", error="insufficient_scope", scope="`+string(scope)+`"`)
			problem.Write(c, http.StatusForbidden, problem.Forbidden, "this token lacks the "+string(scope)+" scope")
			c.Abort()
			return
		}
		c.Next()
	}
}

// bearer extracts the token of an "Authorization: Bearer <token>" header;
// the scheme is case-insensitive (RFC 9110 §11.1).
func bearer(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// checkHost refuses with 421 (Misdirected Request, RFC 9110 §15.5.20) a
// request whose Host is neither the public URL's host nor a loopback name:
// a page on a domain the attacker re-points at this server's address (DNS
// rebinding) reaches it with its own domain in Host. Every route, /healthz
// included. The port is not compared: rebinding changes the name, and a
// server behind a proxy sees the proxy's idea of the port.
func (s *Server) checkHost(c *gin.Context) {
	if !s.hostAllowed(c.Request.Host) {
		_ = c.Error(errors.New("refused Host " + c.Request.Host))
		problem.Write(c, http.StatusMisdirectedRequest, problem.Misdirected, "this server does not answer for that host name")
		c.Abort()
		return
	}
	c.Next()
}

func (s *Server) hostAllowed(hostport string) bool {
	h := hostOnly(hostport)
	if h == "" {
		return false
	}
	switch h {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	return h == s.publicHost
}

// hostOnly returns the lower-case host of a Host header or URL host,
// without port, brackets or a trailing dot.
func hostOnly(hostport string) string {
	h := strings.ToLower(strings.TrimSpace(hostport))
	if hh, _, err := net.SplitHostPort(h); err == nil {
		h = hh
	}
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	return strings.TrimSuffix(h, ".")
}

// PublicHost returns the host name of a public base URL, as checkHost
// compares it; an error for a URL without a host.
func PublicHost(publicURL string) (string, error) {
	u, err := url.Parse(publicURL)
	if err != nil {
		return "", err
	}
	h := hostOnly(u.Host)
	if h == "" {
		return "", errors.New("public URL " + publicURL + " has no host")
	}
	return h, nil
}

// ParseTrustedProxies reads a comma-separated list of CIDRs or addresses
// (--trusted-proxy) into the form gin's SetTrustedProxies takes.
func ParseTrustedProxies(s string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return nil, errors.New("trusted proxy " + p + " is not a CIDR (10.0.0.0/8) or an address")
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// configureProxies makes c.ClientIP() the socket peer, or the client
// X-Forwarded-For names when (and only when) the peer is a trusted proxy.
// gin's default trusts every peer, so any client could write its own log
// address.
func configureProxies(e *gin.Engine, trusted []string, log *slog.Logger) {
	e.ForwardedByClientIP = true
	e.RemoteIPHeaders = []string{"X-Forwarded-For"}
	if err := e.SetTrustedProxies(trusted); err != nil {
		// Fail closed: trust no proxy rather than every one.
		log.Warn("trusted proxies ignored", slog.String(logError, err.Error()))
		_ = e.SetTrustedProxies(nil)
	}
}

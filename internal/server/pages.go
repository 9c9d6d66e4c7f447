package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/server/problem"
	"github.com/blason-badges/blason/internal/server/vcapi"
	"github.com/blason-badges/blason/internal/server/web"
	"github.com/blason-badges/blason/internal/workspace"
	"github.com/blason-badges/blason/verifier"
)

// mountPages serves the public pages (internal/web) beside the JSON APIs.
// The pages answer JSON clients with this server's own report format and
// problems, so /verify and /credentials/verify say the same thing.
func (s *Server) mountPages(e *gin.Engine, pc web.Config) {
	if pc.Verifier == nil {
		pc.Verifier = s.cfg.Verifier
	}
	// Internal addresses and server paths stay out of what the pages show
	// and answer, as for the VC API (redact); the log keeps them.
	logOrig := func(orig []string) {
		for _, d := range orig {
			s.cfg.Logger.Info("redacted from a page response", slog.String(logError, d))
		}
	}
	pc.JSON = func(w http.ResponseWriter, verified bool, checks []verifier.Check, report any) {
		vcapi.WriteResult(w, verified, checks, report, func(d string) { logOrig([]string{d}) })
	}
	pc.Detail = func(d string) string {
		out, changed := problem.Redact(d)
		if changed {
			logOrig([]string{d})
		}
		return out
	}
	pc.Problem = func(w http.ResponseWriter, status int, kind, detail string) {
		problem.WriteHTTP(w, status, kind, detail, func(d string) { logOrig([]string{d}) })
	}
	// The server's own issuer is a known issuer.
	known := map[string]string{}
	for id, name := range pc.Known {
		known[id] = name
	}
	if _, named := known[s.cfg.IssuerID]; s.cfg.IssuerID != "" && !named {
		known[s.cfg.IssuerID] = s.cfg.IssuerID
	}
	pc.Known = known
	if pc.Logger == nil {
		pc.Logger = s.cfg.Logger
	}
	// The issuer workspace's pages and the claim page, when the server has
	// a workspace: signed in with an API token (its scopes give the role)
	// until user accounts replace it.
	if s.cfg.Workspace != nil && pc.Admin == nil {
		ws, issuerID := s.cfg.Workspace, s.cfg.IssuerID
		pc.Admin = &web.AdminConfig{Workspace: ws, IssuerID: issuerID, SignIn: s.signInWithToken,
			// The claim page's "send it to my badge platform" form.
			Deliver: s.cfg.OpenBadges != nil && s.cfg.OpenBadges.Connect != nil && s.cfg.OpenBadges.Connect.Claimed != nil,
			// Accounts' roles per issuer profile ('blason member set').
			RoleOf: func(ctx context.Context, email string) (web.Role, error) {
				r, err := ws.RoleOf(ctx, issuerID, email)
				return map[string]web.Role{workspace.RoleAdmin: web.RoleAdmin, workspace.RoleIssuer: web.RoleIssuer, workspace.RoleViewer: web.RoleViewer}[r], err
			}}
	}
	h := gin.WrapH(web.New(pc))
	if pc.Admin != nil {
		for _, r := range web.AdminPaths {
			e.Handle(r.Method, r.Path, h)
		}
	}
	e.GET("/", h)
	// The page verifies what is posted, or fetched by ?url=: admitted as
	// the API's verifications are; the empty form is not.
	e.GET("/verify", func(c *gin.Context) {
		if c.Request.URL.RawQuery != "" && c.Request.URL.Query().Has("url") {
			s.admit(c)
			return
		}
		c.Next()
	}, h)
	e.POST("/verify", s.admit, h)
	e.GET("/static/*file", h)
	if pc.Users != nil {
		// The account pages; the per-address sign-in limit is keyed on the
		// client address as the server determines it (trusted proxies).
		withIP := func(c *gin.Context) {
			c.Request = c.Request.WithContext(web.WithClientIP(c.Request.Context(), c.ClientIP()))
			h(c)
		}
		for _, p := range web.AccountPaths {
			e.GET(p, withIP)
			e.POST(p, withIP)
		}
		if pc.Wallet != nil {
			for _, r := range web.WalletRoutes {
				e.Handle(r[0], r[1], h)
			}
		}
	}
}

// signInWithToken lets a coordinator sign in to the workspace pages with
// an API token: admin scope is the admin role, issue or status the issuer
// role.
func (s *Server) signInWithToken(ctx context.Context, secret string) (*web.AdminUser, error) {
	if s.cfg.Tokens == nil || secret == "" {
		return nil, account.ErrUnauthenticated
	}
	tok, err := s.cfg.Tokens.Authenticate(ctx, secret)
	if err != nil {
		return nil, err
	}
	u := &web.AdminUser{Actor: "token:" + tok.ID}
	switch {
	case tok.Allows(account.ScopeAdmin):
		u.Role = web.RoleAdmin
	case tok.Allows(account.ScopeIssue), tok.Allows(account.ScopeStatus):
		u.Role = web.RoleIssuer
	default:
		return nil, errors.New("this token gives no role in the workspace")
	}
	return u, nil
}

// Package oauth is Blason's OAuth 2.0 authorization server for the Open
// Badges 3.0 API (OB 3.0 §7 "Open Badges API Security"), built on
// github.com/ory/fosite: dynamic client registration (RFC 7591), the
// authorization code grant with PKCE S256 required and state required,
// single-use codes valid ten minutes whose reuse revokes the tokens issued
// with them, client_secret_basic, refresh tokens rotated on use whose
// scope never grows, token revocation (RFC 7009), and the bearer check the
// resource server runs on every API call.
//
// It speaks net/http (fosite does); internal/server/oauth mounts it and
// renders the consent page. State lives in internal/store/oauthdb.
package oauth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ory/fosite"
	foauth2 "github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/handler/pkce"
	"github.com/ory/fosite/token/hmac"

	"github.com/blason-badges/blason/internal/store/oauthdb"
)

// Lifetimes (OB 3.0 §7.3: codes "600 seconds" recommended; access tokens
// "3600" in the spec's example).
const (
	CodeLifespan         = 10 * time.Minute
	AccessTokenLifespan  = time.Hour
	RefreshTokenLifespan = 30 * 24 * time.Hour
)

// Config configures a Server.
type Config struct {
	// Secret signs tokens and codes (HMAC-SHA-256); at least 32 bytes,
	// the same for every process serving the API. Tokens are looked up by
	// their HMAC, so the database never holds one.
	Secret []byte
	// TokenURL is the public URL of the token endpoint.
	TokenURL string
}

// Server is the authorization server.
type Server struct {
	provider fosite.OAuth2Provider
	store    *oauthdb.Store
	config   *fosite.Config
}

// ErrConfig reports a configuration the server cannot run with.
var ErrConfig = errors.New("oauth: invalid configuration")

// New returns the server over store.
func New(store *oauthdb.Store, cfg Config) (*Server, error) {
	if len(cfg.Secret) < 32 {
		return nil, fmt.Errorf("%w: the token secret must be at least 32 bytes", ErrConfig)
	}
	fc := &fosite.Config{
		AccessTokenLifespan:   AccessTokenLifespan,
		RefreshTokenLifespan:  RefreshTokenLifespan,
		AuthorizeCodeLifespan: CodeLifespan,
		// OB 3.0 §7.3.2: "PKCE MUST be used", and only S256.
		EnforcePKCE:                    true,
		EnablePKCEPlainChallengeMethod: false,
		// Scopes are URLs: compare them whole (fosite's default
		// hierarchic strategy splits on dots).
		ScopeStrategy:            fosite.ExactScopeStrategy,
		AudienceMatchingStrategy: fosite.DefaultAudienceMatchingStrategy,
		// state: at least 8 characters, so a client cannot omit it
		// (OB 3.0 §7.3.2: state MUST be sent).
		MinParameterEntropy: 8,
		// Introspection only ever accepts access tokens: a refresh token
		// is not a bearer credential.
		DisableRefreshTokenValidation: true,
		// Refresh tokens for every grant whose client registered the
		// refresh_token grant, not only when offline_access is asked:
		// clients of the OB API sync in the background.
		RefreshTokenScopes:         []string{},
		ClientSecretsHasher:        sha256Hasher{},
		GlobalSecret:               cfg.Secret,
		TokenURL:                   cfg.TokenURL,
		TokenEntropy:               32,
		SendDebugMessagesToClients: false,
		RedirectSecureChecker:      fosite.IsRedirectURISecureStrict,
	}
	strategy := foauth2.NewHMACSHAStrategy(&hmac.HMACStrategy{Config: fc}, fc)
	fc.AuthorizeEndpointHandlers.Append(&foauth2.AuthorizeExplicitGrantHandler{
		AccessTokenStrategy: strategy, RefreshTokenStrategy: strategy, AuthorizeCodeStrategy: strategy,
		CoreStorage: store, TokenRevocationStorage: store, Config: fc,
	})
	fc.AuthorizeEndpointHandlers.Append(&pkce.Handler{AuthorizeCodeStrategy: strategy, Storage: store, Config: fc})
	explicit := &foauth2.AuthorizeExplicitGrantHandler{
		AccessTokenStrategy: strategy, RefreshTokenStrategy: strategy, AuthorizeCodeStrategy: strategy,
		CoreStorage: store, TokenRevocationStorage: store, Config: fc,
	}
	fc.TokenEndpointHandlers.Append(explicit)
	fc.TokenEndpointHandlers.Append(&pkce.Handler{AuthorizeCodeStrategy: strategy, Storage: store, Config: fc})
	fc.TokenEndpointHandlers.Append(&foauth2.RefreshTokenGrantHandler{
		AccessTokenStrategy: strategy, RefreshTokenStrategy: strategy, TokenRevocationStorage: store, Config: fc,
	})
	fc.TokenEndpointHandlers.Append(refreshScopeGuard{})
	fc.TokenIntrospectionHandlers.Append(&foauth2.CoreValidator{CoreStrategy: strategy, CoreStorage: store, Config: fc})
	fc.RevocationHandlers.Append(&foauth2.TokenRevocationHandler{
		TokenRevocationStorage: store, AccessTokenStrategy: strategy, RefreshTokenStrategy: strategy,
	})
	return &Server{provider: fosite.NewOAuth2Provider(store, fc), store: store, config: fc}, nil
}

// Store returns the server's store (connected apps are listed and revoked
// through it).
func (s *Server) Store() *oauthdb.Store { return s.store }

// sha256Hasher hashes client secrets with SHA-256: they are 256 random
// bits made by Register, so a slow hash adds nothing (the same reasoning
// as internal/account's API tokens), and comparison is constant-time.
type sha256Hasher struct{}

func (sha256Hasher) Hash(_ context.Context, data []byte) ([]byte, error) {
	sum := sha256.Sum256(data)
	return sum[:], nil
}

func (sha256Hasher) Compare(_ context.Context, hash, data []byte) error {
	sum := sha256.Sum256(data)
	if subtle.ConstantTimeCompare(hash, sum[:]) != 1 {
		return errors.New("secret mismatch")
	}
	return nil
}

// refreshScopeGuard runs after fosite's refresh handler, which grants the
// original scopes whatever the request asks. RFC 6749 §6: "The requested
// scope MUST NOT include any scope not originally granted by the resource
// owner"; OB 3.0 §7.3.5 repeats it. A wider request is refused
// (invalid_scope); a narrower one narrows the new tokens. Scope never
// grows.
type refreshScopeGuard struct{}

func (refreshScopeGuard) CanHandleTokenEndpointRequest(_ context.Context, r fosite.AccessRequester) bool {
	return r.GetGrantTypes().ExactOne("refresh_token")
}

func (refreshScopeGuard) CanSkipClientAuth(context.Context, fosite.AccessRequester) bool {
	return false
}

func (refreshScopeGuard) HandleTokenEndpointRequest(_ context.Context, r fosite.AccessRequester) error {
	asked := fosite.RemoveEmpty(strings.Split(r.GetRequestForm().Get("scope"), " "))
	if len(asked) == 0 {
		return nil
	}
	granted := r.GetGrantedScopes()
	for _, s := range asked {
		if !granted.Has(s) {
			return fosite.ErrInvalidScope.WithHintf("The scope %q was not granted to the refresh token.", s)
		}
	}
	ar, ok := r.(*fosite.AccessRequest)
	if !ok {
		return fosite.ErrServerError.WithDebug("unexpected access request type")
	}
	ar.GrantedScope = fosite.Arguments(asked)
	return nil
}

func (refreshScopeGuard) PopulateTokenEndpointResponse(context.Context, fosite.AccessRequester, fosite.AccessResponder) error {
	return nil
}

// newSession is the session stored with every code and token: the user.
func newSession(subject string) *fosite.DefaultSession {
	return &fosite.DefaultSession{Subject: subject}
}

// ServeToken is the token endpoint (RFC 6749 §3.2): the authorization code
// grant (code, redirect_uri, code_verifier) and the refresh token grant,
// the client authenticated with HTTP Basic.
func (s *Server) ServeToken(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ar, err := s.provider.NewAccessRequest(ctx, r, newSession(""))
	if err != nil {
		s.provider.WriteAccessError(ctx, w, ar, err)
		return
	}
	resp, err := s.provider.NewAccessResponse(ctx, ar)
	if err != nil {
		s.provider.WriteAccessError(ctx, w, ar, err)
		return
	}
	s.provider.WriteAccessResponse(ctx, w, ar, resp)
}

// ServeRevoke is the revocation endpoint (RFC 7009): 200 for any token,
// known or not, once the client is authenticated; revoking a refresh token
// revokes the grant's access tokens, and the reverse.
func (s *Server) ServeRevoke(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	err := s.provider.NewRevocationRequest(ctx, r)
	s.provider.WriteRevocationResponse(ctx, w, err)
}

// Bearer is what the resource server knows about a valid access token.
type Bearer struct {
	Subject  string
	ClientID string
	Scopes   []string
}

// Token errors of the resource server.
var (
	ErrNoToken      = errors.New("no access token")
	ErrInvalidToken = errors.New("the access token is invalid, expired or revoked")
	ErrScope        = errors.New("the access token lacks the scope this operation needs")
)

// Authenticate checks the request's bearer token (RFC 6750 §2.1,
// "Authorization: Bearer") and that it was granted scope. A refresh token
// is not accepted.
func (s *Server) Authenticate(r *http.Request, scope string) (*Bearer, error) {
	h := r.Header.Get("Authorization")
	kind, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(kind, "Bearer") || strings.TrimSpace(token) == "" {
		return nil, ErrNoToken
	}
	sess := newSession("")
	use, ar, err := s.provider.IntrospectToken(r.Context(), strings.TrimSpace(token), fosite.AccessToken, sess)
	if err != nil || use != fosite.AccessToken {
		return nil, ErrInvalidToken
	}
	b := &Bearer{Subject: sess.GetSubject(), ClientID: ar.GetClient().GetID(), Scopes: ar.GetGrantedScopes()}
	if b.Subject == "" {
		return nil, ErrInvalidToken
	}
	if !ar.GetGrantedScopes().Has(scope) {
		return b, ErrScope
	}
	return b, nil
}

// AuthorizeRequest is a validated authorization request awaiting the
// user's decision.
type AuthorizeRequest struct {
	ar     fosite.AuthorizeRequester
	Client *oauthdb.Client
	// Scopes are the requested scopes the client registered, in the order
	// asked.
	Scopes []string
	State  string
}

// ParseAuthorize validates an authorization request (RFC 6749 §4.1.1 and
// OB 3.0 §7.3.2): a registered client, a redirect_uri given and equal to a
// registered one, response_type code, scopes the client registered, a
// state, and a PKCE S256 challenge. When it fails, WriteAuthorizeError
// says so: to the client's redirect URI when that URI is known to be the
// client's, otherwise to the user (never an open redirect).
func (s *Server) ParseAuthorize(r *http.Request) (*AuthorizeRequest, fosite.AuthorizeRequester, error) {
	ctx := r.Context()
	ar, err := s.provider.NewAuthorizeRequest(ctx, r)
	if err != nil {
		return nil, ar, err
	}
	form := ar.GetRequestForm()
	// fosite lets a client with one registered URI omit redirect_uri;
	// OB 3.0 §7.3.2 makes it REQUIRED.
	if form.Get("redirect_uri") == "" {
		return nil, ar, fosite.ErrInvalidRequest.WithHint("The redirect_uri parameter is required.")
	}
	// Checked here, before the user is asked, as well as by fosite's PKCE
	// handler when the code is issued.
	if form.Get("code_challenge") == "" || form.Get("code_challenge_method") != "S256" {
		return nil, ar, fosite.ErrInvalidRequest.WithHint("PKCE is required: send code_challenge with code_challenge_method S256.")
	}
	c, err := s.store.Client(ctx, ar.GetClient().GetID())
	if err != nil {
		return nil, ar, fosite.ErrInvalidClient
	}
	if len(ar.GetRequestedScopes()) == 0 {
		return nil, ar, fosite.ErrInvalidScope.WithHint("Ask for at least one scope.")
	}
	return &AuthorizeRequest{ar: ar, Client: c, Scopes: ar.GetRequestedScopes(), State: ar.GetState()}, ar, nil
}

// WriteAuthorizeError answers a failed or refused authorization request
// (see ParseAuthorize). ar may be nil or the partial request
// ParseAuthorize returned.
func (s *Server) WriteAuthorizeError(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, err error) {
	if ar == nil {
		ar = fosite.NewAuthorizeRequest()
	}
	s.provider.WriteAuthorizeError(r.Context(), w, ar, err)
}

// CanRedirect reports whether an authorization error for ar would be
// sent to the client's redirect URI (else it is for the user's eyes).
func CanRedirect(ar fosite.AuthorizeRequester) bool {
	return ar != nil && ar.IsRedirectURIValid()
}

// ErrorText is an authorization error's code and description.
func ErrorText(err error) (code, description string) {
	e := fosite.ErrorToRFC6749Error(err)
	return e.ErrorField, e.GetDescription()
}

// Approve issues the code for subject with the scopes the user granted
// (a subset of those asked) and redirects to the client.
func (s *Server) Approve(w http.ResponseWriter, r *http.Request, req *AuthorizeRequest, subject string, scopes []string) {
	ctx := r.Context()
	if subject == "" {
		s.WriteAuthorizeError(w, r, req.ar, fosite.ErrServerError.WithDebug("no subject"))
		return
	}
	for _, sc := range scopes {
		if req.ar.GetRequestedScopes().Has(sc) {
			req.ar.GrantScope(sc)
		}
	}
	if len(req.ar.GetGrantedScopes()) == 0 {
		s.WriteAuthorizeError(w, r, req.ar, fosite.ErrAccessDenied.WithHint("No scope was granted."))
		return
	}
	resp, err := s.provider.NewAuthorizeResponse(ctx, req.ar, newSession(subject))
	if err != nil {
		s.WriteAuthorizeError(w, r, req.ar, err)
		return
	}
	s.provider.WriteAuthorizeResponse(ctx, w, req.ar, resp)
}

// Deny tells the client the user refused (access_denied).
func (s *Server) Deny(w http.ResponseWriter, r *http.Request, req *AuthorizeRequest) {
	s.WriteAuthorizeError(w, r, req.ar, fosite.ErrAccessDenied.WithHint("The user refused."))
}

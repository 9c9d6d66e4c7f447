// Package obclient is Blason's client (consumer) of another host's Open
// Badges 3.0 API (OB 3.0 §6, §7): discovery, dynamic client registration,
// the authorization code grant with PKCE (the caller sends the user's
// browser to AuthURL and hands back the redirect), token exchange and
// refresh, and the API calls: getCredentials with paging, upsertCredential,
// getProfile and putProfile. Every request goes through the hardened
// fetcher (internal/fetch): https only, public addresses only, timeouts and
// size caps, no redirects on requests that carry credentials.
package obclient

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/internal/obapi"
)

// Client talks to Open Badges API hosts. It is safe for concurrent use.
type Client struct {
	fetch *fetch.Client
	now   func() time.Time
}

// New returns a client using f (fetch.New(fetch.Options{}) in production;
// tests on loopback pass AllowPrivate and AllowHTTP).
func New(f *fetch.Client) *Client { return &Client{fetch: f, now: time.Now} }

// Host is a discovered resource server.
type Host struct {
	// BaseURL is what the user gave; APIBase is BaseURL + /ims/ob/v3p0.
	BaseURL string
	APIBase string
	SDD     *obapi.SDD
}

// Discover reads {baseURL}/ims/ob/v3p0/discovery (OB 3.0 §7.3.0: the
// client "GETs the SDD" with no authentication). The API is then called at
// BaseURL + /ims/ob/v3p0, whatever servers[] in the document says, so that
// a document cannot send the client's tokens to another origin.
func (c *Client) Discover(ctx context.Context, baseURL string) (*Host, error) {
	base := strings.TrimRight(strings.TrimSpace(baseURL), "/")
	if err := obapi.CheckURL(base); err != nil {
		return nil, fmt.Errorf("discover: %w", err)
	}
	u, _ := url.Parse(base)
	if u.RawQuery != "" {
		return nil, fmt.Errorf("discover: the base URL %q has a query", baseURL)
	}
	api := base + obapi.BasePath
	if strings.HasSuffix(base, obapi.BasePath) {
		api = base
	}
	body, err := c.fetch.GetJSON(ctx, api+"/discovery")
	if err != nil {
		return nil, fmt.Errorf("discover: %w", err)
	}
	sdd, err := obapi.ParseSDD(body)
	if err != nil {
		return nil, fmt.Errorf("discover %s: %w", base, err)
	}
	return &Host{BaseURL: strings.TrimSuffix(api, obapi.BasePath), APIBase: api, SDD: sdd}, nil
}

// Software describes Blason (the client) to the hosts it registers with:
// the fields OB 3.0 §7.3.1 requires. All URLs on one host name.
type Software struct {
	Name, URI, LogoURI, TOSURI, PolicyURI string
	ID, Version                           string
	RedirectURI                           string
}

// Registration is a client registration at one host.
type Registration struct {
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret"`
	Scope        string   `json:"scope"`
	RedirectURIs []string `json:"redirect_uris"`
}

// OAuthError is an error response of a registration, token or revocation
// endpoint (RFC 6749 §5.2, RFC 7591 §3.2.2).
type OAuthError struct {
	Status      int
	Code        string `json:"error"`
	Description string `json:"error_description"`
}

func (e *OAuthError) Error() string {
	s := fmt.Sprintf("oauth: %d %s", e.Status, e.Code)
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}

// APIError is a non-2xx answer of the API, with its Imsx_StatusInfo when
// the host sent one.
type APIError struct {
	Status int
	Info   *obapi.StatusInfo
}

func (e *APIError) Error() string {
	if e.Info != nil && e.Info.Description != "" {
		return fmt.Sprintf("open badges api: %d: %s", e.Status, e.Info.Description)
	}
	return fmt.Sprintf("open badges api: %d %s", e.Status, http.StatusText(e.Status))
}

// Register registers sw with h (RFC 7591), asking for scopes.
func (c *Client) Register(ctx context.Context, h *Host, sw Software, scopes []string) (*Registration, error) {
	req := map[string]any{
		"client_name": sw.Name, "client_uri": sw.URI, "logo_uri": sw.LogoURI, "tos_uri": sw.TOSURI, "policy_uri": sw.PolicyURI,
		"software_id": sw.ID, "software_version": sw.Version, "redirect_uris": []string{sw.RedirectURI},
		"token_endpoint_auth_method": "client_secret_basic", "grant_types": []string{"authorization_code", "refresh_token"},
		"response_types": []string{"code"}, "scope": strings.Join(append(append([]string{}, scopes...), obapi.ScopeOfflineAccess), " "),
	}
	body, _ := json.Marshal(req)
	resp, err := c.fetch.Do(ctx, http.MethodPost, h.SDD.RegistrationURL, http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}}, body)
	if err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return nil, oauthError(resp)
	}
	var reg Registration
	if err := json.Unmarshal(resp.Body, &reg); err != nil || reg.ClientID == "" || reg.ClientSecret == "" {
		return nil, fmt.Errorf("register: the host's response has no client_id or client_secret")
	}
	return &reg, nil
}

func oauthError(resp *fetch.Response) error {
	e := &OAuthError{Status: resp.StatusCode}
	_ = json.Unmarshal(resp.Body, e)
	if e.Code == "" {
		e.Code = "http_" + strconv.Itoa(resp.StatusCode)
	}
	return e
}

// Authorization is a started authorization: send the browser to URL, keep
// State and Verifier until the redirect comes back.
type Authorization struct {
	URL      string
	State    string
	Verifier string
}

// AuthURL builds the authorization request (OB 3.0 §7.3.2): response_type
// code, client_id, redirect_uri, scope, a random state and a PKCE S256
// challenge of a random 43-character verifier (RFC 7636 §4.1).
func AuthURL(h *Host, reg *Registration, redirectURI string, scopes []string) (*Authorization, error) {
	state, err := random(24)
	if err != nil {
		return nil, err
	}
	verifier, err := random(32)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(h.SDD.AuthorizationURL)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	q.Set("response_type", "code")
	q.Set("client_id", reg.ClientID)
	q.Set("redirect_uri", redirectURI)
	q.Set("scope", strings.Join(scopes, " "))
	q.Set("state", state)
	q.Set("code_challenge", Challenge(verifier))
	q.Set("code_challenge_method", "S256")
	u.RawQuery = q.Encode()
	return &Authorization{URL: u.String(), State: state, Verifier: verifier}, nil
}

// Challenge is BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 §4.2).
func Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Callback reads the redirect the host sent the browser to: the state must
// be the one sent (CSRF, RFC 6749 §10.12); an error parameter is an
// OAuthError (access_denied when the user refused).
func Callback(redirect *url.URL, state string) (code string, err error) {
	q := redirect.Query()
	if q.Get("state") != state || state == "" {
		return "", errors.New("authorization: the state does not match the request's (a forged or stale redirect)")
	}
	if e := q.Get("error"); e != "" {
		return "", &OAuthError{Code: e, Description: q.Get("error_description")}
	}
	if code = q.Get("code"); code == "" {
		return "", errors.New("authorization: the redirect has no code")
	}
	return code, nil
}

// Token is an access token and what came with it.
type Token struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Scope        string    `json:"scope"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// Exchange trades the code for tokens (OB 3.0 §7.3.3): HTTP Basic with
// the client's credentials, code, redirect_uri, scope and code_verifier.
func (c *Client) Exchange(ctx context.Context, h *Host, reg *Registration, redirectURI, code, verifier string, scopes []string) (*Token, error) {
	return c.token(ctx, h.SDD.TokenURL, reg, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
		"scope": {strings.Join(scopes, " ")}, "code_verifier": {verifier},
	})
}

// Refresh gets new tokens (OB 3.0 §7.3.5); scopes may be nil (the grant's)
// or a subset of the grant's.
func (c *Client) Refresh(ctx context.Context, h *Host, reg *Registration, refreshToken string, scopes []string) (*Token, error) {
	f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}
	if len(scopes) > 0 {
		f.Set("scope", strings.Join(scopes, " "))
	}
	return c.token(ctx, h.SDD.RefreshURL, reg, f)
}

func (c *Client) token(ctx context.Context, tokenURL string, reg *Registration, form url.Values) (*Token, error) {
	hdr := http.Header{
		"Content-Type":  {"application/x-www-form-urlencoded"},
		"Accept":        {"application/json"},
		"Authorization": {basic(reg)},
	}
	resp, err := c.fetch.Do(ctx, http.MethodPost, tokenURL, hdr, []byte(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, oauthError(resp)
	}
	var raw struct {
		AccessToken  string `json:"access_token"`
		TokenType    string `json:"token_type"`
		RefreshToken string `json:"refresh_token"`
		Scope        string `json:"scope"`
		ExpiresIn    int64  `json:"expires_in"`
	}
	if err := json.Unmarshal(resp.Body, &raw); err != nil || raw.AccessToken == "" {
		return nil, errors.New("token: the response has no access_token")
	}
	if !strings.EqualFold(raw.TokenType, "bearer") {
		return nil, fmt.Errorf("token: token_type %q, want bearer", raw.TokenType)
	}
	t := &Token{AccessToken: raw.AccessToken, RefreshToken: raw.RefreshToken, Scope: raw.Scope}
	if raw.ExpiresIn > 0 {
		t.ExpiresAt = c.now().Add(time.Duration(raw.ExpiresIn) * time.Second)
	}
	return t, nil
}

// basic is RFC 6749 §2.3.1's HTTP Basic: each part form-encoded first.
func basic(reg *Registration) string {
	cred := url.QueryEscape(reg.ClientID) + ":" + url.QueryEscape(reg.ClientSecret)
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(cred))
}

func random(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

package oauth

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blason-badges/blason/internal/obapi"
	"github.com/blason-badges/blason/internal/store/oauthdb"
)

// Registration bounds: what one client may register.
const (
	MaxRegistrationBytes = 16 << 10
	MaxRedirectURIs      = 10
	maxField             = 512
)

// RegistrationError is an RFC 7591 §3.2.2 error: HTTP 400 with error and
// error_description.
type RegistrationError struct {
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func (e *RegistrationError) Error() string { return e.Code + ": " + e.Description }

func metadataError(format string, a ...any) *RegistrationError {
	return &RegistrationError{Code: "invalid_client_metadata", Description: fmt.Sprintf(format, a...)}
}

// Registration is the RFC 7591 §3.2.1 response: the metadata as
// registered, with the client's credentials.
type Registration struct {
	ClientID              string   `json:"client_id"`
	ClientSecret          string   `json:"client_secret"`
	ClientIDIssuedAt      int64    `json:"client_id_issued_at"`
	ClientSecretExpiresAt int64    `json:"client_secret_expires_at"`
	ClientName            string   `json:"client_name"`
	ClientURI             string   `json:"client_uri"`
	LogoURI               string   `json:"logo_uri"`
	TOSURI                string   `json:"tos_uri"`
	PolicyURI             string   `json:"policy_uri"`
	SoftwareID            string   `json:"software_id"`
	SoftwareVersion       string   `json:"software_version"`
	RedirectURIs          []string `json:"redirect_uris"`
	TokenEndpointAuth     string   `json:"token_endpoint_auth_method"`
	GrantTypes            []string `json:"grant_types"`
	ResponseTypes         []string `json:"response_types"`
	Scope                 string   `json:"scope"`
	Contacts              []string `json:"contacts,omitempty"`
}

// request is the RFC 7591 §2 metadata a client sends. Fields are decoded
// as raw JSON first so that a wrong type is named, not silently zero.
type request struct {
	ClientName      string   `json:"client_name"`
	ClientURI       string   `json:"client_uri"`
	LogoURI         string   `json:"logo_uri"`
	TOSURI          string   `json:"tos_uri"`
	PolicyURI       string   `json:"policy_uri"`
	SoftwareID      string   `json:"software_id"`
	SoftwareVersion string   `json:"software_version"`
	RedirectURIs    []string `json:"redirect_uris"`
	AuthMethod      string   `json:"token_endpoint_auth_method"`
	GrantTypes      []string `json:"grant_types"`
	ResponseTypes   []string `json:"response_types"`
	Scope           string   `json:"scope"`
	Contacts        []string `json:"contacts"`
}

// Register validates an RFC 7591 registration request (OB 3.0 §7.3.1) and
// stores the client. Required: client_name, client_uri, logo_uri, tos_uri,
// policy_uri, software_id, software_version, redirect_uris, scope. Every
// URL must be https (a redirect URI may also be http on a loopback
// address, RFC 8252 §7.3) and, as OB 3.0 §7.3.1 requires, on the same
// host name as client_uri. Only client_secret_basic, the grants
// authorization_code and refresh_token, and the response type code are
// offered. Unknown scopes are dropped (RFC 7591 §2: the server may
// register fewer than asked); at least one Open Badges scope must remain.
func (s *Server) Register(ctx context.Context, body []byte) (*Registration, error) {
	if len(body) > MaxRegistrationBytes {
		return nil, metadataError("the registration request is larger than %d bytes", MaxRegistrationBytes)
	}
	var req request
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		return nil, metadataError("the request is not a JSON object with the RFC 7591 fields: %v", err)
	}
	if dec.More() {
		return nil, metadataError("the request holds more than one JSON value")
	}
	for name, v := range map[string]string{
		"client_name": req.ClientName, "client_uri": req.ClientURI, "logo_uri": req.LogoURI, "tos_uri": req.TOSURI,
		"policy_uri": req.PolicyURI, "software_id": req.SoftwareID, "software_version": req.SoftwareVersion, "scope": req.Scope,
	} {
		if strings.TrimSpace(v) == "" {
			return nil, metadataError("%s is required", name)
		}
		if len(v) > maxField*4 || !utf8.ValidString(v) || strings.ContainsAny(v, "\x00\r\n") {
			return nil, metadataError("%s is too long or holds control characters", name)
		}
	}
	client, err := url.Parse(req.ClientURI)
	if err != nil || obapi.CheckURL(req.ClientURI) != nil {
		return nil, metadataError("client_uri must be an absolute https URL")
	}
	host := strings.ToLower(client.Hostname())
	for name, v := range map[string]string{"logo_uri": req.LogoURI, "tos_uri": req.TOSURI, "policy_uri": req.PolicyURI} {
		if err := sameHost(v, host); err != nil {
			return nil, metadataError("%s: %v", name, err)
		}
	}
	if len(req.RedirectURIs) == 0 || len(req.RedirectURIs) > MaxRedirectURIs {
		return nil, &RegistrationError{Code: "invalid_redirect_uri", Description: fmt.Sprintf("give between 1 and %d redirect_uris", MaxRedirectURIs)}
	}
	for _, v := range req.RedirectURIs {
		if err := sameHost(v, host); err != nil {
			return nil, &RegistrationError{Code: "invalid_redirect_uri", Description: err.Error()}
		}
	}
	if req.AuthMethod == "" {
		req.AuthMethod = "client_secret_basic"
	}
	if req.AuthMethod != "client_secret_basic" {
		return nil, metadataError("token_endpoint_auth_method must be client_secret_basic")
	}
	if len(req.GrantTypes) == 0 {
		req.GrantTypes = []string{"authorization_code", "refresh_token"}
	}
	hasCode := false
	for _, g := range req.GrantTypes {
		switch g {
		case "authorization_code":
			hasCode = true
		case "refresh_token":
		default:
			return nil, metadataError("grant type %q is not offered (authorization_code and refresh_token are)", g)
		}
	}
	if !hasCode {
		return nil, metadataError("grant_types must include authorization_code")
	}
	if len(req.ResponseTypes) == 0 {
		req.ResponseTypes = []string{"code"}
	}
	if len(req.ResponseTypes) != 1 || req.ResponseTypes[0] != "code" {
		return nil, metadataError(`response_types must be ["code"]`)
	}
	var scopes []string
	hasOB := false
	for _, sc := range strings.Fields(req.Scope) {
		if obapi.KnownScope(sc) && !contains(scopes, sc) {
			scopes = append(scopes, sc)
			hasOB = hasOB || sc != obapi.ScopeOfflineAccess
		}
	}
	if !hasOB {
		return nil, &RegistrationError{Code: "invalid_client_metadata", Description: "scope names none of the Open Badges API scopes"}
	}
	id, err := random(16)
	if err != nil {
		return nil, err
	}
	secret, err := random(32)
	if err != nil {
		return nil, err
	}
	hash, _ := sha256Hasher{}.Hash(ctx, []byte(secret))
	now := time.Now()
	meta := oauthdb.Metadata{
		ClientName: req.ClientName, ClientURI: req.ClientURI, LogoURI: req.LogoURI, TOSURI: req.TOSURI, PolicyURI: req.PolicyURI,
		SoftwareID: req.SoftwareID, SoftwareVersion: req.SoftwareVersion, RedirectURIs: req.RedirectURIs,
		Scope: strings.Join(scopes, " "), Scopes: scopes, GrantTypes: req.GrantTypes, ResponseTypes: req.ResponseTypes,
		Contacts: req.Contacts, AuthMethod: req.AuthMethod,
	}
	if err := s.store.CreateClient(ctx, &oauthdb.Client{ID: id, SecretHash: hash, Metadata: meta, CreatedAt: now}); err != nil {
		return nil, err
	}
	return &Registration{
		ClientID: id, ClientSecret: secret, ClientIDIssuedAt: now.Unix(), ClientSecretExpiresAt: 0,
		ClientName: meta.ClientName, ClientURI: meta.ClientURI, LogoURI: meta.LogoURI, TOSURI: meta.TOSURI, PolicyURI: meta.PolicyURI,
		SoftwareID: meta.SoftwareID, SoftwareVersion: meta.SoftwareVersion, RedirectURIs: meta.RedirectURIs,
		TokenEndpointAuth: meta.AuthMethod, GrantTypes: meta.GrantTypes, ResponseTypes: meta.ResponseTypes,
		Scope: meta.Scope, Contacts: meta.Contacts,
	}, nil
}

// ServeRegister is the registration endpoint: POST application/json,
// 201 with the Registration, 400 with a RegistrationError. No initial
// access token is required (OB 3.0 §7.3.1: "MUST NOT").
func (s *Server) ServeRegister(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		w.WriteHeader(http.StatusMethodNotAllowed)
		_ = json.NewEncoder(w).Encode(RegistrationError{Code: "invalid_request", Description: "use POST"})
		return
	}
	body, err := readBody(r, MaxRegistrationBytes)
	var reg *Registration
	if err == nil {
		reg, err = s.Register(r.Context(), body)
	}
	var re *RegistrationError
	switch {
	case errors.As(err, &re):
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(re)
	case err != nil:
		w.WriteHeader(http.StatusInternalServerError)
		_ = json.NewEncoder(w).Encode(RegistrationError{Code: "server_error"})
	default:
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(reg)
	}
}

func readBody(r *http.Request, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	n, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, limit+1))
	if err != nil || n > limit {
		return nil, metadataError("the request body is unreadable or larger than %d bytes", limit)
	}
	return buf.Bytes(), nil
}

// sameHost requires an absolute https URL (http on loopback) without
// fragment whose host name is host.
func sameHost(raw, host string) error {
	if err := obapi.CheckURL(raw); err != nil {
		return err
	}
	u, _ := url.Parse(raw)
	if !strings.EqualFold(u.Hostname(), host) {
		return fmt.Errorf("%q is not on the client's host %s", raw, host)
	}
	return nil
}

func random(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

package obapi

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// OpenAPI is the published OpenAPI 3.0.1 description of the API, embedded
// byte for byte (assets/README.md gives its provenance and hash).
//
//go:embed assets/ob_v3p0_oas.json
var OpenAPI []byte

// OpenAPISHA256 is the hex SHA-256 of OpenAPI as copied.
const OpenAPISHA256 = "850d2addb584b19d1fe0dbfd839c85d0976734f2c3123245e0e84af4ecc50825"

// Host describes a resource server for its Service Description Document.
// Every URL must be absolute https (http is accepted only for loopback
// hosts, for tests and local use).
type Host struct {
	Title            string // info.title: the name of the resource server
	TermsOfService   string // info.termsOfService [1]
	PrivacyPolicy    string // info.x-imssf-privacyPolicyUrl [1]
	Image            string // info.x-imssf-image [0..1]
	APIBase          string // servers[0].url: ".../ims/ob/v3p0"
	AuthorizationURL string
	TokenURL         string
	RefreshURL       string // usually TokenURL
	RegistrationURL  string // x-imssf-registrationUrl
}

// ErrHost reports a Host that cannot be described.
var ErrHost = errors.New("obapi: invalid host description")

// ServiceDescription returns the Service Description Document (§7.2, the
// ServiceDescriptionDocument class): "a profiled version of the OpenAPI
// 3.0 (JSON) file provided with this specification". The profile keeps
// every path and schema (Blason serves all five operations), names the
// host in info and servers, and fills the OAuth2ACG security scheme with
// x-imssf-registrationUrl and the authorization-code flow's URLs; the
// four scopes and their descriptions are kept as published.
func ServiceDescription(h Host) ([]byte, error) {
	req := map[string]string{
		"title": h.Title, "terms of service": h.TermsOfService, "privacy policy": h.PrivacyPolicy,
		"API base": h.APIBase, "authorization URL": h.AuthorizationURL, "token URL": h.TokenURL,
		"registration URL": h.RegistrationURL,
	}
	for name, v := range req {
		if strings.TrimSpace(v) == "" {
			return nil, fmt.Errorf("%w: %s is required", ErrHost, name)
		}
		if name != "title" {
			if err := CheckURL(v); err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrHost, name, err)
			}
		}
	}
	if h.RefreshURL == "" {
		h.RefreshURL = h.TokenURL
	}
	if err := CheckURL(h.RefreshURL); err != nil {
		return nil, fmt.Errorf("%w: refresh URL: %v", ErrHost, err)
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(OpenAPI))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("obapi: embedded OpenAPI: %w", err)
	}
	info, _ := doc["info"].(map[string]any)
	if info == nil {
		return nil, errors.New("obapi: embedded OpenAPI has no info")
	}
	info["title"] = h.Title
	info["termsOfService"] = h.TermsOfService
	info["x-imssf-privacyPolicyUrl"] = h.PrivacyPolicy
	if h.Image != "" {
		info["x-imssf-image"] = h.Image
	}
	doc["servers"] = []any{map[string]any{"url": h.APIBase}}
	comps, _ := doc["components"].(map[string]any)
	schemes, _ := comps["securitySchemes"].(map[string]any)
	acg, _ := schemes["OAuth2ACG"].(map[string]any)
	flows, _ := acg["flows"].(map[string]any)
	code, _ := flows["authorizationCode"].(map[string]any)
	if code == nil {
		return nil, errors.New("obapi: embedded OpenAPI has no OAuth2ACG authorization-code flow")
	}
	acg["x-imssf-registrationUrl"] = h.RegistrationURL
	acg["description"] = "OAuth 2.0 Authorization Code Grant with PKCE (S256) and dynamic client registration (RFC 7591)."
	code["authorizationUrl"] = h.AuthorizationURL
	code["tokenUrl"] = h.TokenURL
	code["refreshUrl"] = h.RefreshURL
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ETag is a strong entity tag for a document's bytes.
func ETag(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// SDD is what a client reads from a Service Description Document.
type SDD struct {
	Title            string
	TermsOfService   string
	PrivacyPolicy    string
	Image            string
	APIBase          string // servers[0].url when present
	AuthorizationURL string
	TokenURL         string
	RefreshURL       string
	RegistrationURL  string
	Scopes           map[string]string
}

// ParseSDD reads a Service Description Document: the fields §7 makes
// required (info.title, info.version, info.termsOfService,
// info.x-imssf-privacyPolicyUrl, the OAuth2ACG scheme of type oauth2 with
// x-imssf-registrationUrl and an authorization-code flow) must be present;
// the URLs must be absolute https (http only on loopback).
func ParseSDD(b []byte) (*SDD, error) {
	var doc struct {
		OpenAPI string `json:"openapi"`
		Info    struct {
			Title   string `json:"title"`
			Version string `json:"version"`
			TOS     string `json:"termsOfService"`
			Privacy string `json:"x-imssf-privacyPolicyUrl"`
			Image   string `json:"x-imssf-image"`
		} `json:"info"`
		Servers []struct {
			URL string `json:"url"`
		} `json:"servers"`
		Components struct {
			SecuritySchemes struct {
				ACG *struct {
					Type         string `json:"type"`
					Registration string `json:"x-imssf-registrationUrl"`
					Flows        struct {
						Code *struct {
							AuthorizationURL string            `json:"authorizationUrl"`
							TokenURL         string            `json:"tokenUrl"`
							RefreshURL       string            `json:"refreshUrl"`
							Scopes           map[string]string `json:"scopes"`
						} `json:"authorizationCode"`
					} `json:"flows"`
				} `json:"OAuth2ACG"`
			} `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("service description: not JSON: %w", err)
	}
	acg := doc.Components.SecuritySchemes.ACG
	switch {
	case doc.OpenAPI == "":
		return nil, errors.New("service description: no openapi version")
	case doc.Info.Title == "" || doc.Info.Version == "" || doc.Info.TOS == "" || doc.Info.Privacy == "":
		return nil, errors.New("service description: info lacks title, version, termsOfService or x-imssf-privacyPolicyUrl")
	case acg == nil || !strings.EqualFold(acg.Type, "oauth2"):
		return nil, errors.New("service description: no OAuth2ACG security scheme of type oauth2")
	case acg.Registration == "":
		return nil, errors.New("service description: OAuth2ACG has no x-imssf-registrationUrl")
	case acg.Flows.Code == nil || acg.Flows.Code.AuthorizationURL == "" || acg.Flows.Code.TokenURL == "":
		return nil, errors.New("service description: OAuth2ACG has no authorization-code flow URLs")
	}
	s := &SDD{
		Title: doc.Info.Title, TermsOfService: doc.Info.TOS, PrivacyPolicy: doc.Info.Privacy, Image: doc.Info.Image,
		AuthorizationURL: acg.Flows.Code.AuthorizationURL, TokenURL: acg.Flows.Code.TokenURL,
		RefreshURL: acg.Flows.Code.RefreshURL, RegistrationURL: acg.Registration, Scopes: acg.Flows.Code.Scopes,
	}
	if len(doc.Servers) > 0 {
		s.APIBase = strings.TrimRight(doc.Servers[0].URL, "/")
	}
	if s.RefreshURL == "" {
		s.RefreshURL = s.TokenURL
	}
	for name, u := range map[string]string{"authorizationUrl": s.AuthorizationURL, "tokenUrl": s.TokenURL,
		"refreshUrl": s.RefreshURL, "x-imssf-registrationUrl": s.RegistrationURL} {
		if err := CheckURL(u); err != nil {
			return nil, fmt.Errorf("service description: %s: %w", name, err)
		}
	}
	return s, nil
}

// CheckURL requires an absolute https URL without user information or
// fragment; http is accepted only for a loopback host (127.0.0.0/8, ::1,
// localhost), as RFC 8252 §7.3 allows for native clients and as tests need.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("not a URL: %q", raw)
	}
	if u.Host == "" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return fmt.Errorf("%q must be an absolute URL without user information or fragment", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if IsLoopback(u.Hostname()) {
			return nil
		}
	}
	return fmt.Errorf("%q must be https (http only on a loopback address)", raw)
}

// IsLoopback reports whether host (without port) is a loopback name or
// address.
func IsLoopback(host string) bool {
	h := strings.ToLower(strings.Trim(host, "[]"))
	if h == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.Unmap().IsLoopback()
}

// Package obapi is the domain of the 1EdTech Open Badges 3.0 REST API (OB 3.0
// §6 and §7), shared by Blason's host (the resource server under
// /ims/ob/v3p0) and its client: the scopes, the Imsx_StatusInfo error
// payload, paging (limit, offset, since; X-Total-Count and Link), the
// Service Description Document profiled from the published OpenAPI file,
// and the §10 equality rule that decides whether an upsert creates or
// replaces. It knows no HTTP framework and stores nothing.
package obapi

// BasePath is where the API lives under a host's base URL (OB 3.0 §6.1:
// "{baseUrl}/ims/ob/v3p0").
const BasePath = "/ims/ob/v3p0"

// The four OAuth 2.0 scopes of the API (OB 3.0 §7.3, "Scopes").
const (
	ScopeCredentialReadonly = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly"
	ScopeCredentialUpsert   = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert"
	ScopeProfileReadonly    = "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.readonly"
	ScopeProfileUpdate      = "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.update"
)

// ScopeOfflineAccess is the scope the spec's registration example also
// requests; Blason issues refresh tokens whether or not it is asked for.
const ScopeOfflineAccess = "offline_access"

// Scopes lists the API's scopes in the order the spec lists them.
var Scopes = []string{ScopeCredentialReadonly, ScopeCredentialUpsert, ScopeProfileReadonly, ScopeProfileUpdate}

// KnownScope reports whether s is one of Scopes or offline_access.
func KnownScope(s string) bool {
	if s == ScopeOfflineAccess {
		return true
	}
	for _, k := range Scopes {
		if s == k {
			return true
		}
	}
	return false
}

// Media types of the API's bodies.
const (
	MediaJSON   = "application/json"
	MediaVCLD   = "application/vc+ld+json"
	MediaJWS    = "text/plain"
	HeaderTotal = "X-Total-Count"
)

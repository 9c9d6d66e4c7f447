package vcjwt

import (
	"fmt"
	"strings"

	"github.com/blason-badges/blason/internal/credential"
)

// Media types of enveloped tokens (VC-JOSE-COSE §3.1.1, §3.1.2; VC-JWT 1.1).
const (
	MediaTypeVCJWT = "application/vc+jwt" // VC-JOSE-COSE credential
	MediaTypeVPJWT = "application/vp+jwt" // VC-JOSE-COSE presentation
	MediaTypeJWT   = "application/jwt"    // VC-JWT 1.1 style, either
)

// Types of enveloped documents (VC Data Model 2.0 §4.13).
const (
	TypeEnvelopedCredential   = "EnvelopedVerifiableCredential"
	TypeEnvelopedPresentation = "EnvelopedVerifiablePresentation"
)

// Envelope wraps a VC-JWT (made with SignOptions.Envelope) as an
// EnvelopedVerifiableCredential: {"@context":
// "https://www.w3.org/ns/credentials/v2", "type":
// "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,<jws>"}
// (VC-JOSE-COSE §3.1.1; the VC API's issue response for a VC-JWT issuer).
func Envelope(jws string) map[string]any {
	return map[string]any{
		"@context": credential.ContextV2,
		"type":     TypeEnvelopedCredential,
		"id":       "data:" + MediaTypeVCJWT + "," + jws,
	}
}

// ParseEnveloped extracts the compact JWS from an
// EnvelopedVerifiableCredential or EnvelopedVerifiablePresentation
// (VC Data Model 2.0 §4.13: "The id value of the object MUST be a data: URL
// [RFC2397] that expresses a secured verifiable credential using an
// enveloping security scheme"). It does not verify the token: pass it to
// Verify (credentials) or VerifyPresentation (presentations).
//
// Rules (errors wrap ErrEnvelope): @context is the VC 2.0 context string or
// a non-empty array starting with it (so @context: [] fails); type is exactly
// one of the two types (a string, or an array holding it); id is
// "data:<media type>,<jws>" with no parameters and no ";base64", the media
// type being application/vc+jwt or application/jwt for a credential,
// application/vp+jwt or application/jwt for a presentation; and <jws> has
// the compact serialization syntax (three base64url segments).
func ParseEnveloped(v map[string]any) (jws string, mediaType string, err error) {
	if v == nil {
		return "", "", fmt.Errorf("%w: nil document", ErrEnvelope)
	}
	switch ctx := v["@context"].(type) {
	case string:
		if ctx != credential.ContextV2 {
			return "", "", fmt.Errorf("%w: @context %q is not the VC 2.0 context", ErrEnvelope, ctx)
		}
	case []any:
		if len(ctx) == 0 {
			return "", "", fmt.Errorf("%w: @context is empty", ErrEnvelope)
		}
		if s, _ := ctx[0].(string); s != credential.ContextV2 {
			return "", "", fmt.Errorf("%w: @context[0] is not the VC 2.0 context", ErrEnvelope)
		}
	default:
		return "", "", fmt.Errorf("%w: @context missing or not a string/array", ErrEnvelope)
	}
	var typ string
	switch t := v["type"].(type) {
	case string:
		typ = t
	case []any:
		if len(t) == 1 {
			typ, _ = t[0].(string)
		}
	}
	var allowed []string
	switch typ {
	case TypeEnvelopedCredential:
		allowed = []string{MediaTypeVCJWT, MediaTypeJWT}
	case TypeEnvelopedPresentation:
		allowed = []string{MediaTypeVPJWT, MediaTypeJWT}
	default:
		return "", "", fmt.Errorf("%w: type must be %s or %s", ErrEnvelope, TypeEnvelopedCredential, TypeEnvelopedPresentation)
	}
	id, ok := v["id"].(string)
	if !ok {
		return "", "", fmt.Errorf("%w: id missing or not a string", ErrEnvelope)
	}
	rest, ok := strings.CutPrefix(id, "data:")
	if !ok {
		return "", "", fmt.Errorf("%w: id is not a data: URL", ErrEnvelope)
	}
	mt, tok, ok := strings.Cut(rest, ",")
	if !ok {
		return "", "", fmt.Errorf("%w: data: URL has no comma", ErrEnvelope)
	}
	found := false
	for _, a := range allowed {
		if mt == a {
			found = true
		}
	}
	if !found {
		return "", "", fmt.Errorf("%w: media type %q not allowed for %s (want one of %v)", ErrEnvelope, mt, typ, allowed)
	}
	if _, err := checkCompact(tok, DefaultMaxBytes); err != nil {
		return "", "", fmt.Errorf("%w: %w", ErrEnvelope, err)
	}
	return tok, mt, nil
}

package vcjwt

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package wraps at least one of
// them (compare with errors.Is); the text around it says what was wrong.
var (
	// ErrMalformed: the token is not a compact JWS (three base64url
	// segments), a segment is not base64url, or the header or payload is not
	// a JSON object (duplicate keys included).
	ErrMalformed = errors.New("vcjwt: malformed JWS")
	// ErrTooLarge: the token is longer than the configured maximum.
	ErrTooLarge = errors.New("vcjwt: token too large")
	// ErrAlgorithm: alg is missing, "none", an HMAC algorithm (algorithm
	// confusion), or not in the allowlist; or the allowlist itself names an
	// algorithm this package refuses.
	ErrAlgorithm = errors.New("vcjwt: algorithm not allowed")
	// ErrHeader: the JOSE header holds a member other than alg, kid, jwk and
	// typ, a member of the wrong JSON type, or a typ that is not allowed.
	ErrHeader = errors.New("vcjwt: invalid JOSE header")
	// ErrPrivateKeyInHeader: the jwk header holds private key material
	// (d, p, q, dp, dq, qi, oth or k). §8.2.3: the JWK "MUST never contain d".
	ErrPrivateKeyInHeader = errors.New("vcjwt: private key material in jwk header")
	// ErrKeyResolution: the verification key could not be obtained (no kid
	// and no jwk, unsupported DID method, unknown verification method, an
	// HTTPS kid with no resolver for it, ...).
	ErrKeyResolution = errors.New("vcjwt: cannot resolve verification key")
	// ErrNoKeySource wraps ErrKeyResolution: the header has neither kid nor
	// jwk, so there is nothing to resolve (§8.2.3: "if kid is absent, jwk
	// MUST be present").
	ErrNoKeySource = fmt.Errorf("%w: header has neither kid nor jwk", ErrKeyResolution)
	// ErrKeyType: the key does not fit alg (RS256 needs RSA ≥ 2048 bits,
	// ES256 a P-256 key, EdDSA an Ed25519 key), or the signing key is of an
	// unsupported type.
	ErrKeyType = errors.New("vcjwt: key type does not match algorithm")
	// ErrSignature: the signature does not verify with the resolved key.
	ErrSignature = errors.New("vcjwt: invalid signature")
	// ErrKeyProvenance: the resolved key's controller is not the issuer (or,
	// for a presentation, the holder), or a jwk header disagrees with the key
	// named by kid (digest §4.3 "Key provenance").
	ErrKeyProvenance = errors.New("vcjwt: key not controlled by the issuer")
	// ErrClaim: a JWT claim does not agree with the credential (§8.2.6 step
	// 5). The error is a *ClaimError naming the claim.
	ErrClaim = errors.New("vcjwt: claim check failed")
	// ErrExpired: the credential or presentation is past exp / validUntil.
	ErrExpired = errors.New("vcjwt: expired")
	// ErrNotYetValid: validFrom / nbf is in the future.
	ErrNotYetValid = errors.New("vcjwt: not yet valid")
	// ErrEnvelope: an enveloped credential or presentation is malformed
	// (wrong @context, type, or data: URL).
	ErrEnvelope = errors.New("vcjwt: invalid enveloped credential")
	// ErrNonce: a presentation's nonce is missing or differs from the
	// expected challenge.
	ErrNonce = errors.New("vcjwt: nonce does not match challenge")
	// ErrAudience: a presentation's aud is missing or does not contain the
	// expected domain.
	ErrAudience = errors.New("vcjwt: audience does not match domain")
	// ErrHolder: a presentation's iss (holder) is missing, disagrees with
	// vp.holder, or is not the controller of the signing key.
	ErrHolder = errors.New("vcjwt: holder does not match signing key")
	// ErrCredential: Sign or SignPresentation was given a document it cannot
	// sign (missing issuer id, validFrom, id; a conflicting JWT claim name;
	// an unknown VC data model version ...).
	ErrCredential = errors.New("vcjwt: cannot sign credential")
)

// ClaimError reports one failed claim check of OB 3.0 §8.2.6 step 5. It
// wraps ErrClaim.
type ClaimError struct {
	Claim  string // "iss", "sub", "nbf", "jti", "exp", "vc" (version agreement)
	Reason string // what was wrong, e.g. "differs from issuer.id"
	Got    string // the claim value as found ("" when absent)
	Want   string // the credential value it was compared with ("" when absent)
}

func (e *ClaimError) Error() string {
	return fmt.Sprintf("vcjwt: claim %s: %s (claim %q, credential %q)", e.Claim, e.Reason, e.Got, e.Want)
}

// Unwrap returns ErrClaim.
func (e *ClaimError) Unwrap() error { return ErrClaim }

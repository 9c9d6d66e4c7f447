// Package did implements the key and DID handling Blason needs to issue and
// verify W3C Data Integrity proofs and Open Badges 3.0 credentials:
//
//   - Multikey encoding of Ed25519, P-256, P-384 and RSA (2048-4096 bit)
//     public and secret keys (W3C Controlled Identifiers v1.0, §2.2.2
//     "Multikey"; RSA as multicodec rsa-pub/rsa-priv, DER PKCS#1);
//   - the did:key method (https://w3c-ccg.github.io/did-method-key/) for
//     those four key types;
//   - the did:jwk method (https://github.com/quartzjer/did-jwk/blob/main/spec.md)
//     for Ed25519, P-256, P-384 and RSA (≥ 2048 bit) public keys;
//   - a Resolver seam, an offline resolver for did:key and did:jwk, a
//     MultiResolver that dispatches by method name (did:web plugs in here),
//     and ResolveVerificationMethod, which dereferences a verification
//     method URL and checks its verification relationship.
//
// The package never logs, never exits and does no I/O itself. All errors
// wrap one of the sentinel errors below; test them with errors.Is.
package did

import (
	"errors"
	"strconv"
)

// Sentinel errors. Every error returned by this package wraps at least one
// of them (errors from the multibase package are wrapped as well).
var (
	// ErrUnsupportedMethod reports a syntactically valid DID whose method
	// the resolver does not handle, e.g. "did:example:123".
	ErrUnsupportedMethod = errors.New("did: unsupported DID method")
	// ErrInvalidDID reports a string that is not a valid DID or DID URL, or
	// a DID whose method-specific identifier is malformed for its method.
	ErrInvalidDID = errors.New("did: invalid DID")
	// ErrInvalidKey reports key material that cannot be encoded or decoded:
	// bad multibase, unknown multicodec header, wrong length, a point that
	// is not on the curve, a JWK with private members, and so on.
	ErrInvalidKey = errors.New("did: invalid key")
	// ErrNotFound reports a verification method absent from the resolved
	// DID document.
	ErrNotFound = errors.New("did: verification method not found")
	// ErrRelationship reports a verification method that is not authorised
	// for the requested verification relationship (e.g. not listed under
	// assertionMethod), or an unknown relationship name.
	ErrRelationship = errors.New("did: verification method not authorized")
)

// maxQuoted is the longest input echoed verbatim in an error message.
const maxQuoted = 64

// q quotes s for an error message, truncating long values.
func q(s string) string {
	if len(s) > maxQuoted {
		return strconv.Quote(s[:maxQuoted-3]) + "…(" + strconv.Itoa(len(s)) + " bytes)"
	}
	return strconv.Quote(s)
}

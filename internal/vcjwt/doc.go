// Package vcjwt signs and verifies Open Badges 3.0 credentials secured with
// the JSON Web Token proof format (OB 3.0 §8.2 "JSON Web Token Proof Format",
// our digest §4.1), VC-JWT 1.1 style presentations (a "vp" claim with a nonce
// and an audience), and the W3C VC-JOSE-COSE enveloped forms
// (EnvelopedVerifiableCredential / EnvelopedVerifiablePresentation with a
// data: URL id).
//
// Safety by construction, after go-jose v4 (the only JOSE library this
// package uses):
//
//   - the algorithm allowlist is explicit (RS256, ES256, EdDSA by default;
//     "none" and the HMAC algorithms are never accepted, whatever the caller
//     configures, which closes the algorithm-confusion attack);
//   - the JOSE header is parsed strictly (duplicate members rejected) and may
//     only hold alg, kid, jwk and typ (§8.2.3 "Additional JOSE Headers are NOT
//     allowed"); crit, jku, x5u, x5c, cty, b64 ... are refused;
//   - the key type must match alg (RS256 ↔ RSA ≥ 2048 bits, ES256 ↔ P-256,
//     EdDSA ↔ Ed25519) before any signature check runs;
//   - the payload is decoded only after the signature verified (go-jose's
//     Verify returns it), with the strict JSON decoder of internal/credential
//     (duplicate keys rejected);
//   - each claim check of §8.2.6 has its own outcome in Result and its own
//     error, wrapping a sentinel (compare with errors.Is).
//
// Keys come from the jwk header or from the kid through a KeyResolver. The
// default, DIDResolver, dereferences did:key and did:jwk verification method
// URLs without I/O (internal/did). An HTTPS kid or an issuer JWKS
// (https://{authority}/.well-known/jwks.json, digest §4.3) is served by
// another KeyResolver implementation plugged in by the caller (for example
// one built on internal/fetch); this package never does network I/O itself.
//
// The package never logs and never panics on input. Limits: a token longer
// than VerifyOptions.MaxBytes (DefaultMaxBytes, 1 MiB, when zero) is refused
// before any decoding.
package vcjwt

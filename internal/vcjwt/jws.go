package vcjwt

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/limits"
)

// Algorithm is a JWS "alg" value this package can sign and verify.
type Algorithm string

// Supported algorithms (RFC 7518 §3.1, RFC 8037 §3.1).
const (
	RS256 Algorithm = "RS256" // RSASSA-PKCS1-v1_5 with SHA-256, RSA ≥ 2048 bits; OB 3.0 §8.2.3 "MUST be RS256 as a minimum"
	ES256 Algorithm = "ES256" // ECDSA P-256 with SHA-256
	EdDSA Algorithm = "EdDSA" // Ed25519
)

// DefaultMaxBytes is the longest token accepted when VerifyOptions.MaxBytes
// is zero: 1 MiB of compact JWS, i.e. a JSON payload of at most 768 KiB
// (credential.DefaultMaxBytes is 1 MiB). The largest credential we know of is
// about 30 KB.
const DefaultMaxBytes = limits.JWTBytes

// maxHeaderBytes bounds the decoded JOSE header (a jwk for RSA-8192 is
// about 1.5 KB).
const maxHeaderBytes = limits.JOSEHeaderBytes

// MinRSABits is the smallest RSA modulus accepted for RS256, signing or
// verifying (SEC-11 §6.1; NIST SP 800-131A).
const MinRSABits = 2048

// allowedHeader lists the only JOSE header members OB 3.0 §8.2.3 permits:
// "Additional JOSE Headers are NOT allowed."
var allowedHeader = map[string]bool{"alg": true, "kid": true, "jwk": true, "typ": true}

// privateJWKMembers are the RFC 7518 §6 private (and symmetric) members.
var privateJWKMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

type kind int

const (
	kindCredential kind = iota
	kindPresentation
)

// header is the checked JOSE header.
type header struct {
	alg Algorithm
	kid string
	jwk *jose.JSONWebKey // from the jwk member, nil if absent
	typ string           // as found; "" if absent
}

// signed is a token whose signature verified.
type signed struct {
	hdr        header
	key        crypto.PublicKey
	controller string // from the resolver; "" if unknown (jwk only)
	payload    map[string]any
}

// The resolvers used when VerifyOptions.Resolver is nil, boxed once rather
// than on every call.
var (
	defaultCredentialResolver   KeyResolver = DIDResolver{Relationship: did.AssertionMethod}
	defaultPresentationResolver KeyResolver = DIDResolver{Relationship: did.Authentication}
)

// defaultAlgorithms is algorithmsFor(nil); shared, so never modified.
var defaultAlgorithms = []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA}

// algorithmsFor checks the configured allowlist. Only RS256, ES256 and EdDSA
// may appear; "none" and HMAC algorithms are refused outright.
func algorithmsFor(list []Algorithm) ([]jose.SignatureAlgorithm, error) {
	if list == nil {
		return defaultAlgorithms, nil
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("%w: empty algorithm allowlist", ErrAlgorithm)
	}
	out := make([]jose.SignatureAlgorithm, 0, len(list))
	for _, a := range list {
		switch a {
		case RS256, ES256, EdDSA:
			out = append(out, jose.SignatureAlgorithm(a))
		default:
			return nil, fmt.Errorf("%w: %q cannot be allowed (only RS256, ES256, EdDSA)", ErrAlgorithm, string(a))
		}
	}
	return out, nil
}

// checkCompact verifies the JWS Compact Serialization syntax (RFC 7515 §7.1):
// three non-empty segments of unpadded base64url whose unused trailing bits
// are zero, so that every token has exactly one encoding.
func checkCompact(tok string, maxBytes int) ([3]string, error) {
	seg, err := splitCompact(tok, maxBytes)
	if err != nil {
		return seg, err
	}
	for i, s := range seg {
		if err := checkSegment(segmentNames[i], s); err != nil {
			return seg, err
		}
	}
	return seg, nil
}

var segmentNames = [3]string{"header", "payload", "signature"}

// splitCompact checks the size of a compact JWS and cuts it into its three
// segments.
func splitCompact(tok string, maxBytes int) ([3]string, error) {
	var seg [3]string
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if len(tok) > maxBytes {
		return seg, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(tok), maxBytes)
	}
	if strings.Count(tok, ".") != 2 {
		return seg, fmt.Errorf("%w: compact JWS must have exactly three segments", ErrMalformed)
	}
	a, rest, _ := strings.Cut(tok, ".")
	b, c, _ := strings.Cut(rest, ".")
	return [3]string{a, b, c}, nil
}

// checkSegment is checkCompact's test of one segment: not empty, and
// canonical unpadded base64url.
func checkSegment(name, s string) error {
	if s == "" {
		return fmt.Errorf("%w: empty %s segment", ErrMalformed, name)
	}
	if err := checkB64(s); err != nil {
		return fmt.Errorf("%w: %s segment: %w", ErrMalformed, name, err)
	}
	return nil
}

const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

var b64Value = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(b64Alphabet); i++ {
		t[b64Alphabet[i]] = int8(i)
	}
	return t
}()

func checkB64(s string) error {
	for i := 0; i < len(s); i++ {
		if b64Value[s[i]] < 0 {
			return fmt.Errorf("byte %d (%q) is not base64url", i, s[i])
		}
	}
	last := int(b64Value[s[len(s)-1]])
	switch len(s) % 4 {
	case 1:
		return errors.New("impossible base64url length")
	case 2:
		if last&0x0f != 0 {
			return errors.New("non-canonical base64url (trailing bits set)")
		}
	case 3:
		if last&0x03 != 0 {
			return errors.New("non-canonical base64url (trailing bits set)")
		}
	}
	return nil
}

// parseHeader decodes and checks the JOSE header (OB 3.0 §8.2.3, §8.2.6 step 1).
//
// An issuer signs every token with the same header, so headers that passed
// are remembered (a bounded memo keyed by the segment and the kind of token;
// parseHeader is a pure function of both). Headers with a jwk member are not
// remembered: their key object is handed to the caller.
func parseHeader(seg string, k kind) (header, error) {
	if h, ok := headerMemo.get(seg, k); ok {
		return h, nil
	}
	h, err := parseHeaderUncached(seg, k)
	if err == nil && h.jwk == nil {
		headerMemo.put(seg, k, h)
	}
	return h, err
}

// headers remembers checked headers without a jwk member. When full it is
// emptied: the working set of issuers is small.
type headers struct {
	mu sync.RWMutex
	m  map[headerKey]header
}

type headerKey struct {
	seg  string
	kind kind
}

const headerMemoSize = 512

var headerMemo = &headers{m: make(map[headerKey]header)}

func (c *headers) get(seg string, k kind) (header, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	h, ok := c.m[headerKey{seg, k}]
	return h, ok
}

func (c *headers) put(seg string, k kind, h header) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= headerMemoSize {
		clear(c.m)
	}
	c.m[headerKey{seg, k}] = h
}

func parseHeaderUncached(seg string, k kind) (header, error) {
	var h header
	if base64.RawURLEncoding.DecodedLen(len(seg)) > maxHeaderBytes {
		return h, fmt.Errorf("%w: header longer than %d bytes", ErrHeader, maxHeaderBytes)
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(seg)
	if err != nil {
		return h, fmt.Errorf("%w: header: %w", ErrMalformed, err)
	}
	v, err := credential.ParseJSON(raw, credential.Limits{MaxBytes: maxHeaderBytes, MaxDepth: limits.JOSEHeaderDepth})
	if err != nil {
		return h, fmt.Errorf("%w: header: %w", ErrHeader, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return h, fmt.Errorf("%w: header is not a JSON object", ErrHeader)
	}
	// alg first: an unacceptable algorithm is reported as such whatever else
	// the header holds.
	algV, ok := m["alg"]
	if !ok {
		return h, fmt.Errorf("%w: header has no alg", ErrAlgorithm)
	}
	alg, ok := algV.(string)
	if !ok {
		return h, fmt.Errorf("%w: alg is not a string", ErrAlgorithm)
	}
	switch {
	case strings.EqualFold(alg, "none"):
		return h, fmt.Errorf(`%w: alg "none" (unsecured JWS) is never accepted`, ErrAlgorithm)
	case strings.HasPrefix(strings.ToUpper(alg), "HS"):
		return h, fmt.Errorf("%w: alg %q is a MAC algorithm (algorithm confusion); only asymmetric signatures are accepted", ErrAlgorithm, alg)
	}
	h.alg = Algorithm(alg)
	for name := range m {
		if !allowedHeader[name] {
			return h, fmt.Errorf("%w: header member %q is not allowed (OB 3.0 §8.2.3: \"Additional JOSE Headers are NOT allowed\")", ErrHeader, name)
		}
	}
	if v, ok := m["kid"]; ok {
		s, ok := v.(string)
		if !ok || s == "" {
			return h, fmt.Errorf("%w: kid must be a non-empty string", ErrHeader)
		}
		h.kid = s
	}
	if v, ok := m["typ"]; ok {
		s, ok := v.(string)
		if !ok {
			return h, fmt.Errorf("%w: typ is not a string", ErrHeader)
		}
		if !typAllowed(s, k) {
			return h, fmt.Errorf("%w: typ %q is not allowed here (OB 3.0 §8.2.3: \"if present MUST be JWT\"; VC-JOSE-COSE: %s)", ErrHeader, s, allowedTypText(k))
		}
		h.typ = s
	}
	if v, ok := m["jwk"]; ok {
		jm, ok := v.(map[string]any)
		if !ok {
			return h, fmt.Errorf("%w: jwk is not a JSON object", ErrHeader)
		}
		for _, p := range privateJWKMembers {
			if _, bad := jm[p]; bad {
				return h, fmt.Errorf("%w: member %q (OB 3.0 §8.2.3: the JWK \"MUST never contain d\")", ErrPrivateKeyInHeader, p)
			}
		}
		b, err := json.Marshal(jm)
		if err != nil {
			return h, fmt.Errorf("%w: jwk: %w", ErrHeader, err)
		}
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON(b); err != nil {
			return h, fmt.Errorf("%w: jwk: %w", ErrHeader, err)
		}
		if !jwk.Valid() || !jwk.IsPublic() {
			return h, fmt.Errorf("%w: jwk is not a valid public key", ErrHeader)
		}
		h.jwk = &jwk
	}
	return h, nil
}

// typAllowed: RFC 7515 §4.1.9 says typ values are compared case-insensitively
// and "application/" may be omitted.
func typAllowed(typ string, k kind) bool {
	t := strings.ToLower(typ)
	t = strings.TrimPrefix(t, "application/")
	switch t {
	case "jwt":
		return true
	case "vc+jwt":
		return k == kindCredential
	case "vp+jwt":
		return k == kindPresentation
	}
	return false
}

func allowedTypText(k kind) string {
	if k == kindPresentation {
		return "JWT or vp+jwt"
	}
	return "JWT or vc+jwt"
}

// checkKeyType enforces that the key fits the algorithm.
func checkKeyType(alg Algorithm, key crypto.PublicKey) error {
	switch alg {
	case RS256:
		k, ok := key.(*rsa.PublicKey)
		if !ok {
			return fmt.Errorf("%w: RS256 needs an RSA key, got %T", ErrKeyType, key)
		}
		if k.N == nil || k.N.BitLen() < MinRSABits {
			bits := 0
			if k.N != nil {
				bits = k.N.BitLen()
			}
			return fmt.Errorf("%w: RSA key of %d bits, at least %d required", ErrKeyType, bits, MinRSABits)
		}
	case ES256:
		// Both signature forms (r, s) and (r, n-s) verify (go-jose uses
		// ecdsa.Verify): RFC 7518 §3.4 specifies ECDSA per FIPS 186, which
		// does not require low S, and signers do not normalise it. The
		// signature is not an identifier, so its malleability is harmless
		// (TestES256BothSForms; the same decision as ecdsa-rdfc-2019).
		k, ok := key.(*ecdsa.PublicKey)
		if !ok || k.Curve != elliptic.P256() {
			return fmt.Errorf("%w: ES256 needs a P-256 key, got %s", ErrKeyType, keyDesc(key))
		}
	case EdDSA:
		k, ok := key.(ed25519.PublicKey)
		if !ok || len(k) != ed25519.PublicKeySize {
			return fmt.Errorf("%w: EdDSA needs an Ed25519 key, got %s", ErrKeyType, keyDesc(key))
		}
	default:
		return fmt.Errorf("%w: unsupported alg %q", ErrAlgorithm, string(alg))
	}
	return nil
}

func keyDesc(key crypto.PublicKey) string {
	if k, ok := key.(*ecdsa.PublicKey); ok && k.Curve != nil {
		return "ECDSA " + k.Curve.Params().Name
	}
	return fmt.Sprintf("%T", key)
}

type equaler interface {
	Equal(crypto.PublicKey) bool
}

func sameKey(a, b crypto.PublicKey) bool {
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}

// verifyJWS runs OB 3.0 §8.2.6 steps 1-4 and returns the verified payload.
func verifyJWS(ctx context.Context, tok string, opts *VerifyOptions, k kind) (*signed, error) {
	algs, err := algorithmsFor(opts.Algorithms)
	if err != nil {
		return nil, err
	}
	seg, parts, err := checkAndDecode(tok, opts.MaxBytes)
	if err != nil {
		return nil, err
	}
	defer parts.release()
	// §8.2.6 step 1: "Base64url-decode the JOSE Header."
	h, err := parseHeader(seg[0], k)
	if err != nil {
		return nil, err
	}
	allowed := false
	for _, a := range algs {
		if string(a) == string(h.alg) {
			allowed = true
		}
	}
	if !allowed {
		return nil, fmt.Errorf("%w: alg %q is not in the allowlist %v", ErrAlgorithm, string(h.alg), algs)
	}
	payloadRaw := parts.payload

	// §8.2.6 step 2: "If the header includes a kid property, Dereference the
	// kid value to retrieve the public key JWK. If the header includes a jwk
	// property, convert the jwk value into the public key JWK."
	s := &signed{hdr: h}
	switch {
	case h.kid != "":
		r := opts.Resolver
		if r == nil {
			r = defaultCredentialResolver
			if k == kindPresentation {
				r = defaultPresentationResolver
			}
		}
		// The unverified iss locates relative kids and tells an HTTPS
		// resolver which issuer JWKS to consult; the controller returned
		// is compared with the verified iss below.
		issuer := ""
		if !strings.HasPrefix(h.kid, "did:") {
			// A DID URL kid names its key by itself; only relative and
			// https kids need the issuer (an unverified payload decode).
			issuer = peekIssuer(payloadRaw)
		}
		key, controller, err := r.ResolveJWTKey(ctx, h.kid, issuer)
		if err != nil {
			if !errors.Is(err, ErrKeyResolution) {
				err = fmt.Errorf("%w: %w", ErrKeyResolution, err)
			}
			return nil, err
		}
		if key == nil {
			return nil, fmt.Errorf("%w: resolver returned no key for %q", ErrKeyResolution, h.kid)
		}
		if h.jwk != nil && !sameKey(key, h.jwk.Key) {
			return nil, fmt.Errorf("%w: jwk header differs from the key named by kid %q", ErrKeyProvenance, h.kid)
		}
		s.key, s.controller = key, controller
	case h.jwk != nil:
		s.key = h.jwk.Key
	default:
		return nil, ErrNoKeySource
	}
	if err := checkKeyType(h.alg, s.key); err != nil {
		return nil, err
	}

	// §8.2.6 step 3: "Verify the signature ... If the signature is invalid,
	// the credential proof is not valid."
	if err := verifySignature(h.alg, s.key, parts.input, parts.sig); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSignature, err)
	}
	payload := payloadRaw

	// §8.2.6 step 4: "Base64url-decode the JWT Payload segment ... parse it
	// as JSON" — only now, and strictly (duplicate keys rejected).
	max := opts.MaxBytes
	if max <= 0 {
		max = DefaultMaxBytes
	}
	v, err := credential.ParseJSON(payload, credential.Limits{MaxBytes: max})
	if err != nil {
		return nil, fmt.Errorf("%w: payload: %w", ErrMalformed, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: payload is not a JSON object", ErrMalformed)
	}
	s.payload = m
	return s, nil
}

// verifySignature checks a JWS signature over signingInput (RFC 7515 §5.2
// step 8) exactly as go-jose's verifiers do for the three allowed
// algorithms (RFC 7518 §3.3 RS256, §3.4 ES256 with the R||S form of 64
// bytes, RFC 8037 §3.1 EdDSA), after checkKeyType fitted the key to alg.
// TestSignatureAgreesWithGoJose and FuzzSignatureAgreesWithGoJose prove it
// accepts exactly what go-jose accepts.
func verifySignature(alg Algorithm, key crypto.PublicKey, signingInput, sig []byte) error {
	if err := checkKeyType(alg, key); err != nil {
		return err
	}
	switch alg {
	case EdDSA:
		k, _ := key.(ed25519.PublicKey)
		if !ed25519.Verify(k, signingInput, sig) {
			return errors.New("ed25519 signature failed to verify")
		}
		return nil
	case ES256:
		k, _ := key.(*ecdsa.PublicKey)
		if len(sig) != 64 {
			return fmt.Errorf("invalid ES256 signature size, have %d bytes, wanted 64", len(sig))
		}
		d := sha256.Sum256(signingInput)
		r := new(big.Int).SetBytes(sig[:32])
		s := new(big.Int).SetBytes(sig[32:])
		if !ecdsa.Verify(k, d[:], r, s) {
			return errors.New("ecdsa signature failed to verify")
		}
		return nil
	case RS256:
		k, _ := key.(*rsa.PublicKey)
		d := sha256.Sum256(signingInput)
		return rsa.VerifyPKCS1v15(k, crypto.SHA256, d[:], sig)
	}
	return fmt.Errorf("%w: unsupported alg %q", ErrAlgorithm, string(alg))
}

// tokenParts is a compact JWS whose segments checkCompact accepted, decoded.
type tokenParts struct {
	input   []byte // the JWS Signing Input: header "." payload, as in the token
	payload []byte // decoded payload
	sig     []byte // decoded signature
	bufp    *[]byte
}

// checkAndDecode is checkCompact followed by the decoding of the payload and
// the signature, with the same errors in the same order, but it checks those
// two segments by decoding them: base64.RawURLEncoding.Strict() refuses what
// checkB64 refuses (bytes outside the alphabet, padding, an impossible
// length, non-zero trailing bits) except CR and LF, which it skips and
// which are refused here first (TestSegmentCheckAgreesWithStrictDecode,
// FuzzSegmentCheck). When a segment fails, checkSegment describes why, as
// checkCompact would have. Only the header, decoded later through the memo
// of parseHeader, is checked by checkB64.
//
// The header is checked separately (parseHeader: only alg, kid, jwk and typ,
// so no crit or b64 that would change what is signed) and the segments are
// canonical base64url, so the signing input is the token up to its second
// dot, byte for byte what go-jose rebuilds from the decoded segments.
// Decoding here instead of through jose.ParseSignedCompact saves a second
// JSON parse of the header and a re-encoding of both segments (a third of a
// VC-JWT verification's time). One pooled buffer holds the token's bytes and
// both decoded segments: call release when done, and keep no reference into
// them (ParseJSON and peekIssuer copy what they return).
func checkAndDecode(tok string, maxBytes int) ([3]string, tokenParts, error) {
	seg, err := splitCompact(tok, maxBytes)
	if err != nil {
		return seg, tokenParts{}, err
	}
	if err := checkSegment("header", seg[0]); err != nil {
		return seg, tokenParts{}, err
	}
	if seg[1] == "" {
		return seg, tokenParts{}, checkSegment("payload", seg[1])
	}
	enc := base64.RawURLEncoding.Strict()
	nIn := len(seg[0]) + 1 + len(seg[1])
	need := len(tok) + enc.DecodedLen(len(seg[1])) + enc.DecodedLen(len(seg[2]))
	bufp := tokenBuffers.Get().(*[]byte)
	if cap(*bufp) < need {
		*bufp = make([]byte, need)
	}
	buf := (*bufp)[:need]
	p := tokenParts{bufp: bufp}
	raw := buf[:copy(buf, tok)]
	p.input = raw[:nIn:nIn]
	n, err := enc.Decode(buf[len(raw):], raw[len(seg[0])+1:nIn])
	if err != nil || hasCRLF(seg[1]) {
		p.release()
		return seg, tokenParts{}, decodeError("payload", seg[1], err)
	}
	p.payload = buf[len(raw) : len(raw)+n : len(raw)+n]
	if seg[2] == "" {
		p.release()
		return seg, tokenParts{}, checkSegment("signature", seg[2])
	}
	m, err := enc.Decode(buf[len(raw)+n:], raw[nIn+1:])
	if err != nil || hasCRLF(seg[2]) {
		p.release()
		return seg, tokenParts{}, decodeError("signature", seg[2], err)
	}
	p.sig = buf[len(raw)+n : len(raw)+n+m : len(raw)+n+m]
	return seg, p, nil
}

// hasCRLF reports whether s holds a CR or LF, which the base64 decoder skips.
func hasCRLF(s string) bool {
	return strings.IndexByte(s, '\n') >= 0 || strings.IndexByte(s, '\r') >= 0
}

// decodeError explains why the segment s was refused: checkSegment's words,
// and the decoder's should they ever disagree.
func decodeError(name, s string, err error) error {
	if e := checkSegment(name, s); e != nil {
		return e
	}
	return fmt.Errorf("%w: %s: %w", ErrMalformed, name, err)
}

func (p *tokenParts) release() {
	if p.bufp != nil && cap(*p.bufp) <= maxPooledToken {
		tokenBuffers.Put(p.bufp)
	}
	*p = tokenParts{}
}

// tokenBuffers holds the scratch buffers of verifyJWS; a buffer that grew
// past maxPooledToken (a token far larger than any credential) is left to the
// collector.
var tokenBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

const maxPooledToken = 64 << 10

func isAbsoluteURL(s string) bool {
	i := strings.IndexByte(s, ':')
	return i > 0 && !strings.ContainsAny(s[:i], "#/?")
}

// peekIssuer reads iss from a payload whose signature has NOT been checked
// yet. The value only selects which key to try for a relative kid; the
// verified iss is compared with the key's controller afterwards.
func peekIssuer(payload []byte) string {
	var p struct {
		Iss any `json:"iss"`
	}
	if json.Unmarshal(payload, &p) != nil {
		return ""
	}
	s, _ := p.Iss.(string)
	return s
}

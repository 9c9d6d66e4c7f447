package vcjwt

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/limits"
)

// This file dereferences HTTPS kids (OB 3.0 §8.5 "Dereferencing the Public
// Key": verifiers MUST support an HTTP URL that dereferences to a JWK) and
// checks key provenance against the issuer's JWKS (IMPL, digest §4.3: the
// issuer publishes a JWKS at https://{authority-of-issuer-id}/.well-known/jwks.json
// and "kid must name a key in that set"). The network is reached only
// through the caller's Fetcher (in Blason, the hardened *fetch.Client).

// MaxKeyDocumentBytes bounds the JWK, JWKS and controller documents
// HTTPSKeyResolver parses, whatever the Fetcher's own limit.
const MaxKeyDocumentBytes = limits.KeyDocumentBytes

// maxJWKSKeys bounds the keys of a JWKS considered (each RSA key costs a
// parse).
const maxJWKSKeys = limits.JWKSKeys

// WellKnownJWKSPath is where an issuer publishes its JWKS, under the
// authority of its id (IMPL key provenance).
const WellKnownJWKSPath = "/.well-known/jwks.json"

var (
	kidAccept  = []string{"application/jwk+json", "application/jwk-set+json", "application/ld+json;q=0.9", "application/json;q=0.8"}
	jwksAccept = []string{"application/jwk-set+json", "application/json;q=0.9"}
)

// BodyCache holds fetched key documents (the raw bytes, already checked to
// be one strict JSON object) by URL with a time to live. *fetch.Cache[[]byte]
// satisfies it. Implementations must be safe for concurrent use; cached
// bodies are never modified.
type BodyCache interface {
	Get(url string) ([]byte, bool)
	Put(url string, body []byte, ttl time.Duration)
}

// HTTPSKeyResolver is a KeyResolver for HTTPS kids, falling back to another
// KeyResolver (by default DIDResolver) for every other kid:
//
//	r := &vcjwt.HTTPSKeyResolver{Fetcher: client, Cache: fetch.NewCache[[]byte](0, nil),
//		Fallback: vcjwt.DIDResolver{Resolver: dids}}
//	res, err := vcjwt.Verify(ctx, token, vcjwt.VerifyOptions{Resolver: r})
//
// See ResolveJWTKey for the rules.
type HTTPSKeyResolver struct {
	// Fetcher performs the HTTPS GETs; it should also implement
	// did.FinalURLFetcher (as *fetch.Client does) so that documents served
	// after a cross-origin redirect are refused. Nil makes every HTTPS kid
	// fail with ErrKeyResolution (and did.ErrResolution).
	Fetcher did.Fetcher
	// Cache, if non-nil, holds fetched documents by URL. Failures (fetch
	// errors, bodies that are not one strict JSON object) are never cached.
	Cache BodyCache
	// TTL is how long a document stays in Cache. Zero means
	// did.DefaultWebTTL (5 minutes); negative disables caching.
	TTL time.Duration
	// Fallback resolves kids that are neither https URLs nor, with an https
	// issuer, names in the issuer's JWKS. Nil means
	// DIDResolver{Relationship: Relationship}.
	Fallback KeyResolver
	// Relationship is the verification relationship a method of a
	// controller document must be listed under. Empty means
	// did.AssertionMethod (credentials); use did.Authentication for
	// presentations.
	Relationship string
}

// ResolveJWTKey implements KeyResolver.
//
// An https kid is fetched without its fragment (Accept application/jwk+json,
// application/jwk-set+json, application/ld+json, application/json); the
// body, strict JSON (no duplicate members, even ignoring case), at most
// MaxKeyDocumentBytes, is one of:
//
//   - a JWK (it has "kty"): that key;
//   - a JWKS (it has "keys", App. B "JWKS": keys [1..*]): the one key whose
//     "kid" equals the whole kid, its fragment, or "#" + fragment; no match
//     or two matches is an error (a kid without fragment may also name a
//     set of exactly one key);
//   - a controller document (an issuer profile): the verification method
//     kid, with did.ParseControllerDocument and
//     did.Document.VerificationMethodFor — id equal to the URL, method
//     controller equal to the id, listed under Relationship.
//
// Every JWK must be a public signing key: §8.2.3 "MUST never contain d", so
// any private member (d, p, q, dp, dq, qi, oth, k) is refused, in a JWKS for
// every key of the set; "use", when present, must be "sig"; "key_ops", when
// present, must contain "verify"; OKP Ed25519, EC P-256/P-384 and RSA ≥ 2048
// bits only. IMPL: "a JWK may carry an extra iss member = issuer id which
// must then match": an "iss" member different from the issuer is an error
// (also wrapping ErrKeyProvenance).
//
// A kid that is not an absolute URL ("key-1", "#key-1") with an https issuer
// names a key in the issuer's JWKS (IMPL: "kid must name a key in that
// set"), matched as above.
//
// The controller returned (key provenance, digest §4.3) is the issuer id
// only when the issuer vouches for the key:
//
//   - the key is in the JWKS at https://{authority of the issuer id}/.well-known/jwks.json
//     (compared by key value; when the kid is elsewhere that JWKS is fetched
//     too), with a matching or absent "iss" member; or
//   - the key is a verification method of a controller document whose id
//     is the issuer id.
//
// Otherwise it is "" (provenance unknown), except that with no issuer hint
// a controller document's id is returned, for Verify to compare with iss. A
// JWK "iss" member alone never establishes provenance: anyone can publish a
// JWK claiming any issuer. issuer is the unverified iss claim; it only
// selects which JWKS to consult, and Verify compares the controller
// returned with the verified iss.
//
// Other kids go to Fallback. All errors wrap ErrKeyResolution; fetch
// failures also wrap did.ErrResolution (report "could not check"), and
// bad URLs did.ErrInvalidURL.
func (r *HTTPSKeyResolver) ResolveJWTKey(ctx context.Context, kid, issuer string) (crypto.PublicKey, string, error) {
	switch {
	case strings.HasPrefix(kid, "https://"):
		return r.resolveURL(ctx, kid, issuer)
	case !isAbsoluteURL(kid) && kid != "" && strings.HasPrefix(issuer, "https://"):
		return r.resolveInIssuerJWKS(ctx, kid, issuer)
	case hasSchemeFold(kid, "http") || hasSchemeFold(kid, "https"):
		return nil, "", fmt.Errorf("%w: %w: kid %q: only https:// URLs are dereferenced", ErrKeyResolution, did.ErrInvalidURL, trunc(kid))
	}
	fb := r.Fallback
	if fb == nil {
		fb = DIDResolver{Relationship: r.Relationship}
	}
	return fb.ResolveJWTKey(ctx, kid, issuer)
}

// IssuerJWKSContains reports whether key is in the JWKS at
// https://{authority of issuer}/.well-known/jwks.json (IMPL key provenance:
// "the header jwk must be in it"), with a matching or absent "iss" member.
// A verifier can use it to establish the provenance of a token signed with
// a jwk header only, which Verify reports as ProvenanceUnknown for non-DID
// issuers. Errors wrap ErrKeyResolution.
func (r *HTTPSKeyResolver) IssuerJWKSContains(ctx context.Context, issuer string, key crypto.PublicKey) (bool, error) {
	wk, err := IssuerJWKSURL(issuer)
	if err != nil {
		return false, err
	}
	m, err := r.fetchObject(ctx, wk, jwksAccept)
	if err != nil {
		return false, err
	}
	set, err := parseJWKS(m, wk)
	if err != nil {
		return false, err
	}
	return set.contains(key, issuer), nil
}

// IssuerJWKSURL returns https://{authority}/.well-known/jwks.json for an
// https issuer id (IMPL key provenance). Errors wrap ErrKeyResolution and
// did.ErrInvalidURL.
func IssuerJWKSURL(issuer string) (string, error) {
	docURL, _, err := did.HTTPSDocumentURL(issuer)
	if err != nil {
		return "", fmt.Errorf("%w: issuer %q: %w", ErrKeyResolution, trunc(issuer), err)
	}
	u, err := url.Parse(docURL)
	if err != nil {
		return "", fmt.Errorf("%w: %w: issuer %q", ErrKeyResolution, did.ErrInvalidURL, trunc(issuer))
	}
	return "https://" + u.Host + WellKnownJWKSPath, nil
}

func (r *HTTPSKeyResolver) rel() string {
	if r.Relationship == "" {
		return did.AssertionMethod
	}
	return r.Relationship
}

// resolveURL dereferences an https kid.
func (r *HTTPSKeyResolver) resolveURL(ctx context.Context, kid, issuer string) (crypto.PublicKey, string, error) {
	docURL, frag, err := did.HTTPSDocumentURL(kid)
	if err != nil {
		return nil, "", fmt.Errorf("%w: kid: %w", ErrKeyResolution, err)
	}
	m, body, err := r.fetch(ctx, docURL, kidAccept)
	if err != nil {
		return nil, "", err
	}
	_, isJWK := m["kty"]
	_, isSet := m["keys"]
	var e *jwkEntry
	switch {
	case isJWK && isSet:
		return nil, "", fmt.Errorf("%w: %q is both a JWK and a JWKS", ErrKeyResolution, trunc(docURL))
	case isJWK:
		if e, err = parseJWK(m); err != nil {
			return nil, "", fmt.Errorf("%w: JWK at %q: %w", ErrKeyResolution, trunc(docURL), err)
		}
	case isSet:
		set, err := parseJWKS(m, docURL)
		if err != nil {
			return nil, "", err
		}
		if e, err = set.pick(kid, docURL, frag); err != nil {
			return nil, "", err
		}
	default:
		return r.resolveInDocument(ctx, kid, docURL, body, issuer)
	}
	if e.iss != "" && issuer != "" && e.iss != issuer {
		return nil, "", fmt.Errorf("%w: %w: the JWK's iss member %q is not the issuer %q", ErrKeyResolution, ErrKeyProvenance, trunc(e.iss), trunc(issuer))
	}
	candidate := issuer
	if candidate == "" {
		candidate = e.iss
	}
	return e.key, r.provenance(ctx, e.key, candidate, docURL, m), nil
}

// resolveInDocument takes the key from a controller document.
func (r *HTTPSKeyResolver) resolveInDocument(ctx context.Context, kid, docURL string, body []byte, issuer string) (crypto.PublicKey, string, error) {
	doc, err := did.ParseControllerDocument(docURL, body)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %q is neither a JWK, a JWKS nor a valid controller document: %w", ErrKeyResolution, trunc(docURL), err)
	}
	vm, err := doc.VerificationMethodFor(kid, r.rel())
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrKeyResolution, err)
	}
	if len(vm.PublicKeyJwk) > 0 {
		// Apply the JWK rules (private members, use, key_ops, iss) to an
		// embedded publicKeyJwk as well.
		v, err := credential.ParseJSON(vm.PublicKeyJwk, credential.Limits{MaxBytes: MaxKeyDocumentBytes, MaxDepth: limits.JWKDepth})
		jm, ok := v.(map[string]any)
		if err != nil || !ok {
			return nil, "", fmt.Errorf("%w: publicKeyJwk of %q is not a JSON object", ErrKeyResolution, trunc(vm.ID))
		}
		e, err := parseJWK(jm)
		if err != nil {
			return nil, "", fmt.Errorf("%w: publicKeyJwk of %q: %w", ErrKeyResolution, trunc(vm.ID), err)
		}
		if e.iss != "" && e.iss != doc.ID {
			return nil, "", fmt.Errorf("%w: %w: publicKeyJwk iss %q is not the controller %q", ErrKeyResolution, ErrKeyProvenance, trunc(e.iss), trunc(doc.ID))
		}
	}
	key, err := vm.PublicKey()
	if err != nil {
		return nil, "", fmt.Errorf("%w: key of %q: %w", ErrKeyResolution, trunc(vm.ID), err)
	}
	switch {
	case issuer == "" || doc.ID == issuer:
		// Controlled Identifiers: the document's id controls the key;
		// Verify compares it with the verified iss.
		return key, doc.ID, nil
	default:
		return key, r.provenance(ctx, key, issuer, "", nil), nil
	}
}

// resolveInIssuerJWKS resolves a relative kid in the issuer's JWKS.
func (r *HTTPSKeyResolver) resolveInIssuerJWKS(ctx context.Context, kid, issuer string) (crypto.PublicKey, string, error) {
	wk, err := IssuerJWKSURL(issuer)
	if err != nil {
		return nil, "", err
	}
	m, err := r.fetchObject(ctx, wk, jwksAccept)
	if err != nil {
		return nil, "", err
	}
	set, err := parseJWKS(m, wk)
	if err != nil {
		return nil, "", err
	}
	e, err := set.pick(kid, wk, strings.TrimPrefix(kid, "#"))
	if err != nil {
		return nil, "", err
	}
	if e.iss != "" && e.iss != issuer {
		return nil, "", fmt.Errorf("%w: %w: the JWK's iss member %q is not the issuer %q", ErrKeyResolution, ErrKeyProvenance, trunc(e.iss), trunc(issuer))
	}
	return e.key, issuer, nil
}

// provenance returns candidate when key is in candidate's well-known JWKS,
// else "". fetched, when non-nil, is the object already fetched from
// fetchedURL (so the JWKS is not fetched twice when the kid points into it).
func (r *HTTPSKeyResolver) provenance(ctx context.Context, key crypto.PublicKey, candidate, fetchedURL string, fetched map[string]any) string {
	if !strings.HasPrefix(candidate, "https://") {
		return ""
	}
	wk, err := IssuerJWKSURL(candidate)
	if err != nil {
		return ""
	}
	var ok bool
	if wk == fetchedURL && fetched != nil {
		set, err := parseJWKS(fetched, wk)
		ok = err == nil && set.contains(key, candidate)
	} else {
		ok, err = r.IssuerJWKSContains(ctx, candidate, key)
		ok = ok && err == nil
	}
	if !ok {
		return ""
	}
	return candidate
}

// fetchObject returns the JSON object at u (see fetch).
func (r *HTTPSKeyResolver) fetchObject(ctx context.Context, u string, accept []string) (map[string]any, error) {
	m, _, err := r.fetch(ctx, u, accept)
	return m, err
}

// fetch returns the object and body at u: from the cache, or fetched (same
// origin only) and checked to be one strict JSON object before being
// cached.
func (r *HTTPSKeyResolver) fetch(ctx context.Context, u string, accept []string) (map[string]any, []byte, error) {
	if r == nil {
		return nil, nil, fmt.Errorf("%w: %w: get %q: no resolver configured", ErrKeyResolution, did.ErrResolution, trunc(u))
	}
	if r.Cache != nil {
		if b, ok := r.Cache.Get(u); ok {
			if m, err := parseObject(b); err == nil {
				return m, b, nil
			}
		}
	}
	body, err := did.FetchSameOrigin(ctx, r.Fetcher, u, accept...)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrKeyResolution, err)
	}
	m, err := parseObject(body)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %q: %w", ErrKeyResolution, trunc(u), err)
	}
	ttl := r.TTL
	if ttl == 0 {
		ttl = did.DefaultWebTTL
	}
	if r.Cache != nil && ttl > 0 {
		r.Cache.Put(u, body, ttl)
	}
	return m, body, nil
}

// parseObject decodes a key document strictly: one JSON object, no
// duplicate members, at most MaxKeyDocumentBytes.
func parseObject(b []byte) (map[string]any, error) {
	v, err := credential.ParseJSON(b, credential.Limits{MaxBytes: MaxKeyDocumentBytes, MaxDepth: limits.KeyDocumentDepth})
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a JSON object")
	}
	return m, nil
}

// jwkEntry is a parsed public signing JWK.
type jwkEntry struct {
	key crypto.PublicKey
	kid string // its "kid" member, "" if absent
	iss string // its "iss" member, "" if absent
}

// parseJWK checks one JWK object against the rules listed on ResolveJWTKey
// and parses its key with internal/did's JWK parser. Errors are plain
// reasons (callers wrap them).
func parseJWK(m map[string]any) (*jwkEntry, error) {
	seen := make(map[string]bool, len(m))
	for name := range m {
		f := strings.ToLower(name)
		if seen[f] {
			return nil, fmt.Errorf("members differ only in case (%q)", name)
		}
		seen[f] = true
	}
	for _, p := range privateJWKMembers {
		if _, bad := m[p]; bad {
			return nil, fmt.Errorf("private key member %q (OB 3.0 §8.2.3: the JWK \"MUST never contain d\")", p)
		}
	}
	e := &jwkEntry{}
	str := func(name string) (string, error) {
		v, ok := m[name]
		if !ok {
			return "", nil
		}
		s, ok := v.(string)
		if !ok || s == "" {
			return "", fmt.Errorf("member %q is not a non-empty string", name)
		}
		return s, nil
	}
	var err error
	if e.kid, err = str("kid"); err != nil {
		return nil, err
	}
	if e.iss, err = str("iss"); err != nil {
		return nil, err
	}
	use, err := str("use")
	if err != nil {
		return nil, err
	}
	if use != "" && use != "sig" {
		return nil, fmt.Errorf("use %q is not \"sig\"", use)
	}
	if ops, ok := m["key_ops"]; ok {
		list, _ := ops.([]any)
		verify := false
		for _, o := range list {
			if o == "verify" {
				verify = true
			}
		}
		if !verify {
			return nil, errors.New(`key_ops does not contain "verify"`)
		}
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	vm := did.VerificationMethod{ID: e.kid, Type: did.TypeJsonWebKey, PublicKeyJwk: raw}
	if e.key, err = vm.PublicKey(); err != nil {
		return nil, err
	}
	return e, nil
}

// jwks is a JWKS whose entries are parsed lazily.
type jwks struct {
	url  string
	keys []map[string]any
}

// parseJWKS checks the shape of a JWKS ("keys": [1..*] JWK objects, at most
// maxJWKSKeys) and that no key carries private members.
func parseJWKS(m map[string]any, u string) (*jwks, error) {
	list, ok := m["keys"].([]any)
	if !ok || len(list) == 0 {
		return nil, fmt.Errorf("%w: JWKS at %q: keys is not a non-empty array", ErrKeyResolution, trunc(u))
	}
	if len(list) > maxJWKSKeys {
		return nil, fmt.Errorf("%w: JWKS at %q has %d keys, more than %d", ErrKeyResolution, trunc(u), len(list), maxJWKSKeys)
	}
	s := &jwks{url: u, keys: make([]map[string]any, len(list))}
	for i, k := range list {
		km, ok := k.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: JWKS at %q: keys[%d] is not an object", ErrKeyResolution, trunc(u), i)
		}
		for _, p := range privateJWKMembers {
			if _, bad := km[p]; bad {
				return nil, fmt.Errorf("%w: JWKS at %q: keys[%d] has private key member %q", ErrKeyResolution, trunc(u), i, p)
			}
		}
		s.keys[i] = km
	}
	return s, nil
}

// pick returns the one key named by kid: its "kid" member equals kid,
// docURL#frag, frag or "#"+frag. With no fragment and no match, a set of
// exactly one key is that key.
func (s *jwks) pick(kid, docURL, frag string) (*jwkEntry, error) {
	var found []int
	for i, km := range s.keys {
		k, _ := km["kid"].(string)
		if k == "" {
			continue
		}
		if k == kid || (frag != "" && (k == frag || k == "#"+frag || k == docURL+"#"+frag)) {
			found = append(found, i)
		}
	}
	if len(found) == 0 && frag == "" && kid == docURL && len(s.keys) == 1 {
		found = []int{0}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("%w: no key with kid %q in the JWKS at %q", ErrKeyResolution, trunc(kid), trunc(s.url))
	case 1:
	default:
		return nil, fmt.Errorf("%w: %d keys match kid %q in the JWKS at %q", ErrKeyResolution, len(found), trunc(kid), trunc(s.url))
	}
	e, err := parseJWK(s.keys[found[0]])
	if err != nil {
		return nil, fmt.Errorf("%w: JWKS at %q, key %q: %w", ErrKeyResolution, trunc(s.url), trunc(kid), err)
	}
	return e, nil
}

// contains reports whether a key of the set equals key and has no "iss"
// member or one equal to issuer. Keys that do not parse are skipped.
func (s *jwks) contains(key crypto.PublicKey, issuer string) bool {
	for _, km := range s.keys {
		e, err := parseJWK(km)
		if err != nil {
			continue
		}
		if sameKey(e.key, key) && (e.iss == "" || e.iss == issuer) {
			return true
		}
	}
	return false
}

// hasSchemeFold reports whether s starts with scheme + ":" ignoring case.
func hasSchemeFold(s, scheme string) bool {
	return len(s) > len(scheme) && s[len(scheme)] == ':' && strings.EqualFold(s[:len(scheme)], scheme)
}

// trunc shortens untrusted strings quoted in error messages.
func trunc(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

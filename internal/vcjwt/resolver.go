package vcjwt

import (
	"context"
	"crypto"
	"fmt"
	"strings"
	"sync"

	"github.com/blason-badges/blason/internal/did"
)

// KeyResolver finds the public key named by a JWS kid header.
//
// kid is the header value as found. issuer is a hint: the token's iss claim
// read from the payload before the signature was checked ("" when there is
// none), so it must only be used to locate the key (a bare fragment such as
// "#key-1" or "key-1", or the issuer JWKS to check), never trusted. (OB 3.0
// §8.2.6 step 2: "If the kid is present, dereference it to get the public
// key"; the 1EdTech validator tries a bare fragment against the issuer DID.)
//
// controller is the identifier of the entity that controls the key (for a DID
// verification method, its controller DID; for a key in an issuer JWKS, the
// issuer id), or "" when the resolver cannot say. Verify requires a non-empty
// controller to equal the verified iss claim (digest §4.3, key provenance).
//
// Implementations that do I/O must honour ctx and wrap their errors with
// ErrKeyResolution. DIDResolver handles did:key and did:jwk offline; an HTTPS
// kid (or an issuer JWKS at https://{authority}/.well-known/jwks.json) plugs in
// through another implementation, e.g. one that tries an HTTPS resolver and
// falls back to DIDResolver.
type KeyResolver interface {
	ResolveJWTKey(ctx context.Context, kid string, issuer string) (key crypto.PublicKey, controller string, err error)
}

// DIDResolver resolves DID URL kids ("did:key:z6Mk…#z6Mk…", "did:jwk:…#0") to
// the public key of the verification method, with no I/O for did:key and
// did:jwk. The zero value is ready to use.
type DIDResolver struct {
	// Resolver resolves the DID part of the kid. Nil means did.Offline
	// (did:key and did:jwk). A did.MultiResolver adds did:web.
	Resolver did.Resolver
	// Relationship is the verification relationship the method must be listed
	// under. Empty means did.AssertionMethod (credentials); VerifyPresentation
	// uses did.Authentication for its default resolver.
	Relationship string
}

// ResolveJWTKey implements KeyResolver. An absolute DID URL is dereferenced as
// is; a bare fragment ("#x" or "x") is appended to issuer when issuer is a DID.
// Any other kid (https://…, urn:…) yields ErrKeyResolution: plug in a resolver
// that handles it. The controller returned is the verification method's
// controller (the DID itself for did:key and did:jwk).
func (r DIDResolver) ResolveJWTKey(ctx context.Context, kid, issuer string) (crypto.PublicKey, string, error) {
	url, err := didURL(kid, issuer)
	if err != nil {
		return nil, "", err
	}
	rel := r.Relationship
	if rel == "" {
		rel = did.AssertionMethod
	}
	// did:key and did:jwk are self-certifying (the DID is the key), so with
	// the offline resolver their resolution is a pure function: memoize it.
	cacheable := r.Resolver == nil && (strings.HasPrefix(url, "did:key:") || strings.HasPrefix(url, "did:jwk:"))
	ck := keyCacheKey{rel, url}
	if cacheable {
		if e, ok := offlineCache.get(ck); ok {
			return e.key, e.controller, nil
		}
	}
	vm, err := did.ResolveVerificationMethod(ctx, r.Resolver, url, rel)
	if err != nil {
		return nil, "", fmt.Errorf("%w: resolve %q: %w", ErrKeyResolution, url, err)
	}
	pub, err := vm.PublicKey()
	if err != nil {
		return nil, "", fmt.Errorf("%w: key of %q: %w", ErrKeyResolution, url, err)
	}
	if cacheable {
		offlineCache.put(ck, cachedKey{pub, vm.Controller})
	}
	return pub, vm.Controller, nil
}

// keyCache memoizes offline did:key / did:jwk resolutions. It is bounded:
// when full it is emptied (the working set of issuers is small, and a miss
// only costs a re-decode).
type keyCache struct {
	mu sync.RWMutex
	m  map[keyCacheKey]cachedKey
}

// keyCacheKey is a relationship and a DID URL (a struct, not a string
// joined for each look-up).
type keyCacheKey struct{ rel, url string }

type cachedKey struct {
	key        crypto.PublicKey
	controller string
}

const keyCacheSize = 512

var offlineCache = &keyCache{m: make(map[keyCacheKey]cachedKey)}

func (c *keyCache) get(k keyCacheKey) (cachedKey, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.m[k]
	return e, ok
}

func (c *keyCache) put(k keyCacheKey, e cachedKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= keyCacheSize {
		clear(c.m)
	}
	c.m[k] = e
}

// didURL turns kid into an absolute DID URL, using issuer for bare fragments.
func didURL(kid, issuer string) (string, error) {
	switch {
	case strings.HasPrefix(kid, "did:"):
		return kid, nil
	case strings.Contains(kid, ":"):
		return "", fmt.Errorf("%w: kid %q is not a DID URL and no resolver for it is configured", ErrKeyResolution, kid)
	case !strings.HasPrefix(issuer, "did:"):
		return "", fmt.Errorf("%w: relative kid %q and the issuer %q is not a DID", ErrKeyResolution, kid, issuer)
	case strings.Contains(issuer, "#"):
		return "", fmt.Errorf("%w: issuer %q is a DID URL with a fragment", ErrKeyResolution, issuer)
	case strings.HasPrefix(kid, "#"):
		return issuer + kid, nil
	default:
		return issuer + "#" + kid, nil
	}
}

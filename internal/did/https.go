package did

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// This file resolves verification methods published at HTTPS URLs: an Open
// Badges 3.0 issuer whose id is "https://example.com/issuers/876543" and
// whose profile (a controller document, W3C Controlled Identifiers v1.0 §2)
// lists the keys it signs with, e.g. the verification method
// "https://example.com/issuers/876543#key-1" (IMPL "Selecting recipient and
// issuer identifiers"; OB 3.0 §8.5 "This specification allows the use of an
// HTTP URL ... or a DID URL ... but only requires HTTP URL support").
//
// Design: DIDs and HTTPS URLs are two different schemes, so HTTPSResolver is
// not registered in a MultiResolver (which dispatches on DID methods).
// ResolveMethod is the one entry point that takes either kind of
// verification method URL and dispatches on its scheme.

// ErrInvalidURL reports a verification method or document URL that is not
// an acceptable https URL (another scheme, userinfo, no host, an empty
// fragment, control or non-ASCII characters, too long).
var ErrInvalidURL = errors.New("did: invalid https URL")

// httpsAccept is the Accept header sent for controller documents (issuer
// profiles are JSON-LD).
var httpsAccept = []string{"application/ld+json", "application/json;q=0.9"}

// FinalURLFetcher is an optional extension of Fetcher that also reports the
// URL the body was finally served from, after redirects. When the Fetcher
// given to HTTPSResolver (or FetchSameOrigin) implements it, a document
// served after a redirect to another origin is refused. *fetch.Client
// implements it.
type FinalURLFetcher interface {
	GetJSONFinal(ctx context.Context, url string, accept ...string) (body []byte, finalURL string, err error)
}

// HTTPSResolver resolves controller documents (issuer profiles) published at
// https URLs. Use it through ResolveMethod, or its own
// ResolveVerificationMethod:
//
//	https := &did.HTTPSResolver{Fetcher: client, Cache: fetch.NewCache[*did.Document](0, nil)}
//	vm, err := did.ResolveMethod(ctx, dids, https, proof.VerificationMethod, did.AssertionMethod)
type HTTPSResolver struct {
	// Fetcher performs the HTTPS GET; it should also implement
	// FinalURLFetcher (as *fetch.Client does) so that cross-origin
	// redirects are refused. Nil makes every resolution fail with
	// ErrResolution.
	Fetcher Fetcher
	// Cache, if non-nil, holds resolved documents by URL (without
	// fragment). Failures are never cached. It may be shared with a
	// WebResolver: DIDs and https URLs never collide as keys.
	Cache DocumentCache
	// TTL is how long a resolved document stays in Cache. Zero means
	// DefaultWebTTL (5 minutes); negative disables caching.
	TTL time.Duration
}

// HTTPSDocumentURL checks that vmURL is an https URL this package will
// dereference and returns it without its fragment (the URL to fetch and
// the id the document must have) and the fragment ("" when absent).
//
// Rules (errors wrap ErrInvalidURL): at most MaxDIDLength bytes; printable
// ASCII only (convert an IRI to a URI first); the scheme is written
// "https://" exactly (ids are compared as strings); it parses as a URL with
// a host and no userinfo; a "#" is followed by a non-empty fragment.
func HTTPSDocumentURL(vmURL string) (docURL, fragment string, err error) {
	if len(vmURL) > MaxDIDLength {
		return "", "", fmt.Errorf("%w: URL of %d bytes, longer than the %d-byte limit", ErrInvalidURL, len(vmURL), MaxDIDLength)
	}
	for i := 0; i < len(vmURL); i++ {
		if c := vmURL[i]; c <= ' ' || c >= 0x7f {
			return "", "", fmt.Errorf("%w: %s contains a control, space or non-ASCII byte", ErrInvalidURL, q(vmURL))
		}
	}
	if !strings.HasPrefix(vmURL, "https://") {
		return "", "", fmt.Errorf("%w: %s does not start with \"https://\"", ErrInvalidURL, q(vmURL))
	}
	docURL, fragment, hasFragment := strings.Cut(vmURL, "#")
	if hasFragment && fragment == "" {
		return "", "", fmt.Errorf("%w: %s has an empty fragment", ErrInvalidURL, q(vmURL))
	}
	u, err := url.Parse(docURL)
	if err != nil {
		return "", "", fmt.Errorf("%w: %s does not parse", ErrInvalidURL, q(vmURL))
	}
	if u.User != nil {
		return "", "", fmt.Errorf("%w: %s carries userinfo", ErrInvalidURL, q(vmURL))
	}
	if u.Hostname() == "" {
		return "", "", fmt.Errorf("%w: %s has no host", ErrInvalidURL, q(vmURL))
	}
	return docURL, fragment, nil
}

// Resolve fetches the controller document at rawURL (a fragment, if any, is
// dropped before fetching) with Accept "application/ld+json,
// application/json" and validates it:
//
//   - it was not served after a redirect to another origin (scheme, host
//     and port), when the Fetcher implements FinalURLFetcher: a document
//     is authoritative only for the origin that serves it;
//   - the body is strict JSON as for did:web (one object, valid UTF-8, no
//     duplicate member names even ignoring case, at most
//     MaxWebDocumentBytes, nesting bounded);
//   - Controlled Identifiers v1.0 §3.3 "Retrieve Verification Method": "If
//     the document id is not equal to the URL without the fragment, an
//     error MUST be raised" — id must equal the URL fetched, exactly;
//   - verification methods have an id and a type and unique ids; methods
//     embedded in verification relationships are lifted into
//     VerificationMethod and replaced by their ids (as for did:web).
//
// Errors wrap ErrInvalidURL, ErrResolution (fetch failures and cross-origin
// redirects, together with the Fetcher's error: "could not check") or
// ErrInvalidDocument. The returned Document is the caller's to modify.
func (r *HTTPSResolver) Resolve(ctx context.Context, rawURL string) (*Document, error) {
	docURL, _, err := HTTPSDocumentURL(rawURL)
	if err != nil {
		return nil, err
	}
	if r == nil || r.Fetcher == nil {
		return nil, fmt.Errorf("%w: resolve %s: no fetcher configured", ErrResolution, q(docURL))
	}
	if r.Cache != nil {
		if doc, ok := r.Cache.Get(docURL); ok && doc != nil && doc.ID == docURL {
			return cloneDocument(doc), nil
		}
	}
	data, err := FetchSameOrigin(ctx, r.Fetcher, docURL, httpsAccept...)
	if err != nil {
		return nil, err
	}
	doc, err := ParseControllerDocument(docURL, data)
	if err != nil {
		return nil, err
	}
	ttl := r.TTL
	if ttl == 0 {
		ttl = DefaultWebTTL
	}
	if r.Cache != nil && ttl > 0 {
		r.Cache.Put(docURL, doc, ttl)
	}
	return cloneDocument(doc), nil
}

// ResolveVerificationMethod dereferences the https verification method URL
// vmURL (e.g. "https://example.com/issuers/1#key-1") and returns the
// method, provided that it is listed under relationship; see
// Document.VerificationMethodFor for the rules. Strict by design: an issuer
// profile that lists keys under verificationMethod but no assertionMethod
// (the OB 3.0 IMPL quickstart profile, digest §10 item 1) authorises none
// of them, and yields ErrRelationship.
func (r *HTTPSResolver) ResolveVerificationMethod(ctx context.Context, vmURL, relationship string) (*VerificationMethod, error) {
	if _, _, err := HTTPSDocumentURL(vmURL); err != nil {
		return nil, err
	}
	if _, ok := (&Document{}).relationship(relationship); !ok {
		return nil, fmt.Errorf("%w: unknown verification relationship %s", ErrRelationship, q(relationship))
	}
	doc, err := r.Resolve(ctx, vmURL)
	if err != nil {
		return nil, err
	}
	return doc.VerificationMethodFor(vmURL, relationship)
}

// ResolveMethod dereferences a verification method URL of either kind: an
// "https://" URL with https (its controller document fetched over HTTPS),
// anything else as a DID URL with dids (ResolveVerificationMethod; nil
// means Offline). A nil https makes https URLs fail with
// ErrUnsupportedMethod ("could not check"), as an unregistered DID method
// would; "http://" URLs are refused with ErrInvalidURL.
func ResolveMethod(ctx context.Context, dids Resolver, https *HTTPSResolver, vmURL, relationship string) (*VerificationMethod, error) {
	switch {
	case strings.HasPrefix(vmURL, "https://"):
		if https == nil {
			return nil, fmt.Errorf("%w: %s: no HTTPS resolver configured", ErrUnsupportedMethod, q(vmURL))
		}
		return https.ResolveVerificationMethod(ctx, vmURL, relationship)
	case len(vmURL) >= 7 && strings.EqualFold(vmURL[:7], "http://"), len(vmURL) >= 8 && strings.EqualFold(vmURL[:8], "https://"):
		return nil, fmt.Errorf("%w: %s: only lower-case https:// URLs are dereferenced", ErrInvalidURL, q(vmURL))
	}
	return ResolveVerificationMethod(ctx, dids, vmURL, relationship)
}

// ParseControllerDocument validates data as the controller document served
// at docURL (an https URL without fragment), with the rules listed on
// HTTPSResolver.Resolve (except the redirect check, which needs the fetch).
// It does no I/O. Errors wrap ErrInvalidURL or ErrInvalidDocument.
func ParseControllerDocument(docURL string, data []byte) (*Document, error) {
	u, fragment, err := HTTPSDocumentURL(docURL)
	if err != nil {
		return nil, err
	}
	if fragment != "" || u != docURL {
		return nil, fmt.Errorf("%w: document URL %s has a fragment", ErrInvalidURL, q(docURL))
	}
	// The checks are did:web's: strict JSON, size, id equality, embedded
	// methods lifted, unique method ids.
	return parseWebDocument(docURL, data)
}

// VerificationMethodFor returns the verification method vmURL of d (whose
// id is vmURL without the fragment), provided that it is listed under
// relationship. Following Controlled Identifiers v1.0 §3.3 "Retrieve
// Verification Method":
//
//   - the document id must be vmURL without its fragment (ErrInvalidDocument);
//   - a method whose id (after resolving "#fragment" against d.ID) equals
//     vmURL must exist (ErrNotFound); a URL without fragment is accepted
//     when d has exactly one method;
//   - "if verificationMethod.controller does not match the id of the
//     controller document, an error MUST be raised" (ErrRelationship);
//   - the method must be associated with relationship, by id or embedded
//     (ErrRelationship); no relationship is implied by listing a method.
//
// The returned method is a copy whose ID is absolute.
func (d *Document) VerificationMethodFor(vmURL, relationship string) (*VerificationMethod, error) {
	if d == nil {
		return nil, fmt.Errorf("%w: no document", ErrInvalidDocument)
	}
	refs, ok := d.relationship(relationship)
	if !ok {
		return nil, fmt.Errorf("%w: unknown verification relationship %s", ErrRelationship, q(relationship))
	}
	docID, fragment, hasFragment := strings.Cut(vmURL, "#")
	if d.ID != docID {
		return nil, fmt.Errorf("%w: document id %s is not %s", ErrInvalidDocument, q(d.ID), q(docID))
	}
	var vm *VerificationMethod
	if !hasFragment {
		if len(d.VerificationMethod) != 1 {
			return nil, fmt.Errorf("%w: %s has %d verification methods; a fragment is needed to pick one", ErrNotFound, q(docID), len(d.VerificationMethod))
		}
		vm = &d.VerificationMethod[0]
	} else {
		for i := range d.VerificationMethod {
			if absolute(d.ID, d.VerificationMethod[i].ID) == vmURL {
				vm = &d.VerificationMethod[i]
				break
			}
		}
		if vm == nil {
			return nil, fmt.Errorf("%w: %s is not in the controller document %s", ErrNotFound, q("#"+fragment), q(docID))
		}
	}
	vmID := absolute(d.ID, vm.ID)
	if vm.Controller != d.ID {
		return nil, fmt.Errorf("%w: verification method %s has controller %s, not %s", ErrRelationship, q(vmID), q(vm.Controller), q(d.ID))
	}
	for _, ref := range refs {
		if absolute(d.ID, ref) == vmID {
			out := *vm
			out.ID = vmID
			return &out, nil
		}
	}
	return nil, fmt.Errorf("%w: verification method %s is not listed under %s", ErrRelationship, q(vmID), relationship)
}

// FetchSameOrigin GETs rawURL with f and returns the body. When f
// implements FinalURLFetcher, a body served after a redirect to another
// origin (scheme, host, port) is refused: whoever answers for another
// origin cannot speak for this one. Errors wrap ErrResolution, and the
// Fetcher's error when there is one.
func FetchSameOrigin(ctx context.Context, f Fetcher, rawURL string, accept ...string) ([]byte, error) {
	if f == nil {
		return nil, fmt.Errorf("%w: get %s: no fetcher configured", ErrResolution, q(rawURL))
	}
	ff, ok := f.(FinalURLFetcher)
	if !ok {
		data, err := f.GetJSON(ctx, rawURL, accept...)
		if err != nil {
			return nil, fmt.Errorf("%w: get %s: %w", ErrResolution, q(rawURL), err)
		}
		return data, nil
	}
	data, final, err := ff.GetJSONFinal(ctx, rawURL, accept...)
	if err != nil {
		return nil, fmt.Errorf("%w: get %s: %w", ErrResolution, q(rawURL), err)
	}
	if final != "" && !sameOrigin(rawURL, final) {
		return nil, fmt.Errorf("%w: get %s: redirected to another origin (%s)", ErrResolution, q(rawURL), q(final))
	}
	return data, nil
}

// sameOrigin reports whether two absolute URLs share scheme, host (ignoring
// case) and port (the scheme's default when absent).
func sameOrigin(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) &&
		strings.EqualFold(ua.Hostname(), ub.Hostname()) &&
		port(ua) == port(ub)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return "443"
	case "http":
		return "80"
	}
	return ""
}

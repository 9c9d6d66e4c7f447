package did

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blason-badges/blason/internal/limits"
)

// This file implements the did:web method
// (https://w3c-ccg.github.io/did-method-web/, "did:web Method
// Specification", W3C CCG). The network is reached only through the
// Fetcher the caller supplies (in Blason, the hardened *fetch.Client).

// DefaultWebTTL is how long a WebResolver caches a resolved document when
// its TTL field is zero.
const DefaultWebTTL = 5 * time.Minute

// MaxWebDocumentBytes bounds the DID documents WebResolver parses, whatever
// the Fetcher's own limit.
const MaxWebDocumentBytes = limits.DIDDocumentBytes

// maxJSONDepth bounds the nesting of a did:web document.
const maxJSONDepth = limits.DIDDocumentDepth

// webAccept is the Accept header sent for did:web documents (DID Core §6:
// application/did+json, application/did+ld+json; plain JSON as served by
// most web servers).
var webAccept = []string{"application/did+json", "application/did+ld+json;q=0.9", "application/json;q=0.8"}

// Errors of did:web resolution (in addition to ErrInvalidDID and
// ErrUnsupportedMethod for the DID itself).
var (
	// ErrResolution reports a DID document that could not be retrieved:
	// the Fetcher failed (network, TLS, HTTP status, size, content type,
	// timeout …). The Fetcher's error is wrapped as well, so callers can
	// also test for its own sentinels (fetch.ErrTimeout, …). A verifier
	// should report this as "could not check", not as a forgery.
	ErrResolution = errors.New("did: DID document could not be retrieved")
	// ErrInvalidDocument reports a retrieved DID document that is not
	// acceptable: not strict JSON (duplicate members, trailing data,
	// invalid UTF-8), too large, malformed members, or an id that is not
	// the DID resolved.
	ErrInvalidDocument = errors.New("did: invalid DID document")
)

// Fetcher retrieves a JSON resource over the network. *fetch.Client
// satisfies it; it must enforce https, timeouts, a size cap and the
// private-address guard. accept values form the Accept header.
type Fetcher interface {
	GetJSON(ctx context.Context, url string, accept ...string) ([]byte, error)
}

// DocumentCache stores resolved DID documents by DID with a time to live.
// *fetch.Cache[*did.Document] satisfies it. Implementations must be safe
// for concurrent use. WebResolver stores documents it will never modify and
// hands callers copies.
type DocumentCache interface {
	Get(did string) (*Document, bool)
	Put(did string, doc *Document, ttl time.Duration)
}

// WebResolver resolves did:web DIDs. Register it under "web" in a
// MultiResolver:
//
//	r := did.MultiResolver{"key": did.Offline, "jwk": did.Offline, "web": &did.WebResolver{Fetcher: client, Cache: cache}}
type WebResolver struct {
	// Fetcher performs the HTTPS GET. Nil makes every resolution fail
	// with ErrResolution.
	Fetcher Fetcher
	// Cache, if non-nil, holds resolved documents by DID. Failures are
	// never cached.
	Cache DocumentCache
	// TTL is how long a resolved document stays in Cache. Zero means
	// DefaultWebTTL (5 minutes); negative disables caching.
	TTL time.Duration
}

// Resolve resolves a did:web DID following the method's Read operation:
// it builds the URL with WebDocumentURL, fetches it with r.Fetcher and
// validates the document:
//
//   - the body must be strict JSON: a single object, valid UTF-8, no
//     duplicate member names (members differing only in letter case count
//     as duplicates, since encoding/json matches them case-insensitively),
//     at most MaxWebDocumentBytes;
//   - did:web Read step: "verify that the ID of the resolved DID document
//     matches the Web DID being resolved" — id must equal did exactly;
//   - every verification method has an id and a type, and no two share an
//     id (dereferencing would be ambiguous);
//   - verification relationships may list method ids (absolute, or
//     relative "#fragment") or embed method objects (DID Core §5.3
//     "Verification Relationships"); embedded methods are lifted into
//     Document.VerificationMethod and replaced by their ids, so
//     ResolveVerificationMethod handles both forms. Whether a method's
//     controller is the DID is checked by ResolveVerificationMethod.
//
// Errors wrap ErrUnsupportedMethod, ErrInvalidDID, ErrResolution (together
// with the Fetcher's error) or ErrInvalidDocument. The returned Document is
// the caller's to modify.
func (r *WebResolver) Resolve(ctx context.Context, did string) (*Document, error) {
	u, err := WebDocumentURL(did)
	if err != nil {
		return nil, err
	}
	if r == nil || r.Fetcher == nil {
		return nil, fmt.Errorf("%w: resolve %s: no fetcher configured", ErrResolution, q(did))
	}
	if r.Cache != nil {
		if doc, ok := r.Cache.Get(did); ok && doc != nil && doc.ID == did {
			return cloneDocument(doc), nil
		}
	}
	data, err := r.Fetcher.GetJSON(ctx, u, webAccept...)
	if err != nil {
		return nil, fmt.Errorf("%w: resolve %s: %w", ErrResolution, q(did), err)
	}
	doc, err := parseWebDocument(did, data)
	if err != nil {
		return nil, err
	}
	if ttl := r.ttl(); r.Cache != nil && ttl > 0 {
		r.Cache.Put(did, doc, ttl)
	}
	return cloneDocument(doc), nil
}

func (r *WebResolver) ttl() time.Duration {
	if r.TTL == 0 {
		return DefaultWebTTL
	}
	return r.TTL
}

// WebDocumentURL returns the https URL of the DID document of a did:web
// DID, per the did:web Read operation:
//
//  1. "Replace ":" with "/" in the method specific identifier to obtain the
//     fully qualified domain name and optional path."
//  2. "If the domain contains a port percent decode the colon."
//  3. "Generate an HTTPS URL to the expected location of the DID document
//     by prepending https://."
//  4. "If no path has been specified in the URL, append /.well-known."
//  5. "Append /did.json to complete the URL."
//
// So did:web:example.com → https://example.com/.well-known/did.json,
// did:web:example.com:user:alice → https://example.com/user/alice/did.json
// and did:web:localhost%3A8443 → https://localhost:8443/.well-known/did.json.
//
// It is deliberately stricter than string substitution. The method-specific
// identifier "MUST NOT include IP addresses": a host that is, or that a URL
// parser would read as, an IPv4 address (last label numeric, e.g. 127.1,
// 2130706433, 0x7f000001) is rejected. The host must be a DNS name (labels
// of letters, digits and inner hyphens, at most 63 bytes each, 253 in all,
// no empty label). The only percent-encoding decoded is the port colon
// "%3A" (port 1–65535, no leading zero); any other (e.g. "%40" for
// userinfo, "%2F" or "%2E%2E" in a path) is rejected. Path segments must be
// non-empty, may contain letters, digits, ".", "-" and "_", and may not be
// "." or "..". Errors wrap ErrInvalidDID, or ErrUnsupportedMethod for
// another method.
func WebDocumentURL(did string) (string, error) {
	method, id, err := parseDID(did)
	if err != nil {
		return "", err
	}
	if method != "web" {
		return "", fmt.Errorf("%w: %s is not a did:web DID", ErrUnsupportedMethod, q(did))
	}
	segs := strings.Split(id, ":")
	host, err := webHost(segs[0])
	if err != nil {
		return "", fmt.Errorf("%w: %s: %s", ErrInvalidDID, q(did), err)
	}
	var b strings.Builder
	b.WriteString("https://")
	b.WriteString(host)
	if len(segs) == 1 {
		b.WriteString("/.well-known")
	}
	for _, s := range segs[1:] {
		if err := webPathSegment(s); err != nil {
			return "", fmt.Errorf("%w: %s: %s", ErrInvalidDID, q(did), err)
		}
		b.WriteByte('/')
		b.WriteString(s)
	}
	b.WriteString("/did.json")
	return b.String(), nil
}

// webHost validates the first segment of a did:web identifier and returns
// it with the port colon decoded. Errors are plain reasons.
func webHost(seg string) (string, error) {
	name, port := seg, ""
	if i := strings.Index(strings.ToLower(seg), "%3a"); i >= 0 {
		name, port = seg[:i], seg[i+3:]
		if err := webPort(port); err != nil {
			return "", err
		}
	}
	if name == "" {
		return "", errors.New("empty host")
	}
	if strings.Contains(name, "%") {
		return "", errors.New("percent-encoding in the host other than the port colon")
	}
	if len(name) > 253 {
		return "", errors.New("host longer than 253 bytes")
	}
	labels := strings.Split(name, ".")
	for _, l := range labels {
		if l == "" {
			return "", fmt.Errorf("host %s has an empty label", strconv.Quote(name))
		}
		if len(l) > 63 {
			return "", fmt.Errorf("host %s has a label longer than 63 bytes", q(name))
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return "", fmt.Errorf("host %s has a label starting or ending with '-'", q(name))
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return "", fmt.Errorf("host %s contains %q", q(name), rune(c))
			}
		}
	}
	if looksNumeric(labels[len(labels)-1]) {
		return "", fmt.Errorf("host %s is an IP address (did:web forbids them)", q(name))
	}
	if port != "" {
		return name + ":" + port, nil
	}
	return name, nil
}

// looksNumeric reports whether a last host label would make a URL parser
// (WHATWG "ends in a number") read the host as an IPv4 address: all
// decimal digits, or 0x/0X followed by hex digits.
func looksNumeric(l string) bool {
	if h, ok := strings.CutPrefix(strings.ToLower(l), "0x"); ok {
		for i := 0; i < len(h); i++ {
			if !isHex(h[i]) {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(l); i++ {
		if l[i] < '0' || l[i] > '9' {
			return false
		}
	}
	return true
}

func webPort(p string) error {
	if p == "" {
		return errors.New("empty port after %3A")
	}
	if p[0] == '0' || len(p) > 5 {
		return fmt.Errorf("invalid port %s", q(p))
	}
	n := 0
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return fmt.Errorf("invalid port %s", q(p))
		}
		n = n*10 + int(p[i]-'0')
	}
	if n > 65535 {
		return fmt.Errorf("port %d out of range", n)
	}
	return nil
}

func webPathSegment(s string) error {
	switch s {
	case "":
		return errors.New("empty path segment")
	case ".", "..":
		return fmt.Errorf("path segment %s", strconv.Quote(s))
	}
	if strings.Contains(s, "%") {
		return fmt.Errorf("percent-encoding in path segment %s", q(s))
	}
	return nil // other characters were restricted to DID idchars by parseDID
}

// webDocument mirrors Document with relationships kept raw, so that
// embedded verification methods can be lifted out.
type webDocument struct {
	Context              any                  `json:"@context"`
	ID                   string               `json:"id"`
	Controller           any                  `json:"controller,omitempty"`
	AlsoKnownAs          []string             `json:"alsoKnownAs,omitempty"`
	VerificationMethod   []VerificationMethod `json:"verificationMethod,omitempty"`
	Authentication       []json.RawMessage    `json:"authentication,omitempty"`
	AssertionMethod      []json.RawMessage    `json:"assertionMethod,omitempty"`
	KeyAgreement         []json.RawMessage    `json:"keyAgreement,omitempty"`
	CapabilityInvocation []json.RawMessage    `json:"capabilityInvocation,omitempty"`
	CapabilityDelegation []json.RawMessage    `json:"capabilityDelegation,omitempty"`
}

// parseWebDocument validates data as the DID document of did (see
// WebResolver.Resolve) and normalises embedded verification methods.
func parseWebDocument(did string, data []byte) (*Document, error) {
	if len(data) > MaxWebDocumentBytes {
		return nil, fmt.Errorf("%w: document of %s is %d bytes, over the %d-byte limit", ErrInvalidDocument, q(did), len(data), MaxWebDocumentBytes)
	}
	if err := checkStrictJSON(data); err != nil {
		return nil, fmt.Errorf("%w: document of %s: %s", ErrInvalidDocument, q(did), err)
	}
	var raw webDocument
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%w: document of %s: %s", ErrInvalidDocument, q(did), jsonReason(err))
	}
	// did:web Read: "verify that the ID of the resolved DID document
	// matches the Web DID being resolved".
	if raw.ID != did {
		return nil, fmt.Errorf("%w: document id %s does not match the DID resolved, %s", ErrInvalidDocument, q(raw.ID), q(did))
	}
	doc := &Document{
		Context:            raw.Context,
		ID:                 raw.ID,
		Controller:         raw.Controller,
		AlsoKnownAs:        raw.AlsoKnownAs,
		VerificationMethod: raw.VerificationMethod,
	}
	rels := []struct {
		name string
		in   []json.RawMessage
		out  *[]string
	}{
		{Authentication, raw.Authentication, &doc.Authentication},
		{AssertionMethod, raw.AssertionMethod, &doc.AssertionMethod},
		{KeyAgreement, raw.KeyAgreement, &doc.KeyAgreement},
		{CapabilityInvocation, raw.CapabilityInvocation, &doc.CapabilityInvocation},
		{CapabilityDelegation, raw.CapabilityDelegation, &doc.CapabilityDelegation},
	}
	for _, rel := range rels {
		for i, item := range rel.in {
			item = bytes.TrimSpace(item)
			switch {
			case len(item) > 0 && item[0] == '"':
				var ref string
				if err := json.Unmarshal(item, &ref); err != nil || ref == "" {
					return nil, fmt.Errorf("%w: document of %s: %s[%d] is not a verification method id", ErrInvalidDocument, q(did), rel.name, i)
				}
				*rel.out = append(*rel.out, ref)
			case len(item) > 0 && item[0] == '{':
				// DID Core §5.3: a relationship entry may embed a
				// verification method; lift it out, keep its id.
				var vm VerificationMethod
				if err := json.Unmarshal(item, &vm); err != nil {
					return nil, fmt.Errorf("%w: document of %s: %s[%d]: %s", ErrInvalidDocument, q(did), rel.name, i, jsonReason(err))
				}
				if vm.ID == "" {
					return nil, fmt.Errorf("%w: document of %s: embedded verification method %s[%d] has no id", ErrInvalidDocument, q(did), rel.name, i)
				}
				doc.VerificationMethod = append(doc.VerificationMethod, vm)
				*rel.out = append(*rel.out, vm.ID)
			default:
				return nil, fmt.Errorf("%w: document of %s: %s[%d] is neither an id nor a verification method", ErrInvalidDocument, q(did), rel.name, i)
			}
		}
	}
	seen := make(map[string]bool, len(doc.VerificationMethod))
	for i := range doc.VerificationMethod {
		vm := &doc.VerificationMethod[i]
		if vm.ID == "" || vm.Type == "" {
			return nil, fmt.Errorf("%w: document of %s: verification method %d lacks an id or a type", ErrInvalidDocument, q(did), i)
		}
		abs := absolute(doc.ID, vm.ID)
		if seen[abs] {
			return nil, fmt.Errorf("%w: document of %s: two verification methods have id %s", ErrInvalidDocument, q(did), q(abs))
		}
		seen[abs] = true
	}
	return doc, nil
}

// jsonReason shortens an encoding/json error for a message (type errors
// would otherwise echo Go type names only).
func jsonReason(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("member %s has the wrong JSON type (%s)", q(te.Field), te.Value)
	}
	return err.Error()
}

// checkStrictJSON accepts exactly one JSON object in valid UTF-8, nested at
// most maxJSONDepth deep, in which no object has two members whose names
// are equal ignoring letter case. encoding/json would silently keep the
// last of two duplicates, and match "ID" to the id member, so a document
// could show one id to one parser and another to the next.
func checkStrictJSON(data []byte) error {
	if !utf8.Valid(data) {
		return errors.New("not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("not JSON: %s", jsonReason(err))
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("not a JSON object")
	}
	if err := checkObject(dec, 1); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// checkObject consumes the members of an object whose '{' was read.
func checkObject(dec *json.Decoder, depth int) error {
	if depth > maxJSONDepth {
		return fmt.Errorf("nested deeper than %d levels", maxJSONDepth)
	}
	seen := make(map[string]bool)
	for {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("not JSON: %s", jsonReason(err))
		}
		if d, ok := tok.(json.Delim); ok && d == '}' {
			return nil
		}
		key, ok := tok.(string)
		if !ok {
			return errors.New("not JSON: member name expected")
		}
		folded := strings.ToLower(key)
		if seen[folded] {
			return fmt.Errorf("duplicate member %s", q(key))
		}
		seen[folded] = true
		if err := checkValue(dec, depth); err != nil {
			return err
		}
	}
}

// checkValue consumes one JSON value.
func checkValue(dec *json.Decoder, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("not JSON: %s", jsonReason(err))
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	switch d {
	case '{':
		return checkObject(dec, depth+1)
	case '[':
		if depth+1 > maxJSONDepth {
			return fmt.Errorf("nested deeper than %d levels", maxJSONDepth)
		}
		for dec.More() {
			if err := checkValue(dec, depth+1); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil { // ']'
			return fmt.Errorf("not JSON: %s", jsonReason(err))
		}
		return nil
	}
	return errors.New("not JSON: unexpected delimiter")
}

// cloneDocument returns a deep copy of doc, so that callers cannot modify
// a cached document.
func cloneDocument(doc *Document) *Document {
	out := *doc
	out.Context = cloneJSONValue(doc.Context)
	out.Controller = cloneJSONValue(doc.Controller)
	out.AlsoKnownAs = cloneStrings(doc.AlsoKnownAs)
	if doc.VerificationMethod != nil {
		out.VerificationMethod = make([]VerificationMethod, len(doc.VerificationMethod))
		for i, vm := range doc.VerificationMethod {
			if vm.PublicKeyJwk != nil {
				vm.PublicKeyJwk = append(json.RawMessage(nil), vm.PublicKeyJwk...)
			}
			out.VerificationMethod[i] = vm
		}
	}
	out.Authentication = cloneStrings(doc.Authentication)
	out.AssertionMethod = cloneStrings(doc.AssertionMethod)
	out.KeyAgreement = cloneStrings(doc.KeyAgreement)
	out.CapabilityInvocation = cloneStrings(doc.CapabilityInvocation)
	out.CapabilityDelegation = cloneStrings(doc.CapabilityDelegation)
	return &out
}

func cloneStrings(s []string) []string {
	if s == nil {
		return nil
	}
	return append([]string(nil), s...)
}

// cloneJSONValue deep-copies a value produced by encoding/json.
func cloneJSONValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = cloneJSONValue(e)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, e := range v {
			s[i] = cloneJSONValue(e)
		}
		return s
	default:
		return v
	}
}

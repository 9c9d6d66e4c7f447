package did

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/blason-badges/blason/internal/limits"
	"github.com/blason-badges/blason/internal/multibase"
)

// MaxDIDLength is the longest DID or DID URL (in bytes) this package will
// parse or resolve. It comfortably fits every did:key and a did:jwk for an
// RSA-8192 key; longer input is rejected with ErrInvalidDID before any
// decoding work is done.
const MaxDIDLength = limits.DIDLength

// Verification relationship names (DID Core §5.3).
const (
	AssertionMethod      = "assertionMethod"
	Authentication       = "authentication"
	CapabilityInvocation = "capabilityInvocation"
	CapabilityDelegation = "capabilityDelegation"
	KeyAgreement         = "keyAgreement"
)

// JSON-LD contexts used in the documents produced by the offline resolvers.
const (
	ContextDIDv1     = "https://www.w3.org/ns/did/v1"
	ContextMultikey  = "https://w3id.org/security/multikey/v1"
	ContextJWS2020v1 = "https://w3id.org/security/suites/jws-2020/v1"
)

// Verification method types.
const (
	TypeMultikey                   = "Multikey"
	TypeEd25519VerificationKey2020 = "Ed25519VerificationKey2020"
	// TypeEd25519VerificationKey2018 carries a raw Ed25519 key as
	// publicKeyBase58 (the keys behind Ed25519Signature2018 proofs).
	TypeEd25519VerificationKey2018 = "Ed25519VerificationKey2018"
	TypeJsonWebKey2020             = "JsonWebKey2020"
	TypeJsonWebKey                 = "JsonWebKey"
)

// Document is a DID document (DID Core §5) restricted to the members Blason
// uses. Verification relationships are lists of verification method IDs;
// embedded verification methods are not supported yet.
type Document struct {
	Context              any                  `json:"@context"`
	ID                   string               `json:"id"`
	Controller           any                  `json:"controller,omitempty"`
	AlsoKnownAs          []string             `json:"alsoKnownAs,omitempty"`
	VerificationMethod   []VerificationMethod `json:"verificationMethod,omitempty"`
	Authentication       []string             `json:"authentication,omitempty"`
	AssertionMethod      []string             `json:"assertionMethod,omitempty"`
	KeyAgreement         []string             `json:"keyAgreement,omitempty"`
	CapabilityInvocation []string             `json:"capabilityInvocation,omitempty"`
	CapabilityDelegation []string             `json:"capabilityDelegation,omitempty"`
}

// VerificationMethod is a DID Core §5.2 verification method carrying either
// a publicKeyMultibase (types Multikey, Ed25519VerificationKey2020) or a
// publicKeyJwk (types JsonWebKey2020, JsonWebKey).
type VerificationMethod struct {
	ID                 string          `json:"id"`
	Type               string          `json:"type"`
	Controller         string          `json:"controller"`
	PublicKeyMultibase string          `json:"publicKeyMultibase,omitempty"`
	PublicKeyBase58    string          `json:"publicKeyBase58,omitempty"`
	PublicKeyJwk       json.RawMessage `json:"publicKeyJwk,omitempty"`
}

// PublicKey parses the verification method's key material into an
// ed25519.PublicKey, *ecdsa.PublicKey or (Multikey or JWK) *rsa.PublicKey.
//
// DID Core §5.2.1: "A verification method MUST NOT contain multiple
// verification material properties for the same material." A method with
// both or neither of publicKeyMultibase and publicKeyJwk is rejected, as is
// a type that does not match the property present.
func (vm *VerificationMethod) PublicKey() (crypto.PublicKey, error) {
	if vm == nil {
		return nil, fmt.Errorf("%w: nil verification method", ErrInvalidKey)
	}
	hasMB, hasJWK, hasB58 := vm.PublicKeyMultibase != "", len(vm.PublicKeyJwk) > 0, vm.PublicKeyBase58 != ""
	var present []string
	for _, p := range []struct {
		has  bool
		name string
	}{{hasMB, "publicKeyMultibase"}, {hasJWK, "publicKeyJwk"}, {hasB58, "publicKeyBase58"}} {
		if p.has {
			present = append(present, p.name)
		}
	}
	switch len(present) {
	case 0, 1:
	default:
		return nil, fmt.Errorf("%w: verification method %s has both %s", ErrInvalidKey, q(vm.ID), strings.Join(present, " and "))
	}
	switch {
	case len(present) == 0:
		return nil, fmt.Errorf("%w: verification method %s has no public key", ErrInvalidKey, q(vm.ID))
	}
	switch vm.Type {
	case TypeEd25519VerificationKey2018:
		// Ed25519 Signature 2018: "publicKeyBase58": the 32 key bytes in
		// base58btc, no multicodec header.
		if !hasB58 {
			return nil, fmt.Errorf("%w: %s verification method %s lacks publicKeyBase58", ErrInvalidKey, vm.Type, q(vm.ID))
		}
		raw, err := multibase.Decode("z" + vm.PublicKeyBase58)
		if err != nil || len(raw) != ed25519.PublicKeySize || !ed25519OnCurve(raw) {
			return nil, fmt.Errorf("%w: Ed25519VerificationKey2018 %s: publicKeyBase58 is not an Ed25519 public key", ErrInvalidKey, q(vm.ID))
		}
		return ed25519.PublicKey(raw), nil
	case TypeMultikey, TypeEd25519VerificationKey2020:
		if !hasMB {
			return nil, fmt.Errorf("%w: %s verification method %s lacks publicKeyMultibase", ErrInvalidKey, vm.Type, q(vm.ID))
		}
		pub, err := DecodePublicMultikey(vm.PublicKeyMultibase)
		if err != nil {
			return nil, err
		}
		if vm.Type == TypeEd25519VerificationKey2020 && !isEd25519(pub) {
			return nil, fmt.Errorf("%w: Ed25519VerificationKey2020 %s holds a non-Ed25519 key", ErrInvalidKey, q(vm.ID))
		}
		return pub, nil
	case TypeJsonWebKey2020, TypeJsonWebKey:
		if !hasJWK {
			return nil, fmt.Errorf("%w: %s verification method %s lacks publicKeyJwk", ErrInvalidKey, vm.Type, q(vm.ID))
		}
		pub, _, err := parsePublicJWK(vm.PublicKeyJwk)
		return pub, err
	default:
		return nil, fmt.Errorf("%w: unsupported verification method type %s", ErrInvalidKey, q(vm.Type))
	}
}

// Resolver resolves DIDs to DID documents. It is the seam where network
// methods such as did:web plug in; implementations that do I/O must honour
// ctx. Resolve takes a bare DID (no path, query or fragment) and returns an
// error wrapping ErrUnsupportedMethod for methods it does not handle.
type Resolver interface {
	Resolve(ctx context.Context, did string) (*Document, error)
}

// MultiResolver dispatches on the DID method name ("key", "jwk", "web", …).
// A MultiResolver must not be modified while in use.
type MultiResolver map[string]Resolver

// Resolve validates did's syntax and delegates to the resolver registered
// for its method, or returns an error wrapping ErrUnsupportedMethod.
func (m MultiResolver) Resolve(ctx context.Context, did string) (*Document, error) {
	method, _, err := parseDID(did)
	if err != nil {
		return nil, err
	}
	r, ok := m[method]
	if !ok || r == nil {
		return nil, fmt.Errorf("%w: %s (method %q)", ErrUnsupportedMethod, q(did), method)
	}
	return r.Resolve(ctx, did)
}

// offlineMethods backs Offline; it is never modified.
var offlineMethods = MultiResolver{
	"key": KeyResolver{},
	"jwk": JWKResolver{},
}

type offline struct{}

func (offline) Resolve(ctx context.Context, did string) (*Document, error) {
	return offlineMethods.Resolve(ctx, did)
}

// Offline resolves did:key and did:jwk without any I/O. Other methods yield
// ErrUnsupportedMethod. Combine it with network resolvers via MultiResolver:
//
//	r := did.MultiResolver{"key": did.KeyResolver{}, "jwk": did.JWKResolver{}, "web": web}
var Offline Resolver = offline{}

// parseDID checks DID Core §3.1 syntax for a bare DID:
//
//	did                = "did:" method-name ":" method-specific-id
//	method-name        = 1*method-char
//	method-char        = %x61-7A / DIGIT
//	method-specific-id = *( *idchar ":" ) 1*idchar
//	idchar             = ALPHA / DIGIT / "." / "-" / "_" / pct-encoded
//
// and returns the method name and method-specific identifier. Input longer
// than MaxDIDLength is rejected.
func parseDID(did string) (method, id string, err error) {
	if did == "" {
		return "", "", fmt.Errorf("%w: empty string", ErrInvalidDID)
	}
	if len(did) > MaxDIDLength {
		return "", "", fmt.Errorf("%w: %s is %d bytes, longer than the %d-byte limit", ErrInvalidDID, q(did), len(did), MaxDIDLength)
	}
	rest, ok := strings.CutPrefix(did, "did:")
	if !ok {
		return "", "", fmt.Errorf("%w: %s does not start with \"did:\"", ErrInvalidDID, q(did))
	}
	method, id, ok = strings.Cut(rest, ":")
	if !ok || method == "" {
		return "", "", fmt.Errorf("%w: %s lacks a method name", ErrInvalidDID, q(did))
	}
	for i := 0; i < len(method); i++ {
		if c := method[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return "", "", fmt.Errorf("%w: %s has invalid method name %s", ErrInvalidDID, q(did), q(method))
		}
	}
	if id == "" || id[len(id)-1] == ':' {
		return "", "", fmt.Errorf("%w: %s has an empty method-specific identifier", ErrInvalidDID, q(did))
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '.', c == '-', c == '_', c == ':':
		case c == '%':
			if i+2 >= len(id) || !isHex(id[i+1]) || !isHex(id[i+2]) {
				return "", "", fmt.Errorf("%w: %s has a malformed percent-encoding", ErrInvalidDID, q(did))
			}
			i += 2
		default:
			return "", "", fmt.Errorf("%w: %s contains %q, not allowed in a DID", ErrInvalidDID, q(did), rune(c))
		}
	}
	return method, id, nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// absolute resolves a DID URL reference found in doc (which may be a
// relative "#fragment") against the document's id.
func absolute(docID, ref string) string {
	if strings.HasPrefix(ref, "#") {
		return docID + ref
	}
	return ref
}

// relationship returns the verification method references listed in doc
// under name, or ok=false for an unknown relationship name.
func (d *Document) relationship(name string) (refs []string, ok bool) {
	switch name {
	case AssertionMethod:
		return d.AssertionMethod, true
	case Authentication:
		return d.Authentication, true
	case CapabilityInvocation:
		return d.CapabilityInvocation, true
	case CapabilityDelegation:
		return d.CapabilityDelegation, true
	case KeyAgreement:
		return d.KeyAgreement, true
	}
	return nil, false
}

// ResolveVerificationMethod dereferences the DID URL vmURL (e.g.
// "did:key:z6Mk…#z6Mk…") with r and returns the verification method,
// provided it is listed under relationship ("assertionMethod",
// "authentication", "capabilityInvocation", "capabilityDelegation" or
// "keyAgreement"). A bare DID is accepted when its document has exactly one
// verification method. A nil r means Offline.
//
// Following Controlled Identifiers v1.0 §3.3 "Retrieve Verification
// Method": the resolved document's id must equal the DID, the method's id
// must equal vmURL (after resolving relative references), "if
// verificationMethod.controller does not match the id of the controller
// document, an error MUST be raised", and the method must be associated
// with the requested verification relationship. Errors wrap ErrInvalidDID,
// ErrNotFound or ErrRelationship (or whatever r returned).
func ResolveVerificationMethod(ctx context.Context, r Resolver, vmURL string, relationship string) (*VerificationMethod, error) {
	if r == nil {
		r = Offline
	}
	if len(vmURL) > MaxDIDLength {
		return nil, fmt.Errorf("%w: DID URL %s is %d bytes, longer than the %d-byte limit", ErrInvalidDID, q(vmURL), len(vmURL), MaxDIDLength)
	}
	did, fragment, hasFragment := strings.Cut(vmURL, "#")
	if hasFragment && fragment == "" {
		return nil, fmt.Errorf("%w: DID URL %s has an empty fragment", ErrInvalidDID, q(vmURL))
	}
	if _, _, err := parseDID(did); err != nil {
		return nil, err
	}
	if _, ok := (&Document{}).relationship(relationship); !ok {
		return nil, fmt.Errorf("%w: unknown verification relationship %s", ErrRelationship, q(relationship))
	}
	doc, err := r.Resolve(ctx, did)
	if err != nil {
		return nil, err
	}
	if doc == nil || doc.ID != did {
		return nil, fmt.Errorf("%w: resolver returned a document for another DID than %s", ErrInvalidDID, q(did))
	}
	refs, _ := doc.relationship(relationship)

	var vm *VerificationMethod
	if !hasFragment {
		if len(doc.VerificationMethod) != 1 {
			return nil, fmt.Errorf("%w: %s has %d verification methods; a fragment is needed to pick one", ErrNotFound, q(did), len(doc.VerificationMethod))
		}
		vm = &doc.VerificationMethod[0]
	} else {
		for i := range doc.VerificationMethod {
			if absolute(doc.ID, doc.VerificationMethod[i].ID) == vmURL {
				vm = &doc.VerificationMethod[i]
				break
			}
		}
		if vm == nil {
			return nil, fmt.Errorf("%w: %s is not in the DID document of %s", ErrNotFound, q("#"+fragment), q(did))
		}
	}
	vmID := absolute(doc.ID, vm.ID)
	if vm.Controller != doc.ID {
		return nil, fmt.Errorf("%w: verification method %s has controller %s, not %s", ErrRelationship, q(vmID), q(vm.Controller), q(doc.ID))
	}
	for _, ref := range refs {
		if absolute(doc.ID, ref) == vmID {
			out := *vm
			out.ID = vmID
			return &out, nil
		}
	}
	return nil, fmt.Errorf("%w: verification method %s is not listed under %s", ErrRelationship, q(vmID), relationship)
}

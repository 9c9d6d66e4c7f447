// Package dataintegrity creates and verifies W3C Data Integrity proofs
// (https://www.w3.org/TR/vc-data-integrity/) over JSON-LD documents:
//
//   - DataIntegrityProof with cryptosuite eddsa-rdfc-2022 (sign and verify;
//     the suite Open Badges 3.0 certification requires), its older name
//     eddsa-2022 (verify), and ecdsa-rdfc-2019 on P-256 and P-384;
//   - Ed25519Signature2020 (verify; legacy credentials).
//
// Canonicalisation is JSON-LD expansion with the pinned contexts only (see
// package contexts), then RDF Dataset Canonicalization (RDFC-1.0, package
// rdfc). A document with any term, type or IRI that would fall outside the
// signed data is rejected, for signing and for verifying.
package dataintegrity

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/blason-badges/blason/contexts"
	"github.com/blason-badges/blason/internal/jsongold/ld"
	"github.com/blason-badges/blason/internal/multibase"
	"github.com/blason-badges/blason/internal/rdfc"
)

// Proof types and cryptosuites.
const (
	TypeDataIntegrity = "DataIntegrityProof"
	TypeEd25519_2020  = "Ed25519Signature2020"
	SuiteEdDSARDFC    = "eddsa-rdfc-2022"
	SuiteEdDSA2022    = "eddsa-2022" // earlier name of eddsa-rdfc-2022, same algorithm
	SuiteECDSARDFC    = "ecdsa-rdfc-2019"

	PurposeAssertion      = "assertionMethod"
	PurposeAuthentication = "authentication"
)

// Errors callers branch on. Every verification failure wraps one of them.
var (
	ErrNoProof            = errors.New("no proof")
	ErrMalformedProof     = errors.New("malformed proof")
	ErrUnknownProofType   = errors.New("unknown proof type")
	ErrUnknownCryptosuite = errors.New("unknown cryptosuite")
	ErrProofPurpose       = errors.New("wrong proof purpose")
	ErrProofValue         = errors.New("invalid proofValue")
	ErrKeyType            = errors.New("key type does not match the cryptosuite")
	ErrKeyResolution      = errors.New("cannot resolve verification method")
	ErrSignature          = errors.New("signature does not verify")
	ErrContextMismatch    = errors.New("proof @context does not match the document's")
	ErrChallenge          = errors.New("challenge does not match")
	ErrDomain             = errors.New("domain does not match")
	ErrExpired            = errors.New("proof expired")
	ErrPreviousProof      = errors.New("previous proof not found")
)

// VerificationKey is a resolved verification method.
type VerificationKey struct {
	ID         string           // the verification method's id
	Controller string           // who controls the key (key provenance)
	Public     crypto.PublicKey // ed25519.PublicKey or *ecdsa.PublicKey
}

// KeyResolver dereferences a verificationMethod URL. It must return the key
// only if the method is authorised for purpose (assertionMethod,
// authentication) by its controller.
type KeyResolver interface {
	ResolveKey(ctx context.Context, verificationMethod, purpose string) (*VerificationKey, error)
}

// SignOptions configure a new proof.
type SignOptions struct {
	// Cryptosuite is eddsa-rdfc-2022 when empty (ecdsa-rdfc-2019 for an
	// ECDSA key).
	Cryptosuite string
	// VerificationMethod is the URL of the signing key; required.
	VerificationMethod string
	// Purpose is assertionMethod when empty.
	Purpose string
	// Created is the proof's creation time; zero means now, truncated to the second.
	Created time.Time
	// Challenge and Domain bind a presentation proof to one verifier
	// request; empty means omitted.
	Challenge, Domain string
	// Expires is when the proof stops being valid; zero means omitted.
	Expires time.Time
}

// Sign adds a proof to doc, signed with key, and returns the new document
// (doc itself is not modified). A proof already on doc is kept: the new one
// joins it in a proof set (it does not sign the existing proofs).
//
// A VC 1.1 document (first context https://www.w3.org/2018/credentials/v1)
// gets https://w3id.org/security/data-integrity/v2 appended to its @context,
// since the v1 context does not define DataIntegrityProof.
func Sign(doc map[string]any, key crypto.Signer, opts SignOptions) (map[string]any, error) {
	return sign(doc, key, opts, "", nil, false)
}

// sign is Sign and SignChained: a proof with an optional id that, when
// previous is set, also signs the proofs it names (a proof chain). A proof
// already on doc is kept; asList always writes the proofs as an array.
func sign(doc map[string]any, key crypto.Signer, opts SignOptions, id string, previous any, asList bool) (map[string]any, error) {
	if opts.VerificationMethod == "" {
		return nil, fmt.Errorf("sign: %w: no verification method", ErrMalformedProof)
	}
	suite := opts.Cryptosuite
	if suite == "" {
		suite = SuiteEdDSARDFC
		if _, ok := key.Public().(*ecdsa.PublicKey); ok {
			suite = SuiteECDSARDFC
		}
	}
	h, err := hashFor(suite, key.Public())
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	var all []map[string]any
	if doc["proof"] != nil {
		if all, err = proofList(doc["proof"]); err != nil {
			return nil, fmt.Errorf("sign: %w", err)
		}
	} else if previous != nil {
		return nil, fmt.Errorf("sign: %w", ErrNoProof)
	}
	purpose := opts.Purpose
	if purpose == "" {
		purpose = PurposeAssertion
	}
	created := opts.Created
	if created.IsZero() {
		created = time.Now()
	}
	out := shallowCopy(doc)
	delete(out, "proof")
	out["@context"] = withDataIntegrityContext(out["@context"])

	proof := map[string]any{
		"type":               TypeDataIntegrity,
		"cryptosuite":        suite,
		"created":            created.UTC().Truncate(time.Second).Format(time.RFC3339),
		"verificationMethod": opts.VerificationMethod,
		"proofPurpose":       purpose,
	}
	if id != "" {
		proof["id"] = id
	}
	if opts.Challenge != "" {
		proof["challenge"] = opts.Challenge
	}
	if opts.Domain != "" {
		proof["domain"] = opts.Domain
	}
	if !opts.Expires.IsZero() {
		proof["expires"] = opts.Expires.UTC().Truncate(time.Second).Format(time.RFC3339)
	}
	signed := out
	if previous != nil {
		// Proof chains (§2.1.2): the new proof also signs the ones it names.
		proof["previousProof"] = previous
		matching, err := previousProofs(previous, all)
		if err != nil {
			return nil, fmt.Errorf("sign: %w", err)
		}
		signed = shallowCopy(out)
		signed["proof"] = matching
	}
	data, err := hashData(signed, proof, h)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	sig, err := signBytes(key, data, h)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	proof["proofValue"] = multibase.EncodeBase58(sig)

	switch {
	case len(all) == 0 && !asList:
		out["proof"] = proof
	default:
		list := make([]any, 0, len(all)+1)
		for _, p := range all {
			list = append(list, p)
		}
		out["proof"] = append(list, proof)
	}
	return out, nil
}

// withDataIntegrityContext appends the Data Integrity v2 context to a VC 1.1
// @context that defines no Data Integrity terms.
func withDataIntegrityContext(c any) any {
	list, ok := c.([]any)
	if !ok || len(list) == 0 || list[0] != contexts.CredentialsV1 {
		return c
	}
	for _, v := range list {
		if v == contexts.DataIntegrityV1 || v == contexts.DataIntegrityV2 {
			return c
		}
	}
	return append(append([]any{}, list...), contexts.DataIntegrityV2)
}

// VerifyOptions configure Verify.
type VerifyOptions struct {
	// Resolver dereferences verification methods; required.
	Resolver KeyResolver
	// Purpose is the proofPurpose every proof must have; assertionMethod when empty.
	Purpose string
	// Challenge and Domain, when set, must equal each proof's.
	Challenge, Domain string
	// Now is the clock for proof expiry; nil means time.Now.
	Now func() time.Time
}

// ProofResult is the outcome for one proof of a document.
type ProofResult struct {
	Type               string
	Cryptosuite        string
	VerificationMethod string
	Purpose            string
	Created            string
	// Key is the resolved verification key, when resolution succeeded.
	Key *VerificationKey
	// Err is nil when the proof verified.
	Err error
}

// Known reports whether the proof is of a type this package verifies.
func (r ProofResult) Known() bool { return !errors.Is(r.Err, ErrUnknownProofType) }

// Verify checks every proof on doc and returns one result per proof.
//
// The error is nil exactly when at least one proof verified and every proof
// of a known type verified (Data Integrity §4.6: every proof of a set must
// verify). A proof of a type this package does not know is reported with
// ErrUnknownProofType; it does not by itself fail a document that carries
// another valid proof (OB 3.0 §8: a verifier may accept any one proof), but a
// document whose proofs are all unknown fails.
func Verify(ctx context.Context, doc map[string]any, opts VerifyOptions) ([]ProofResult, error) {
	proofs, err := proofList(doc["proof"])
	if err != nil {
		return nil, err
	}
	if opts.Purpose == "" {
		opts.Purpose = PurposeAssertion
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	// The document without its proof, copied at its final size (a
	// credential's keys then usually fit one map group).
	unsecured := make(map[string]any, len(doc)-1)
	for k, v := range doc {
		if k != "proof" {
			unsecured[k] = v
		}
	}
	docCanon := &canonCache{} // its maps are made on first use

	results := make([]ProofResult, len(proofs))
	verified, failed := 0, error(nil)
	for i, p := range proofs {
		r := &results[i]
		r.Err = verifyOne(ctx, unsecured, proofs, p, opts, docCanon, r)
		switch {
		case r.Err == nil:
			verified++
		case !r.Known():
		case failed == nil:
			failed = fmt.Errorf("proof %d: %w", i+1, r.Err)
		}
	}
	if failed != nil {
		return results, failed
	}
	if verified == 0 {
		return results, fmt.Errorf("proof 1: %w", results[0].Err)
	}
	return results, nil
}

func proofList(v any) ([]map[string]any, error) {
	switch p := v.(type) {
	case nil:
		return nil, ErrNoProof
	case map[string]any:
		return []map[string]any{p}, nil
	case []any:
		if len(p) == 0 {
			return nil, ErrNoProof
		}
		out := make([]map[string]any, 0, len(p))
		for i, e := range p {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("proof %d is %s, not an object: %w", i+1, jsonKind(e), ErrMalformedProof)
			}
			out = append(out, m)
		}
		return out, nil
	}
	return nil, fmt.Errorf("proof is %s, not an object: %w", jsonKind(v), ErrMalformedProof)
}

func verifyOne(ctx context.Context, unsecured map[string]any, all []map[string]any, proof map[string]any,
	opts VerifyOptions, docCanon *canonCache, r *ProofResult) error {
	str := func(k string) string { s, _ := proof[k].(string); return s }
	r.Type, r.Cryptosuite, r.VerificationMethod = str("type"), str("cryptosuite"), str("verificationMethod")
	r.Purpose, r.Created = str("proofPurpose"), str("created")

	// Data Integrity §4.3 (Verify Proof) and the cryptosuites' "Verify Proof"
	// and "Proof Configuration" algorithms.
	suite := r.Cryptosuite
	var other suiteVerifier // a suite with its own algorithm (own file); nil: the RDFC suites below
	switch r.Type {
	case "":
		return fmt.Errorf("%w: no type", ErrMalformedProof)
	case TypeDataIntegrity:
		switch suite {
		case SuiteEdDSARDFC, SuiteEdDSA2022, SuiteECDSARDFC:
		case SuiteEdDSAJCS, SuiteECDSAJCS:
			other = verifyJCS
		case SuiteECDSASD:
			other = verifyECDSASD
		case "":
			return fmt.Errorf("%w: DataIntegrityProof without cryptosuite", ErrMalformedProof)
		default:
			return fmt.Errorf("%w %q", ErrUnknownCryptosuite, clip(suite))
		}
	case TypeEd25519_2020:
		suite = SuiteEdDSARDFC // same algorithm: RDFC canonical form, SHA-256, Ed25519
	case TypeEd25519_2018:
		other = verifyEd25519Signature2018
	default:
		return fmt.Errorf("%w %q", ErrUnknownProofType, clip(r.Type))
	}
	if r.VerificationMethod == "" {
		return fmt.Errorf("%w: no verificationMethod", ErrMalformedProof)
	}
	if r.Purpose == "" {
		return fmt.Errorf("%w: no proofPurpose", ErrMalformedProof)
	}
	// "If proofPurpose does not match the expected proof purpose, an error
	// MUST be raised."
	if r.Purpose != opts.Purpose {
		return fmt.Errorf("%w: %q, expected %q", ErrProofPurpose, clip(r.Purpose), opts.Purpose)
	}
	if r.Created != "" {
		if _, err := time.Parse(time.RFC3339Nano, r.Created); err != nil {
			return fmt.Errorf("%w: created %q is not an XML Schema dateTime", ErrMalformedProof, clip(r.Created))
		}
	}
	if exp := str("expires"); exp != "" {
		t, err := time.Parse(time.RFC3339Nano, exp)
		if err != nil {
			return fmt.Errorf("%w: expires %q is not an XML Schema dateTime", ErrMalformedProof, clip(exp))
		}
		if opts.Now().After(t) {
			return fmt.Errorf("%w at %s", ErrExpired, exp)
		}
	}
	if opts.Challenge != "" && str("challenge") != opts.Challenge {
		return fmt.Errorf("%w: got %q", ErrChallenge, clip(str("challenge")))
	}
	if opts.Domain != "" && !domainMatches(proof["domain"], opts.Domain) {
		return fmt.Errorf("%w: expected %q", ErrDomain, clip(opts.Domain))
	}
	if other != nil {
		return other(ctx, suiteInput{unsecured: unsecured, all: all, proof: proof, opts: opts, docCanon: docCanon, r: r})
	}
	pv, ok := proof["proofValue"].(string)
	if !ok || pv == "" {
		return fmt.Errorf("%w: missing or not a string", ErrProofValue)
	}
	// eddsa-rdfc-2022 and ecdsa-rdfc-2019 §3.x: "If the proofValue is not a
	// multibase base58-btc encoded string (header 'z'), an error MUST be raised."
	if pv[0] != 'z' {
		return fmt.Errorf("%w: multibase header %q, want 'z' (base58btc)", ErrProofValue, pv[:1])
	}
	sig, err := multibase.Decode(pv)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrProofValue, err)
	}

	key, err := opts.Resolver.ResolveKey(ctx, r.VerificationMethod, r.Purpose)
	if err != nil {
		return fmt.Errorf("%w %q: %w", ErrKeyResolution, clip(r.VerificationMethod), err)
	}
	r.Key = key
	h, err := hashFor(suite, key.Public)
	if err != nil {
		return err
	}

	options := shallowCopy(proof)
	delete(options, "proofValue")
	// Ed25519Signature2020 proofs also carried the signature as "jws" in
	// older drafts; it is never part of the signed proof configuration.
	delete(options, "jws")

	// §4.3 step 4: proof options may carry an @context; the document's must
	// start with it, and it then replaces the document's for hashing.
	doc := unsecured
	if pc, ok := options["@context"]; ok {
		if !contextPrefix(pc, unsecured["@context"]) {
			return ErrContextMismatch
		}
		doc = shallowCopy(unsecured)
		doc["@context"] = pc
	}

	// Proof chains (§4.6): a proof naming previousProof also signs those proofs.
	if prev, ok := options["previousProof"]; ok {
		matching, err := previousProofs(prev, all)
		if err != nil {
			return err
		}
		doc = shallowCopy(doc)
		doc["proof"] = matching
	}

	// The cryptosuites' "Hashing": hash(canonical proof configuration) ‖
	// hash(canonical document). Only the digests are kept (digestRead).
	var docHash []byte
	var dk digestKey
	if _, chained := options["previousProof"]; !chained {
		dk = digestKey{contextKey(doc["@context"]), reflect.ValueOf(h).Pointer()}
		docHash = docCanon.digests[dk]
	}
	if docHash == nil {
		if docHash, err = digestRead(doc, h); err != nil {
			return fmt.Errorf("canonicalize document: %w", err)
		}
		if dk.context != "" && len(all) > 1 { // another proof may reuse it
			if docCanon.digests == nil {
				docCanon.digests = map[digestKey][]byte{}
			}
			docCanon.digests[dk] = docHash
		}
	}
	options["@context"] = doc["@context"]
	proofHash, err := digestRead(options, h)
	if err != nil {
		return fmt.Errorf("canonicalize proof options: %w", err)
	}
	data := append(proofHash, docHash...)
	return verifySignature(key.Public, data, sig, h)
}

// canonCache holds, for one Verify call, what canonicalizing the unsecured
// document gave, by the @context it was expanded with (a proof's own
// @context may replace the document's): its canonical N-Quads for suites
// that hash them themselves, and its digests by hash function.
type canonCache struct {
	forms   map[string][]byte
	digests map[digestKey][]byte
}

type digestKey struct {
	context string  // contextKey of the @context used
	hash    uintptr // the hash constructor (sha256.New, sha512.New384)
}

func domainMatches(v any, want string) bool {
	switch d := v.(type) {
	case string:
		return d == want
	case []any:
		for _, e := range d {
			if e == want {
				return true
			}
		}
	}
	return false
}

func previousProofs(prev any, all []map[string]any) ([]any, error) {
	var ids []string
	switch p := prev.(type) {
	case string:
		ids = []string{p}
	case []any:
		for _, e := range p {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%w: previousProof must be strings", ErrMalformedProof)
			}
			ids = append(ids, s)
		}
	default:
		return nil, fmt.Errorf("%w: previousProof must be a string or strings", ErrMalformedProof)
	}
	var out []any
	for _, id := range ids {
		found := false
		for _, p := range all {
			if p["id"] == id {
				out = append(out, p)
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("%w: %q", ErrPreviousProof, clip(id))
		}
	}
	return out, nil
}

// contextPrefix reports whether doc's @context starts with every value of
// proof's, in order.
func contextPrefix(proof, doc any) bool {
	p, d := asList(proof), asList(doc)
	if len(p) > len(d) {
		return false
	}
	for i := range p {
		ps, ok1 := p[i].(string)
		ds, ok2 := d[i].(string)
		if !ok1 || !ok2 || ps != ds {
			return false
		}
	}
	return true
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

func contextKey(c any) string {
	var b strings.Builder
	for _, v := range asList(c) {
		s, ok := v.(string)
		if !ok {
			return "" // embedded context objects: do not cache
		}
		b.WriteString(s)
		b.WriteByte(' ')
	}
	return b.String()
}

// Canonicalize returns the RDFC-1.0 canonical N-Quads of a JSON-LD document
// expanded with the pinned contexts. Undefined terms, relative IRIs and any
// other data that would not appear in the RDF are errors.
func Canonicalize(doc map[string]any) ([]byte, error) {
	return canonicalizeWith(doc, expansion.opts)
}

// canonicalizeRead is Canonicalize for verification: the document must also
// be in the form that the checks after the proof read (ErrForm), so that what
// they read is what the signature covers.
func canonicalizeRead(doc map[string]any) ([]byte, error) {
	opts, err := formOptions()
	if err != nil {
		return nil, err
	}
	return canonicalizeWith(doc, opts)
}

// digestRead is canonicalizeRead followed by a hash from h, without keeping
// the canonical form (rdfc.CanonicalDigest).
func digestRead(doc map[string]any, h func() hash.Hash) ([]byte, error) {
	opts, err := formOptions()
	if err != nil {
		return nil, err
	}
	bufp := quadBuffers.Get().(*[]rdfc.Quad)
	quads, err := toQuadsInto((*bufp)[:0], expansion.root, doc, opts, rdfDirectionI18n)
	if err != nil {
		return nil, err
	}
	sum, err := rdfc.CanonicalDigest(quads, nil, h)
	putQuads(bufp, quads)
	return sum, err
}

func putQuads(bufp *[]rdfc.Quad, quads []rdfc.Quad) {
	if cap(quads) <= maxPooledQuads {
		clear(quads) // drop references to the document's strings
		*bufp = quads[:0]
		quadBuffers.Put(bufp)
	}
}

func canonicalizeWith(doc map[string]any, opts *ld.JsonLdOptions) ([]byte, error) {
	// The quads are garbage once canonicalised (rdfc keeps no reference):
	// reusing their buffer saves the slice growth that was a fifth of the
	// bytes a presentation's verification allocated. (A buffer is not
	// returned to the pool after an error, which is rare.)
	bufp := quadBuffers.Get().(*[]rdfc.Quad)
	quads, err := toQuadsInto((*bufp)[:0], expansion.root, doc, opts, rdfDirectionI18n)
	if err != nil {
		return nil, err
	}
	canon, err := rdfc.CanonicalNQuads(quads, nil)
	putQuads(bufp, quads)
	return canon, err
}

// quadBuffers holds reusable quad slices for Canonicalize; slices that grew
// past maxPooledQuads (a very large document) are left to the collector.
var quadBuffers = sync.Pool{New: func() any { b := make([]rdfc.Quad, 0, 256); return &b }}

const maxPooledQuads = 1 << 14

// hashData implements the cryptosuites' "Hashing" step over a document and
// its proof options: hash(canonical proof config) ‖ hash(canonical document).
func hashData(doc, proof map[string]any, h func() hash.Hash) ([]byte, error) {
	canonDoc, err := Canonicalize(doc)
	if err != nil {
		return nil, fmt.Errorf("canonicalize document: %w", err)
	}
	config := shallowCopy(proof)
	config["@context"] = doc["@context"]
	canonProof, err := Canonicalize(config)
	if err != nil {
		return nil, fmt.Errorf("canonicalize proof options: %w", err)
	}
	return concatHashes(h, canonProof, canonDoc), nil
}

func concatHashes(h func() hash.Hash, a, b []byte) []byte {
	ha := h()
	ha.Write(a)
	out := ha.Sum(nil)
	hb := h()
	hb.Write(b)
	return hb.Sum(out)
}

// hashFor picks the hash for a suite and checks the key fits the suite:
// Ed25519 for eddsa; P-256 (SHA-256) or P-384 (SHA-384) for ecdsa-rdfc-2019.
func hashFor(suite string, pub crypto.PublicKey) (func() hash.Hash, error) {
	switch suite {
	case SuiteEdDSARDFC, SuiteEdDSA2022:
		if _, ok := pub.(ed25519.PublicKey); !ok {
			return nil, fmt.Errorf("%w: %s needs an Ed25519 key, got %s", ErrKeyType, suite, keyName(pub))
		}
		return sha256.New, nil
	case SuiteECDSARDFC:
		if k, ok := pub.(*ecdsa.PublicKey); ok {
			switch k.Curve.Params().Name {
			case "P-256":
				return sha256.New, nil
			case "P-384":
				return sha512.New384, nil
			}
		}
		return nil, fmt.Errorf("%w: %s needs a P-256 or P-384 key, got %s", ErrKeyType, suite, keyName(pub))
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownCryptosuite, clip(suite))
}

func keyName(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		return "Ed25519"
	case *ecdsa.PublicKey:
		return k.Curve.Params().Name
	}
	return fmt.Sprintf("%T", pub)
}

func signBytes(key crypto.Signer, data []byte, h func() hash.Hash) ([]byte, error) {
	switch pub := key.Public().(type) {
	case ed25519.PublicKey:
		return key.Sign(rand.Reader, data, crypto.Hash(0))
	case *ecdsa.PublicKey:
		hh := h()
		hh.Write(data)
		digest := hh.Sum(nil)
		opt := crypto.SHA256
		if pub.Curve.Params().Name == "P-384" {
			opt = crypto.SHA384
		}
		der, err := key.Sign(rand.Reader, digest, opt)
		if err != nil {
			return nil, err
		}
		// ecdsa-rdfc-2019: the signature is the IEEE P1363 r ‖ s form.
		var rs struct{ R, S *big.Int }
		if _, err := asn1.Unmarshal(der, &rs); err != nil {
			return nil, fmt.Errorf("decode ECDSA signature: %w", err)
		}
		size := (pub.Curve.Params().BitSize + 7) / 8
		sig := make([]byte, 2*size)
		rs.R.FillBytes(sig[:size])
		rs.S.FillBytes(sig[size:])
		return sig, nil
	default:
		return nil, fmt.Errorf("%w: cannot sign with %s", ErrKeyType, keyName(pub))
	}
}

func verifySignature(pub crypto.PublicKey, data, sig []byte, h func() hash.Hash) error {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		if len(sig) != ed25519.SignatureSize {
			return fmt.Errorf("%w: Ed25519 signature is %d bytes, want 64", ErrProofValue, len(sig))
		}
		if !ed25519.Verify(k, data, sig) {
			return ErrSignature
		}
		return nil
	case *ecdsa.PublicKey:
		size := (k.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			return fmt.Errorf("%w: %s signature is %d bytes, want %d", ErrProofValue, k.Curve.Params().Name, len(sig), 2*size)
		}
		hh := h()
		hh.Write(data)
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		// Both (r, s) and (r, n-s) verify: low-S is not required. The
		// cryptosuite verifies with "the verification algorithm of the
		// Elliptic Curve Digital Signature Algorithm (ECDSA) [FIPS-186-5]",
		// which only requires r and s in [1, n-1], and the W3C vectors
		// themselves are high-S (ecdsa-rdfc-2019-p256/sigHexECDSAP256.txt,
		// as Go's and JavaScript's ECDSA signers do not normalise S), so
		// refusing high S would reject genuine credentials. Malleability
		// does not matter here: anyone can turn one valid signature into
		// the other, but only over the same signed data, and nothing in
		// Blason uses a proofValue as an identifier (credentials are known
		// by their id, statuses by their list index). TestECDSABothSForms
		// checks both forms verify and a tampered message fails with
		// either.
		if !ecdsa.Verify(k, hh.Sum(nil), r, s) {
			return ErrSignature
		}
		return nil
	}
	return fmt.Errorf("%w: %s", ErrKeyType, keyName(pub))
}

func shallowCopy(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

package dataintegrity

import (
	"context"
	"fmt"
)

// Proof types and cryptosuites verified by the suites in their own files.
const (
	// TypeEd25519_2018 is the legacy Ed25519Signature2018 proof (a detached
	// JWS over the RDFC canonical form), which JFF plugfest era badges carry.
	TypeEd25519_2018 = "Ed25519Signature2018"
	// SuiteEdDSAJCS and SuiteECDSAJCS canonicalise with JCS (RFC 8785)
	// instead of RDFC-1.0.
	SuiteEdDSAJCS = "eddsa-jcs-2022"
	SuiteECDSAJCS = "ecdsa-jcs-2019"
)

// suiteInput is what a proof-type verifier gets from verifyOne, after the
// checks every proof type shares (purpose, created, expires, challenge,
// domain) passed.
type suiteInput struct {
	unsecured map[string]any   // the document without its proof
	all       []map[string]any // every proof of the document (for previousProof)
	proof     map[string]any   // the proof being verified
	opts      VerifyOptions    // the caller's options
	docCanon  *canonCache      // what canonicalizing unsecured gave, by @context
	r         *ProofResult     // filled with the resolved key
}

type suiteVerifier func(ctx context.Context, in suiteInput) error

// resolveKey dereferences the proof's verification method and records the
// key on the result.
func (in suiteInput) resolveKey(ctx context.Context) (*VerificationKey, error) {
	key, err := in.opts.Resolver.ResolveKey(ctx, in.r.VerificationMethod, in.r.Purpose)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrKeyResolution, clip(in.r.VerificationMethod), err)
	}
	in.r.Key = key
	return key, nil
}

// document returns the document the proof signs: the unsecured document
// with the proof's @context when it has one (Data Integrity §4.3 step 4:
// the document's @context must start with it), and with the proofs named by
// previousProof when the proof is part of a chain (§4.6).
func (in suiteInput) document() (map[string]any, bool, error) {
	doc := in.unsecured
	if pc, ok := in.proof["@context"]; ok {
		if !contextPrefix(pc, in.unsecured["@context"]) {
			return nil, false, ErrContextMismatch
		}
		doc = shallowCopy(in.unsecured)
		doc["@context"] = pc
	}
	prev, chained := in.proof["previousProof"]
	if chained {
		matching, err := previousProofs(prev, in.all)
		if err != nil {
			return nil, false, err
		}
		doc = shallowCopy(doc)
		doc["proof"] = matching
	}
	return doc, chained, nil
}

package dataintegrity

import (
	"context"
	"fmt"

	"github.com/blason-badges/blason/internal/multibase"
)

// verifyJCS verifies eddsa-jcs-2022 (vc-di-eddsa §3.3.2 "Verify Proof
// (eddsa-jcs-2022)") and ecdsa-jcs-2019 (vc-di-ecdsa §3.4.2): the same
// steps as the RDFC suites, with JSON Canonicalization Scheme (RFC 8785) in
// place of RDF canonicalisation. No JSON-LD processing takes place: what is
// signed is the JSON as written.
func verifyJCS(ctx context.Context, in suiteInput) error {
	suite := in.r.Cryptosuite
	// "If the proofValue is not a multibase base58-btc encoded string ...
	// an error MUST be raised."
	pv, ok := in.proof["proofValue"].(string)
	if !ok || pv == "" {
		return fmt.Errorf("%w: missing or not a string", ErrProofValue)
	}
	if pv[0] != 'z' {
		return fmt.Errorf("%w: multibase header %q, want 'z' (base58btc)", ErrProofValue, pv[:1])
	}
	sig, err := multibase.Decode(pv)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrProofValue, err)
	}
	key, err := in.resolveKey(ctx)
	if err != nil {
		return err
	}
	// The key must fit the suite: Ed25519 for eddsa-jcs-2022; P-256
	// (SHA-256) or P-384 (SHA-384) for ecdsa-jcs-2019.
	rdfcEquivalent := SuiteEdDSARDFC
	if suite == SuiteECDSAJCS {
		rdfcEquivalent = SuiteECDSARDFC
	}
	h, err := hashFor(rdfcEquivalent, key.Public)
	if err != nil {
		return fmt.Errorf("%w (%s)", err, suite)
	}

	// "Let unsecuredDocument be a copy of securedDocument with the proof
	// value removed"; "If proofOptions.@context exists: check that the
	// securedDocument.@context starts with all values contained in the
	// proofOptions.@context in the same order ... Set
	// unsecuredDocument.@context equal to proofOptions.@context."
	doc, _, err := in.document()
	if err != nil {
		return err
	}
	options := shallowCopy(in.proof)
	delete(options, "proofValue")

	// Transformation: "the result of applying the JSON Canonicalization
	// Scheme [RFC8785] to the unsecuredDocument"; proof configuration:
	// JCS of the proof options. Hashing: hash(proofConfig) ‖ hash(document).
	canonDoc, err := canonicalJSON(doc)
	if err != nil {
		return fmt.Errorf("canonicalize document (JCS): %w", err)
	}
	canonProof, err := canonicalJSON(options)
	if err != nil {
		return fmt.Errorf("canonicalize proof options (JCS): %w", err)
	}
	data := concatHashes(h, []byte(canonProof), []byte(canonDoc))
	return verifySignature(key.Public, data, sig, h)
}

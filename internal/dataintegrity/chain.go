package dataintegrity

import (
	"crypto"
	"crypto/ecdsa"
	"fmt"
	"time"

	"github.com/blason-badges/blason/internal/multibase"
)

// SignChained adds a proof with the given id to doc that also signs the
// proofs named by previous (Data Integrity §2.1.2 "Proof Chains": "If a
// proof chain is being created, previousProof MUST be set"), as a witness
// or endorser does after the issuer. previous is a string or a []any of
// strings, exactly as it will appear in the proof; nil makes a proof-set
// member with an id. The proofs it names must already be on doc.
func SignChained(doc map[string]any, key crypto.Signer, opts SignOptions, id string, previous any) (map[string]any, error) {
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
	all, err := proofList(doc["proof"])
	if err != nil && previous != nil {
		return nil, fmt.Errorf("sign: %w", err)
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
	signed := out
	if previous != nil {
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
	list := make([]any, 0, len(all)+1)
	for _, p := range all {
		list = append(list, p)
	}
	out["proof"] = append(list, proof)
	return out, nil
}

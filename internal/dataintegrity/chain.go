package dataintegrity

import "crypto"

// SignChained adds a proof with the given id to doc that also signs the
// proofs named by previous (Data Integrity §2.1.2 "Proof Chains": "If a
// proof chain is being created, previousProof MUST be set"), as a witness
// or endorser does after the issuer. previous is a string or a []any of
// strings, exactly as it will appear in the proof; nil makes a proof-set
// member with an id. The proofs it names must already be on doc.
func SignChained(doc map[string]any, key crypto.Signer, opts SignOptions, id string, previous any) (map[string]any, error) {
	return sign(doc, key, opts, id, previous, true)
}

package dataintegrity

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// verifyEd25519Signature2018 verifies the legacy Ed25519Signature2018 proof
// (W3C CCG "Ed25519 Signature 2018", as Digital Bazaar's
// jsonld-signatures implements it, which is what signed the badges that
// carry it):
//
//   - verifyData = SHA-256(RDFC(proof options)) ‖ SHA-256(RDFC(document)),
//     where the proof options are the proof without jws (nor proofValue,
//     signatureValue) and with the document's @context;
//   - jws is a detached JWS with unencoded payload (RFC 7797): header
//     {"alg":"EdDSA","b64":false,"crit":["b64"]}, signing input
//     ASCII(BASE64URL(header)) ‖ '.' ‖ verifyData.
func verifyEd25519Signature2018(ctx context.Context, in suiteInput) error {
	jws, ok := in.proof["jws"].(string)
	if !ok || jws == "" {
		return fmt.Errorf("%w: Ed25519Signature2018 without a jws string", ErrProofValue)
	}
	header, sig, err := parseDetachedJWS(jws)
	if err != nil {
		return err
	}
	key, err := in.resolveKey(ctx)
	if err != nil {
		return err
	}
	pub, ok := key.Public.(ed25519.PublicKey)
	if !ok {
		return fmt.Errorf("%w: Ed25519Signature2018 needs an Ed25519 key, got %s", ErrKeyType, keyName(key.Public))
	}

	doc, chained, err := in.document()
	if err != nil {
		return err
	}
	var canonDoc []byte
	cacheKey := ""
	if !chained {
		cacheKey = contextKey(doc["@context"])
		canonDoc = in.docCanon.forms[cacheKey]
	}
	if canonDoc == nil {
		if canonDoc, err = canonicalizeRead(doc); err != nil {
			return fmt.Errorf("canonicalize document: %w", err)
		}
		if cacheKey != "" {
			if in.docCanon.forms == nil {
				in.docCanon.forms = map[string][]byte{}
			}
			in.docCanon.forms[cacheKey] = canonDoc
		}
	}
	options := shallowCopy(in.proof)
	for _, k := range []string{"jws", "proofValue", "signatureValue"} {
		delete(options, k)
	}
	options["@context"] = doc["@context"]
	canonProof, err := canonicalizeRead(options)
	if err != nil {
		return fmt.Errorf("canonicalize proof options: %w", err)
	}
	verifyData := concatHashes(sha256.New, canonProof, canonDoc)
	input := make([]byte, 0, len(header)+1+len(verifyData))
	input = append(append(append(input, header...), '.'), verifyData...)
	if !ed25519.Verify(pub, input, sig) {
		return ErrSignature
	}
	return nil
}

// parseDetachedJWS splits a detached, unencoded-payload JWS
// ("header..signature") and checks its header is exactly what
// Ed25519Signature2018 uses. It returns the header as written (base64url)
// and the decoded signature.
func parseDetachedJWS(jws string) (string, []byte, error) {
	header, sigPart, ok := strings.Cut(jws, "..")
	if !ok || header == "" || sigPart == "" || strings.Contains(sigPart, ".") {
		return "", nil, fmt.Errorf("%w: jws is not a detached JWS (header..signature)", ErrProofValue)
	}
	hb, err := base64.RawURLEncoding.DecodeString(header)
	if err != nil {
		return "", nil, fmt.Errorf("%w: jws header is not base64url: %v", ErrProofValue, err)
	}
	var h struct {
		Alg  string   `json:"alg"`
		B64  *bool    `json:"b64"`
		Crit []string `json:"crit"`
	}
	dec := json.NewDecoder(bytes.NewReader(hb))
	dec.DisallowUnknownFields() // RFC 7515 §4.1.11: a header we do not understand must not be ignored
	if err := dec.Decode(&h); err != nil {
		return "", nil, fmt.Errorf("%w: jws header: %v", ErrProofValue, err)
	}
	// RFC 7797 §3: with "b64": false, "crit" MUST include "b64".
	if h.Alg != "EdDSA" || h.B64 == nil || *h.B64 || len(h.Crit) != 1 || h.Crit[0] != "b64" {
		return "", nil, fmt.Errorf("%w: jws header %s, want alg EdDSA, b64 false, crit [b64]", ErrProofValue, clip(string(hb)))
	}
	sig, err := base64.RawURLEncoding.DecodeString(sigPart)
	if err != nil {
		return "", nil, fmt.Errorf("%w: jws signature is not base64url: %v", ErrProofValue, err)
	}
	if len(sig) != ed25519.SignatureSize {
		return "", nil, fmt.Errorf("%w: Ed25519 signature is %d bytes, want 64", ErrProofValue, len(sig))
	}
	return header, sig, nil
}

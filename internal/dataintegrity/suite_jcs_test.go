package dataintegrity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"testing"

	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/multibase"
)

func hexHash(h func() hash.Hash, b []byte) string {
	hh := h()
	hh.Write(b)
	return hex.EncodeToString(hh.Sum(nil))
}

// TestEdDSAJCSVector reproduces the W3C vc-di-eddsa eddsa-jcs-2022 vector
// byte for byte: the JCS canonical document, its hash, and (Ed25519 being
// deterministic) the signature and the proofValue of the signed credential,
// then verifies the signed credential.
func TestEdDSAJCSVector(t *testing.T) {
	t.Parallel()
	const dir = "testdata/jcs/eddsa-jcs-2022/"
	signed := readJSON(t, dir+"signedJCS.json")
	unsecured := shallowCopy(signed)
	delete(unsecured, "proof")

	canonDoc, err := canonicalJSON(unsecured)
	if err != nil {
		t.Fatal(err)
	}
	if want := readText(t, dir+"canonDocJCS.txt"); canonDoc != want {
		t.Fatalf("canonical document:\n got %s\nwant %s", canonDoc, want)
	}
	if got, want := hexHash(sha256.New, []byte(canonDoc)), readText(t, dir+"docHashJCS.txt"); got != want {
		t.Fatalf("document hash %s, want %s", got, want)
	}
	config := readJSON(t, dir+"proofConfigJCS.json")
	canonProof, err := canonicalJSON(config)
	if err != nil {
		t.Fatal(err)
	}
	keys := readJSON(t, "testdata/eddsa-rdfc-2022/keyPair.json")
	priv, err := did.DecodeSecretMultikey(keys["privateKeyMultibase"].(string))
	if err != nil {
		t.Fatal(err)
	}
	sig, err := signBytes(priv, concatHashes(sha256.New, []byte(canonProof), []byte(canonDoc)), sha256.New)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hex.EncodeToString(sig), readText(t, dir+"sigHexJCS.txt"); got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
	if got, want := multibase.EncodeBase58(sig), signed["proof"].(map[string]any)["proofValue"]; got != want {
		t.Fatalf("proofValue %s, want %s", got, want)
	}
	res, err := Verify(context.Background(), signed, VerifyOptions{Resolver: fragmentResolver{}})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if res[0].Cryptosuite != SuiteEdDSAJCS || res[0].Key == nil {
		t.Fatalf("result %+v", res[0])
	}
}

// TestECDSAJCSVectors reproduces the vc-di-ecdsa ecdsa-jcs-2019 P-256
// vector's canonical proof configuration and hashes byte for byte, and
// verifies the P-256 and P-384 signed credentials.
func TestECDSAJCSVectors(t *testing.T) {
	t.Parallel()
	const dir = "testdata/jcs/ecdsa-jcs-2019/"
	p256 := readJSON(t, dir+"signedJCSECDSAP256.json")
	config := shallowCopy(p256["proof"].(map[string]any))
	delete(config, "proofValue")
	canonProof, err := canonicalJSON(config)
	if err != nil {
		t.Fatal(err)
	}
	if want := readText(t, dir+"proofCanonJCSECDSAP256.txt"); canonProof != want {
		t.Fatalf("canonical proof config:\n got %s\nwant %s", canonProof, want)
	}
	if got, want := hexHash(sha256.New, []byte(canonProof)), readText(t, dir+"proofHashJCSECDSAP256.txt"); got != want {
		t.Fatalf("proof hash %s, want %s", got, want)
	}
	unsecured := shallowCopy(p256)
	delete(unsecured, "proof")
	canonDoc, _ := canonicalJSON(unsecured)
	if got, want := hex.EncodeToString(concatHashes(sha256.New, []byte(canonProof), []byte(canonDoc))), readText(t, dir+"combinedHashJCSECDSAP256.txt"); got != want {
		t.Fatalf("combined hash %s, want %s", got, want)
	}
	for _, name := range []string{"signedJCSECDSAP256.json", "signedJCSECDSAP384.json"} {
		doc := readJSON(t, dir+name)
		if _, err := Verify(context.Background(), doc, VerifyOptions{Resolver: fragmentResolver{}}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

// TestJCSSuitesRejects: every change to the signed JSON, the proof options
// or the proofValue fails, as does a key of the wrong type.
func TestJCSSuitesRejects(t *testing.T) {
	t.Parallel()
	ed := readJSON(t, "testdata/jcs/eddsa-jcs-2022/signedJCS.json")
	ec := readJSON(t, "testdata/jcs/ecdsa-jcs-2019/signedJCSECDSAP256.json")
	edit := func(doc map[string]any, f func(doc, proof map[string]any)) map[string]any {
		out := shallowCopy(doc)
		p := shallowCopy(doc["proof"].(map[string]any))
		out["proof"] = p
		f(out, p)
		return out
	}
	cases := []struct {
		name string
		doc  map[string]any
		want error
	}{
		{"eddsa: name changed", edit(ed, func(d, _ map[string]any) { d["name"] = "Alumni credential" }), ErrSignature},
		{"eddsa: extra member", edit(ed, func(d, _ map[string]any) { d["extra"] = true }), ErrSignature},
		{"eddsa: created changed", edit(ed, func(_, p map[string]any) { p["created"] = "2023-02-24T23:36:39Z" }), ErrSignature},
		{"eddsa: proof @context not a prefix", edit(ed, func(_, p map[string]any) { p["@context"] = []any{"https://example.org/other"} }), ErrContextMismatch},
		{"eddsa: proofValue not base58btc", edit(ed, func(_, p map[string]any) { p["proofValue"] = "u" + p["proofValue"].(string)[1:] }), ErrProofValue},
		{"ecdsa: subject changed", edit(ec, func(d, _ map[string]any) {
			d["credentialSubject"] = map[string]any{"id": "did:example:abcdefgh", "alumniOf": "Another School"}
		}), ErrSignature},
		{"ecdsa: suite relabelled eddsa", edit(ec, func(_, p map[string]any) { p["cryptosuite"] = SuiteEdDSAJCS }), ErrKeyType},
		{"eddsa: suite relabelled ecdsa", edit(ed, func(_, p map[string]any) { p["cryptosuite"] = SuiteECDSAJCS }), ErrKeyType},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := Verify(context.Background(), tc.doc, VerifyOptions{Resolver: fragmentResolver{}}); !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
}

package dataintegrity

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/multibase"
)

// fragmentResolver resolves a verification method whose fragment is the
// public Multikey (did:key and the test vectors' https issuers), with the
// controller being the URL before the fragment. Test-only: production
// resolution goes through DID documents.
type fragmentResolver struct{}

func (fragmentResolver) ResolveKey(_ context.Context, vm, _ string) (*VerificationKey, error) {
	base, frag, ok := strings.Cut(vm, "#")
	if !ok {
		return nil, fmt.Errorf("no fragment in %q", vm)
	}
	pub, err := did.DecodePublicMultikey(frag)
	if err != nil {
		return nil, err
	}
	return &VerificationKey{ID: vm, Controller: base, Public: pub}, nil
}

func readJSON(t testing.TB, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

func readText(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// vector is one W3C cryptosuite test vector, with every intermediate stage.
type vector struct {
	name, dir, suffix string
	hash              func() hash.Hash
	keyFile           string
}

var w3cVectors = []vector{
	{"eddsa-rdfc-2022", "testdata/eddsa-rdfc-2022", "DataInt", sha256.New, "testdata/eddsa-rdfc-2022/keyPair.json"},
	{"ecdsa-rdfc-2019 P-256", "testdata/ecdsa-rdfc-2019/ecdsa-rdfc-2019-p256", "ECDSAP256", sha256.New, "testdata/ecdsa-rdfc-2019/p256KeyPair.json"},
	{"ecdsa-rdfc-2019 P-384", "testdata/ecdsa-rdfc-2019/ecdsa-rdfc-2019-p384", "ECDSAP384", sha512.New384, "testdata/ecdsa-rdfc-2019/p384KeyPair.json"},
}

// TestW3CVectorStages reproduces every intermediate value of the W3C vectors
// byte for byte: canonical document, canonical proof configuration, both
// hashes, the combined hash, and (for the deterministic Ed25519) the
// signature and proofValue; ECDSA signatures are verified.
func TestW3CVectorStages(t *testing.T) {
	for _, v := range w3cVectors {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Dir(v.dir) // ecdsa: unsigned.json is shared by both curves
			if v.name == "eddsa-rdfc-2022" {
				dir = v.dir
			}
			unsigned := readJSON(t, filepath.Join(dir, "unsigned.json"))
			file := func(stage, ext string) string { return filepath.Join(v.dir, stage+v.suffix+ext) }

			canonDoc, err := Canonicalize(unsigned)
			if err != nil {
				t.Fatalf("canonicalize document: %v", err)
			}
			if want := readText(t, file("canonDoc", ".txt")); string(canonDoc) != want {
				t.Fatalf("canonical document differs:\n got %q\nwant %q", canonDoc, want)
			}
			config := readJSON(t, file("proofConfig", ".json"))
			canonProof, err := Canonicalize(config)
			if err != nil {
				t.Fatalf("canonicalize proof config: %v", err)
			}
			if want := readText(t, file("proofCanon", ".txt")); string(canonProof) != want {
				t.Fatalf("canonical proof config differs:\n got %q\nwant %q", canonProof, want)
			}
			h := v.hash()
			h.Write(canonDoc)
			if got, want := hex.EncodeToString(h.Sum(nil)), strings.TrimSpace(readText(t, file("docHash", ".txt"))); got != want {
				t.Errorf("document hash %s, want %s", got, want)
			}
			h = v.hash()
			h.Write(canonProof)
			if got, want := hex.EncodeToString(h.Sum(nil)), strings.TrimSpace(readText(t, file("proofHash", ".txt"))); got != want {
				t.Errorf("proof hash %s, want %s", got, want)
			}
			combined := concatHashes(v.hash, canonProof, canonDoc)
			if got, want := hex.EncodeToString(combined), strings.TrimSpace(readText(t, file("combinedHash", ".txt"))); got != want {
				t.Errorf("combined hash %s, want %s", got, want)
			}
			sigHex := strings.TrimSpace(readText(t, file("sigHex", ".txt")))
			sigB58 := strings.TrimSpace(readText(t, file("sigBTC58", ".txt")))
			sig, err := multibase.Decode(sigB58)
			if err != nil || hex.EncodeToString(sig) != sigHex {
				t.Fatalf("sigBTC58 does not decode to sigHex: %v", err)
			}
			keys := readJSON(t, v.keyFile)
			pub, err := did.DecodePublicMultikey(keys["publicKeyMultibase"].(string))
			if err != nil {
				t.Fatal(err)
			}
			if err := verifySignature(pub, combined, sig, v.hash); err != nil {
				t.Fatalf("vector signature: %v", err)
			}
			if v.name == "eddsa-rdfc-2022" {
				priv, err := did.DecodeSecretMultikey(keys["privateKeyMultibase"].(string))
				if err != nil {
					t.Fatal(err)
				}
				got, err := signBytes(priv, combined, v.hash)
				if err != nil {
					t.Fatal(err)
				}
				if hex.EncodeToString(got) != sigHex {
					t.Fatalf("signature %x, want %s", got, sigHex)
				}
				// The whole Sign path reproduces the signed credential.
				created, _ := time.Parse(time.RFC3339, config["created"].(string))
				signed, err := Sign(unsigned, priv, SignOptions{VerificationMethod: config["verificationMethod"].(string), Created: created})
				if err != nil {
					t.Fatal(err)
				}
				want := readJSON(t, file("signed", ".json"))
				gotJSON, _ := json.Marshal(signed)
				wantJSON, _ := json.Marshal(want)
				if !bytes.Equal(gotJSON, wantJSON) {
					t.Fatalf("signed credential differs:\n got %s\nwant %s", gotJSON, wantJSON)
				}
			}
			// And the published signed credential verifies end to end.
			signed := readJSON(t, file("signed", ".json"))
			if _, err := Verify(context.Background(), signed, VerifyOptions{Resolver: fragmentResolver{}}); err != nil {
				t.Fatalf("verify signed vector: %v", err)
			}
		})
	}
}

// TestOB3ImplementationGuideVector reproduces the OB 3.0 Implementation
// Guide's eddsa-rdfc-2022 test vector: hashes, signature and proofValue.
func TestOB3ImplementationGuideVector(t *testing.T) {
	unsigned := readJSON(t, "testdata/ob3/impl-testvector-eddsa-rdfc-2022-unsigned.json")
	proof := readJSON(t, "testdata/ob3/impl-testvector-eddsa-rdfc-2022-proof.json")
	signed := readJSON(t, "testdata/ob3/impl-testvector-eddsa-rdfc-2022-signed.json")

	canonDoc, err := Canonicalize(unsigned)
	if err != nil {
		t.Fatal(err)
	}
	if got := sha256.Sum256(canonDoc); hex.EncodeToString(got[:]) != "87f65a76d40146205e3b3e06cb0fbd153f97f9ce70372390f52566bb7f9e0773" {
		t.Fatalf("document hash %x; canonical document:\n%s", got, canonDoc)
	}
	config := shallowCopy(proof)
	delete(config, "proofValue")
	config["@context"] = unsigned["@context"]
	canonProof, err := Canonicalize(config)
	if err != nil {
		t.Fatal(err)
	}
	if got := sha256.Sum256(canonProof); hex.EncodeToString(got[:]) != "d34009cea0dbc1ca941e09dc01c8c9d3e3ce3c5b853f67ee44698dcea10f5d19" {
		t.Fatalf("proof hash %x; canonical proof:\n%s", got, canonProof)
	}
	seed, _ := hex.DecodeString("6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4")
	priv := ed25519.NewKeyFromSeed(seed)
	if hex.EncodeToString(priv.Public().(ed25519.PublicKey)) != "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5" {
		t.Fatal("seed does not give the vector's public key")
	}
	created, _ := time.Parse(time.RFC3339, proof["created"].(string))
	out, err := Sign(unsigned, priv, SignOptions{VerificationMethod: proof["verificationMethod"].(string), Created: created})
	if err != nil {
		t.Fatal(err)
	}
	got := out["proof"].(map[string]any)["proofValue"]
	if got != proof["proofValue"] {
		t.Fatalf("proofValue %v, want %v", got, proof["proofValue"])
	}
	if _, err := Verify(context.Background(), signed, VerifyOptions{Resolver: fragmentResolver{}}); err != nil {
		t.Fatalf("verify: %v", err)
	}
}

// TestProofSetsAndChains verifies the W3C proof set and proof chain
// examples, and that breaking any one proof fails the document.
func TestProofSetsAndChains(t *testing.T) {
	for _, name := range []string{"signedProofSet1", "signedProofSet2", "signedProofChain1", "signedProofChain2"} {
		t.Run(name, func(t *testing.T) {
			doc := readJSON(t, "testdata/eddsa-rdfc-2022/proof-set-chain/"+name+".json")
			res, err := Verify(context.Background(), doc, VerifyOptions{Resolver: fragmentResolver{}})
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			proofs, _ := proofList(doc["proof"])
			if len(res) != len(proofs) {
				t.Fatalf("%d results for %d proofs", len(res), len(proofs))
			}
			for i := range proofs {
				broken := shallowCopy(doc)
				list := make([]any, len(proofs))
				for j, p := range proofs {
					list[j] = p
				}
				bad := shallowCopy(proofs[i])
				bad["created"] = "2001-01-01T00:00:00Z"
				list[i] = bad
				broken["proof"] = list
				if _, err := Verify(context.Background(), broken, VerifyOptions{Resolver: fragmentResolver{}}); !errors.Is(err, ErrSignature) {
					t.Errorf("tampering proof %d: err = %v, want ErrSignature", i+1, err)
				}
			}
		})
	}
}

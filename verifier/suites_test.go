package verifier

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/blason-badges/blason/contexts"
	"github.com/blason-badges/blason/internal/dataintegrity"
	"github.com/blason-badges/blason/internal/did"
)

// fragmentKeys resolves a verification method whose fragment is the public
// Multikey, controlled by the URL before the fragment (as the W3C vectors'
// https issuers are); did: methods go to the offline DID resolver.
type fragmentKeys struct{}

func (fragmentKeys) ResolveKey(ctx context.Context, vm, purpose string) (*dataintegrity.VerificationKey, error) {
	if strings.HasPrefix(vm, "did:") {
		return DIDResolver(did.Offline).ResolveKey(ctx, vm, purpose)
	}
	base, frag, _ := strings.Cut(vm, "#")
	pub, err := did.DecodePublicMultikey(frag)
	if err != nil {
		return nil, err
	}
	return &dataintegrity.VerificationKey{ID: vm, Controller: base, Public: pub}, nil
}

// TestJCSVectorsThroughVerifier: the W3C JCS vectors verify as generic VCs;
// the ecdsa one is signed by a did:key that is not its https issuer, which
// the key provenance check catches.
func TestJCSVectorsThroughVerifier(t *testing.T) {
	t.Parallel()
	v := New(Options{Now: testNow, AcceptGeneric: true, Resolver: fragmentKeys{}})
	read := func(name string) []byte {
		b, err := os.ReadFile("testdata/suites/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	r, err := v.Verify(context.Background(), read("signedJCS.json"))
	if err != nil || !strings.Contains(r.Check(CheckProof).Detail, "eddsa-jcs-2022") {
		t.Fatalf("eddsa-jcs-2022: %v\n%s", err, dump(r))
	}
	r, err = v.Verify(context.Background(), read("signedJCSECDSAP256.json"))
	if err == nil || r.Check(CheckProof).Outcome != Passed || r.Check(CheckIssuerKey).Message != "issuer-key.not-issuer" {
		t.Fatalf("ecdsa-jcs-2019: %v\n%s", err, dump(r))
	}
}

// TestEd25519Signature2018Badge: an Open Badge signed with the legacy
// Ed25519Signature2018 by its did:key issuer verifies; altered, it does not.
func TestEd25519Signature2018Badge(t *testing.T) {
	t.Parallel()
	s := edSigner(t)
	doc := unsignedFor(t, s)
	doc["@context"] = append(doc["@context"].([]any), contexts.Ed25519_2018V1)
	proof := map[string]any{"type": "Ed25519Signature2018", "created": "2026-01-01T00:00:00Z",
		"verificationMethod": s.vm, "proofPurpose": "assertionMethod"}
	opts := map[string]any{"@context": doc["@context"]}
	for k, v := range proof {
		opts[k] = v
	}
	canonProof, err := dataintegrity.Canonicalize(opts)
	if err != nil {
		t.Fatal(err)
	}
	canonDoc, err := dataintegrity.Canonicalize(doc)
	if err != nil {
		t.Fatal(err)
	}
	hp, hd := sha256.Sum256(canonProof), sha256.Sum256(canonDoc)
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"EdDSA","b64":false,"crit":["b64"]}`))
	input := append(append([]byte(header+"."), hp[:]...), hd[:]...)
	proof["jws"] = header + ".." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(s.key.(ed25519.PrivateKey), input))
	doc["proof"] = proof
	b, _ := json.Marshal(doc)

	v := New(Options{Now: testNow})
	if r, err := v.Verify(context.Background(), b); err != nil {
		t.Fatalf("%v\n%s", err, dump(r))
	}
	altered := []byte(strings.Replace(string(b), "Works well in a team.", "Leads the team.", 1))
	if r, err := v.Verify(context.Background(), altered); err == nil || r.Check(CheckProof).Message != "proof.bad-signature" {
		t.Fatalf("altered: %v\n%s", err, dump(r))
	}
}

package dataintegrity

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blason-badges/blason/contexts"
	"github.com/blason-badges/blason/internal/did"
)

func mustJSON(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func deepCopy(t testing.TB, m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	return mustJSON(t, string(b))
}

const baseCredential = `{
  "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
  "id": "urn:uuid:2d4a5a8c-8d2b-4bb0-9d3d-8a8f1f2a1c11",
  "type": ["VerifiableCredential", "OpenBadgeCredential"],
  "issuer": {"id": "ISSUER", "type": ["Profile"], "name": "Lab"},
  "validFrom": "2025-01-01T00:00:00Z",
  "name": "Teamwork",
  "credentialSubject": {
    "type": ["AchievementSubject"],
    "id": "did:example:learner",
    "achievement": {"id": "https://lab.example/achievements/teamwork", "type": ["Achievement"],
      "name": "Teamwork", "description": "Works well in a team.", "criteria": {"narrative": "Peer nominated."}}
  }
}`

type testKey struct {
	priv     ed25519.PrivateKey
	did, vm  string
	resolver KeyResolver
}

func newTestKey(t testing.TB) testKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	d, vm, err := did.KeyDID(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return testKey{priv, d, vm, fragmentResolver{}}
}

func credentialFor(t testing.TB, issuer string) map[string]any {
	return mustJSON(t, strings.Replace(baseCredential, "ISSUER", issuer, 1))
}

func TestSignVerifyRoundTrip(t *testing.T) {
	k := newTestKey(t)
	doc := credentialFor(t, k.did)
	before := deepCopy(t, doc)
	signed, err := Sign(doc, k.priv, SignOptions{VerificationMethod: k.vm})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(doc, before) {
		t.Fatal("Sign modified its input")
	}
	res, err := Verify(context.Background(), signed, VerifyOptions{Resolver: k.resolver})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Err != nil || res[0].Key.Controller != k.did || res[0].Cryptosuite != SuiteEdDSARDFC {
		t.Fatalf("unexpected result %+v", res)
	}
	// A second proof makes a proof set; both must verify.
	k2 := newTestKey(t)
	set, err := Sign(signed, k2.priv, SignOptions{VerificationMethod: k2.vm})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := Verify(context.Background(), set, VerifyOptions{Resolver: k.resolver}); err != nil || len(res) != 2 {
		t.Fatalf("proof set: %v (%d results)", err, len(res))
	}
}

func TestSignECDSA(t *testing.T) {
	for _, curve := range []elliptic.Curve{elliptic.P256(), elliptic.P384()} {
		priv, err := ecdsa.GenerateKey(curve, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		d, vm, err := did.KeyDID(&priv.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		signed, err := Sign(credentialFor(t, d), priv, SignOptions{VerificationMethod: vm})
		if err != nil {
			t.Fatal(err)
		}
		if got := signed["proof"].(map[string]any)["cryptosuite"]; got != SuiteECDSARDFC {
			t.Fatalf("cryptosuite %v", got)
		}
		if _, err := Verify(context.Background(), signed, VerifyOptions{Resolver: fragmentResolver{}}); err != nil {
			t.Fatalf("%s: %v", curve.Params().Name, err)
		}
	}
}

func TestSignVC11AppendsDataIntegrityContext(t *testing.T) {
	k := newTestKey(t)
	doc := mustJSON(t, `{"@context": ["https://www.w3.org/2018/credentials/v1", "https://www.w3.org/ns/credentials/examples/v2"],
		"type": ["VerifiableCredential"], "issuer": "`+k.did+`", "issuanceDate": "2024-01-01T00:00:00Z",
		"credentialSubject": {"id": "did:example:1", "name": "x"}}`)
	signed, err := Sign(doc, k.priv, SignOptions{VerificationMethod: k.vm})
	if err != nil {
		t.Fatal(err)
	}
	ctx := signed["@context"].([]any)
	if ctx[len(ctx)-1] != contexts.DataIntegrityV2 {
		t.Fatalf("@context = %v, want data-integrity/v2 appended", ctx)
	}
	if _, err := Verify(context.Background(), signed, VerifyOptions{Resolver: k.resolver}); err != nil {
		t.Fatal(err)
	}
}

// TestCanonicalizeRejectsDroppedData: anything JSON-LD would silently drop
// is an error, so that no data ever sits outside a signature.
func TestCanonicalizeRejectsDroppedData(t *testing.T) {
	cases := []struct {
		name  string
		patch func(m map[string]any)
		want  error
	}{
		{"undefined property", func(m map[string]any) { m["invalidTerm"] = "x" }, ErrUndefinedTerm},
		{"undefined nested property", func(m map[string]any) {
			m["credentialSubject"].(map[string]any)["invalidTerm"] = "x"
		}, ErrUndefinedTerm},
		{"undefined type", func(m map[string]any) { m["type"] = []any{"VerifiableCredential", "InvalidType"} }, ErrUndefinedTerm},
		{"relative id", func(m map[string]any) { m["id"] = "credentials/1" }, ErrRelativeIRI},
		{"relative achievement id", func(m map[string]any) {
			m["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["id"] = "../teamwork"
		}, ErrRelativeIRI},
		{"IRI with space", func(m map[string]any) { m["id"] = "https://example.com/a b" }, ErrRelativeIRI},
		{"keyword-like key", func(m map[string]any) { m["@foo"] = "x" }, ErrUndefinedTerm},
		{"unknown context", func(m map[string]any) {
			m["@context"] = append(m["@context"].([]any), "https://evil.example/context.jsonld")
		}, contexts.ErrUnknownContext},
		// @direction itself is signed (i18n-datatype, TestDirectionLiterals).
		{"direction neither ltr nor rtl", func(m map[string]any) { m["name"] = map[string]any{"@value": "x", "@direction": "up"} }, ErrUnsupportedValue},
		{"direction on a number", func(m map[string]any) { m["name"] = map[string]any{"@value": 3, "@direction": "rtl"} }, nil},
		{"named graphs nested too deeply", func(m map[string]any) { m["credentialSubject"] = nestedGraphs(maxGraphDepth + 1) }, ErrTooDeep},
		{"bad language tag", func(m map[string]any) { m["name"] = map[string]any{"@value": "x", "@language": "not a tag"} }, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := credentialFor(t, "did:example:issuer")
			c.patch(doc)
			_, err := Canonicalize(doc)
			if c.want == nil {
				if err == nil {
					t.Fatal("want an error")
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

// TestCanonicalizeEscapesControlCharacters: RDFC-1.0 escapes control
// characters in literals (json-gold's own serialiser writes them raw).
func TestCanonicalizeEscapesControlCharacters(t *testing.T) {
	doc := credentialFor(t, "did:example:issuer")
	doc["name"] = "bell\u0007 tab\t nl\n del\u007f quote\" backslash\\"
	canon, err := Canonicalize(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := `"bell\u0007 tab\t nl\n del\u007F quote\" backslash\\"`
	if !strings.Contains(string(canon), want) {
		t.Fatalf("canonical form lacks %s:\n%s", want, canon)
	}
}

func TestCanonicalizeLiterals(t *testing.T) {
	doc := mustJSON(t, `{"@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
		"id": "urn:x:1", "int": 5, "big": 1e21, "dbl": 1.5, "neg": -0.000001, "yes": true,
		"js": {"@type": "@json", "@value": {"b": [1, 2.5, "é"], "a": null}},
		"fr": {"@value": "Bonjour", "@language": "fr-FR"}}`)
	canon, err := Canonicalize(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"5"^^<http://www.w3.org/2001/XMLSchema#integer>`,
		`"1.0E21"^^<http://www.w3.org/2001/XMLSchema#double>`,
		`"1.5E0"^^<http://www.w3.org/2001/XMLSchema#double>`,
		`"-1.0E-6"^^<http://www.w3.org/2001/XMLSchema#double>`,
		`"true"^^<http://www.w3.org/2001/XMLSchema#boolean>`,
		`"{\"a\":null,\"b\":[1,2.5,\"é\"]}"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON>`,
		`"Bonjour"@fr-fr`,
	} {
		if !strings.Contains(string(canon), want) {
			t.Errorf("missing %s in\n%s", want, canon)
		}
	}
}

func TestCanonicalizeDoesNotModifyInput(t *testing.T) {
	doc := readJSON(t, "testdata/ob3/impl-testvector-eddsa-rdfc-2022-signed.json")
	before := deepCopy(t, doc)
	a, err := Canonicalize(doc)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Canonicalize(doc)
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) || !reflect.DeepEqual(doc, before) {
		t.Fatal("Canonicalize is not repeatable or modified its input")
	}
}

type failingResolver struct{}

func (failingResolver) ResolveKey(context.Context, string, string) (*VerificationKey, error) {
	return nil, errors.New("no such key")
}

// TestVerifyRejects covers every malformed or hostile proof the VC API test
// suites send, each failing with its own error.
func TestVerifyRejects(t *testing.T) {
	k := newTestKey(t)
	signed, err := Sign(credentialFor(t, k.did), k.priv, SignOptions{VerificationMethod: k.vm})
	if err != nil {
		t.Fatal(err)
	}
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, p256VM, _ := did.KeyDID(&p256.PublicKey)

	withProof := func(f func(p map[string]any)) map[string]any {
		d := deepCopy(t, signed)
		f(d["proof"].(map[string]any))
		return d
	}
	cases := []struct {
		name     string
		doc      map[string]any
		resolver KeyResolver
		opts     VerifyOptions
		want     error
	}{
		{"no proof", func() map[string]any { d := deepCopy(t, signed); delete(d, "proof"); return d }(), nil, VerifyOptions{}, ErrNoProof},
		{"null proof", func() map[string]any { d := deepCopy(t, signed); d["proof"] = nil; return d }(), nil, VerifyOptions{}, ErrNoProof},
		{"empty proof array", func() map[string]any { d := deepCopy(t, signed); d["proof"] = []any{}; return d }(), nil, VerifyOptions{}, ErrNoProof},
		{"proof is a string", func() map[string]any { d := deepCopy(t, signed); d["proof"] = "z123"; return d }(), nil, VerifyOptions{}, ErrMalformedProof},
		{"no type", withProof(func(p map[string]any) { delete(p, "type") }), nil, VerifyOptions{}, ErrMalformedProof},
		{"unknown type", withProof(func(p map[string]any) { p["type"] = "UnknownProofType" }), nil, VerifyOptions{}, ErrUnknownProofType},
		{"unknown cryptosuite", withProof(func(p map[string]any) { p["cryptosuite"] = "eddsa-jcs-2099" }), nil, VerifyOptions{}, ErrUnknownCryptosuite},
		{"no cryptosuite", withProof(func(p map[string]any) { delete(p, "cryptosuite") }), nil, VerifyOptions{}, ErrMalformedProof},
		{"no verificationMethod", withProof(func(p map[string]any) { delete(p, "verificationMethod") }), nil, VerifyOptions{}, ErrMalformedProof},
		{"no proofPurpose", withProof(func(p map[string]any) { delete(p, "proofPurpose") }), nil, VerifyOptions{}, ErrMalformedProof},
		{"wrong proofPurpose", withProof(func(p map[string]any) { p["proofPurpose"] = "authentication" }), nil, VerifyOptions{}, ErrProofPurpose},
		{"purpose not expected", signed, nil, VerifyOptions{Purpose: PurposeAuthentication}, ErrProofPurpose},
		{"no proofValue", withProof(func(p map[string]any) { delete(p, "proofValue") }), nil, VerifyOptions{}, ErrProofValue},
		{"null proofValue", withProof(func(p map[string]any) { p["proofValue"] = nil }), nil, VerifyOptions{}, ErrProofValue},
		{"base64 proofValue", withProof(func(p map[string]any) { p["proofValue"] = "u" + p["proofValue"].(string)[1:] }), nil, VerifyOptions{}, ErrProofValue},
		{"bad base58", withProof(func(p map[string]any) { p["proofValue"] = "z0OIl" }), nil, VerifyOptions{}, ErrProofValue},
		{"short signature", withProof(func(p map[string]any) { p["proofValue"] = "z3sHq" }), nil, VerifyOptions{}, ErrProofValue},
		{"bad created", withProof(func(p map[string]any) { p["created"] = "yesterday" }), nil, VerifyOptions{}, ErrMalformedProof},
		{"changed created", withProof(func(p map[string]any) { p["created"] = "2001-01-01T00:00:00Z" }), nil, VerifyOptions{}, ErrSignature},
		{"expired proof", withProof(func(p map[string]any) { p["expires"] = "2001-01-01T00:00:00Z" }), nil, VerifyOptions{}, ErrExpired},
		{"wrong key type", withProof(func(p map[string]any) { p["verificationMethod"] = p256VM }), nil, VerifyOptions{}, ErrKeyType},
		{"other Ed25519 key", withProof(func(p map[string]any) { p["verificationMethod"] = newTestKey(t).vm }), nil, VerifyOptions{}, ErrSignature},
		{"unresolvable key", signed, failingResolver{}, VerifyOptions{}, ErrKeyResolution},
		{"tampered name", func() map[string]any { d := deepCopy(t, signed); d["name"] = "Leadership"; return d }(), nil, VerifyOptions{}, ErrSignature},
		{"tampered subject", func() map[string]any {
			d := deepCopy(t, signed)
			d["credentialSubject"].(map[string]any)["id"] = "did:example:mallory"
			return d
		}(), nil, VerifyOptions{}, ErrSignature},
		{"undefined term added", func() map[string]any { d := deepCopy(t, signed); d["invalidTerm"] = "x"; return d }(), nil, VerifyOptions{}, ErrUndefinedTerm},
		{"proof @context mismatch", withProof(func(p map[string]any) { p["@context"] = []any{contexts.CredentialsV1} }), nil, VerifyOptions{}, ErrContextMismatch},
		{"wrong challenge", signed, nil, VerifyOptions{Challenge: "abc"}, ErrChallenge},
		{"wrong domain", signed, nil, VerifyOptions{Domain: "verifier.example"}, ErrDomain},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := c.opts
			opts.Resolver = c.resolver
			if opts.Resolver == nil {
				opts.Resolver = fragmentResolver{}
			}
			_, err := Verify(context.Background(), c.doc, opts)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

// TestUnknownProofBesideValidProof: a proof of a type we do not know does
// not hide a valid one (OB 3.0 §8), but alone it never verifies.
func TestUnknownProofBesideValidProof(t *testing.T) {
	k := newTestKey(t)
	signed, err := Sign(credentialFor(t, k.did), k.priv, SignOptions{VerificationMethod: k.vm})
	if err != nil {
		t.Fatal(err)
	}
	d := deepCopy(t, signed)
	d["proof"] = []any{map[string]any{"type": "SomeProofType", "proofPurpose": "assertionMethod"}, d["proof"]}
	res, err := Verify(context.Background(), d, VerifyOptions{Resolver: k.resolver})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Known() || !errors.Is(res[0].Err, ErrUnknownProofType) || res[1].Err != nil {
		t.Fatalf("results %+v", res)
	}
}

func TestVerifyConcurrent(t *testing.T) {
	doc := readJSON(t, "testdata/ob3/impl-testvector-eddsa-rdfc-2022-signed.json")
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				if _, err := Verify(context.Background(), doc, VerifyOptions{Resolver: fragmentResolver{}, Now: time.Now}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

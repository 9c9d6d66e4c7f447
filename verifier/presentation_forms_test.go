package verifier

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/dataintegrity"
	"github.com/blason-badges/blason/internal/vcjwt"
)

// signVP signs doc (a presentation without proof) for challenge and domain.
func signVP(t testing.TB, h signer, doc map[string]any, challenge, domain string) []byte {
	t.Helper()
	signed, err := dataintegrity.Sign(doc, h.key, dataintegrity.SignOptions{VerificationMethod: h.vm,
		Purpose: dataintegrity.PurposeAuthentication, Challenge: challenge, Domain: domain, Created: testNow()})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(signed)
	return b
}

func decodeMap(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestReferenceStackPresentations: the documents signed by Digital Bazaar's
// stack (testdata/js-presentations) verify: the badge, the credential whose
// name and description carry a direction, the presentation of the badge
// (its credential and proofs are named graphs), and the presentation with
// no credential (DID authentication), whose report says it holds none.
func TestReferenceStackPresentations(t *testing.T) {
	t.Parallel()
	v := New(Options{Now: testNow, AcceptGeneric: true})
	read := func(name string) []byte {
		b, err := os.ReadFile("testdata/js-presentations/" + name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, name := range []string{"badge-for-holder", "vc-language-direction"} {
		if r, err := v.Verify(context.Background(), read(name)); err != nil {
			t.Errorf("%s: %v\n%s", name, err, dump(r))
		}
	}
	opts := PresentationOptions{Challenge: "c0ffee-2025", Domain: "verifier.example"}
	r, err := v.VerifyPresentation(context.Background(), read("vp-one-badge"), opts)
	if err != nil || len(r.Credentials) != 1 || r.Check(CheckHolder).Outcome != Passed {
		t.Fatalf("vp-one-badge: %v\n%s", err, dumpP(r))
	}
	r, err = v.VerifyPresentation(context.Background(), read("vp-no-credential"), opts)
	if err != nil || len(r.Credentials) != 0 || r.Check(CheckCredentials).Message != "credentials.none" ||
		r.Holder != "did:key:z6MkkBPYdMyzcYZ82316KGBobVXJL619wybD692WpZaPQSBg" {
		t.Fatalf("vp-no-credential: %v\n%s", err, dumpP(r))
	}
	// The holder's proof still decides: another request's challenge fails.
	if _, err := v.VerifyPresentation(context.Background(), read("vp-no-credential"),
		PresentationOptions{Challenge: "other", Domain: "verifier.example"}); err == nil {
		t.Fatal("vp-no-credential verified for another challenge")
	}
}

// TestPresentationForms: the shapes of presentation the VC Data Model 2.0
// allows verify, each signed by Blason and checked with the graph-container
// semantics (the credential a named graph).
func TestPresentationForms(t *testing.T) {
	t.Parallel()
	issuer, holder := edSigner(t), edSigner(t)
	badge := decodeMap(t, issuer.badge(t, func(m map[string]any) {
		s := m["credentialSubject"].(map[string]any)
		delete(s, "identifier")
		s["id"] = holder.did
	}))
	base := func() map[string]any {
		return map[string]any{
			"@context":             []any{"https://www.w3.org/ns/credentials/v2"},
			"type":                 []any{"VerifiablePresentation"},
			"holder":               holder.did,
			"verifiableCredential": []any{badge},
		}
	}
	v := New(Options{Now: testNow})
	opts := PresentationOptions{Challenge: "n-1", Domain: "example.org"}
	cases := []struct {
		name   string
		patch  func(m map[string]any)
		creds  int
		holder Outcome
	}{
		{"plain", func(map[string]any) {}, 1, Passed},
		{"no credential", func(m map[string]any) { delete(m, "verifiableCredential") }, 0, Skipped},
		{"empty credential list", func(m map[string]any) { m["verifiableCredential"] = []any{} }, 0, Skipped},
		{"one credential, not in an array", func(m map[string]any) { m["verifiableCredential"] = badge }, 1, Passed},
		{"with an id", func(m map[string]any) { m["id"] = "urn:uuid:3c7b1a52-5a0e-4d7e-9d53-0b0e6a1f2c44" }, 1, Passed},
		{"holder as an object", func(m map[string]any) { m["holder"] = map[string]any{"id": holder.did} }, 1, Passed},
		{"no holder", func(m map[string]any) { delete(m, "holder") }, 1, Passed},
		{"several contexts and an inline one", func(m map[string]any) {
			m["@context"] = []any{"https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2",
				map[string]any{"nickname": "https://example.org/vocab#nickname"}}
			m["nickname"] = "my presentation"
		}, 1, Passed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := base()
			c.patch(doc)
			r, err := v.VerifyPresentation(context.Background(), signVP(t, holder, doc, "n-1", "example.org"), opts)
			if err != nil {
				t.Fatalf("%v\n%s", err, dumpP(r))
			}
			if len(r.Credentials) != c.creds || r.Check(CheckHolder).Outcome != c.holder {
				t.Fatalf("credentials %d, holder %s\n%s", len(r.Credentials), r.Check(CheckHolder).Outcome, dumpP(r))
			}
			if c.creds == 0 && r.Check(CheckCredentials).Message != "credentials.none" {
				t.Fatalf("a presentation without credential should say so\n%s", dumpP(r))
			}
		})
	}

	// The holder's signature covers the credentials, inside their graph.
	signed := decodeMap(t, signVP(t, holder, base(), "n-1", "example.org"))
	vc := signed["verifiableCredential"].([]any)[0].(map[string]any)
	vc["name"] = "Changed"
	b, _ := json.Marshal(signed)
	if r, err := v.VerifyPresentation(context.Background(), b, opts); err == nil || r.Check(CheckPresentation).Outcome != Failed {
		t.Fatalf("altered credential: %v\n%s", err, dumpP(r))
	}
}

// TestVPJWTCredentialForms: a VP-JWT whose verifiableCredential holds
// compact VC-JWT strings (as walt.id emits) or EnvelopedVerifiableCredential
// objects verifies each credential; a string that is no JWT, or a number,
// fails the presentation.
func TestVPJWTCredentialForms(t *testing.T) {
	t.Parallel()
	issuer, holder := edSigner(t), edSigner(t)
	badge := decodeMap(t, issuer.badge(t, func(m map[string]any) {
		s := m["credentialSubject"].(map[string]any)
		delete(s, "identifier")
		s["id"] = holder.did
		delete(m, "proof")
	}))
	delete(badge, "proof")
	jws, err := vcjwt.Sign(badge, issuer.key, vcjwt.SignOptions{KeyID: issuer.vm})
	if err != nil {
		t.Fatal(err)
	}
	env, err := vcjwt.Sign(badge, issuer.key, vcjwt.SignOptions{KeyID: issuer.vm, Envelope: true})
	if err != nil {
		t.Fatal(err)
	}
	tampered := jws[:len(jws)-4] + "AAAA"
	v := New(Options{Now: testNow})
	opts := PresentationOptions{Challenge: "n-2", Domain: "example.org"}
	cases := []struct {
		name  string
		creds []any
		ok    bool
		check Outcome // credentials
	}{
		{"compact VC-JWT strings", []any{jws, jws}, true, Passed},
		{"enveloped credential", []any{vcjwt.Envelope(env)}, true, Passed},
		{"both", []any{jws, vcjwt.Envelope(env)}, true, Passed},
		{"no credential", nil, true, Skipped},
		{"tampered VC-JWT string", []any{tampered}, false, Failed},
		{"a string that is not a JWT", []any{"hello"}, false, Failed},
		{"a number", []any{jws, 42.0}, false, Failed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := map[string]any{"@context": []any{"https://www.w3.org/ns/credentials/v2"},
				"type": []any{"VerifiablePresentation"}, "holder": holder.did}
			if c.creds != nil {
				doc["verifiableCredential"] = c.creds
			}
			vp, err := vcjwt.SignPresentation(doc, holder.key, holder.vm, "n-2", "example.org")
			if err != nil {
				t.Fatal(err)
			}
			r, err := v.VerifyPresentation(context.Background(), []byte(vp), opts)
			if (err == nil) != c.ok || r.Check(CheckCredentials).Outcome != c.check || len(r.Credentials) != len(c.creds) {
				t.Fatalf("err %v\n%s", err, dumpP(r))
			}
			if c.ok && len(c.creds) > 0 && r.Check(CheckHolder).Outcome != Passed {
				t.Fatalf("holder binding through the VC-JWT's subject\n%s", dumpP(r))
			}
		})
	}
}

// TestVPJWTWithVCJWT11: a VC-JWT 1.1 token (the credential in a "vc"
// claim, as walt.id issues) inside a VP-JWT verifies, and binds its subject
// to the holder.
func TestVPJWTWithVCJWT11(t *testing.T) {
	t.Parallel()
	issuer, holder := edSigner(t), edSigner(t)
	vc := map[string]any{
		"@context":          []any{"https://www.w3.org/2018/credentials/v1", "https://www.w3.org/ns/credentials/examples/v2"},
		"id":                "urn:uuid:7d4e8a0c-1f6b-4f0e-9a57-3c2b1d0e9f88",
		"type":              []any{"VerifiableCredential"},
		"issuer":            issuer.did,
		"issuanceDate":      "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"id": holder.did, "alumniOf": "The School of Examples"},
	}
	jws, err := vcjwt.Sign(vc, issuer.key, vcjwt.SignOptions{KeyID: issuer.vm})
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(jws, ".")[1])
	if !strings.Contains(string(payload), `"vc":{`) {
		t.Fatal("the token should carry the credential in a vc claim")
	}
	vp, err := vcjwt.SignPresentation(map[string]any{"@context": []any{"https://www.w3.org/2018/credentials/v1"},
		"type": []any{"VerifiablePresentation"}, "verifiableCredential": []any{jws}}, holder.key, holder.vm, "n-3", "")
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(Options{Now: testNow, AcceptGeneric: true}).VerifyPresentation(context.Background(), []byte(vp),
		PresentationOptions{Challenge: "n-3"})
	if err != nil || len(r.Credentials) != 1 || r.Check(CheckHolder).Outcome != Passed {
		t.Fatalf("%v\n%s", err, dumpP(r))
	}
}

// TestPresentationOfManyCredentials: a presentation holding more than
// maxPresentedCredentials credentials is refused at once, before the
// holder's proof or any credential is checked.
func TestPresentationOfManyCredentials(t *testing.T) {
	t.Parallel()
	holder := edSigner(t)
	tiny := map[string]any{"type": "VerifiableCredential"}
	for _, n := range []int{maxPresentedCredentials + 1, 10_000} {
		creds := make([]any, n)
		for i := range creds {
			creds[i] = tiny
		}
		doc := map[string]any{"@context": []any{"https://www.w3.org/ns/credentials/v2"},
			"type": []any{"VerifiablePresentation"}, "holder": holder.did, "verifiableCredential": creds,
			"proof": map[string]any{"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
				"proofPurpose": "authentication", "verificationMethod": holder.vm, "challenge": "c", "proofValue": "z1"}}
		b, _ := json.Marshal(doc)
		jwt, err := vcjwt.SignPresentation(map[string]any{"@context": doc["@context"], "type": doc["type"],
			"holder": holder.did, "verifiableCredential": creds}, holder.key, holder.vm, "c", "")
		if err != nil {
			t.Fatal(err)
		}
		for form, data := range map[string][]byte{"Data Integrity": b, "VP-JWT": []byte(jwt)} {
			start := time.Now()
			r, err := New(Options{Now: testNow}).VerifyPresentation(context.Background(), data, PresentationOptions{Challenge: "c"})
			// Refused before any credential is verified (and, for Data
			// Integrity, before the holder's proof, whose canonical form
			// would cover them all); the clock is only a backstop.
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("%s, %d credentials: took %v", form, n, d)
			}
			if err == nil || r.Check(CheckCredentials).Message != "credentials.too-many" || len(r.Credentials) != 0 {
				t.Fatalf("%s, %d credentials: %v\n%s", form, n, err, dumpP(r))
			}
			if form == "Data Integrity" && r.Check(CheckPresentation).Outcome != NotRun {
				t.Fatalf("the holder's proof was checked\n%s", dumpP(r))
			}
		}
	}
}

// TestPresentationText: a presentation's report never calls the
// presentation a credential or a badge, and one without credential says
// it holds none.
func TestPresentationText(t *testing.T) {
	t.Parallel()
	holder := edSigner(t)
	doc := map[string]any{"@context": []any{"https://www.w3.org/ns/credentials/v2"},
		"type": []any{"VerifiablePresentation"}, "holder": holder.did}
	r, err := New(Options{Now: testNow}).VerifyPresentation(context.Background(), signVP(t, holder, doc, "c", ""), PresentationOptions{Challenge: "c"})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := r.WriteText(&out, true); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, bad := range []string{"Open Badges credential", "readable credential", "Open Badges 3.0 vocabulary", "badge"} {
		if strings.Contains(text, bad) {
			t.Errorf("text says %q:\n%s", bad, text)
		}
	}
	for _, want := range []string{"It is a Verifiable Presentation.", "It holds no credential", "PRESENTATION VERIFIED."} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
}

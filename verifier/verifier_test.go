package verifier

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/dataintegrity"
	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/i18n"
	"github.com/blason-badges/blason/internal/testissuer/testkit"
)

var testNow = func() time.Time { return time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) }

// unsignedBadge is the shared fixture's badge, issued by "ISSUER".
const unsignedBadge = testkit.UnsignedBadge

type signer struct {
	key     crypto.Signer
	did, vm string
}

func newSigner(t testing.TB, pub crypto.Signer) signer {
	d, vm, err := did.KeyDID(pub.Public())
	if err != nil {
		t.Fatal(err)
	}
	return signer{pub, d, vm}
}

func edSigner(t testing.TB) signer {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	return newSigner(t, priv)
}

// badge returns a credential issued by s, after patch, signed.
func (s signer) badge(t testing.TB, patch func(map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(strings.Replace(unsignedBadge, "ISSUER", s.did, 1)), &doc); err != nil {
		t.Fatal(err)
	}
	if patch != nil {
		patch(doc)
	}
	signed, err := dataintegrity.Sign(doc, s.key, dataintegrity.SignOptions{VerificationMethod: s.vm, Created: testNow()})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(signed)
	return b
}

// mutate decodes b, applies f, and re-encodes (the signature is not redone).
func mutate(t testing.TB, b []byte, f func(map[string]any)) []byte {
	var m map[string]any
	json.Unmarshal(b, &m)
	f(m)
	out, _ := json.Marshal(m)
	return out
}

func TestVerifyGood(t *testing.T) {
	s := edSigner(t)
	v := New(Options{Now: testNow, Recipient: &Recipient{IdentityType: "emailAddress", Value: "a@example.com"}})
	r, err := v.Verify(context.Background(), s.badge(t, nil))
	if err != nil || !r.Verified {
		t.Fatalf("%v\n%s", err, dump(r))
	}
	for _, c := range r.Checks {
		want := Passed
		if c.ID == CheckStatus || c.ID == CheckEndorsements || c.ID == CheckRefresh || c.ID == CheckRelated {
			want = Skipped
		}
		if c.Outcome != want {
			t.Errorf("%s: %s, want %s", c.ID, c.Outcome, want)
		}
	}
	if r.Credential.Achievement != "Teamwork" || r.Credential.IssuerName != "Science & Society Lab" {
		t.Fatalf("summary %+v", r.Credential)
	}
}

// TestVerifyBadInput: each hostile or broken input fails on the right check
// with a clear reason, and never verifies.
func TestVerifyBadInput(t *testing.T) {
	s := edSigner(t)
	good := s.badge(t, nil)
	other := edSigner(t)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p256s := newSigner(t, p256)

	deep := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	cases := []struct {
		name, check, detail string
		input               []byte
		now                 func() time.Time
	}{
		{"malformed JSON", CheckParse, "malformed", []byte(`{"@context": [`), nil},
		{"duplicate keys", CheckParse, `duplicate key "name"`, []byte(`{"name": "a", "name": "b"}`), nil},
		{"JSON string instead of object", CheckParse, "got a string", []byte(`"{\"@context\": []}"`), nil},
		{"deeply nested", CheckParse, "deep", []byte(deep), nil},
		{"oversized", CheckParse, "too large", append(append([]byte(`{"x":"`), make([]byte, 2<<20)...), `"}`...), nil},
		{"unknown context", CheckProof, "unknown JSON-LD context", s.badge(t, nil), nil},
		{"undefined term", CheckProof, `"colour"`, mutate(t, good, func(m map[string]any) { m["colour"] = "blue" }), nil},
		{"no proof", CheckProof, "no proof", mutate(t, good, func(m map[string]any) { delete(m, "proof") }), nil},
		{"null proof", CheckProof, "null", mutate(t, good, func(m map[string]any) { m["proof"] = nil }), nil},
		{"unknown proof type", CheckProof, "unknown proof type", mutate(t, good, func(m map[string]any) {
			m["proof"].(map[string]any)["type"] = "UnknownProofType"
		}), nil},
		{"unknown cryptosuite", CheckProof, "unknown cryptosuite", mutate(t, good, func(m map[string]any) {
			m["proof"].(map[string]any)["cryptosuite"] = "eddsa-rdf-2022"
		}), nil},
		{"wrong proof purpose", CheckProof, "wrong proof purpose", mutate(t, good, func(m map[string]any) {
			m["proof"].(map[string]any)["proofPurpose"] = "authentication"
		}), nil},
		{"bad multibase", CheckProof, "invalid proofValue", mutate(t, good, func(m map[string]any) {
			m["proof"].(map[string]any)["proofValue"] = "zIIII0000"
		}), nil},
		{"key type does not match suite", CheckProof, "key type", mutate(t, good, func(m map[string]any) {
			m["proof"].(map[string]any)["verificationMethod"] = p256s.vm
		}), nil},
		{"truncated key", CheckProof, "verification method", mutate(t, good, func(m map[string]any) {
			m["proof"].(map[string]any)["verificationMethod"] = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2d#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2d"
		}), nil},
		{"unsupported DID method", CheckProof, "unsupported DID method", mutate(t, good, func(m map[string]any) {
			m["proof"].(map[string]any)["verificationMethod"] = "did:example:123#key-1"
		}), nil},
		{"tampered", CheckProof, "signature does not verify", mutate(t, good, func(m map[string]any) { m["name"] = "Nobel Prize" }), nil},
		{"signed by someone else", CheckIssuerKey, "not by the issuer", other.badge(t, func(m map[string]any) {
			m["issuer"].(map[string]any)["id"] = s.did
		}), nil},
		{"relative IRI trick", CheckProof, "not an absolute IRI", s.badge(t, nil), nil},
		{"expired", CheckValidity, "validUntil was", s.badge(t, func(m map[string]any) { m["validUntil"] = "2026-02-01T00:00:00Z" }), nil},
		{"not yet valid", CheckValidity, "in the future", s.badge(t, func(m map[string]any) { m["validFrom"] = "2027-01-01T00:00:00Z" }), nil},
		{"date without zone", CheckSchema, "validFrom", s.badge(t, func(m map[string]any) { m["validFrom"] = "2026-01-01T00:00:00" }), nil},
		{"no subject identifier", CheckSubject, "identifier", s.badge(t, func(m map[string]any) {
			delete(m["credentialSubject"].(map[string]any), "identifier")
		}), nil},
		{"context out of order", CheckContext, "context", s.badge(t, func(m map[string]any) {
			c := m["@context"].([]any)
			m["@context"] = []any{c[1], c[0]}
		}), nil},
	}
	// The unknown-context and relative-IRI cases are built here because
	// they cannot be signed: they are what an attacker edits into a badge.
	for i := range cases {
		switch cases[i].name {
		case "unknown context":
			cases[i].input = mutate(t, good, func(m map[string]any) {
				m["@context"] = append(m["@context"].([]any), "https://evil.example/ctx.jsonld")
			})
		case "relative IRI trick":
			cases[i].input = mutate(t, good, func(m map[string]any) { m["id"] = "../../credentials/1" })
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			now := c.now
			if now == nil {
				now = testNow
			}
			r, err := New(Options{Now: now}).Verify(context.Background(), c.input)
			if err == nil || r.Verified || !errors.Is(err, ErrNotVerified) {
				t.Fatalf("verified: %v", err)
			}
			chk := r.Check(c.check)
			if chk.Outcome == Passed || chk.Outcome == Skipped {
				t.Fatalf("check %s is %s\n%s", c.check, chk.Outcome, dump(r))
			}
			if !strings.Contains(strings.ToLower(chk.Detail), strings.ToLower(c.detail)) {
				t.Fatalf("check %s detail %q lacks %q", c.check, chk.Detail, c.detail)
			}
			if c.check == CheckParse {
				for _, other := range r.Checks[1:] {
					if other.Outcome != NotRun {
						t.Fatalf("after a parse failure, %s is %s", other.ID, other.Outcome)
					}
				}
			}
		})
	}
}

func TestVerifyECDSAIssuer(t *testing.T) {
	for _, curve := range []elliptic.Curve{elliptic.P256(), elliptic.P384()} {
		k, _ := ecdsa.GenerateKey(curve, rand.Reader)
		s := newSigner(t, k)
		if r, err := New(Options{Now: testNow}).Verify(context.Background(), s.badge(t, nil)); err != nil {
			t.Fatalf("%s: %v\n%s", curve.Params().Name, err, dump(r))
		}
	}
}

// TestReportNeverVerifiedWithoutRequiredChecks: Verified is derived from
// the checks, and a required check left not-run or unknown never passes.
func TestReportNeverVerifiedWithoutRequiredChecks(t *testing.T) {
	r := newReport()
	for i := range r.Checks {
		r.Checks[i].Outcome = Passed
	}
	r.decide()
	if !r.Verified {
		t.Fatal("all passed but not verified")
	}
	for _, id := range []string{CheckParse, CheckContext, CheckType, CheckSchema, CheckSubject, CheckProof, CheckIssuerKey, CheckValidity} {
		for _, o := range []Outcome{NotRun, Unknown, Warning, Skipped, Failed} {
			r := newReport()
			for i := range r.Checks {
				r.Checks[i].Outcome = Passed
			}
			r.Check(id).Outcome = o
			if _, err := r.finish(); err == nil || r.Verified {
				t.Errorf("required %s = %s, yet verified", id, o)
			}
		}
	}
	for _, id := range []string{CheckStatus, CheckRecipient, CheckEndorsements} {
		r := newReport()
		for i := range r.Checks {
			r.Checks[i].Outcome = Passed
		}
		r.Check(id).Outcome = Failed
		if _, err := r.finish(); err == nil {
			t.Errorf("failed %s, yet verified", id)
		}
		r.Check(id).Outcome = Unknown
		if _, err := r.finish(); err != nil {
			t.Errorf("unknown %s should not by itself fail: %v", id, err)
		}
	}
}

func TestOutcomeJSON(t *testing.T) {
	b, _ := json.Marshal(Check{ID: "proof", Outcome: Unknown, Message: "m"})
	if string(b) != `{"id":"proof","outcome":"unknown","message":"m"}` {
		t.Fatalf("%s", b)
	}
	var c Check
	if err := json.Unmarshal([]byte(`{"id":"x","outcome":"not-run"}`), &c); err != nil || c.Outcome != NotRun {
		t.Fatalf("%v %v", err, c.Outcome)
	}
	if err := json.Unmarshal([]byte(`{"outcome":"maybe"}`), &c); err == nil {
		t.Fatal("accepted an unknown outcome")
	}
}

// TestEveryMessageHasText: every message key the verifier can emit has a
// sentence for people, in English and in French. It reads every non-test
// Go file of the verifier, and of internal/vcjwt (whose checks the verifier
// reports), so a key added in a new file is caught too: a fixed list of
// files let "proof.jwt-claims" (verifier/jwt.go) go without a text.
func TestEveryMessageHasText(t *testing.T) {
	t.Parallel()
	var files []string
	for _, dir := range []string{".", "../internal/vcjwt"} {
		m, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			if !strings.HasSuffix(f, "_test.go") {
				files = append(files, f)
			}
		}
	}
	if len(files) < 10 {
		t.Fatalf("found only %d source files: %v", len(files), files)
	}
	key := regexp.MustCompile(`"([a-z-]+\.[a-z0-9-]+)"`)
	found := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range key.FindAllStringSubmatch(string(src), -1) {
			found++
			if strings.HasSuffix(k[1], ".not-run") {
				continue // Check.TextIn gives every ".not-run" key one sentence
			}
			// A key in the catalogue has both texts, non-empty
			// (i18n.TestEveryKeyHasBothLanguages).
			if !i18n.Has(k[1]) || English[k[1]] == "" {
				t.Errorf("%s: message %q has no text", f, k[1])
			}
		}
	}
	if found < 100 {
		t.Fatalf("found only %d message keys", found)
	}
}

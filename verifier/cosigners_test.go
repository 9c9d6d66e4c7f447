package verifier

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/dataintegrity"
)

// unsignedFor returns the test badge issued by s, unsigned.
func unsignedFor(t testing.TB, s signer) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(strings.Replace(unsignedBadge, "ISSUER", s.did, 1)), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// add signs doc with s as a proof-set member (previous nil) or a chained
// proof naming previous.
func (s signer) add(t testing.TB, doc map[string]any, id string, previous any) map[string]any {
	t.Helper()
	out, err := dataintegrity.SignChained(doc, s.key, dataintegrity.SignOptions{VerificationMethod: s.vm, Created: testNow()}, id, previous)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestProofSetsBySeveralSigners: the issuer's proof must be there and
// verify with the issuer's key; a witness's or endorser's proof verifies
// with its own key, is named as a co-signer, and is not held to the
// issuer's key; every proof must verify (issue 8, item 6).
func TestProofSetsBySeveralSigners(t *testing.T) {
	t.Parallel()
	issuer, witness, endorser := edSigner(t), edSigner(t), edSigner(t)
	base := unsignedFor(t, issuer)

	issuerFirst := issuer.add(t, base, "urn:uuid:issuer-proof", nil)
	set := witness.add(t, issuerFirst, "urn:uuid:witness-proof", nil)
	chainString := witness.add(t, issuerFirst, "urn:uuid:witness-proof", "urn:uuid:issuer-proof")
	chainArray := endorser.add(t, chainString, "urn:uuid:endorser-proof", []any{"urn:uuid:issuer-proof", "urn:uuid:witness-proof"})
	witnessFirst := issuer.add(t, witness.add(t, base, "urn:uuid:w", nil), "urn:uuid:i", "urn:uuid:w")

	brokenWitness := mutate(t, encode(set), func(m map[string]any) {
		m["proof"].([]any)[1].(map[string]any)["created"] = "2001-01-01T00:00:00Z"
	})
	missingPrevious := mutate(t, encode(chainString), func(m map[string]any) {
		m["proof"].([]any)[1].(map[string]any)["previousProof"] = "urn:uuid:nowhere"
	})
	droppedIssuer := mutate(t, encode(chainArray), func(m map[string]any) {
		m["proof"] = m["proof"].([]any)[1:]
	})

	cases := []struct {
		name      string
		data      []byte
		verified  bool
		check     string // the first failing check when not verified
		coSigners []string
	}{
		{"issuer alone", encode(issuerFirst), true, "", nil},
		{"proof set: issuer and witness", encode(set), true, "", []string{witness.did}},
		{"chain, previousProof a string", encode(chainString), true, "", []string{witness.did}},
		{"chain, previousProof an array", encode(chainArray), true, "", []string{witness.did, endorser.did}},
		{"issuer chained after a witness", encode(witnessFirst), true, "", []string{witness.did}},
		{"witness alone", encode(witness.add(t, base, "", nil)), false, CheckIssuerKey, nil},
		{"witness proof broken", brokenWitness, false, CheckProof, nil},
		{"previousProof names no proof", missingPrevious, false, CheckProof, nil},
		{"chain whose issuer proof was removed", droppedIssuer, false, CheckProof, nil},
	}
	v := New(Options{Now: testNow})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := v.Verify(context.Background(), tc.data)
			if (err == nil) != tc.verified || r.Verified != tc.verified {
				t.Fatalf("verified %v (%v), want %v\n%s", r.Verified, err, tc.verified, dump(r))
			}
			if !tc.verified {
				if c := r.Reason(); c == nil || c.ID != tc.check {
					t.Fatalf("reason %+v, want %s\n%s", c, tc.check, dump(r))
				}
				return
			}
			var got []string
			for _, cs := range r.CoSigners {
				got = append(got, cs.Controller)
				if !strings.HasPrefix(cs.VerificationMethod, cs.Controller+"#") {
					t.Errorf("co-signer %+v", cs)
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.coSigners, " ") {
				t.Fatalf("co-signers %v, want %v", got, tc.coSigners)
			}
			var b bytes.Buffer
			r.WriteText(&b, false)
			for _, d := range tc.coSigners {
				if !strings.Contains(b.String(), "also signed by "+d) {
					t.Fatalf("text does not name co-signer %s:\n%s", d, b.String())
				}
			}
		})
	}
}

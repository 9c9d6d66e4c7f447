package verifier

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/dataintegrity"
)

// vp builds a presentation of creds by holder h, signed for challenge/domain.
func vp(t testing.TB, h signer, challenge, domain string, creds ...[]byte) []byte {
	t.Helper()
	var list []any
	for _, c := range creds {
		var m map[string]any
		json.Unmarshal(c, &m)
		list = append(list, m)
	}
	doc := map[string]any{
		"@context":             []any{"https://www.w3.org/ns/credentials/v2"},
		"type":                 []any{"VerifiablePresentation"},
		"holder":               h.did,
		"verifiableCredential": list,
	}
	signed, err := dataintegrity.Sign(doc, h.key, dataintegrity.SignOptions{VerificationMethod: h.vm,
		Purpose: dataintegrity.PurposeAuthentication, Challenge: challenge, Domain: domain, Created: testNow()})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(signed)
	return b
}

func TestVerifyPresentation(t *testing.T) {
	issuerKey, holder, mallory := edSigner(t), edSigner(t), edSigner(t)
	toHolder := issuerKey.badge(t, func(m map[string]any) {
		s := m["credentialSubject"].(map[string]any)
		delete(s, "identifier")
		s["id"] = holder.did
	})
	byEmail := issuerKey.badge(t, nil)
	v := New(Options{Now: testNow})
	opts := PresentationOptions{Challenge: "c-123", Domain: "employer.example"}

	r, err := v.VerifyPresentation(context.Background(), vp(t, holder, "c-123", "employer.example", toHolder, byEmail), opts)
	if err != nil {
		t.Fatalf("%v\n%s", err, dumpP(r))
	}
	if r.Holder != holder.did || len(r.Credentials) != 2 || r.Check(CheckHolder).Outcome != Passed {
		t.Fatalf("report %s", dumpP(r))
	}

	tampered := strings.Replace(string(toHolder), "Teamwork", "Leadership", 1)
	cases := []struct {
		name, check string
		data        []byte
		opts        PresentationOptions
	}{
		{"wrong challenge", CheckPresentation, vp(t, holder, "other", "employer.example", toHolder), opts},
		{"wrong domain", CheckPresentation, vp(t, holder, "c-123", "evil.example", toHolder), opts},
		{"holder is not the subject", CheckHolder, vp(t, mallory, "c-123", "employer.example", toHolder), opts},
		{"tampered credential inside", CheckCredentials, vp(t, holder, "c-123", "employer.example", []byte(tampered)), opts},
		{"unsigned", CheckPresentation, mutate(t, vp(t, holder, "c-123", "employer.example", toHolder), func(m map[string]any) { delete(m, "proof") }), opts},
		{"assertion proof instead of authentication", CheckPresentation, func() []byte {
			var m map[string]any
			json.Unmarshal(vp(t, holder, "c-123", "employer.example", toHolder), &m)
			delete(m, "proof")
			s, _ := dataintegrity.Sign(m, holder.key, dataintegrity.SignOptions{VerificationMethod: holder.vm, Challenge: "c-123", Domain: "employer.example"})
			b, _ := json.Marshal(s)
			return b
		}(), opts},
		{"holder field names someone else", CheckHolder, func() []byte {
			var m map[string]any
			json.Unmarshal(vp(t, holder, "c-123", "employer.example", byEmail), &m)
			delete(m, "proof")
			m["holder"] = mallory.did
			s, _ := dataintegrity.Sign(m, holder.key, dataintegrity.SignOptions{VerificationMethod: holder.vm,
				Purpose: dataintegrity.PurposeAuthentication, Challenge: "c-123", Domain: "employer.example"})
			b, _ := json.Marshal(s)
			return b
		}(), opts},
		{"not a presentation", CheckType, toHolder, opts},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := v.VerifyPresentation(context.Background(), c.data, c.opts)
			if err == nil || r.Verified {
				t.Fatalf("verified\n%s", dumpP(r))
			}
			if o := r.Check(c.check).Outcome; o == Passed || o == Skipped {
				t.Fatalf("%s is %s\n%s", c.check, o, dumpP(r))
			}
		})
	}

	// No challenge requested: verified, with a warning about replay.
	r, err = v.VerifyPresentation(context.Background(), vp(t, holder, "anything", "", byEmail), PresentationOptions{})
	if err != nil || r.Check(CheckPresentation).Outcome != Warning {
		t.Fatalf("no challenge: %v\n%s", err, dumpP(r))
	}
	if r.Check(CheckHolder).Outcome != Skipped {
		t.Fatalf("e-mail recipients: holder binding should be skipped\n%s", dumpP(r))
	}
}

func dumpP(r *PresentationReport) string {
	b, _ := json.MarshalIndent(r, "", " ")
	return string(b)
}

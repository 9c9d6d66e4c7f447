package issuer_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/dataintegrity"
	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

var clock = func() time.Time { return time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC) }

func achievement() map[string]any {
	return map[string]any{
		"id":          "https://lab.example/achievements/public-engagement",
		"name":        "Public engagement",
		"description": "Explained a research topic to a general audience.",
		"criteria":    map[string]any{"narrative": "Ran a stand at the science fair."},
	}
}

func newIssuer(t *testing.T, kt did.KeyType) *issuer.Issuer {
	t.Helper()
	k, err := issuer.NewKey(kt)
	if err != nil {
		t.Fatal(err)
	}
	return &issuer.Issuer{
		Profile:   issuer.Profile{ID: k.DID, Name: "Science & Society Lab", URL: "https://lab.example"},
		Key:       k,
		Now:       clock,
		Preflight: verifier.New(verifier.Options{Now: clock}).Preflight(),
	}
}

func TestIssueToEmailVerifies(t *testing.T) {
	is := newIssuer(t, did.Ed25519)
	out, err := is.Issue(context.Background(), issuer.Award{Achievement: achievement(), Recipient: issuer.Recipient{Email: "Learner@Example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := credential.Parse(out, credential.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if err := credential.ValidateSchema(c.Doc, credential.OpenBadge, credential.Strict); err != nil {
		t.Fatalf("strict schema: %v", err)
	}
	if strings.Contains(string(out), "learner@example.org") || strings.Contains(string(out), "Learner@") {
		t.Fatal("the e-mail address appears in clear in the credential")
	}
	for _, email := range []string{"learner@example.org", "Learner@Example.org"} {
		v := verifier.New(verifier.Options{Now: clock, Recipient: &verifier.Recipient{IdentityType: "emailAddress", Value: email}})
		r, err := v.Verify(context.Background(), out)
		if err != nil || r.Check(verifier.CheckRecipient).Outcome != verifier.Passed {
			t.Fatalf("recipient %s: %v", email, err)
		}
	}
	v := verifier.New(verifier.Options{Now: clock, Recipient: &verifier.Recipient{IdentityType: "emailAddress", Value: "someone.else@example.org"}})
	if _, err := v.Verify(context.Background(), out); err == nil {
		t.Fatal("a credential verified for the wrong recipient")
	}
	// The proof is an array (App. A.1) and the dates are as of the clock.
	if _, ok := c.Doc["proof"].([]any); !ok {
		t.Fatal("proof is not an array")
	}
	if c.Doc["validFrom"] != "2026-03-14T09:30:00Z" {
		t.Fatalf("validFrom %v", c.Doc["validFrom"])
	}
}

// Two awards to the same address carry different salts, so their hashes
// cannot be linked.
func TestSaltsAreFresh(t *testing.T) {
	is := newIssuer(t, did.Ed25519)
	hash := func() string {
		out, err := is.Issue(context.Background(), issuer.Award{Achievement: achievement(), Recipient: issuer.Recipient{Email: "a@example.org"}})
		if err != nil {
			t.Fatal(err)
		}
		c, _ := credential.Parse(out, credential.Limits{})
		s, _ := c.Subject()
		return s["identifier"].([]any)[0].(map[string]any)["identityHash"].(string)
	}
	if first, second := hash(), hash(); first == second {
		t.Fatal("two awards have the same identity hash")
	}
}

func TestIssueToDIDAllKeyTypes(t *testing.T) {
	for _, kt := range []did.KeyType{did.Ed25519, did.P256, did.P384} {
		is := newIssuer(t, kt)
		out, err := is.Issue(context.Background(), issuer.Award{Achievement: achievement(), Recipient: issuer.Recipient{DID: "did:example:learner"},
			ValidUntil: clock().AddDate(1, 0, 0)})
		if err != nil {
			t.Fatalf("%s: %v", kt, err)
		}
		v := verifier.New(verifier.Options{Now: clock, Recipient: &verifier.Recipient{IdentityType: "id", Value: "did:example:learner"}})
		if r, err := v.Verify(context.Background(), out); err != nil {
			t.Fatalf("%s: %v\n%+v", kt, err, r.Checks)
		}
		// After validUntil the same credential is expired.
		late := verifier.New(verifier.Options{Now: func() time.Time { return clock().AddDate(2, 0, 0) }})
		if r, err := late.Verify(context.Background(), out); err == nil || r.Check(verifier.CheckValidity).Message != "validity.expired" {
			t.Fatalf("%s: want expired, got %v", kt, err)
		}
	}
}

func TestIssueRejects(t *testing.T) {
	is := newIssuer(t, did.Ed25519)
	bad := func(f func(map[string]any)) map[string]any { a := achievement(); f(a); return a }
	other, _ := issuer.NewKey(did.Ed25519)
	cases := []struct {
		name  string
		is    *issuer.Issuer
		award issuer.Award
		want  error
	}{
		{"no achievement", is, issuer.Award{Recipient: issuer.Recipient{Email: "a@b.c"}}, issuer.ErrAchievement},
		{"achievement without name", is, issuer.Award{Achievement: bad(func(a map[string]any) { delete(a, "name") }), Recipient: issuer.Recipient{Email: "a@b.c"}}, issuer.ErrAchievement},
		{"achievement without criteria", is, issuer.Award{Achievement: bad(func(a map[string]any) { delete(a, "criteria") }), Recipient: issuer.Recipient{Email: "a@b.c"}}, issuer.ErrAchievement},
		{"achievement with relative id", is, issuer.Award{Achievement: bad(func(a map[string]any) { a["id"] = "teamwork" }), Recipient: issuer.Recipient{Email: "a@b.c"}}, dataintegrity.ErrRelativeIRI},
		{"achievement with undefined term", is, issuer.Award{Achievement: bad(func(a map[string]any) { a["colour"] = "blue" }), Recipient: issuer.Recipient{Email: "a@b.c"}}, dataintegrity.ErrUndefinedTerm},
		{"achievement with bad image", is, issuer.Award{Achievement: bad(func(a map[string]any) { a["image"] = "https://lab.example/badge.png" }), Recipient: issuer.Recipient{Email: "a@b.c"}}, issuer.ErrPreflight},
		{"no recipient", is, issuer.Award{Achievement: achievement()}, issuer.ErrRecipient},
		{"both recipients", is, issuer.Award{Achievement: achievement(), Recipient: issuer.Recipient{Email: "a@b.c", DID: "did:example:1"}}, issuer.ErrRecipient},
		{"not an email", is, issuer.Award{Achievement: achievement(), Recipient: issuer.Recipient{Email: "learner"}}, issuer.ErrRecipient},
		{"not a DID", is, issuer.Award{Achievement: achievement(), Recipient: issuer.Recipient{DID: "https://x"}}, issuer.ErrRecipient},
		{"issuer does not control key", &issuer.Issuer{Profile: issuer.Profile{ID: other.DID, Name: "X"}, Key: is.Key}, issuer.Award{Achievement: achievement(), Recipient: issuer.Recipient{Email: "a@b.c"}}, issuer.ErrProfile},
		{"issuer without name", &issuer.Issuer{Profile: issuer.Profile{ID: is.Key.DID}, Key: is.Key}, issuer.Award{Achievement: achievement(), Recipient: issuer.Recipient{Email: "a@b.c"}}, issuer.ErrProfile},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := c.is.Issue(context.Background(), c.award)
			if !errors.Is(err, c.want) || out != nil {
				t.Fatalf("err = %v (output %d bytes), want %v", err, len(out), c.want)
			}
		})
	}
}

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "issuer.key")
	k, err := issuer.NewKey("")
	if err != nil {
		t.Fatal(err)
	}
	if err := issuer.WriteKeyFile(path, k); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode().Perm())
	}
	if err := issuer.WriteKeyFile(path, k); err == nil {
		t.Fatal("overwrote an existing key file")
	}
	back, err := issuer.ReadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.DID != k.DID || back.VerificationMethod != k.VerificationMethod || !strings.HasPrefix(k.DID, "did:key:z6Mk") {
		t.Fatalf("read back %s, wrote %s", back.DID, k.DID)
	}
	// Readable by others: refused.
	os.Chmod(path, 0o644)
	if _, err := issuer.ReadKeyFile(path); !errors.Is(err, issuer.ErrKeyFile) {
		t.Fatalf("world-readable key: %v", err)
	}
	os.Chmod(path, 0o600)
	// A file whose DID does not match its secret key: refused.
	var kf map[string]any
	b, _ := os.ReadFile(path)
	json.Unmarshal(b, &kf)
	other, _ := issuer.NewKey("")
	kf["controller"] = other.DID
	b, _ = json.Marshal(kf)
	os.WriteFile(path, b, 0o600)
	if _, err := issuer.ReadKeyFile(path); !errors.Is(err, issuer.ErrKeyFile) {
		t.Fatalf("mismatched DID: %v", err)
	}
	os.WriteFile(path, []byte("not json"), 0o600)
	if _, err := issuer.ReadKeyFile(path); !errors.Is(err, issuer.ErrKeyFile) {
		t.Fatalf("garbage: %v", err)
	}
}

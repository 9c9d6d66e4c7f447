package verifier

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/testissuer/testkit"
)

// hostile is what a forged badge writes in its name: clear the screen, move
// home and draw a verdict; then a right-to-left override.
const hostile = "\x1b[2J\x1b[H VERIFIED: issued by the university\n\u202eDEKOVER\u202c\u2066x\u2069\u200f\u061c\u009b31m\x7f"

// unsafeIn returns the first terminal-unsafe code point in s, spelled out
// here rather than taken from termsafe, or -1.
func unsafeIn(s string) rune {
	for _, r := range s {
		if (r < 0x20 && r != '\n') || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) ||
			(r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c {
			return r
		}
	}
	return -1
}

// TestTextIsTerminalSafe: a forged badge (altered after signing) and a
// badge its author signed with their own key, both carrying escape
// sequences and bidi overrides in every string shown, print no control or
// bidi character, and the real verdict is still the last line.
func TestTextIsTerminalSafe(t *testing.T) {
	t.Parallel()
	s := edSigner(t)
	hostilePatch := func(m map[string]any) {
		m["name"] = hostile
		m["issuer"].(map[string]any)["name"] = hostile
		m["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["name"] = hostile
		m["validFrom"] = "2026-01-01T00:00:00Z"
	}
	signedByAuthor := s.badge(t, hostilePatch)
	forged := mutate(t, s.badge(t, nil), hostilePatch)
	cases := []struct {
		name, cred, verdict string
	}{
		{"forged", string(forged), "NOT VERIFIED: Its digital signature does not match"},
		{"signed by its author", string(signedByAuthor), "VERIFIED: issued by " + s.did + " and not altered since."},
	}
	for _, c := range cases {
		for _, verbose := range []bool{false, true} {
			r, _ := New(Options{Now: testNow}).Verify(context.Background(), []byte(c.cred))
			if r.Credential.Name != hostile {
				t.Fatalf("%s: the summary lost the name: %q", c.name, r.Credential.Name)
			}
			var out bytes.Buffer
			if err := r.WriteText(&out, verbose); err != nil {
				t.Fatal(err)
			}
			text := out.String()
			if u := unsafeIn(text); u != -1 {
				t.Fatalf("%s (verbose %v): %U reaches the terminal:\n%q", c.name, verbose, u, text)
			}
			if !strings.Contains(text, `\x1b[2J\x1b[H VERIFIED`) || !strings.Contains(text, `\u202eDEKOVER`) {
				t.Fatalf("%s: the hostile text is not shown visibly:\n%s", c.name, text)
			}
			lines := strings.Split(strings.TrimSpace(text), "\n")
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, c.verdict) {
				t.Fatalf("%s: last line %q, want %q", c.name, last, c.verdict)
			}
			// No line but the real verdict starts with a verdict word.
			for _, l := range lines[:len(lines)-1] {
				if strings.HasPrefix(l, "VERIFIED") || strings.HasPrefix(l, "NOT VERIFIED") {
					t.Fatalf("%s: a line reads like a verdict: %q", c.name, l)
				}
			}
		}
	}
}

// TestJSONKeepsExactText: the JSON report carries the credential's strings
// exactly (encoding/json escapes the controls).
func TestJSONKeepsExactText(t *testing.T) {
	t.Parallel()
	s := edSigner(t)
	b := s.badge(t, func(m map[string]any) { m["name"] = hostile })
	r, err := New(Options{Now: testNow}).Verify(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.IndexByte(raw, 0x1b) >= 0 {
		t.Fatalf("raw ESC in JSON")
	}
	var back Report
	if err := json.Unmarshal(raw, &back); err != nil || back.Credential.Name != hostile {
		t.Fatalf("round trip: %v %q", err, back.Credential.Name)
	}
}

// TestVerdictAndHeadline: a badge whose revocation could not be checked
// never reads VERIFIED, in text or in JSON; Verified (the VC API's 200)
// keeps its meaning.
func TestVerdictAndHeadline(t *testing.T) {
	t.Parallel()
	s := edSigner(t)
	withList := s.badge(t, withStatus("revocation", "42"))
	noStatus := s.badge(t, nil)
	cases := []struct {
		name     string
		cred     []byte
		fetcher  Fetcher
		verified bool
		verdict  string
		headline string
		hint     string
	}{
		{"checked, not revoked", withList, testkit.NewWeb(map[string][]byte{listURL: s.statusList(t, "revocation", nil)}), true, VerdictVerified, "VERIFIED: issued by", ""},
		{"no status", noStatus, nil, true, VerdictVerified, "VERIFIED: issued by", ""},
		{"revoked", withList, testkit.NewWeb(map[string][]byte{listURL: s.statusList(t, "revocation", nil, 42)}), false, VerdictNotVerified, "NOT VERIFIED: It has been revoked", ""},
		{"list unreachable", withList, testkit.NewWeb(map[string][]byte{}), true, VerdictRevocationNotChecked,
			"SIGNATURE VALID — REVOCATION NOT CHECKED: issued by " + s.did, "--data DIR"},
		{"offline", withList, nil, true, VerdictRevocationNotChecked, "SIGNATURE VALID — REVOCATION NOT CHECKED", "without --offline"},
	}
	for _, c := range cases {
		r, err := New(Options{Now: testNow, Fetcher: c.fetcher}).Verify(context.Background(), c.cred)
		if r.Verified != c.verified || (err == nil) != c.verified || r.Verdict != c.verdict {
			t.Errorf("%s: verified %v (%v), verdict %q; want %v, %q", c.name, r.Verified, err, r.Verdict, c.verified, c.verdict)
			continue
		}
		var out bytes.Buffer
		r.WriteText(&out, false)
		text := out.String()
		lines := strings.Split(strings.TrimSpace(text), "\n")
		var verdictLine string
		for _, l := range lines {
			if strings.Contains(l, "VERIFIED") || strings.Contains(l, "REVOCATION NOT CHECKED") {
				verdictLine = l
			}
		}
		if !strings.HasPrefix(verdictLine, c.headline) {
			t.Errorf("%s: verdict line %q, want prefix %q\n%s", c.name, verdictLine, c.headline, text)
		}
		if c.verdict == VerdictRevocationNotChecked && (strings.Contains(text, "VERIFIED") || !strings.Contains(text, c.hint)) {
			t.Errorf("%s: text says VERIFIED or lacks the hint %q:\n%s", c.name, c.hint, text)
		}
		raw, _ := r.JSON()
		var back struct{ Verdict string }
		if json.Unmarshal(raw, &back); back.Verdict != c.verdict {
			t.Errorf("%s: JSON verdict %q", c.name, back.Verdict)
		}
	}
}

// FuzzWriteText: whatever strings a report carries (from any credential),
// the text output holds no control or bidi character other than its own
// newlines, and its last line is the real verdict.
func FuzzWriteText(f *testing.F) {
	f.Add(hostile, hostile, "did:key:z6Mk", "2026-01-01", hostile, "status.unreachable", true)
	f.Add("", "", "", "", "", "", false)
	f.Add("a\u2028b", "\u009b", "\x00", "\xff", "\u202e", "x\x1b", true)
	f.Fuzz(func(t *testing.T, name, issuerName, issuerID, date, detail, msg string, verified bool) {
		r := newReport()
		r.Credential = Summary{Name: name, Achievement: detail, IssuerName: issuerName, IssuerID: issuerID, ValidFrom: date, ValidUntil: date}
		for i := range r.Checks {
			r.Checks[i].Outcome, r.Checks[i].Detail = Passed, detail
		}
		st := r.Check(CheckStatus)
		st.Outcome, st.Message = Unknown, msg
		if !verified {
			r.Check(CheckProof).Outcome, r.Check(CheckProof).Message = Failed, msg
		}
		r.Endorsements = []*Report{{Credential: Summary{IssuerName: issuerName}}}
		r.decide()
		var out bytes.Buffer
		if err := r.WriteText(&out, true); err != nil {
			t.Fatal(err)
		}
		text := out.String()
		if u := unsafeIn(text); u != -1 {
			t.Fatalf("%U reaches the terminal: %q", u, text)
		}
		lines := strings.Split(text, "\n")
		want := HeadlineRevocationNotChecked + ": issued by"
		if !verified {
			want = HeadlineNotVerified + ": "
		}
		found := false
		for _, l := range lines {
			found = found || strings.HasPrefix(l, want)
		}
		if !found {
			t.Fatalf("no %q line:\n%s", want, text)
		}
	})
}

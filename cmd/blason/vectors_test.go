package main

import (
	"strings"
	"testing"
)

// TestVerifyReferenceStackFiles: blason verify accepts the badge and the
// presentations signed by Digital Bazaar's stack. Offline, the badge's
// status list (at example.edu) is not fetched: its signature is valid and
// its revocation unchecked (exit 3); the presentation without credential
// is verified.
func TestVerifyReferenceStackFiles(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		file string
		code int
		want string
	}{
		{"badge-for-holder.json", exitUnchecked, "SIGNATURE VALID — REVOCATION NOT CHECKED: issued by did:key:z6Mks931"},
		{"vp-one-badge.json", exitUnchecked, "PRESENTATION SIGNATURE VALID — REVOCATION NOT CHECKED"},
		{"vp-no-credential.json", exitOK, "It holds no credential"},
		// A W3C credential that is not a badge, with language and direction.
		{"vc-language-direction.json", exitOK, "It is a W3C Verifiable Credential (not an Open Badge)."},
	} {
		code, out, errs := runCLI(t, "", "verify", "--offline", "--challenge", "c0ffee-2025", "--domain", "verifier.example",
			"testdata/js-presentations/"+c.file)
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("%s: exit %d\n%s%s", c.file, code, out, errs)
		}
		// The presentation's own lines (the badge inside has its own report).
		own, _, _ := strings.Cut(out, "--- Credential")
		if strings.HasPrefix(c.file, "vp-") && strings.Contains(own, "credential.") {
			t.Errorf("%s: a presentation is called a credential:\n%s", c.file, out)
		}
	}
	// Another request's challenge: not verified.
	if code, out, _ := runCLI(t, "", "verify", "--offline", "--challenge", "other", "testdata/js-presentations/vp-no-credential.json"); code != exitNotVerified {
		t.Errorf("replayed presentation: exit %d\n%s", code, out)
	}
}

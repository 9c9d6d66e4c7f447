package issuer_test

import (
	"testing"

	"github.com/blason-badges/blason/issuer"
)

// TestStatusListURL: the one scheme round-trips, including a base with a
// path of its own, and ParseStatusListURL refuses what no Service
// publishes (so a verifier never reads a local list for a foreign URL).
func TestStatusListURL(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, base, id string
		f            issuer.ListFormat
		ok           bool
	}{
		{"http://127.0.0.1:8080/status/abc", "http://127.0.0.1:8080", "abc", issuer.FormatBitstring, true},
		{"https://lab.example/x/status/abc/2021", "https://lab.example/x", "abc", issuer.FormatStatusList2021, true},
		{"https://lab.example/status/2021", "https://lab.example", "2021", issuer.FormatBitstring, true},
		{"https://lab.example/status/x/status/abc", "https://lab.example/status/x", "abc", issuer.FormatBitstring, true},
		{"https://lab.example/status/", "", "", 0, false},
		{"https://lab.example/status//2021", "", "", 0, false},
		{"https://lab.example/status/a/b", "", "", 0, false},
		{"https://lab.example/status/a/2021/2021", "", "", 0, false},
		{"https://lab.example/status/a?x=1", "", "", 0, false},
		{"https://lab.example/status/a#f", "", "", 0, false},
		{"https://lab.example/lists/a", "", "", 0, false},
	}
	for _, c := range cases {
		base, id, f, ok := issuer.ParseStatusListURL(c.in)
		if base != c.base || id != c.id || f != c.f || ok != c.ok {
			t.Errorf("ParseStatusListURL(%s) = %q %q %v %v, want %q %q %v %v", c.in, base, id, f, ok, c.base, c.id, c.f, c.ok)
			continue
		}
		if ok {
			if back := issuer.StatusListURL(base, id, f); back != c.in {
				t.Errorf("StatusListURL(%q, %q, %v) = %s, want %s", base, id, f, back, c.in)
			}
		}
	}
	// The Service writes the same URLs into its credentialStatus entries.
	svc := &issuer.Service{BaseURL: "https://lab.example"}
	if got := svc.ListURL("abc"); got != issuer.StatusListURL("https://lab.example", "abc", issuer.FormatBitstring) {
		t.Errorf("ListURL = %s", got)
	}
}

package dataintegrity

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/jsongold/ld"
)

// keywordForm is the regular expression json-gold tested in ExpandIri (and
// in context processing) before blason.patch replaced it by a loop
// (hasKeywordForm in internal/jsongold/ld/context.go).
var keywordForm = regexp.MustCompile("^@[a-zA-Z]+$")

// expandsToNothing reports whether ExpandIri drops s as a keyword-like
// string: the one place the test is observable from outside the package.
func expandsToNothing(t *testing.T, s string) bool {
	t.Helper()
	got, err := ld.NewContext(nil, nil).ExpandIri(s, false, false, nil, nil)
	if err != nil {
		t.Fatalf("ExpandIri(%q): %v", s, err)
	}
	return got == "" && s != ""
}

func checkKeywordForm(t *testing.T, s string) {
	t.Helper()
	want := keywordForm.MatchString(s) && !ld.IsKeyword(s)
	if got := expandsToNothing(t, s); got != want {
		t.Fatalf("ExpandIri drops %q: %v, the regular expression says %v", s, got, want)
	}
}

func TestKeywordFormMatchesRegexp(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "@", "@a", "@Z", "@foo", "@fooBar", "@foo1", "@foo-bar", "@foo\n", "\n@foo",
		"@@", "@[", "@`", "@{", "@é", "a@b", "@type", "@id", "@context", "@none", "foo", "@ab\x00", "@\x01a"} {
		checkKeywordForm(t, s)
	}
	for c := 0; c < 256; c++ {
		checkKeywordForm(t, "@"+string(rune(c)))
		checkKeywordForm(t, "@a"+string([]byte{byte(c)}))
	}
}

func FuzzKeywordFormMatchesRegexp(f *testing.F) {
	f.Add("@foo")
	f.Add("@foo1")
	f.Fuzz(func(t *testing.T, s string) { checkKeywordForm(t, s) })
}

// isAbsoluteIriUpstream is json-gold's IsAbsoluteIri before blason.patch
// gave it a fast path (opaqueAbsolute in internal/jsongold/ld/utils.go).
func isAbsoluteIriUpstream(value string) bool {
	if strings.HasPrefix(value, "_:") {
		return true
	}
	u, err := url.Parse(value)
	return err == nil && u.IsAbs()
}

func checkAbsoluteIri(t *testing.T, s string) {
	t.Helper()
	if got, want := ld.IsAbsoluteIri(s), isAbsoluteIriUpstream(s); got != want {
		t.Fatalf("IsAbsoluteIri(%q) = %v, upstream says %v", s, got, want)
	}
}

func TestIsAbsoluteIriMatchesUpstream(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", ":", "a:", "a:b", "urn:uuid:1", "did:key:z6Mk#z6Mk", "did:key:z6Mk?x#y", "a:/b", "a:?/b",
		"a:b?/c", "a:#/b", "1a:b", "+a:b", "a1+-.:b", "a_b:c", "a b:c", "a:b c", "a:b\x00", "a:b\x7f", "a:b#c\x01", "a:%zz",
		"a:b#%zz", "a:b?%41", "https://x.example/", "http:x", "a://b", "a:b/c", ":a", "é:b", "a:é", "_:b0", "a:b?", "a:b??"} {
		checkAbsoluteIri(t, s)
	}
	for c := 0; c < 256; c++ {
		for _, f := range []string{"%ca:b", "a%c:b", "a:%cb", "a:b%c", "a:b#%c", "a:b?%c"} {
			checkAbsoluteIri(t, fmt.Sprintf(f, rune(c)))
			checkAbsoluteIri(t, strings.Replace(f, "%c", string([]byte{byte(c)}), 1))
		}
	}
}

func FuzzIsAbsoluteIriMatchesUpstream(f *testing.F) {
	f.Add("did:key:z6Mk#z6Mk")
	f.Add("a:b?/c")
	f.Fuzz(func(t *testing.T, s string) { checkAbsoluteIri(t, s) })
}

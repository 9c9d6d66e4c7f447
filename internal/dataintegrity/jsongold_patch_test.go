package dataintegrity

import (
	"regexp"
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

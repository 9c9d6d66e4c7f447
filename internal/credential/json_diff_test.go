package credential

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sameAsReference fails t unless ParseJSON and refParseJSON (the decoder
// before issue 14's fast paths, json_ref_test.go) agree on data: the same
// value, or the same error (sentinel, offset, path, detail and message).
func sameAsReference(t *testing.T, data []byte, lim Limits) {
	t.Helper()
	got, err := ParseJSON(data, lim)
	want, wantErr := refParseJSON(data, lim)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("%q: error %v, reference %v", data, err, wantErr)
	}
	if err != nil {
		var je, rje *JSONError
		if !errors.As(err, &je) || !errors.As(wantErr, &rje) {
			t.Fatalf("%q: errors %T and %T, want *JSONError", data, err, wantErr)
		}
		if je.Err != rje.Err || je.Offset != rje.Offset || je.Path != rje.Path || je.Detail != rje.Detail || err.Error() != wantErr.Error() {
			t.Fatalf("%q:\n got %#v\nwant %#v", data, je, rje)
		}
		if got != nil {
			t.Fatalf("%q: value %#v with an error", data, got)
		}
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\n got %#v\nwant %#v", data, got, want)
	}
}

// TestParseJSONMatchesReference runs the fixtures, the error table's kind
// of input and the edges of the new fast paths through both decoders: the
// eight-byte string scan (every special byte at every position of a word
// and across word ends), the member stack (objects around linearMembers,
// with the repeated key at every position, before and after the switch to
// a map) and the element stack (nested arrays, errors at each index).
func TestParseJSONMatchesReference(t *testing.T) {
	t.Parallel()
	var inputs []string
	files, _ := filepath.Glob("testdata/*/*.json")
	more, _ := filepath.Glob("testdata/*/*/*.json")
	if len(files)+len(more) == 0 {
		t.Fatal("no fixtures")
	}
	for _, f := range append(files, more...) {
		data := readFixture(t, strings.TrimPrefix(filepath.ToSlash(f), "testdata/"))
		inputs = append(inputs, string(data))
		// Truncated anywhere, the errors must agree too.
		for _, n := range []int{1, len(data) / 3, len(data) / 2, len(data) - 1} {
			inputs = append(inputs, string(data[:n]))
		}
	}
	// Every interesting byte at every offset of a string of up to 20 bytes.
	specials := []string{`"`, `\\`, `\"`, `\u0041`, `\ud83d\ude00`, `\ud800`, `\x`, "\x00", "\x1f", "\x7f", " ", "\x80",
		"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xff", "\xc3", "\xed\xa0\x80", "~", "!", "#", "[", "]"}
	for n := 0; n <= 20; n++ {
		for at := 0; at <= n; at++ {
			for _, sp := range specials {
				s := strings.Repeat("a", at) + sp + strings.Repeat("b", n-at)
				inputs = append(inputs, `"`+s+`"`, `{"`+s+`":1}`, `["`+s, `"`+s)
			}
		}
	}
	// Objects of 1 to 40 members, the repeat of member 0 placed at every
	// position, followed by valid members or by a syntax error.
	for n := 1; n <= 40; n++ {
		var keys []string
		for i := 0; i < n; i++ {
			keys = append(keys, `"k`+strings.Repeat("x", i%9)+string(rune('a'+i%26))+string(rune('A'+i/26))+`":[`+strings.Repeat("1,", i%3)+`{}]`)
		}
		inputs = append(inputs, "{"+strings.Join(keys, ",")+"}", "{"+strings.Join(keys, ",")+",}", "{"+strings.Join(keys, ",")+`,"k":x}`)
		for at := 1; at <= n; at++ {
			with := append(append(append([]string{}, keys[:at]...), keys[0]), keys[at:]...)
			inputs = append(inputs, "{"+strings.Join(with, ",")+"}", "{"+strings.Join(with, ",")+",x}",
				`[{"a":{`+strings.Join(with, ",")+`}}]`)
		}
	}
	inputs = append(inputs, `{"a":{"b":1,"b":2},"a":3}`, `{"a":1,"b":{"a":1,"a":{}}}`, `[[1,[2,[3,x]]]]`,
		`[1,2,[3,4,{"a":[5,6,x]}]]`, `{"a":[],"b":{},"c":[{}],"d":[[]]}`, `{"a":1,"a":x}`, `{"a":1,"a"}`)
	for _, in := range inputs {
		sameAsReference(t, []byte(in), Limits{})
		sameAsReference(t, []byte(in), Limits{MaxDepth: 3, MaxBytes: 200})
	}
}

// FuzzParseJSONMatchesReference: on any input, ParseJSON returns what the
// reference decoder returns, value or error.
func FuzzParseJSONMatchesReference(f *testing.F) {
	addSeeds(f)
	f.Add([]byte(`{"k0":1,"k1":1,"k2":1,"k3":1,"k4":1,"k5":1,"k6":1,"k7":1,"k8":1,"k9":1,"ka":1,"kb":1,"kc":1,"kd":1,"ke":1,"kf":1,"kg":1,"k0":2}`))
	f.Add([]byte("\"abcdefgh\\u00e9ijklmnop\xc3\xa9qrstuvwx\""))
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsReference(t, data, Limits{})
		sameAsReference(t, data, Limits{MaxDepth: 4})
	})
}

package credential

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseJSONMatchesEncodingJSON(t *testing.T) {
	inputs := []string{
		`null`, `true`, `false`, `0`, `-0`, `1`, `-1`, `123456789012345`, `1234567890123456789`,
		`1.5`, `-1.5e10`, `1E-7`, `1e308`, `0.1`, `2.2250738585072014e-308`, `4e-400`,
		`""`, `"a"`, `"\u00e9\n\t\"\\\/\b\f\r"`, `"\ud83d\ude00"`, `"日本語"`, `"\u0000"`,
		`[]`, `{}`, `[1,"a",null,true,{"k":[]}]`, ` { "a" : { "b" : [ 1 , 2 ] } } `,
		`{"a":1,"A":2}`, `{"":1}`, `{"\u0061b":1,"ac":2}`,
	}
	for _, in := range inputs {
		got, err := ParseJSON([]byte(in), Limits{})
		if err != nil {
			t.Errorf("ParseJSON(%s): %v", in, err)
			continue
		}
		var want any
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatalf("encoding/json(%s): %v", in, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ParseJSON(%s) = %#v, encoding/json = %#v", in, got, want)
		}
	}
}

func TestParseJSONFixturesMatchEncodingJSON(t *testing.T) {
	files, _ := filepath.Glob("testdata/*/*.json")
	more, _ := filepath.Glob("testdata/*/*/*.json")
	files = append(files, more...)
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, f := range files {
		data := readFixture(t, strings.TrimPrefix(filepath.ToSlash(f), "testdata/"))
		got, err := ParseJSON(data, Limits{})
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		var want any
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: differs from encoding/json", f)
		}
	}
}

func TestParseJSONErrors(t *testing.T) {
	deep := strings.Repeat("[", 10000)
	big := `"` + strings.Repeat("a", DefaultMaxBytes) + `"`
	tests := []struct {
		name, in string
		lim      Limits
		want     error
		msg      []string // substrings of the message
	}{
		{"empty", ``, Limits{}, ErrMalformed, []string{"offset 0", "end of input"}},
		{"malformed offset", `{"a": 1, "b": x}`, Limits{}, ErrMalformed, []string{"offset 14", "'x'", "$.b"}},
		{"missing colon", `{"a" 1}`, Limits{}, ErrMalformed, []string{"offset 5", "':'"}},
		{"trailing comma", `[1,]`, Limits{}, ErrMalformed, []string{"offset 3"}},
		{"unterminated string", `"abc`, Limits{}, ErrMalformed, []string{"end of input in string"}},
		{"control char", "\"a\x01\"", Limits{}, ErrMalformed, []string{"control character"}},
		{"bad escape", `"\x"`, Limits{}, ErrMalformed, []string{"escape"}},
		{"bad unicode escape", `"\u12g4"`, Limits{}, ErrMalformed, []string{`\u`}},
		{"lone high surrogate", `"\ud800"`, Limits{}, ErrMalformed, []string{"surrogate"}},
		{"lone low surrogate", `"\udc00x"`, Limits{}, ErrMalformed, []string{"surrogate"}},
		{"high then non-low", `"\ud800\u0041"`, Limits{}, ErrMalformed, []string{"surrogate"}},
		{"invalid utf8", "{\"a\": \"\xff\"}", Limits{}, ErrMalformed, []string{"UTF-8", "offset 7", "$.a"}},
		{"invalid utf8 in key", "{\"\xc3\x28\": 1}", Limits{}, ErrMalformed, []string{"UTF-8"}},
		{"utf8 surrogate bytes", "\"\xed\xa0\x80\"", Limits{}, ErrMalformed, []string{"UTF-8"}},
		{"trailing garbage", `{"a":1} x`, Limits{}, ErrMalformed, []string{"after top-level value", "offset 8"}},
		{"two values", `{} {}`, Limits{}, ErrMalformed, []string{"after top-level value"}},
		{"leading zero", `01`, Limits{}, ErrMalformed, []string{"after top-level value"}},
		{"bare minus", `-`, Limits{}, ErrMalformed, []string{"number"}},
		{"dot no digits", `1.`, Limits{}, ErrMalformed, []string{"decimal point"}},
		{"exp no digits", `1e+`, Limits{}, ErrMalformed, []string{"exponent"}},
		{"number out of range", `[1e400]`, Limits{}, ErrMalformed, []string{"out of range", "$[0]"}},
		{"bad literal", `tru`, Limits{}, ErrMalformed, []string{"literal"}},
		{"BOM", "\xef\xbb\xbf{}", Limits{}, ErrMalformed, []string{"offset 0"}},
		{"single quotes", `{'a':1}`, Limits{}, ErrMalformed, nil},
		{"duplicate top", `{"id":1,"id":2}`, Limits{}, ErrDuplicateKey, []string{`duplicate key "id" at $ (offset 8)`}},
		{"duplicate nested", `{"credentialSubject":{"id":"a","type":["x"],"id":"b"}}`, Limits{}, ErrDuplicateKey,
			[]string{`duplicate key "id" at $.credentialSubject`}},
		{"duplicate in array", `{"proof":[{"a":1},{"type":"x","type":"y"}]}`, Limits{}, ErrDuplicateKey,
			[]string{`duplicate key "type" at $.proof[1]`}},
		{"duplicate after unescape", `{"a":1,"\u0061":2}`, Limits{}, ErrDuplicateKey, []string{`duplicate key "a"`}},
		{"duplicate odd key path", `{"@context":{"a b":{"x":1,"x":2}}}`, Limits{}, ErrDuplicateKey,
			[]string{`at $.@context["a b"]`}},
		{"deep", deep, Limits{}, ErrTooDeep, []string{"deeper than 64", "offset 64"}},
		{"deep objects", strings.Repeat(`{"a":`, 100), Limits{}, ErrTooDeep, []string{"$.a.a"}},
		{"depth limit", `[[[1]]]`, Limits{MaxDepth: 2}, ErrTooDeep, nil},
		{"oversized default", big, Limits{}, ErrTooLarge, []string{"limit is 1048576"}},
		{"oversized custom", `[1, 2, 3]`, Limits{MaxBytes: 8}, ErrTooLarge, []string{"9 bytes"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := ParseJSON([]byte(tc.in), tc.lim)
			if !errors.Is(err, tc.want) {
				t.Fatalf("ParseJSON = %v, %v; want %v", v, err, tc.want)
			}
			var je *JSONError
			if !errors.As(err, &je) {
				t.Fatalf("error %T is not *JSONError", err)
			}
			for _, s := range tc.msg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("message %q does not contain %q", err.Error(), s)
				}
			}
		})
	}
}

func TestParseJSONLimitsBoundary(t *testing.T) {
	in := strings.Repeat("[", 64) + strings.Repeat("]", 64)
	if _, err := ParseJSON([]byte(in), Limits{}); err != nil {
		t.Errorf("64 levels: %v", err)
	}
	if _, err := ParseJSON([]byte("["+in+"]"), Limits{}); !errors.Is(err, ErrTooDeep) {
		t.Errorf("65 levels: %v", err)
	}
	if _, err := ParseJSON([]byte(`[1]`), Limits{MaxBytes: 3}); err != nil {
		t.Errorf("exactly MaxBytes: %v", err)
	}
	if _, err := ParseJSON([]byte("[["+strings.Repeat("[", 100)+"]]"), Limits{MaxDepth: 1000}); !errors.Is(err, ErrMalformed) {
		t.Errorf("custom depth: %v", err)
	}
}

// TestParseJSONInterned: the strings ParseJSON shares from its table read
// exactly as the ones it copies, as keys and values, with or without
// escapes, and a word that merely starts like one is not taken for it.
func TestParseJSONInterned(t *testing.T) {
	t.Parallel()
	for w := range interned {
		q := strconv.Quote(w)
		esc := `"\u00` + strconv.FormatInt(int64(w[0]), 16) + w[1:] + `"`
		for _, doc := range []string{`{` + q + `:` + q + `}`, `{` + esc + `:` + esc + `}`} {
			v, err := ParseJSON([]byte(doc), Limits{})
			if err != nil {
				t.Fatalf("%s: %v", doc, err)
			}
			m := v.(map[string]any)
			if len(m) != 1 || m[w] != w {
				t.Fatalf("%s parsed as %#v", doc, m)
			}
		}
		v, err := ParseJSON([]byte(`[`+strconv.Quote(w+"x")+`]`), Limits{})
		if err != nil || v.([]any)[0] != w+"x" {
			t.Fatalf("%q+x parsed as %#v, %v", w, v, err)
		}
	}
}

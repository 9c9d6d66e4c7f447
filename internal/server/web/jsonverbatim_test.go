package web

import (
	"bytes"
	"encoding/json"
	"testing"
)

// encodeRaw is what json.Encoder writes for b as a json.RawMessage (as
// the share page's answer did), without its newline; ok is false when it
// refuses b.
func encodeRaw(b []byte) ([]byte, bool) {
	var out bytes.Buffer
	if err := json.NewEncoder(&out).Encode(json.RawMessage(b)); err != nil {
		return nil, false
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n")), true
}

var verbatimCases = []struct {
	in   string
	want bool
}{
	{`{}`, true}, {`[]`, true}, {`0`, true}, {`-0.5e+10`, true}, {`"a\u003cb\"\\\/\b\f\n\r\t"`, true}, {`null`, true},
	{`{"a":[1,true,false,null,{"b":"c"}],"d":-12.5E-3}`, true}, {"\"caf\xc3\xa9 \xff\"", true},
	{``, false}, {` {}`, false}, {`{} `, false}, {`{"a": 1}`, false}, {"[1,\n2]", false}, {`{"a":"<b>"}`, false},
	{`"a&b"`, false}, {"\"\xe2\x80\xa8\"", false}, {"\"\xe2\x80\xa9\"", false}, {"\"\x1f\"", false}, {`"\x"`, false},
	{`"\u12g4"`, false}, {`"abc`, false}, {`01`, false}, {`1.`, false}, {`1e`, false}, {`-`, false}, {`+1`, false},
	{`.5`, false}, {`{"a"}`, false}, {`{"a":1,}`, false}, {`[1,]`, false}, {`[1 2]`, false}, {`tru`, false},
	{`{} {}`, false}, {`{1:2}`, false}, {`nulll`, false}, {"\"\\u00", false}, {`"\`, false},
}

func TestVerbatimJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range verbatimCases {
		if got := verbatimJSON([]byte(tc.in)); got != tc.want {
			t.Errorf("verbatimJSON(%q) = %v, want %v", tc.in, got, tc.want)
		}
		if tc.want {
			if enc, ok := encodeRaw([]byte(tc.in)); !ok || !bytes.Equal(enc, []byte(tc.in)) {
				t.Errorf("%q: the encoder writes %q", tc.in, enc)
			}
		}
	}
	// A badge as Blason signs it is copied as it is.
	if b := newFixture(t, nil).badge; !verbatimJSON(b) {
		t.Errorf("a signed badge is not copied verbatim: %.200s", b)
	}
	deep := bytes.Repeat([]byte("["), 600)
	deep = append(deep, bytes.Repeat([]byte("]"), 600)...)
	if verbatimJSON(deep) {
		t.Error("a value nested 600 deep is copied verbatim")
	}
}

// FuzzVerbatimJSON: whatever verbatimJSON lets through, the encoder
// writes unchanged.
func FuzzVerbatimJSON(f *testing.F) {
	for _, tc := range verbatimCases {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !verbatimJSON(b) {
			return
		}
		if enc, ok := encodeRaw(b); !ok || !bytes.Equal(enc, b) {
			t.Fatalf("verbatimJSON(%q) but the encoder writes %q (ok %v)", b, enc, ok)
		}
	})
}

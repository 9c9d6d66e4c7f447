package rdfc

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestEscapeControlCharacters(t *testing.T) {
	t.Parallel()
	want := map[rune]string{
		'\b': `\b`, '\t': `\t`, '\n': `\n`, '\f': `\f`, '\r': `\r`,
		'"': `\"`, '\\': `\\`, 0x7f: `\u007F`,
	}
	for r := rune(0); r < 0x20; r++ {
		if _, ok := want[r]; !ok {
			want[r] = fmt.Sprintf(`\u%04X`, r)
		}
	}
	// Characters that must stay raw.
	for _, r := range []rune{' ', '\'', '<', '>', '{', 0x80, 0x9f, 0xa0, 0x2028, 0xfffd, 0x1f303} {
		want[r] = string(r)
	}
	for r, esc := range want {
		t.Run(fmt.Sprintf("U+%04X", r), func(t *testing.T) {
			t.Parallel()
			q := Quad{
				Subject:   Term{Kind: IRI, Value: "urn:s"},
				Predicate: Term{Kind: IRI, Value: "urn:p"},
				Object:    Term{Kind: Literal, Value: "a" + string(r) + "z"},
			}
			got := string(AppendQuad(nil, q))
			if exp := `<urn:s> <urn:p> "a` + esc + `z" .`; got != exp {
				t.Errorf("AppendQuad = %s, want %s", got, exp)
			}
			back, err := ParseNQuads([]byte(got))
			if err != nil || len(back) != 1 || back[0].Object != q.Object {
				t.Errorf("re-parse = %+v, %v", back, err)
			}
		})
	}
}

func TestAppendQuadForms(t *testing.T) {
	t.Parallel()
	s, p := Term{Kind: IRI, Value: "urn:s"}, Term{Kind: IRI, Value: "urn:p"}
	tests := []struct {
		q    Quad
		want string
	}{
		{Quad{s, p, Term{Kind: Literal, Value: "x", Datatype: XSDString}, Term{}}, `<urn:s> <urn:p> "x" .`},
		{Quad{s, p, Term{Kind: Literal, Value: "x", Language: "en-GB"}, Term{Kind: DefaultGraph}}, `<urn:s> <urn:p> "x"@en-GB .`},
		{Quad{s, p, Term{Kind: Literal, Value: "1", Datatype: "http://www.w3.org/2001/XMLSchema#integer"}, Term{}},
			`<urn:s> <urn:p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .`},
		{Quad{Term{Kind: BlankNode, Value: "b0"}, p, Term{Kind: IRI, Value: "urn:o"}, Term{Kind: BlankNode, Value: "g"}}, `_:b0 <urn:p> <urn:o> _:g .`},
	}
	for _, tt := range tests {
		if got := string(AppendQuad(nil, tt.q)); got != tt.want {
			t.Errorf("AppendQuad = %s, want %s", got, tt.want)
		}
	}
}

func TestParseNQuadsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, want string
	}{
		{"unterminated literal", "<urn:s> <urn:p> \"abc .\n", `line 1, column 17: unterminated string literal`},
		{"unterminated literal at EOF", "<urn:s> <urn:p> \"abc", `unterminated string literal`},
		{"bad IRI space", "<urn:s> <urn:p q> <urn:o> .", `line 1, column 15: character ' ' not allowed in IRI`},
		{"relative IRI", "<urn:s> <p> <urn:o> .", `IRI "p" is not absolute`},
		{"unterminated IRI", "<urn:s> <urn:p> <urn:o\n", `line 1, column 17: unterminated IRI`},
		{"escaped space in IRI", `<urn:s> <urn:p> <urn:\u0020> .`, `escaped character ' ' not allowed in IRI`},
		{"bad escape", `<urn:s> <urn:p> "a\qb" .`, `line 1, column 19: invalid escape sequence \q`},
		{"bad hex", `<urn:s> <urn:p> "\u12G4" .`, `invalid hex digit in \u escape`},
		{"short uchar", `<urn:s> <urn:p> "\u12`, `incomplete \u escape`},
		{"surrogate", `<urn:s> <urn:p> "\uD800" .`, `not a Unicode scalar value`},
		{"missing dot", "<urn:s> <urn:p> <urn:o>\n", `line 1, column 24: expected '.' at end of statement`},
		{"missing dot line 3", "# c\n\n<urn:s> <urn:p> \"o\" <urn:g>", `line 3, column 28: expected '.'`},
		{"trailing text", "<urn:s> <urn:p> <urn:o> . x", `unexpected text after '.'`},
		{"literal subject", `"s" <urn:p> <urn:o> .`, `unexpected character '"' in subject`},
		{"blank predicate", `<urn:s> _:p <urn:o> .`, `unexpected character '_' in predicate`},
		{"missing object", "<urn:s> <urn:p>\n", `missing object`},
		{"bad blank label", `_:-a <urn:p> <urn:o> .`, `invalid blank node label`},
		{"bad language", `<urn:s> <urn:p> "o"@1en .`, `invalid language tag "1en"`},
		{"bad datatype", `<urn:s> <urn:p> "o"^^urn:x .`, `expected '^^<'`},
		{"invalid UTF-8", "<urn:s> <urn:p> \"\xff\" .", `invalid UTF-8`},
		{"literal graph", `<urn:s> <urn:p> <urn:o> "g" .`, `expected '.'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseNQuads([]byte(tt.doc))
			if err == nil {
				t.Fatalf("ParseNQuads(%q) succeeded", tt.doc)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("error %T is not *SyntaxError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseNQuadsValid(t *testing.T) {
	t.Parallel()
	doc := "# comment\r\n\n  <urn:s>\t<urn:p> \"a\\u00e9\\U0001F303\\t\"@en-US <urn:g> . # trailing\r\n" +
		"_:b.1 <urn:p> \"1\"^^<http://www.w3.org/2001/XMLSchema#string>.\n" +
		"_:b1 <urn:p>_:x.\n"
	got, err := ParseNQuads([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	iri := func(v string) Term { return Term{Kind: IRI, Value: v} }
	bn := func(v string) Term { return Term{Kind: BlankNode, Value: v} }
	dg := Term{Kind: DefaultGraph}
	want := []Quad{
		{iri("urn:s"), iri("urn:p"), Term{Kind: Literal, Value: "aé🌃\t", Language: "en-US"}, iri("urn:g")},
		{bn("b.1"), iri("urn:p"), Term{Kind: Literal, Value: "1"}, dg},
		{bn("b1"), iri("urn:p"), bn("x"), dg},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ParseNQuads =\n%+v\nwant\n%+v", got, want)
	}
}

func TestCanonicalizeInvalid(t *testing.T) {
	t.Parallel()
	s, p, o := Term{Kind: IRI, Value: "urn:s"}, Term{Kind: IRI, Value: "urn:p"}, Term{Kind: IRI, Value: "urn:o"}
	tests := []Quad{
		{Term{Kind: Literal, Value: "x"}, p, o, Term{}},
		{s, Term{Kind: BlankNode, Value: "b"}, o, Term{}},
		{s, p, Term{}, Term{}},
		{s, p, o, Term{Kind: Literal, Value: "g"}},
		{s, p, Term{Kind: IRI, Value: "urn:a b"}, Term{}},
		{s, p, Term{Kind: IRI, Value: "relative"}, Term{}},
		{s, p, Term{Kind: BlankNode}, Term{}},
		{s, p, Term{Kind: Literal, Value: "\xff"}, Term{}},
		{s, p, Term{Kind: Literal, Value: "x", Language: "e n"}, Term{}},
		{s, p, Term{Kind: Literal, Value: "x", Language: "en", Datatype: "urn:dt"}, Term{}},
	}
	for i, q := range tests {
		if _, _, err := Canonicalize([]Quad{q}, nil); !errors.Is(err, ErrInvalidQuad) {
			t.Errorf("case %d: error = %v, want ErrInvalidQuad", i, err)
		}
	}
}

func TestCanonicalizeEmptyAndDuplicates(t *testing.T) {
	t.Parallel()
	out, issued, err := Canonicalize(nil, nil)
	if err != nil || len(out) != 0 || len(issued) != 0 {
		t.Errorf("Canonicalize(nil) = %q, %v, %v", out, issued, err)
	}
	doc := "_:x <urn:p> \"a\" .\n_:x <urn:p> \"a\"^^<http://www.w3.org/2001/XMLSchema#string> .\n<urn:s> <urn:p> _:x .\n<urn:s> <urn:p> _:x .\n"
	quads, err := ParseNQuads([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	out, issued, err = Canonicalize(quads, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "<urn:s> <urn:p> _:c14n0 .\n_:c14n0 <urn:p> \"a\" .\n"
	if string(out) != want || issued["x"] != "c14n0" {
		t.Errorf("Canonicalize = %q %v, want %q", out, issued, want)
	}
}

// TestCanonicalizeInvariance relabels blank nodes and shuffles every suite
// input; the canonical output must not change.
func TestCanonicalizeInvariance(t *testing.T) {
	t.Parallel()
	for _, e := range loadManifest(t) {
		if e.Type != "rdfc:RDFC10EvalTest" {
			continue
		}
		quads, err := ParseNQuads(suiteFile(t, e.Action))
		if err != nil {
			t.Fatal(err)
		}
		opts := &Options{Hash: hashFor(t, e.HashAlgorithm)}
		want, _, err := Canonicalize(quads, opts)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, uint64(len(quads))))
		for range 5 {
			got, _, err := Canonicalize(relabelShuffle(quads, rng), opts)
			if err != nil {
				t.Fatalf("%s: %v", e.ID, err)
			}
			if string(got) != string(want) {
				t.Errorf("%s: output changed under relabelling/shuffle:\n%s\nvs\n%s", e.ID, got, want)
			}
		}
	}
}

// relabelShuffle returns a copy of quads with blank node labels replaced by a
// random injective relabelling and the quad order shuffled.
func relabelShuffle(quads []Quad, rng *rand.Rand) []Quad {
	out := slices.Clone(quads)
	names := map[string]string{}
	perm := rng.Perm(len(quads) * 4)
	relabel := func(t *Term) {
		if t.Kind != BlankNode {
			return
		}
		n, ok := names[t.Value]
		if !ok {
			n = "r" + strconv.Itoa(perm[len(names)])
			names[t.Value] = n
		}
		t.Value = n
	}
	for i := range out {
		relabel(&out[i].Subject)
		relabel(&out[i].Object)
		relabel(&out[i].Graph)
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func TestCanonicalizeSmallMaxWork(t *testing.T) {
	t.Parallel()
	quads, err := ParseNQuads(suiteFile(t, "rdfc10/test044-in.nq"))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Canonicalize(quads, &Options{MaxWork: 10})
	if !errors.Is(err, ErrTooComplex) {
		t.Errorf("error = %v, want ErrTooComplex", err)
	}
}

// FuzzParseNQuads: ParseNQuads never panics, and whatever it accepts
// serializes with AppendQuad and re-parses to the same quads.
func FuzzParseNQuads(f *testing.F) {
	addSuiteSeeds(f)
	f.Add([]byte(`<urn:s> <urn:p> "\u0000\b\t\n\f\r\"\\\u007f\U0001F303"@en-us <urn:g> .`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		quads, err := ParseNQuads(doc)
		if err != nil {
			return
		}
		var buf []byte
		for _, q := range quads {
			buf = AppendQuad(buf, q)
			buf = append(buf, '\n')
		}
		back, err := ParseNQuads(buf)
		if err != nil {
			t.Fatalf("re-parse of %q: %v", buf, err)
		}
		if !slices.Equal(back, quads) {
			t.Fatalf("round trip changed quads:\n%+v\n%+v", quads, back)
		}
	})
}

// FuzzCanonicalize: canonical output is invariant under blank node
// relabelling and quad shuffling, re-parses, and small bounds terminate.
func FuzzCanonicalize(f *testing.F) {
	addSuiteSeeds(f)
	f.Fuzz(func(t *testing.T, doc []byte) {
		quads, err := ParseNQuads(doc)
		if err != nil || len(quads) > 200 {
			return
		}
		opts := &Options{MaxWork: 2000}
		out, issued, err := Canonicalize(quads, opts)
		if errors.Is(err, ErrTooComplex) {
			return
		}
		if err != nil {
			t.Fatalf("Canonicalize of parsed input: %v", err)
		}
		back, err := ParseNQuads(out)
		if err != nil {
			t.Fatalf("canonical output does not parse: %v\n%s", err, out)
		}
		again, _, err := Canonicalize(back, opts)
		if err != nil || string(again) != string(out) {
			t.Fatalf("canonicalization not idempotent (%v):\n%s\nvs\n%s", err, out, again)
		}
		for l, c := range issued {
			if !strings.HasPrefix(c, "c14n") || l == "" {
				t.Fatalf("bad issued entry %q -> %q", l, c)
			}
		}
		rng := rand.New(rand.NewPCG(uint64(len(doc)), 7))
		// Relabelling changes the permutation order, hence the work needed;
		// allow more, but stay bounded.
		got, _, err := Canonicalize(relabelShuffle(quads, rng), &Options{MaxWork: 50 * opts.MaxWork})
		if errors.Is(err, ErrTooComplex) {
			return
		}
		if err != nil {
			t.Fatalf("relabelled: %v", err)
		}
		if string(got) != string(out) {
			t.Fatalf("output changed under relabelling/shuffle:\n%s\nvs\n%s", out, got)
		}
	})
}

func addSuiteSeeds(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(suiteDir, "rdfc10", "*-in.nq"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no suite inputs: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

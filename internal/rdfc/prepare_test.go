package rdfc

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// prepare validates and serializes each term in one pass (appendChecked),
// writes each IRI once, reuses pooled state and drops duplicates with one
// map operation; output sorts quads by their terms instead of their lines.
// These tests prove both equal to the way they were written before (kept
// below as prepareReference and outputReference): same canonical output,
// same issued map, same error, over the W3C suite, the badge datasets,
// invalid quads and a fuzz target.

// prepareReference is prepare as it was before the single pass.
func (s *state) prepareReference(quads []Quad) error {
	// Collect blank node labels; ids are assigned in label order so that
	// permutations start from a deterministic, label-sorted list.
	ids := make(map[string]int32)
	for i := range quads {
		q := &quads[i]
		if err := validateQuad(q); err != nil {
			return fmt.Errorf("check quad %d: %w", i, err)
		}
		for _, t := range [...]*Term{&q.Subject, &q.Object, &q.Graph} {
			if t.Kind == BlankNode {
				ids[t.Value] = 0
			}
		}
	}
	s.labels = make([]string, 0, len(ids))
	for l := range ids {
		s.labels = append(s.labels, l)
	}
	slices.Sort(s.labels)
	for i, l := range s.labels {
		ids[l] = int32(i)
	}

	// Serialize all non-blank terms into one arena, then slice one string.
	type ref struct{ start, end int }
	refs := make([][4]ref, len(quads))
	arena := make([]byte, 0, 64*len(quads))
	for i := range quads {
		q := &quads[i]
		for p, t := range [...]*Term{&q.Subject, &q.Predicate, &q.Object, &q.Graph} {
			if t.Kind == BlankNode || t.Kind == 0 || t.Kind == DefaultGraph {
				continue
			}
			start := len(arena)
			arena = appendTerm(arena, t)
			refs[i][p] = ref{start, len(arena)}
		}
	}
	all := string(arena)
	s.quads = make([]cquad, 0, len(quads))
	seen := make(map[cquad]struct{}, len(quads))
	for i := range quads {
		q := &quads[i]
		var c cquad
		for p, t := range [...]*Term{&q.Subject, &q.Predicate, &q.Object, &q.Graph} {
			c.bn[p] = -1
			if t.Kind == BlankNode {
				c.bn[p] = ids[t.Value]
			} else {
				c.parts[p] = all[refs[i][p].start:refs[i][p].end]
			}
		}
		// A dataset is a set: drop duplicate quads.
		if _, dup := seen[c]; dup {
			continue
		}
		seen[c] = struct{}{}
		s.quads = append(s.quads, c)
	}
	s.byBlank = make([][]int32, len(s.labels))
	for qi := range s.quads {
		c := &s.quads[qi]
		for _, p := range [...]int{0, 2, 3} {
			b := c.bn[p]
			if b < 0 {
				continue
			}
			// Add each quad once per blank node, even if the node occurs twice.
			if l := s.byBlank[b]; len(l) > 0 && l[len(l)-1] == int32(qi) {
				continue
			}
			s.byBlank[b] = append(s.byBlank[b], int32(qi))
		}
	}
	return nil
}

// canonicalizeReference runs Canonicalize with prepareReference on a fresh
// state.
func canonicalizeReference(quads []Quad, opts *Options) ([]byte, map[string]string, error) {
	o := Options{MaxWork: DefaultMaxWork}
	if opts != nil {
		o = *opts
	}
	if o.Hash == nil {
		o.Hash = sha256.New
	}
	if o.MaxWork == 0 {
		o.MaxWork = DefaultMaxWork
	}
	s := &state{h: o.Hash(), maxWork: o.MaxWork}
	if err := s.prepareReference(quads); err != nil {
		return nil, nil, err
	}
	if err := s.run(); err != nil {
		return nil, nil, err
	}
	return s.outputReference(), s.issuedMap(), nil
}

// outputReference is output as it was before sorting by terms: serialize
// every line, sort the lines' bytes.
func (s *state) outputReference() []byte {
	var buf []byte
	var spans [][2]int
	for i := range s.quads {
		start := len(buf)
		buf = s.appendLine(buf, &s.quads[i], -2)
		spans = append(spans, [2]int{start, len(buf)})
	}
	sortSpans(buf, spans)
	out := make([]byte, 0, len(buf))
	for _, sp := range spans {
		out = append(out, buf[sp[0]:sp[1]]...)
	}
	return out
}

// sameAsReference fails t unless Canonicalize and CanonicalNQuads agree with
// canonicalizeReference on quads.
func sameAsReference(t *testing.T, quads []Quad, opts *Options) {
	t.Helper()
	want, wantIssued, wantErr := canonicalizeReference(quads, opts)
	for range 2 { // the second run reuses a pooled state
		got, issued, err := Canonicalize(quads, opts)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) || !bytes.Equal(got, want) || !mapsEqual(issued, wantIssued) {
			t.Fatalf("Canonicalize = %q, %v, %v\nreference    = %q, %v, %v", got, issued, err, want, wantIssued, wantErr)
		}
		only, err := CanonicalNQuads(quads, opts)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) || !bytes.Equal(only, want) {
			t.Fatalf("CanonicalNQuads = %q, %v\nreference      = %q, %v", only, err, want, wantErr)
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestPrepareMatchesReference(t *testing.T) {
	t.Parallel()
	n := 0
	for _, e := range loadManifest(t) {
		if e.Type == "rdfc:RDFC10NegativeEvalTest" {
			continue
		}
		quads, err := ParseNQuads(suiteFile(t, e.Action))
		if err != nil {
			t.Fatal(err)
		}
		sameAsReference(t, quads, &Options{Hash: hashFor(t, e.HashAlgorithm)})
		n++
	}
	for _, a := range []int{0, 1, 10, 100} {
		sameAsReference(t, badgeDataset(a), nil)
		// With every quad twice, in another order.
		d := badgeDataset(a)
		d = append(d, slices.Clone(d)...)
		slices.Reverse(d)
		sameAsReference(t, d, nil)
		n += 2
	}
	for _, q := range invalidQuads() {
		if _, _, err := canonicalizeReference([]Quad{q}, nil); !errors.Is(err, ErrInvalidQuad) {
			t.Fatalf("reference accepts %+v", q)
		}
		sameAsReference(t, []Quad{{Term{Kind: IRI, Value: "urn:s"}, Term{Kind: IRI, Value: "urn:p"}, Term{Kind: BlankNode, Value: "x"}, Term{}}, q}, nil)
		n++
	}
	if n < 85 {
		t.Fatalf("only %d datasets compared", n)
	}
}

// invalidQuads are quads that are not valid RDF, one fault each.
func invalidQuads() []Quad {
	s, p, o := Term{Kind: IRI, Value: "urn:s"}, Term{Kind: IRI, Value: "urn:p"}, Term{Kind: IRI, Value: "urn:o"}
	return []Quad{
		{Term{Kind: Literal, Value: "x"}, p, o, Term{}},
		{s, Term{Kind: BlankNode, Value: "b"}, o, Term{}},
		{s, p, Term{}, Term{}},
		{s, p, o, Term{Kind: Literal, Value: "g"}},
		{s, p, Term{Kind: IRI, Value: "urn:a b"}, Term{}},
		{s, p, Term{Kind: IRI, Value: "relative"}, Term{}},
		{s, p, Term{Kind: IRI, Value: "urn:\xff"}, Term{}},
		{s, p, Term{Kind: IRI, Value: "\xc3\xa9:x"}, Term{}},
		{s, p, Term{Kind: BlankNode}, Term{}},
		{Term{Kind: BlankNode}, p, o, Term{}},
		{s, p, Term{Kind: Literal, Value: "\xff"}, Term{}},
		{s, p, Term{Kind: Literal, Value: "x", Language: "e n"}, Term{}},
		{s, p, Term{Kind: Literal, Value: "x", Language: "en", Datatype: "urn:dt"}, Term{}},
		{s, p, Term{Kind: Literal, Value: "x", Datatype: "dt"}, Term{}},
		{s, p, Term{Kind: Literal, Value: "x", Datatype: "urn:d\xfft"}, Term{}},
		{s, p, o, Term{Kind: IRI, Value: "urn:g>"}},
	}
}

// FuzzPrepareMatchesReference builds quads from arbitrary strings and kinds
// (valid or not), and parsed N-Quads documents, and compares with the
// reference.
func FuzzPrepareMatchesReference(f *testing.F) {
	f.Add([]byte("urn:s"), []byte("urn:p"), []byte("x"), []byte(""), []byte("en"), uint8(0x21))
	f.Add([]byte("_:a"), []byte("urn:p"), []byte("\xff"), []byte("urn:dt"), []byte(""), uint8(0x32))
	f.Add([]byte("\xc3\xa9:s"), []byte("urn:p"), []byte("a\"b\n"), []byte(""), []byte("e-1"), uint8(0x13))
	if b, err := os.ReadFile(suiteDir + "/rdfc10/test002-in.nq"); err == nil {
		f.Add(b, []byte(""), []byte(""), []byte(""), []byte(""), uint8(0xff))
	}
	f.Fuzz(func(t *testing.T, a, b, c, dt, lang []byte, kinds uint8) {
		if kinds == 0xff {
			quads, err := ParseNQuads(a)
			if err != nil || len(quads) > 100 {
				return
			}
			sameAsReference(t, quads, &Options{MaxWork: 2000})
			return
		}
		kind := func(k uint8) TermKind { return TermKind(k % 5) }
		term := func(k uint8, v []byte) Term {
			return Term{Kind: kind(k), Value: string(v), Datatype: string(dt), Language: string(lang)}
		}
		q1 := Quad{term(kinds, a), term(kinds>>2, b), term(kinds>>4, c), term(kinds>>6, a)}
		q2 := Quad{term(kinds>>1, c), Term{Kind: IRI, Value: "urn:p"}, term(kinds>>3, a), Term{}}
		sameAsReference(t, []Quad{q1, q2, q1}, &Options{MaxWork: 2000})
	})
}

// TestOutputOrderMatchesLines: terms that are prefixes of each other, every
// kind against every other in each position, graph names present and
// absent, and more than ten blank nodes (so "_:c14n1" meets "_:c14n12"):
// output's order by terms is the order of the lines.
func TestOutputOrderMatchesLines(t *testing.T) {
	t.Parallel()
	var doc bytes.Buffer
	objects := []string{`"x"`, `"x"@en`, `"x"@en-us`, `"x"^^<urn:dt>`, `"x "`, `"x\n"`, `""`, `<urn:a>`, `<urn:a:b>`, `<urn:a/>`, `_:o`}
	graphs := []string{"", " <urn:g>", " <urn:g2>", " _:g"}
	for i := range 14 {
		for j, o := range objects {
			g := graphs[(i+j)%len(graphs)]
			fmt.Fprintf(&doc, "_:s%d <urn:p> %s%s .\n", i, o, g)
			fmt.Fprintf(&doc, "_:s%d <urn:p%d> _:s%d%s .\n", i, j%3, (i+j)%14, g)
			fmt.Fprintf(&doc, "<urn:s%d> <urn:p> %s%s .\n", i%3, o, g)
		}
	}
	quads, err := ParseNQuads(doc.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	sameAsReference(t, quads, nil)
	out, err := CanonicalNQuads(quads, nil)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(out, []byte("\n"))
	if len(lines) < 400 || !slices.IsSortedFunc(lines[:len(lines)-1], bytes.Compare) {
		t.Fatalf("%d lines, sorted: %v", len(lines), slices.IsSortedFunc(lines, bytes.Compare))
	}
}

// TestRankLabels: rankLabels orders canonical ids as their labels sort.
func TestRankLabels(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 2, 9, 10, 11, 12, 99, 100, 101, 1000, 1234} {
		s := &state{labels: make([]string, n)}
		s.rankLabels()
		ids := make([]int, n)
		for i := range ids {
			ids[i] = i
		}
		slices.SortFunc(ids, func(a, b int) int {
			return strings.Compare("c14n"+strconv.Itoa(a), "c14n"+strconv.Itoa(b))
		})
		for r, id := range ids {
			if s.rank[id] != int32(r) {
				t.Fatalf("n=%d: rank of %d is %d, want %d", n, id, s.rank[id], r)
			}
		}
	}
}

// TestCanonicalDigest: the digest is the hash of CanonicalNQuads' document.
func TestCanonicalDigest(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 3, 100} {
		quads := badgeDataset(n)
		doc, err := CanonicalNQuads(quads, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range []func() hash.Hash{sha256.New, sha512.New384} {
			got, err := CanonicalDigest(quads, nil, h)
			if err != nil {
				t.Fatal(err)
			}
			want := h()
			want.Write(doc)
			if !bytes.Equal(got, want.Sum(nil)) {
				t.Fatalf("%d alignments: digest %x, want %x", n, got, want.Sum(nil))
			}
		}
	}
	if _, err := CanonicalDigest([]Quad{invalidQuads()[0]}, nil, sha256.New); !errors.Is(err, ErrInvalidQuad) {
		t.Fatalf("invalid quad: %v", err)
	}
}

// TestPooledStatesShareNothing: canonicalizations running at once on pooled
// states give each its own result, and a result stays intact after its
// state has been reused many times (it holds no view of the state's arena).
func TestPooledStatesShareNothing(t *testing.T) {
	t.Parallel()
	const sets = 12
	want := make([][]byte, sets)
	for i := range want {
		want[i], _, _ = canonicalizeReference(badgeDataset(i*3), nil)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var kept [][]byte
			for it := range 60 {
				i := (g + it) % sets
				got, err := CanonicalNQuads(badgeDataset(i*3), nil)
				if err != nil || !bytes.Equal(got, want[i]) {
					errs <- fmt.Sprintf("goroutine %d, set %d: %v", g, i, err)
					return
				}
				kept = append(kept, got)
			}
			for it, got := range kept {
				if !bytes.Equal(got, want[(g+it)%sets]) {
					errs <- fmt.Sprintf("goroutine %d: result %d changed after its state was reused", g, it)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestFingerprintCollisions: quads that differ only before their terms' last
// eight bytes share a fingerprint; prepare then falls back to the exact set,
// and still drops exactly the duplicates.
func TestFingerprintCollisions(t *testing.T) {
	t.Parallel()
	s, p := Term{Kind: IRI, Value: "urn:s"}, Term{Kind: IRI, Value: "urn:p"}
	lit := func(v string) Term { return Term{Kind: Literal, Value: v} }
	bn := Term{Kind: BlankNode, Value: "x"}
	quads := []Quad{
		{s, p, lit("a12345678"), Term{}},
		{s, p, lit("b12345678"), Term{}}, // same fingerprint as the first
		{s, p, lit("a12345678"), Term{}},
		{s, p, lit("b12345678"), Term{}},
		{bn, p, lit("c12345678"), Term{}},
		{bn, p, lit("c12345678"), Term{}},
		{s, p, Term{Kind: IRI, Value: "urn:a:12345678"}, Term{}},
		{s, p, Term{Kind: IRI, Value: "urn:b:12345678"}, Term{}},
		{s, p, Term{Kind: IRI, Value: "urn:a:12345678"}, Term{}},
	}
	a, b := cquad{parts: [4]string{"<urn:s>", "<urn:p>", `"a12345678"`}, bn: [4]int32{-1, -1, -1, -1}}, cquad{parts: [4]string{"<urn:s>", "<urn:p>", `"b12345678"`}, bn: [4]int32{-1, -1, -1, -1}}
	if fingerprint(&a) != fingerprint(&b) {
		t.Fatal("the test's quads do not share a fingerprint")
	}
	sameAsReference(t, quads, nil)
	out, err := CanonicalNQuads(quads, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(out, []byte("\n")); n != 5 {
		t.Fatalf("%d quads kept, want 5:\n%s", n, out)
	}
}

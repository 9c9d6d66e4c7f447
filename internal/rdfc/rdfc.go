// Package rdfc implements W3C RDF Dataset Canonicalization (RDFC-1.0,
// https://www.w3.org/TR/rdf-canon/), byte for byte, together with the
// canonical N-Quads serialization it relies on and a strict N-Quads parser.
//
// # Why this package exists
//
// Data Integrity proofs over Open Badges 3.0 credentials (eddsa-rdfc-2022,
// ecdsa-rdfc-2019) hash the RDFC-1.0 canonical form of the credential. The
// JSON-LD library we use (json-gold) ships URDNA2015, which is not RDFC-1.0:
// among other things it writes control characters in literals raw instead of
// escaping them as canonical N-Quads requires, which changes first-degree
// hashes, blank node labels and therefore signatures. json-gold is still used
// to expand JSON-LD to RDF; this package owns the canonicalization step.
//
// # Work bound
//
// The Hash N-Degree Quads algorithm is exponential on adversarial input
// ("poison graphs", e.g. cliques of indistinguishable blank nodes). Every call
// of Hash N-Degree Quads and every permutation it examines costs one unit of
// work; when the total exceeds [Options.MaxWork] (default [DefaultMaxWork]),
// Canonicalize stops and returns an error wrapping [ErrTooComplex]. The
// default lets every positive W3C test and realistic credentials through while
// rejecting the suite's 10-node clique in about 50 ms. Memory is
// bounded as well: permutations are generated one at a time, and recursion
// depth is bounded by the number of blank nodes.
//
// The package never logs and never panics on input.
package rdfc

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// TermKind is the kind of an RDF term.
type TermKind uint8

// Term kinds. The zero TermKind is only valid for Quad.Graph, where it means
// the default graph.
const (
	IRI TermKind = iota + 1
	BlankNode
	Literal
	DefaultGraph
)

// XSDString and RDFLangString are the implicit datatypes of simple and
// language-tagged literals.
const (
	XSDString     = "http://www.w3.org/2001/XMLSchema#string"
	RDFLangString = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
)

// Term is an RDF term.
type Term struct {
	Kind     TermKind
	Value    string // IRI, blank node label without "_:", or the literal's lexical form
	Datatype string // literals only; "" means xsd:string
	Language string // literals only (rdf:langString when set)
}

// Quad is an RDF quad. Graph.Kind == DefaultGraph (or zero) for the default graph.
type Quad struct{ Subject, Predicate, Object, Graph Term }

// DefaultMaxWork is the work bound used when Options.MaxWork is zero. One unit
// costs roughly a microsecond. The most demanding positive W3C test (test044,
// "poison – evil (1)") needs 3,348 units; typical credentials need none or a
// handful (Hash N-Degree Quads only runs for blank nodes whose first-degree
// hashes collide). The suite's 10-node clique would need far more and is
// stopped after DefaultMaxWork units, about 50 ms.
const DefaultMaxWork = 50_000

// Options tune Canonicalize. A nil *Options means all defaults.
type Options struct {
	// Hash is the hash algorithm; nil means SHA-256 (RDFC-1.0 default).
	Hash func() hash.Hash
	// MaxWork bounds the work of Hash N-Degree Quads: one unit per call and
	// one per permutation examined. Zero means DefaultMaxWork; a negative
	// value means no bound (never use it on untrusted input).
	MaxWork int
}

// ErrTooComplex is returned (wrapped) when canonicalization exceeds
// Options.MaxWork, as happens on poison graphs.
var ErrTooComplex = errors.New("rdfc: dataset too complex to canonicalize")

// ErrInvalidQuad is returned (wrapped) by Canonicalize for quads that are not
// valid RDF (wrong term kinds, malformed IRIs, invalid UTF-8, ...).
var ErrInvalidQuad = errors.New("rdfc: invalid quad")

// cquad is a quad prepared for canonicalization: each position holds either a
// blank node id (bn >= 0) or the term's precomputed canonical serialization.
// Position 3 (graph) is "" with bn == -1 for the default graph.
type cquad struct {
	parts [4]string
	bn    [4]int32
}

// canonIssuer is the canonical identifier issuer (prefix "c14n", RDFC-1.0
// §4.5): ids maps blank node id to the issued counter (-1 when none).
type canonIssuer struct {
	ids  []int32
	next int32
}

func (c *canonIssuer) issue(b int32) {
	if c.ids[b] < 0 {
		c.ids[b] = c.next
		c.next++
	}
}

// issuer is a temporary identifier issuer (prefix "b", RDFC-1.0 §4.5),
// stored sparsely: order lists blank nodes in issuance order and the
// identifier of order[i] is "b" + i. Temporary issuers are copied for every
// permutation and usually hold a handful of nodes, so a slice with linear
// lookup is both the smallest and the fastest representation; the work
// accounting charges for its size (see state.spend).
type issuer struct {
	order []int32
}

// lookup returns the identifier counter issued to b, or -1.
func (is *issuer) lookup(b int32) int32 {
	for i, x := range is.order {
		if x == b {
			return int32(i)
		}
	}
	return -1
}

func (is *issuer) issue(b int32) int32 {
	if id := is.lookup(b); id >= 0 {
		return id
	}
	is.order = append(is.order, b)
	return int32(len(is.order) - 1)
}

func (is *issuer) clone() *issuer {
	return &issuer{order: append(make([]int32, 0, len(is.order)+4), is.order...)}
}

// state is the canonicalization state (RDFC-1.0 §4.2).
type state struct {
	quads   []cquad
	labels  []string  // blank node id -> input label (ids are assigned in label order)
	byBlank [][]int32 // blank node to quads map: blank node id -> quad indexes
	first   []string  // Hash First Degree Quads result per blank node
	canon   canonIssuer
	h       hash.Hash
	sum     []byte
	hexbuf  []byte
	buf     []byte // scratch
	spans   [][2]int
	work    int
	maxWork int

	// Reused between calls (see states).
	sha256 hash.Hash
	ids    map[string]int32 // blank node label -> id
	seen   map[cquad]struct{}
	refs   [][4]ref
	arena  []byte
	iris   map[string]ref   // IRI -> its serialization in arena, made once
	order  []int32          // output: quad indexes in canonical order
	rank   []int32          // output: canonical id -> rank of its label
	fps    map[uint64]int32 // prepare: quad fingerprint -> index in quads
	byHash map[string]int   // run: first-degree hash -> group
	groups []entry
	single []int32
}

// entry is a group of blank nodes with the same first-degree hash.
type entry struct {
	hash  string
	nodes []int32
}

// ref locates a serialized term in the arena.
type ref struct{ start, end int32 }

// Canonicalize returns the canonical N-Quads document (each quad serialized in
// canonical N-Quads form followed by "\n", deduplicated and sorted in code
// point order), and the issued identifiers map (input label -> canonical
// label such as "c14n0").
func Canonicalize(quads []Quad, opts *Options) (canon []byte, issued map[string]string, err error) {
	s, err := canonicalize(quads, opts)
	if err != nil {
		return nil, nil, err
	}
	canon, issued = s.output(), s.issuedMap()
	s.release()
	return canon, issued, nil
}

// CanonicalNQuads is Canonicalize without the issued identifiers map, for
// callers that only hash the canonical form (the Data Integrity RDFC
// cryptosuites): it saves building a map nobody reads.
func CanonicalNQuads(quads []Quad, opts *Options) ([]byte, error) {
	s, err := canonicalize(quads, opts)
	if err != nil {
		return nil, err
	}
	canon := s.output()
	s.release()
	return canon, nil
}

// CanonicalDigest returns the digest, by a new hash from newHash, of the
// canonical N-Quads document CanonicalNQuads returns, without keeping the
// document: what the Data Integrity RDFC cryptosuites sign. (opts.Hash is
// the hash of the canonicalization algorithm itself; newHash may differ.)
func CanonicalDigest(quads []Quad, opts *Options, newHash func() hash.Hash) ([]byte, error) {
	s, err := canonicalize(quads, opts)
	if err != nil {
		return nil, err
	}
	s.buf = s.appendOutput(s.buf[:0])
	h := newHash()
	h.Write(s.buf)
	sum := h.Sum(nil)
	s.release()
	return sum, nil
}

func canonicalize(quads []Quad, opts *Options) (*state, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	switch {
	case o.MaxWork == 0:
		o.MaxWork = DefaultMaxWork
	case o.MaxWork < 0:
		o.MaxWork = int(^uint(0) >> 1)
	}
	s := newState(o)
	if err := s.prepare(quads); err != nil {
		s.release()
		return nil, err
	}
	if err := s.run(); err != nil {
		s.release()
		return nil, err
	}
	return s, nil
}

// states recycles canonicalization states with their buffers and maps (a
// credential is canonicalized twice per verification: document and proof
// configuration). A state is reset before reuse and holds no reference to a
// caller's data once released (its strings point into its own arena).
var states = sync.Pool{New: func() any { return &state{} }}

// maxPooledQuads bounds the size of a state kept for reuse.
const maxPooledQuads = 1 << 14

func newState(o Options) *state {
	s := states.Get().(*state)
	if o.Hash == nil {
		if s.sha256 == nil {
			s.sha256 = sha256.New()
		}
		s.h = s.sha256
		s.h.Reset()
	} else {
		s.h = o.Hash()
	}
	s.maxWork, s.work = o.MaxWork, 0
	return s
}

func (s *state) release() {
	if cap(s.quads) > maxPooledQuads || len(s.ids) > maxPooledQuads || len(s.iris) > maxPooledQuads {
		return
	}
	// Entries past len were cleared when they were last released.
	clear(s.quads)
	s.quads = s.quads[:0]
	clear(s.labels)
	s.labels = s.labels[:0]
	for i := range s.byBlank {
		s.byBlank[i] = s.byBlank[i][:0]
	}
	s.byBlank = s.byBlank[:0]
	clear(s.first)
	s.first = s.first[:0]
	clear(s.byHash)
	clear(s.groups)
	s.groups = s.groups[:0]
	clear(s.ids)
	clear(s.iris)
	clear(s.seen)
	clear(s.fps)
	s.arena = s.arena[:0]
	s.h = nil
	states.Put(s)
}

// prepare validates the input, serializes every non-blank term once, assigns
// blank node ids, removes duplicate quads and builds the blank node to quads
// map (RDFC-1.0 §4.4.3 step 2). Validation and serialization are one pass
// over each term (appendChecked); TestPrepareMatchesReference proves the
// result equal to validating first and serializing after, as this did before.
func (s *state) prepare(quads []Quad) error {
	// Collect blank node labels; ids are assigned in label order so that
	// permutations start from a deterministic, label-sorted list. Serialize
	// all non-blank terms into one arena, then slice one string.
	if s.ids == nil {
		s.ids = make(map[string]int32)
		s.iris = make(map[string]ref)
	}
	ids := s.ids
	// IRIs are written once only in datasets large enough for it to pay:
	// in a small one, hashing each IRI costs more than writing it again.
	intern := len(quads) >= 32
	refs := s.refs[:0]
	arena := s.arena[:0]
	for i := range quads {
		q := &quads[i]
		if err := validateKinds(q); err != nil {
			return fmt.Errorf("check quad %d: %w", i, err)
		}
		var r [4]ref
		for p, t := range [...]*Term{&q.Subject, &q.Predicate, &q.Object, &q.Graph} {
			switch t.Kind {
			case 0, DefaultGraph:
				continue
			case BlankNode:
				if t.Value == "" {
					return fmt.Errorf("check quad %d: %w: empty blank node label", i, ErrInvalidQuad)
				}
				ids[t.Value] = 0
				continue
			}
			// An IRI is checked and written once, however often it occurs
			// (predicates and types recur in every node): its later
			// occurrences share the first one's bytes.
			if t.Kind == IRI && intern {
				if x, ok := s.iris[t.Value]; ok {
					r[p] = x
					continue
				}
			}
			start := len(arena)
			var err error
			if arena, err = appendChecked(arena, t); err != nil {
				return fmt.Errorf("check quad %d: %w", i, err)
			}
			r[p] = ref{int32(start), int32(len(arena))}
			if t.Kind == IRI && intern {
				s.iris[t.Value] = r[p]
			}
		}
		refs = append(refs, r)
	}
	s.refs, s.arena = refs, arena
	for l := range ids {
		s.labels = append(s.labels, l)
	}
	slices.Sort(s.labels)
	for i, l := range s.labels {
		ids[l] = int32(i)
	}
	// The quads' terms are views of the arena, not a copy of it: the arena
	// is not written again until release, and no string made here outlives
	// release (the output and digests are fresh bytes; release clears
	// s.quads and s.seen, the only holders). A copy of a 100-alignment
	// badge's arena was a tenth of the bytes its verification allocated.
	all := ""
	if len(arena) > 0 {
		all = unsafe.String(unsafe.SliceData(arena), len(arena))
	}
	// A dataset is a set: drop duplicate quads. A quad is looked up by a
	// fingerprint (its blank node ids, and each term's length and last
	// bytes) and compared in full with the one quad kept under it; if two
	// different quads share a fingerprint, the exact set s.seen takes over
	// for the rest of the dataset. Hashing every quad's four terms whole
	// was a tenth of canonicalizing a small document.
	if s.fps == nil {
		s.fps = make(map[uint64]int32, len(quads))
	}
	exact := false
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
		if !exact {
			fp := fingerprint(&c)
			j, ok := s.fps[fp]
			if !ok {
				s.fps[fp] = int32(len(s.quads))
				s.quads = append(s.quads, c)
				continue
			}
			if s.quads[j] == c {
				continue // a duplicate
			}
			// Two different quads with one fingerprint: from here on, the
			// exact set, holding every quad kept so far.
			exact = true
			if s.seen == nil {
				s.seen = make(map[cquad]struct{}, len(quads))
			}
			for _, x := range s.quads {
				s.seen[x] = struct{}{}
			}
		}
		// One map operation: the set grows only if c is new.
		n := len(s.seen)
		s.seen[c] = struct{}{}
		if len(s.seen) == n {
			continue
		}
		s.quads = append(s.quads, c)
	}
	n := len(s.labels)
	if cap(s.byBlank) >= n {
		s.byBlank = s.byBlank[:n]
	} else {
		s.byBlank = append(s.byBlank[:cap(s.byBlank)], make([][]int32, n-cap(s.byBlank))...)
	}
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

// run performs steps 3-5 of the canonicalization algorithm (RDFC-1.0 §4.4.3).
func (s *state) run() error {
	n := len(s.labels)
	s.canon.ids = slices.Grow(s.canon.ids[:0], n)[:n]
	for i := range s.canon.ids {
		s.canon.ids[i] = -1
	}
	s.canon.next = 0
	s.first = slices.Grow(s.first[:0], n)[:n]

	// Step 3: "For each key n in the blank node to quads map: create a hash,
	// hf(n), for n using the Hash First Degree Quads algorithm; add hf(n) and
	// n to the hash to blank nodes map."
	// A group's list starts as a one-element window of s.single (capacity
	// one, so a tie appends into a copy): no allocation per blank node.
	if s.byHash == nil {
		s.byHash = make(map[string]int, n)
	}
	byHash := s.byHash
	s.single = slices.Grow(s.single[:0], n)[:n]
	groups := s.groups[:0]
	for b := range int32(n) {
		h := s.hashFirstDegree(b)
		s.first[b] = h
		if gi, ok := byHash[h]; ok {
			groups[gi].nodes = append(groups[gi].nodes, b)
			continue
		}
		byHash[h] = len(groups)
		s.single[b] = b
		groups = append(groups, entry{h, s.single[b : b+1 : b+1]})
	}
	s.groups = groups
	slices.SortFunc(groups, func(a, b entry) int { return strings.Compare(a.hash, b.hash) })

	// Step 4: "For each hash to identifier list map entry in hash to blank
	// nodes map, code point ordered by hash: if identifier list has more than
	// one entry, continue to the next mapping; use the Issue Identifier
	// algorithm ... to issue a canonical replacement identifier for the single
	// blank node identifier in identifier list; remove the map entry."
	rest := groups[:0]
	for _, g := range groups {
		if len(g.nodes) > 1 {
			rest = append(rest, g)
			continue
		}
		s.canon.issue(g.nodes[0])
	}

	// Step 5: "For each hash to identifier list map entry in hash to blank
	// nodes map, code point ordered by hash:"
	type result struct {
		hash string
		iss  *issuer
	}
	for _, g := range rest {
		// 5.1: "Create hash path list where each item will be a result of
		// running the Hash N-Degree Quads algorithm."
		var paths []result
		// 5.2: "For each blank node identifier n in identifier list:"
		for _, b := range g.nodes {
			// 5.2.1: "If a canonical identifier has already been issued for
			// n, continue to the next blank node identifier."
			if s.canon.ids[b] >= 0 {
				continue
			}
			// 5.2.2-5.2.3: "Otherwise, create temporary issuer, an
			// identifier issuer initialized with the prefix b. Use the Issue
			// Identifier algorithm, passing temporary issuer and n, to issue
			// a new temporary blank node identifier bn to n."
			tmp := &issuer{order: []int32{b}}
			// 5.2.4: "Run the Hash N-Degree Quads algorithm, passing the
			// canonicalization state, n for identifier, and temporary issuer,
			// appending the result to the hash path list."
			h, iss, err := s.hashNDegree(b, tmp)
			if err != nil {
				return err
			}
			paths = append(paths, result{h, iss})
		}
		// 5.3: "For each result in the hash path list, code point ordered by
		// the hash in result: for each blank node identifier, existing
		// identifier, that was issued a temporary identifier by identifier
		// issuer in result, issue a canonical identifier, in the same order."
		slices.SortStableFunc(paths, func(a, b result) int { return strings.Compare(a.hash, b.hash) })
		for _, r := range paths {
			for _, b := range r.iss.order {
				s.canon.issue(b)
			}
		}
	}
	return nil
}

// output performs step 6 and the serialization of the normalized dataset:
// every quad with canonical blank node labels, sorted in code point order.
//
// The quads are sorted by their terms rather than by their serialized lines
// (cmpQuads), which gives the same order: a line is its terms joined by
// spaces and ended by " .", no term is a proper prefix of another except
// where the longer one continues with a byte above the space ("_:c14n1" and
// "_:c14n12"; "\"x\"" and "\"x\"@en"), and an absent graph name sorts
// first as " ." does. Blank nodes then compare by the rank of their
// canonical labels (integers), and IRIs written once in prepare compare equal
// by address, so most comparisons read no bytes. TestOutputOrderMatchesLines
// and the reference tests prove the order equal to sorting the lines.
func (s *state) output() []byte {
	size := 0
	for i := range s.quads {
		for _, part := range s.quads[i].parts {
			size += len(part) + 1
		}
		size += 16
	}
	return s.appendOutput(make([]byte, 0, size))
}

// appendOutput appends the canonical N-Quads document to dst (see output).
func (s *state) appendOutput(dst []byte) []byte {
	s.rankLabels()
	order := s.order[:0]
	for i := range s.quads {
		order = append(order, int32(i))
	}
	slices.SortFunc(order, func(a, b int32) int { return s.cmpQuads(&s.quads[a], &s.quads[b]) })
	for _, i := range order {
		dst = s.appendLine(dst, &s.quads[i], -2)
	}
	s.order = order
	return dst
}

// rankLabels sets s.rank: for each canonical id, the position of its label
// ("c14n" + the id in decimal) in code point order. That order is a
// pre-order walk of the decimal digits (0, 1, 10, 100, ..., 11, ..., 2, ...),
// made in linear time; TestRankLabels checks it against sorting the labels.
func (s *state) rankLabels() {
	n := int32(len(s.labels))
	s.rank = slices.Grow(s.rank[:0], int(n))[:n]
	next := int32(0)
	var walk func(id int32) // id > 0: id, then the ids it is a prefix of
	walk = func(id int32) {
		s.rank[id] = next
		next++
		for c := id * 10; c < id*10+10 && c < n; c++ {
			walk(c)
		}
	}
	if n > 0 {
		s.rank[0] = next // "0" is a prefix of no other label
		next++
	}
	for d := int32(1); d < 10 && d < n; d++ {
		walk(d)
	}
}

// cmpQuads compares two quads as their canonical lines compare (see output).
func (s *state) cmpQuads(a, b *cquad) int {
	for p := range 4 {
		ba, bb := a.bn[p], b.bn[p]
		switch {
		case ba >= 0 && bb >= 0:
			if ra, rb := s.rank[s.canon.ids[ba]], s.rank[s.canon.ids[bb]]; ra != rb {
				return int(ra - rb)
			}
		case ba >= 0: // "_:" sorts after "<", "\"" and an absent graph name
			return 1
		case bb >= 0:
			return -1
		default:
			// == is quick for the same bytes of the arena (the runtime
			// compares addresses first).
			if x, y := a.parts[p], b.parts[p]; x != y {
				return strings.Compare(x, y)
			}
		}
	}
	return 0
}

func (s *state) issuedMap() map[string]string {
	m := make(map[string]string, len(s.labels))
	for b, l := range s.labels {
		m[l] = "c14n" + strconv.Itoa(int(s.canon.ids[b]))
	}
	return m
}

// appendLine serializes c followed by " .\n". Blank nodes are written as
// "_:a" when they are ref and "_:z" otherwise (Hash First Degree Quads), or
// with their canonical label when ref == -2.
func (s *state) appendLine(dst []byte, c *cquad, ref int32) []byte {
	for p := range 4 {
		b := c.bn[p]
		if b < 0 {
			if c.parts[p] == "" { // default graph
				continue
			}
			if p > 0 {
				dst = append(dst, ' ')
			}
			dst = append(dst, c.parts[p]...)
			continue
		}
		if p > 0 {
			dst = append(dst, ' ')
		}
		switch {
		case ref == -2:
			dst = append(dst, "_:c14n"...)
			dst = strconv.AppendInt(dst, int64(s.canon.ids[b]), 10)
		case b == ref:
			dst = append(dst, "_:a"...)
		default:
			dst = append(dst, "_:z"...)
		}
	}
	return append(dst, " .\n"...)
}

func sortSpans(buf []byte, spans [][2]int) {
	slices.SortFunc(spans, func(a, b [2]int) int {
		return bytes.Compare(buf[a[0]:a[1]], buf[b[0]:b[1]])
	})
}

// hashBuf hashes data and returns the lowercase hex digest.
func (s *state) hashBuf(data []byte) string {
	s.h.Reset()
	s.h.Write(data)
	return s.hexSum()
}

// hexSum returns the lowercase hex digest of what was written to s.h.
func (s *state) hexSum() string {
	s.sum = s.h.Sum(s.sum[:0])
	s.hexbuf = s.hexbuf[:0]
	const digits = "0123456789abcdef"
	for _, c := range s.sum {
		s.hexbuf = append(s.hexbuf, digits[c>>4], digits[c&15])
	}
	return string(s.hexbuf)
}

// hashFirstDegree implements Hash First Degree Quads (RDFC-1.0 §4.6.3).
func (s *state) hashFirstDegree(ref int32) string {
	// Steps 1-2: "Initialize nquads to an empty list. Get the list of quads
	// quads from the map entry for reference blank node identifier in the
	// blank node to quads map."
	// Step 3: "For each quad in quads: serialize the quad in canonical
	// n-quads form with the blank node identifier replaced: _:a for the
	// reference blank node identifier, _:z for any other."
	buf := s.buf[:0]
	spans := s.spans[:0]
	for _, qi := range s.byBlank[ref] {
		start := len(buf)
		buf = s.appendLine(buf, &s.quads[qi], ref)
		spans = append(spans, [2]int{start, len(buf)})
	}
	// Step 4: "Sort nquads in Unicode code point order."
	sortSpans(buf, spans)
	// Step 5: "Return the hash that results from passing the sorted and
	// concatenated nquads through the hash algorithm."
	s.h.Reset()
	for _, sp := range spans {
		s.h.Write(buf[sp[0]:sp[1]])
	}
	s.buf, s.spans = buf, spans
	return s.hexSum()
}

// appendID appends "_:c14nN" or "_:bN" for b if it has a canonical or
// temporary (iss) identifier, reporting whether it had one.
func (s *state) appendID(dst []byte, b int32, iss *issuer) ([]byte, bool) {
	if id := s.canon.ids[b]; id >= 0 {
		return strconv.AppendInt(append(dst, "_:c14n"...), int64(id), 10), true
	}
	if id := iss.lookup(b); id >= 0 {
		return strconv.AppendInt(append(dst, "_:b"...), int64(id), 10), true
	}
	return dst, false
}

// hashRelated implements Hash Related Blank Node (RDFC-1.0 §4.7.3).
func (s *state) hashRelated(related int32, c *cquad, iss *issuer, position byte) string {
	// Step 1: "Initialize a string input to the value of position."
	buf := append(s.buf[:0], position)
	// Step 2: "If position is not g, append <, the value of the predicate in
	// quad, and > to input."
	if position != 'g' {
		buf = append(buf, c.parts[1]...)
	}
	// Step 3: "If there is a canonical identifier for related, or an
	// identifier issued by issuer, append the string _:, followed by that
	// identifier; otherwise, append the result of the Hash First Degree Quads
	// algorithm, passing related."
	buf, ok := s.appendID(buf, related, iss)
	if !ok {
		buf = append(buf, s.first[related]...)
	}
	s.buf = buf
	// Step 4: "Return the hash that results from passing input through the
	// hash algorithm."
	return s.hashBuf(buf)
}

// spend charges units of work and fails once the total exceeds the bound.
// Each Hash N-Degree Quads call and each permutation costs one unit, plus a
// share proportional to the quads/nodes it touches and the size of the
// temporary issuer it copies and searches, so that one unit stays around a
// microsecond and an allocation of at most a few hundred bytes, whatever the
// shape of the graph.
func (s *state) spend(items, issued int) error {
	s.work += 1 + items/64 + issued/64 + items*issued/4096
	if s.work > s.maxWork {
		return fmt.Errorf("hash n-degree quads: %w (work limit %d)", ErrTooComplex, s.maxWork)
	}
	return nil
}

// hashNDegree implements Hash N-Degree Quads (RDFC-1.0 §4.8.3). It returns
// the hash and the (possibly replaced) issuer.
func (s *state) hashNDegree(ref int32, iss *issuer) (string, *issuer, error) {
	if err := s.spend(len(s.byBlank[ref]), len(iss.order)); err != nil {
		return "", nil, err
	}
	// Step 1: "Create a new map Hn for relating hashes to related blank
	// nodes."
	type rel struct {
		hash string
		node int32
	}
	var hn []rel
	// Steps 2-3: "Get a reference, quads, to the list of quads from the map
	// entry for identifier in the blank node to quads map. For each quad in
	// quads: for each component in quad, where component is the subject,
	// object, or graph name, and it is a blank node that is not identified by
	// identifier: set hash to the result of the Hash Related Blank Node
	// algorithm, passing the blank node identifier for component as related,
	// quad, issuer, and position as either s, o, or g based on whether
	// component is a subject, object, graph name, respectively; add a mapping
	// of hash to the blank node identifier for component to Hn, adding an
	// entry as necessary."
	for _, qi := range s.byBlank[ref] {
		c := &s.quads[qi]
		for _, p := range [...]int{0, 2, 3} {
			b := c.bn[p]
			if b < 0 || b == ref {
				continue
			}
			hn = append(hn, rel{s.hashRelated(b, c, iss, "s?og"[p]), b})
		}
	}
	// Order by hash; within a hash, by blank node id (= input label order),
	// which is the first permutation.
	slices.SortFunc(hn, func(a, b rel) int {
		if c := strings.Compare(a.hash, b.hash); c != 0 {
			return c
		}
		return int(a.node - b.node)
	})

	// Step 4: "Create an empty string, data to hash."
	var data []byte
	var list []int32
	// Step 5: "For each related hash to blank node list mapping in Hn, code
	// point ordered by related hash:"
	for i := 0; i < len(hn); {
		j := i
		list = list[:0]
		for ; j < len(hn) && hn[j].hash == hn[i].hash; j++ {
			list = append(list, hn[j].node)
		}
		// 5.1: "Append the related hash to the data to hash."
		data = append(data, hn[i].hash...)
		i = j
		// 5.2-5.3: "Create a string chosen path. Create an unset chosen
		// issuer variable."
		var chosenPath []byte
		var chosenIss *issuer
		// 5.4: "For each permutation p of blank node list:"
		for more := true; more; more = nextPermutation(list) {
			if err := s.spend(len(list), len(iss.order)); err != nil {
				return "", nil, err
			}
			// 5.4.1: "Create a copy of issuer, issuer copy. Create a
			// string path. Create a recursion list, to store blank node
			// identifiers that must be recursively processed by this
			// algorithm."
			cp := iss.clone()
			var path []byte
			var recursion []int32
			skip := false
			// 5.4.4: "For each related in p:"
			for _, related := range list {
				if id := s.canon.ids[related]; id >= 0 {
					// 5.4.4.1: "If a canonical identifier has been issued
					// for related, append the string _:, followed by the
					// canonical identifier for related, to path."
					path = strconv.AppendInt(append(path, "_:c14n"...), int64(id), 10)
				} else {
					// 5.4.4.2: "Otherwise: if issuer copy has not issued an
					// identifier for related, append related to recursion
					// list. Use the Issue Identifier algorithm, passing
					// issuer copy and related, and append the string _:,
					// followed by the result, to path."
					if cp.lookup(related) < 0 {
						recursion = append(recursion, related)
					}
					path = strconv.AppendInt(append(path, "_:b"...), int64(cp.issue(related)), 10)
				}
				// 5.4.4.3: "If chosen path is not empty and the length of
				// path is greater than or equal to the length of chosen
				// path and path is greater than chosen path when considering
				// code point order, then skip to the next permutation p."
				if worse(path, chosenPath) {
					skip = true
					break
				}
			}
			if skip {
				continue
			}
			// 5.4.5: "For each related in recursion list:"
			for _, related := range recursion {
				// 5.4.5.1: "Set result to the result of recursively
				// executing the Hash N-Degree Quads algorithm, passing the
				// canonicalization state, related for identifier, and issuer
				// copy for path identifier issuer."
				h, ri, err := s.hashNDegree(related, cp)
				if err != nil {
					return "", nil, err
				}
				// 5.4.5.2-3: "Use the Issue Identifier algorithm, passing
				// issuer copy and related; append the string _:, followed by
				// the result, to path. Append <, the hash in result, and >
				// to path."
				path = strconv.AppendInt(append(path, "_:b"...), int64(cp.issue(related)), 10)
				path = append(path, '<')
				path = append(path, h...)
				path = append(path, '>')
				// 5.4.5.4: "Set issuer copy to the identifier issuer in
				// result."
				cp = ri
				// 5.4.5.5: same skip condition as 5.4.4.3.
				if worse(path, chosenPath) {
					skip = true
					break
				}
			}
			if skip {
				continue
			}
			// 5.4.6: "If chosen path is empty or path is less than chosen
			// path when considering code point order, set chosen path to
			// path and chosen issuer to issuer copy."
			if chosenPath == nil || bytes.Compare(path, chosenPath) < 0 {
				chosenPath, chosenIss = path, cp
			}
		}
		// 5.5: "Append chosen path to data to hash."
		data = append(data, chosenPath...)
		// 5.6: "Replace issuer, by reference, with chosen issuer."
		iss = chosenIss
	}
	// Step 6: "Return issuer and the hash that results from passing data to
	// hash through the hash algorithm."
	return s.hashBuf(data), iss, nil
}

// worse reports the skip condition of Hash N-Degree Quads steps 5.4.4.3 and
// 5.4.5.5.
func worse(path, chosen []byte) bool {
	return chosen != nil && len(path) >= len(chosen) && bytes.Compare(path, chosen) > 0
}

// nextPermutation rearranges p into the lexicographically next permutation
// and reports whether there was one. Equal elements (a blank node related
// twice through the same hash) yield each distinct permutation once.
func nextPermutation(p []int32) bool {
	i := len(p) - 2
	for i >= 0 && p[i] >= p[i+1] {
		i--
	}
	if i < 0 {
		return false
	}
	j := len(p) - 1
	for p[j] <= p[i] {
		j--
	}
	p[i], p[j] = p[j], p[i]
	slices.Reverse(p[i+1:])
	return true
}

// fingerprint mixes a quad's blank node ids and, for each other term, its
// length and up to its last eight bytes. Equal quads have equal
// fingerprints; different quads usually do not (prepare compares in full).
func fingerprint(c *cquad) uint64 {
	h := uint64(14695981039346656037)
	mix := func(x uint64) {
		h ^= x
		h *= 1099511628211
		h ^= h >> 29
	}
	for p := range 4 {
		if b := c.bn[p]; b >= 0 {
			mix(uint64(b) + 1)
			continue
		}
		t := c.parts[p]
		var tail uint64
		for k := max(0, len(t)-8); k < len(t); k++ {
			tail = tail<<8 | uint64(t[k])
		}
		mix(uint64(len(t))<<32 | uint64(p))
		mix(tail)
	}
	return h
}

// validateQuad checks that q is a valid RDF quad whose canonical
// serialization is unambiguous.
func validateQuad(q *Quad) error {
	if err := validateKinds(q); err != nil {
		return err
	}
	for _, t := range [...]*Term{&q.Subject, &q.Predicate, &q.Object, &q.Graph} {
		if err := validateTerm(t); err != nil {
			return err
		}
	}
	return nil
}

// validateKinds checks the kind of the term in each position.
func validateKinds(q *Quad) error {
	switch q.Subject.Kind {
	case IRI, BlankNode:
	default:
		return fmt.Errorf("%w: subject must be an IRI or blank node", ErrInvalidQuad)
	}
	if q.Predicate.Kind != IRI {
		return fmt.Errorf("%w: predicate must be an IRI", ErrInvalidQuad)
	}
	switch q.Object.Kind {
	case IRI, BlankNode, Literal:
	default:
		return fmt.Errorf("%w: object must be an IRI, blank node or literal", ErrInvalidQuad)
	}
	switch q.Graph.Kind {
	case 0, DefaultGraph, IRI, BlankNode:
	default:
		return fmt.Errorf("%w: graph must be an IRI, blank node or the default graph", ErrInvalidQuad)
	}
	return nil
}

// appendChecked is appendTerm for an IRI or a literal, with validateTerm's
// checks made in the same pass over the bytes: it appends the canonical
// N-Quads form of t to dst, or fails with validateTerm's error.
func appendChecked(dst []byte, t *Term) ([]byte, error) {
	switch t.Kind {
	case IRI:
		if !validIRI(t.Value) {
			return dst, fmt.Errorf("%w: invalid IRI %q", ErrInvalidQuad, t.Value)
		}
		dst = append(dst, '<')
		dst = append(dst, t.Value...)
		return append(dst, '>'), nil
	case Literal:
		start := len(dst)
		dst = append(dst, '"')
		if !utf8.ValidString(t.Value) {
			return dst[:start], fmt.Errorf("%w: literal is not valid UTF-8", ErrInvalidQuad)
		}
		dst = appendEscaped(dst, t.Value)
		dst = append(dst, '"')
		switch {
		case t.Language != "":
			if !validLangTag(t.Language) {
				return dst[:start], fmt.Errorf("%w: invalid language tag %q", ErrInvalidQuad, t.Language)
			}
			if t.Datatype != "" && t.Datatype != RDFLangString {
				return dst[:start], fmt.Errorf("%w: language-tagged literal with datatype %q", ErrInvalidQuad, t.Datatype)
			}
			dst = append(dst, '@')
			dst = append(dst, t.Language...)
		case t.Datatype != "":
			if !validIRI(t.Datatype) {
				return dst[:start], fmt.Errorf("%w: invalid datatype IRI %q", ErrInvalidQuad, t.Datatype)
			}
			if t.Datatype != XSDString {
				dst = append(dst, "^^<"...)
				dst = append(dst, t.Datatype...)
				dst = append(dst, '>')
			}
		}
		return dst, nil
	}
	return appendTerm(dst, t), nil
}

func validateTerm(t *Term) error {
	switch t.Kind {
	case IRI:
		if !validIRI(t.Value) {
			return fmt.Errorf("%w: invalid IRI %q", ErrInvalidQuad, t.Value)
		}
	case BlankNode:
		if t.Value == "" {
			return fmt.Errorf("%w: empty blank node label", ErrInvalidQuad)
		}
	case Literal:
		if !utf8.ValidString(t.Value) {
			return fmt.Errorf("%w: literal is not valid UTF-8", ErrInvalidQuad)
		}
		if t.Language != "" {
			if !validLangTag(t.Language) {
				return fmt.Errorf("%w: invalid language tag %q", ErrInvalidQuad, t.Language)
			}
			if t.Datatype != "" && t.Datatype != RDFLangString {
				return fmt.Errorf("%w: language-tagged literal with datatype %q", ErrInvalidQuad, t.Datatype)
			}
		} else if t.Datatype != "" && !validIRI(t.Datatype) {
			return fmt.Errorf("%w: invalid datatype IRI %q", ErrInvalidQuad, t.Datatype)
		}
	}
	return nil
}

// validIRI reports whether s can be written as an N-Quads IRIREF and is
// absolute: valid UTF-8, a scheme, and none of the characters N-Quads forbids
// (U+0000-U+0020 < > " { } | ^ ` \).
func validIRI(s string) bool {
	if s == "" {
		return false
	}
	colon := -1
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			// Not ASCII: valid UTF-8, and not a scheme character.
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size <= 1 {
				return false
			}
			if colon < 0 {
				colon = len(s)
			}
			i += size
			continue
		}
		if iriForbidden(c) {
			return false
		}
		if colon < 0 {
			switch {
			case c == ':' && i > 0:
				colon = i
			case isAlpha(c), i > 0 && (isDigit(c) || c == '+' || c == '-' || c == '.'):
			default:
				colon = len(s) // not a scheme character: no scheme
			}
		}
		i++
	}
	return colon > 0 && colon < len(s)
}

func iriForbidden(c byte) bool { return iriForbiddenTable[c] }

var iriForbiddenTable = func() (t [256]bool) {
	for c := 0; c <= 0x20; c++ {
		t[c] = true
	}
	for _, c := range `<>"{}|^` + "`\\" {
		t[c] = true
	}
	return t
}()

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// validLangTag checks the N-Quads LANGTAG production (without the "@").
func validLangTag(s string) bool {
	first, n := true, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-':
			if n == 0 {
				return false
			}
			first, n = false, 0
		case isAlpha(c), !first && isDigit(c):
			n++
		default:
			return false
		}
	}
	return n > 0
}

// AppendQuad appends the canonical N-Quads serialization of q to dst,
// including the final " ." but no trailing newline: `<s> <p> "o" <g> .`.
// The default graph is omitted; literals of datatype xsd:string are written
// without a datatype. Terms are written as given (IRIs raw between < and >,
// blank nodes with their label, literals escaped per canonical N-Quads);
// validity is not checked.
func AppendQuad(dst []byte, q Quad) []byte {
	dst = appendTerm(dst, &q.Subject)
	dst = append(dst, ' ')
	dst = appendTerm(dst, &q.Predicate)
	dst = append(dst, ' ')
	dst = appendTerm(dst, &q.Object)
	if q.Graph.Kind != 0 && q.Graph.Kind != DefaultGraph {
		dst = append(dst, ' ')
		dst = appendTerm(dst, &q.Graph)
	}
	return append(dst, " ."...)
}

// appendTerm appends the canonical N-Quads form of t.
func appendTerm(dst []byte, t *Term) []byte {
	switch t.Kind {
	case IRI:
		dst = append(dst, '<')
		dst = append(dst, t.Value...)
		return append(dst, '>')
	case BlankNode:
		dst = append(dst, "_:"...)
		return append(dst, t.Value...)
	case Literal:
		dst = append(dst, '"')
		dst = appendEscaped(dst, t.Value)
		dst = append(dst, '"')
		switch {
		case t.Language != "":
			dst = append(dst, '@')
			dst = append(dst, t.Language...)
		case t.Datatype != "" && t.Datatype != XSDString:
			dst = append(dst, "^^<"...)
			dst = append(dst, t.Datatype...)
			dst = append(dst, '>')
		}
	}
	return dst
}

// appendEscaped escapes a literal's lexical form for canonical N-Quads (RDF
// 1.2 N-Quads §canonical-quads, required by RDFC-1.0): ECHAR for \b \t \n \f
// \r \" \\; UCHAR \u00XX (uppercase hex) for the other characters in
// U+0000..U+001F and for U+007F; everything else as raw UTF-8.
func appendEscaped(dst []byte, s string) []byte {
	const hexUpper = "0123456789ABCDEF"
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
			continue
		}
		dst = append(dst, s[last:i]...)
		last = i + 1
		switch c {
		case '\b':
			dst = append(dst, `\b`...)
		case '\t':
			dst = append(dst, `\t`...)
		case '\n':
			dst = append(dst, `\n`...)
		case '\f':
			dst = append(dst, `\f`...)
		case '\r':
			dst = append(dst, `\r`...)
		case '"':
			dst = append(dst, `\"`...)
		case '\\':
			dst = append(dst, `\\`...)
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexUpper[c>>4], hexUpper[c&15])
		}
	}
	return append(dst, s[last:]...)
}

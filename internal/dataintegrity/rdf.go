package dataintegrity

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/blason-badges/blason/contexts"
	"github.com/blason-badges/blason/internal/jsongold/ld"
	"github.com/blason-badges/blason/internal/rdfc"
)

// Errors from turning a JSON-LD document into RDF. Each means that part of
// the document would not be covered by a signature, so the document is
// rejected rather than signed or verified with that part silently left out.
var (
	// ErrUndefinedTerm: a property or type that the document's contexts do
	// not define (JSON-LD "safe mode").
	ErrUndefinedTerm = errors.New("term not defined by the document's contexts")
	// ErrRelativeIRI: an identifier that is not an absolute IRI.
	ErrRelativeIRI = errors.New("not an absolute IRI")
	// ErrJSONLD: any other JSON-LD processing error (including unknown contexts).
	ErrJSONLD = errors.New("JSON-LD processing failed")
	// ErrUnsupportedValue: a value form with no agreed RDF mapping.
	ErrUnsupportedValue = errors.New("unsupported JSON-LD value")
	// ErrTooDeep: named graphs nested deeper than maxGraphDepth.
	ErrTooDeep = errors.New("named graphs nested too deeply")
)

// maxGraphDepth bounds how deeply named graphs may nest. A presentation
// needs three levels (the presentation, each credential's graph, each
// proof's graph inside it); a proof of a credential inside a credential
// (an endorsement presented) a few more. Deeper nesting serves no
// credential and only costs work, so it is refused.
const maxGraphDepth = 8

// i18nBase is the namespace of the datatypes JSON-LD 1.1 uses for a string
// with a base direction when rdfDirection is i18n-datatype.
const i18nBase = "https://www.w3.org/ns/i18n#"

const (
	xsdString     = "http://www.w3.org/2001/XMLSchema#string"
	xsdBoolean    = "http://www.w3.org/2001/XMLSchema#boolean"
	xsdInteger    = "http://www.w3.org/2001/XMLSchema#integer"
	xsdDouble     = "http://www.w3.org/2001/XMLSchema#double"
	rdfType       = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
	rdfFirst      = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"
	rdfRest       = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"
	rdfNil        = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"
	rdfLangString = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
	rdfJSON       = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"
)

// expansion is the one JSON-LD configuration Blason uses: pinned contexts
// only, JSON-LD 1.1, safe mode (a property the contexts do not define is an
// error instead of being dropped), and memoised context processing, so each
// pinned context and each of their scoped contexts is processed once per
// process rather than once per document (see internal/jsongold).
var expansion = func() struct {
	opts *ld.JsonLdOptions
	root *ld.Context
} {
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = contexts.Loader{}
	opts.ProcessingMode = ld.JsonLd_1_1
	opts.SafeMode = true
	opts.ContextMemo = ld.NewContextMemo(4096)
	return struct {
		opts *ld.JsonLdOptions
		root *ld.Context
	}{opts, ld.NewStableContext(opts)}
}()

// expandFrom runs JSON-LD 1.1 expansion (the JSON-LD API's expand(), steps
// 5-8) of a document held in memory, from root (expansion.root, or the JSON-LD
// test suite's, whose documents have a base IRI). Verification passes options
// that add the form rule (see form.go); both share the memoised contexts.
func expandFrom(root *ld.Context, doc map[string]any, opts *ld.JsonLdOptions) ([]any, error) {
	out, err := ld.NewJsonLdApi().Expand(root, "", doc, opts, false, nil)
	if err != nil {
		return nil, jsonldError(err)
	}
	// expand() step 8: a top-level object with only @graph becomes its
	// value; a lone object becomes an array; null becomes an empty array.
	switch v := out.(type) {
	case nil:
		return []any{}, nil
	case []any:
		return v, nil
	case map[string]any:
		if len(v) == 0 {
			return []any{}, nil
		}
		if g, ok := v["@graph"]; ok && len(v) == 1 {
			if list, ok := g.([]any); ok {
				return list, nil
			}
			return []any{g}, nil
		}
		return []any{v}, nil
	}
	return nil, fmt.Errorf("%w: expansion returned %T", ErrJSONLD, out)
}

// jsonldError maps json-gold errors to ours, keeping the library's message.
func jsonldError(err error) error {
	if errors.Is(err, ErrForm) {
		return err
	}
	var le *ld.JsonLdError
	if errors.As(err, &le) {
		switch le.Code {
		case ld.InvalidProperty:
			return fmt.Errorf("%w: %v", ErrUndefinedTerm, le)
		case ld.LoadingRemoteContextFailed, ld.LoadingDocumentFailed:
			if errors.Is(err, contexts.ErrUnknownContext) {
				return fmt.Errorf("%w: %w", ErrJSONLD, contexts.ErrUnknownContext)
			}
		}
		return fmt.Errorf("%w: %v", ErrJSONLD, le)
	}
	return fmt.Errorf("%w: %v", ErrJSONLD, err)
}

// toQuads converts a JSON-LD document to an RDF dataset: JSON-LD 1.1
// expansion, then the "Deserialize JSON-LD to RDF" algorithm applied
// directly to the expanded form. That gives the same set of quads as going
// through the node map (node objects sharing an @id contribute the union of
// their statements, and duplicate quads are removed by canonicalisation),
// in linear time: json-gold's node map compares every value of a property
// with every other one (quadratic in, say, a badge's alignments).
//
// Where the algorithm drops data (relative IRIs, blank-node predicates,
// unknown value forms) this returns an error: nothing may fall outside the
// signature.
//
// A string with a base direction becomes a literal typed
// https://www.w3.org/ns/i18n#LANG_DIR: the algorithm's rdfDirection option
// set to i18n-datatype, as the Data Integrity cryptosuites (and the stack
// the W3C suites use) canonicalise. Without that option the algorithm would
// drop the direction, leaving it outside the signature.
func toQuads(doc map[string]any) ([]rdfc.Quad, error) { return toQuadsWith(doc, expansion.opts) }

func toQuadsWith(doc map[string]any, opts *ld.JsonLdOptions) ([]rdfc.Quad, error) {
	return toQuadsInto(nil, expansion.root, doc, opts, rdfDirectionI18n)
}

// rdfDirection values: the JSON-LD API's rdfDirection option. Blason signs
// and verifies with rdfDirectionI18n only; rdfDirectionNone (the option
// unset) is kept to run the JSON-LD test suite, and refuses @direction
// rather than dropping it.
const (
	rdfDirectionNone = ""
	rdfDirectionI18n = "i18n-datatype"
)

// toQuadsInto is toQuadsWith from the given root context, with the given
// rdfDirection, appending to buf.
func toQuadsInto(buf []rdfc.Quad, root *ld.Context, doc map[string]any, opts *ld.JsonLdOptions, rdfDirection string) ([]rdfc.Quad, error) {
	expanded, err := expandFrom(root, doc, opts)
	if err != nil {
		return nil, err
	}
	c := converter{rdfDirection: rdfDirection, quads: buf} // labels made on first use
	def := rdfc.Term{Kind: rdfc.DefaultGraph}
	for _, item := range expanded {
		n, ok := item.(map[string]any)
		if !ok || isValueOrList(n) {
			return nil, fmt.Errorf("top-level %s: %w", jsonKind(item), ErrUnsupportedValue)
		}
		if _, err := c.node(def, n); err != nil {
			return nil, err
		}
	}
	return c.quads, nil
}

type converter struct {
	labels       map[string]string // input blank node label -> our label
	next         int
	quads        []rdfc.Quad
	rdfDirection string
	depth        int // named graphs currently open
}

func isValueOrList(m map[string]any) bool {
	_, v := m["@value"]
	_, l := m["@list"]
	return v || l
}

// blankLabels are the first labels blank issues, made once: a badge has a
// handful of blank nodes, one with alignments one per alignment.
var blankLabels = func() []string {
	l := make([]string, 1024)
	for i := range l {
		l[i] = "b" + strconv.Itoa(i)
	}
	return l
}()

// blank returns a fresh blank node, or the one standing for an input label.
func (c *converter) blank(input string) rdfc.Term {
	if input != "" {
		if l, ok := c.labels[input]; ok {
			return rdfc.Term{Kind: rdfc.BlankNode, Value: l}
		}
	}
	var l string
	if c.next < len(blankLabels) {
		l = blankLabels[c.next]
	} else {
		l = "b" + strconv.Itoa(c.next)
	}
	c.next++
	if input != "" {
		if c.labels == nil {
			c.labels = map[string]string{}
		}
		c.labels[input] = l
	}
	return rdfc.Term{Kind: rdfc.BlankNode, Value: l}
}

func (c *converter) emit(s, p, o, g rdfc.Term) {
	c.quads = append(c.quads, rdfc.Quad{Subject: s, Predicate: p, Object: o, Graph: g})
}

var typeIRI = rdfc.Term{Kind: rdfc.IRI, Value: rdfType}

// node emits the statements of an expanded node object in graph and
// returns its subject (JSON-LD 1.1 "Node Map Generation" + "Deserialize
// JSON-LD to RDF", fused).
func (c *converter) node(graph rdfc.Term, n map[string]any) (rdfc.Term, error) {
	var subject rdfc.Term
	if id, ok := n["@id"].(string); ok {
		var err error
		if subject, err = c.resource(id, "node @id"); err != nil {
			return subject, err
		}
	} else if _, has := n["@id"]; has {
		return subject, fmt.Errorf("@id is not a string: %w", ErrUnsupportedValue)
	} else {
		subject = c.blank("")
	}
	for prop, val := range n {
		switch prop {
		case "@id", "@index", "@context":
		case "@type":
			types, _ := val.([]any)
			for _, t := range types {
				s, _ := t.(string)
				if !strings.HasPrefix(s, "_:") && !absoluteIRI(s) {
					return subject, fmt.Errorf("type %q: %w (the contexts do not define it)", clip(s), ErrUndefinedTerm)
				}
				obj, err := c.resource(s, "type")
				if err != nil {
					return subject, err
				}
				c.emit(subject, typeIRI, obj, graph)
			}
		case "@graph":
			// The node's @graph holds a named graph whose name is the node
			// (Node Map Generation step 6.9: "recursively invoke this
			// algorithm passing the value of element's @graph entry for
			// element, node map, and id for active graph"). Expansion makes
			// the value of a graph container (@container: @graph, also with
			// @id or @index) such a graph object, whose name is a fresh blank
			// node unless @id gives one: so in the VC 2.0 context each
			// credential of a presentation, and each proof, is a named graph.
			// Graphs nest by name only: statements of an inner graph are in
			// the inner graph, not the outer one.
			if c.depth >= maxGraphDepth {
				return subject, fmt.Errorf("%w: more than %d levels", ErrTooDeep, maxGraphDepth)
			}
			c.depth++
			items, _ := val.([]any)
			for _, item := range items {
				m, ok := item.(map[string]any)
				if !ok || isValueOrList(m) {
					continue // free-floating values in a graph are not statements
				}
				if _, err := c.node(subject, m); err != nil {
					return subject, err
				}
			}
			c.depth--
		case "@included":
			items, _ := val.([]any)
			for _, item := range items {
				m, ok := item.(map[string]any)
				if !ok {
					return subject, fmt.Errorf("@included holds %s: %w", jsonKind(item), ErrUnsupportedValue)
				}
				if _, err := c.node(graph, m); err != nil {
					return subject, err
				}
			}
		case "@reverse":
			rev, _ := val.(map[string]any)
			for rp, rvals := range rev {
				pred, err := c.predicate(rp)
				if err != nil {
					return subject, err
				}
				list, _ := rvals.([]any)
				for _, rv := range list {
					m, ok := rv.(map[string]any)
					if !ok || isValueOrList(m) {
						return subject, fmt.Errorf("@reverse value is not a node: %w", ErrUnsupportedValue)
					}
					other, err := c.node(graph, m)
					if err != nil {
						return subject, err
					}
					c.emit(other, pred, subject, graph)
				}
			}
		default:
			if strings.HasPrefix(prop, "@") {
				return subject, fmt.Errorf("keyword %s in a node object: %w", clip(prop), ErrUnsupportedValue)
			}
			pred, err := c.predicate(prop)
			if err != nil {
				return subject, err
			}
			values, _ := val.([]any)
			for _, v := range values {
				obj, err := c.value(graph, v)
				if err != nil {
					return subject, fmt.Errorf("property %s: %w", clip(prop), err)
				}
				c.emit(subject, pred, obj, graph)
			}
		}
	}
	return subject, nil
}

func (c *converter) predicate(p string) (rdfc.Term, error) {
	if strings.HasPrefix(p, "_:") {
		return rdfc.Term{}, fmt.Errorf("property %q: blank node predicates are not RDF: %w", clip(p), ErrUnsupportedValue)
	}
	if !absoluteIRI(p) {
		return rdfc.Term{}, fmt.Errorf("property %q: %w", clip(p), ErrRelativeIRI)
	}
	return rdfc.Term{Kind: rdfc.IRI, Value: p}, nil
}

// value implements JSON-LD 1.1 "Object to RDF Conversion" for an expanded
// property value: a value object, a list object, or a node object (whose
// own statements are emitted too).
func (c *converter) value(graph rdfc.Term, item any) (rdfc.Term, error) {
	m, ok := item.(map[string]any)
	if !ok {
		return rdfc.Term{}, fmt.Errorf("unexpected %T in expanded JSON-LD: %w", item, ErrUnsupportedValue)
	}
	if _, ok := m["@value"]; ok {
		return literal(m, c.rdfDirection)
	}
	if l, ok := m["@list"]; ok {
		items, _ := l.([]any)
		return c.list(graph, items)
	}
	return c.node(graph, m)
}

// resource turns a node identifier into an IRI or blank node term.
func (c *converter) resource(id, what string) (rdfc.Term, error) {
	if strings.HasPrefix(id, "_:") {
		return c.blank(id), nil
	}
	if !absoluteIRI(id) {
		return rdfc.Term{}, fmt.Errorf("%s %q: %w", what, clip(id), ErrRelativeIRI)
	}
	return rdfc.Term{Kind: rdfc.IRI, Value: id}, nil
}

// list implements JSON-LD 1.1 "List to RDF Conversion".
func (c *converter) list(graph rdfc.Term, items []any) (rdfc.Term, error) {
	if len(items) == 0 {
		return rdfc.Term{Kind: rdfc.IRI, Value: rdfNil}, nil
	}
	first := rdfc.Term{Kind: rdfc.IRI, Value: rdfFirst}
	rest := rdfc.Term{Kind: rdfc.IRI, Value: rdfRest}
	head := c.blank("")
	subj := head
	for i, item := range items {
		obj, err := c.value(graph, item)
		if err != nil {
			return rdfc.Term{}, err
		}
		c.quads = append(c.quads, rdfc.Quad{Subject: subj, Predicate: first, Object: obj, Graph: graph})
		next := rdfc.Term{Kind: rdfc.IRI, Value: rdfNil}
		if i < len(items)-1 {
			next = c.blank("")
		}
		c.quads = append(c.quads, rdfc.Quad{Subject: subj, Predicate: rest, Object: next, Graph: graph})
		subj = next
	}
	return head, nil
}

// literal converts a JSON-LD value object to an RDF literal (JSON-LD 1.1
// "Object to RDF Conversion", steps 4-13).
func literal(v map[string]any, rdfDirection string) (rdfc.Term, error) {
	if dir, ok := v["@direction"]; ok {
		return directedLiteral(v, dir, rdfDirection)
	}
	datatype, _ := v["@type"].(string)
	if datatype == "@json" {
		s, err := canonicalJSON(v["@value"])
		if err != nil {
			return rdfc.Term{}, err
		}
		return rdfc.Term{Kind: rdfc.Literal, Value: s, Datatype: rdfJSON}, nil
	}
	if datatype != "" && !absoluteIRI(datatype) {
		return rdfc.Term{}, fmt.Errorf("datatype %q: %w", clip(datatype), ErrUndefinedTerm)
	}
	lit := rdfc.Term{Kind: rdfc.Literal, Datatype: datatype}
	value := v["@value"]
	// Documents built in Go (not decoded from JSON) may hold Go integers or
	// json.Number; JSON-LD sees them as JSON numbers.
	switch n := value.(type) {
	case int:
		value = float64(n)
	case int64:
		value = float64(n)
	case int32:
		value = float64(n)
	case float32:
		value = float64(n)
	case json.Number:
		f, err := n.Float64()
		if err != nil {
			return rdfc.Term{}, fmt.Errorf("number %q: %w", n, ErrUnsupportedValue)
		}
		value = f
	}
	switch x := value.(type) {
	case bool:
		lit.Value = strconv.FormatBool(x)
		if datatype == "" {
			lit.Datatype = xsdBoolean
		}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return rdfc.Term{}, fmt.Errorf("number %v: %w", x, ErrUnsupportedValue)
		}
		// Step 10: a non-integral number, one of magnitude ≥ 10^21, or one
		// typed xsd:double becomes a canonical xsd:double; else an integer.
		if x != math.Trunc(x) || math.Abs(x) >= 1e21 || datatype == xsdDouble {
			lit.Value = canonicalDouble(x)
			if datatype == "" {
				lit.Datatype = xsdDouble
			}
		} else {
			lit.Value = strconv.FormatFloat(x, 'f', -1, 64)
			if datatype == "" {
				lit.Datatype = xsdInteger
			}
		}
	case string:
		lit.Value = x
		if lang, ok := v["@language"]; ok {
			tag, _ := lang.(string)
			if !validLanguageTag(tag) {
				return rdfc.Term{}, fmt.Errorf("language tag %q: %w", clip(tag), ErrUnsupportedValue)
			}
			lit.Language = strings.ToLower(tag)
			lit.Datatype = rdfLangString
		} else if datatype == "" {
			lit.Datatype = xsdString
		}
	default:
		return rdfc.Term{}, fmt.Errorf("@value of type %T: %w", x, ErrUnsupportedValue)
	}
	return lit, nil
}

// directedLiteral converts a value object with @direction (JSON-LD 1.1
// "Object to RDF Conversion" step 13: "Otherwise, if item is a value object
// with an @direction entry and rdfDirection is not null ... If
// rdfDirection is i18n-datatype, set datatype to the result of appending
// language (in lower case, or the empty string if there is none), an
// underscore, and @direction to https://www.w3.org/ns/i18n#, and
// initialize literal as an RDF literal using value and datatype").
func directedLiteral(v map[string]any, dir any, rdfDirection string) (rdfc.Term, error) {
	if rdfDirection != rdfDirectionI18n {
		// With rdfDirection unset the algorithm drops the direction: that
		// would leave it outside the signature.
		return rdfc.Term{}, fmt.Errorf("@direction without rdfDirection i18n-datatype: %w", ErrUnsupportedValue)
	}
	value, ok := v["@value"].(string)
	if !ok {
		return rdfc.Term{}, fmt.Errorf("@direction on a %s value: %w", jsonKind(v["@value"]), ErrUnsupportedValue)
	}
	// JSON-LD admits only "ltr" and "rtl" ("invalid base direction"
	// otherwise), which json-gold's expansion does not check; the value
	// becomes part of an IRI.
	d, _ := dir.(string)
	if d != "ltr" && d != "rtl" {
		return rdfc.Term{}, fmt.Errorf("@direction %q: %w", clip(d), ErrUnsupportedValue)
	}
	lang := ""
	if l, ok := v["@language"]; ok {
		tag, _ := l.(string)
		if !validLanguageTag(tag) {
			return rdfc.Term{}, fmt.Errorf("language tag %q: %w", clip(tag), ErrUnsupportedValue)
		}
		lang = strings.ToLower(tag)
	}
	return rdfc.Term{Kind: rdfc.Literal, Value: value, Datatype: i18nBase + lang + "_" + d}, nil
}

// canonicalDouble formats f in the XSD canonical form JSON-LD prescribes
// (the form of JavaScript's toExponential(15) with trailing zeros removed):
// 1.1 -> "1.1E0", 5e21 -> "5.0E21".
func canonicalDouble(f float64) string {
	s := strconv.FormatFloat(f, 'E', -1, 64) // e.g. "1.1E+00", "5E+21", "-1.5E-07"
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	n, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(n)
}

// absoluteIRI reports whether s is an absolute IRI that can be written in
// N-Quads: a scheme (RFC 3987 §2.2), a colon, and none of the characters the
// N-Quads IRIREF production forbids.
func absoluteIRI(s string) bool {
	colon := strings.IndexByte(s, ':')
	if colon < 1 {
		return false
	}
	for i := 0; i < colon; i++ {
		ch := s[i]
		alpha := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z'
		if i == 0 && !alpha || !(alpha || ch >= '0' && ch <= '9' || ch == '+' || ch == '-' || ch == '.') {
			return false
		}
	}
	for i := 0; i < len(s); i++ {
		if iriForbidden[s[i]] {
			return false
		}
	}
	return true
}

// iriForbidden marks the bytes the N-Quads IRIREF production forbids:
// U+0000-U+0020 and < > " { } | ^ ` \ (a table: this runs on every IRI of
// every document, and a switch per byte was a twentieth of a verification).
var iriForbidden = func() (t [256]bool) {
	for c := 0; c <= 0x20; c++ {
		t[c] = true
	}
	for _, c := range "<>\"{}|^`\\" {
		t[c] = true
	}
	return t
}()

// validLanguageTag checks the BCP 47 shape JSON-LD requires of @language.
func validLanguageTag(tag string) bool {
	if tag == "" {
		return false
	}
	for i, part := range strings.Split(tag, "-") {
		if part == "" || len(part) > 8 {
			return false
		}
		for _, ch := range part {
			alpha := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z'
			if !alpha && (i == 0 || ch < '0' || ch > '9') {
				return false
			}
		}
	}
	return true
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

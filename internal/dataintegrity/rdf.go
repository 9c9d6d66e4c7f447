package dataintegrity

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/piprate/json-gold/ld"

	"github.com/blason-badges/blason/contexts"
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
	// ErrUnsupportedValue: a value form with no agreed RDF mapping (e.g. @direction).
	ErrUnsupportedValue = errors.New("unsupported JSON-LD value")
)

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
// process rather than once per document (see third_party/json-gold).
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

// expand runs JSON-LD 1.1 expansion (the JSON-LD API's expand(), steps 5-8)
// of a document held in memory.
func expand(doc map[string]any) ([]any, error) {
	out, err := ld.NewJsonLdApi().Expand(expansion.root, "", doc, expansion.opts, false, nil)
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

// toQuads converts a JSON-LD document to an RDF dataset, following the
// JSON-LD 1.1 "Deserialize JSON-LD to RDF" algorithm, except that where that
// algorithm drops data (relative IRIs, blank-node predicates, unknown value
// forms) this returns an error: nothing may fall outside the signature.
func toQuads(doc map[string]any) ([]rdfc.Quad, error) {
	expanded, err := expand(doc)
	if err != nil {
		return nil, err
	}
	api := ld.NewJsonLdApi()
	issuer := ld.NewIdentifierIssuer("_:b")
	nodeMap := map[string]any{"@default": map[string]any{}}
	if _, err := api.GenerateNodeMap(expanded, nodeMap, "@default", issuer, "", "", nil); err != nil {
		return nil, jsonldError(err)
	}
	c := converter{issuer: issuer}
	graphNames := sortedKeys(nodeMap)
	for _, g := range graphNames {
		var graph rdfc.Term
		switch {
		case g == "@default":
			graph = rdfc.Term{Kind: rdfc.DefaultGraph}
		default:
			if graph, err = c.resource(g, "graph name"); err != nil {
				return nil, err
			}
		}
		nodes, _ := nodeMap[g].(map[string]any)
		for _, id := range sortedKeys(nodes) {
			if err := c.node(graph, id, nodes[id]); err != nil {
				return nil, err
			}
		}
	}
	return c.quads, nil
}

type converter struct {
	issuer *ld.IdentifierIssuer
	quads  []rdfc.Quad
}

func (c *converter) node(graph rdfc.Term, id string, v any) error {
	subject, err := c.resource(id, "node @id")
	if err != nil {
		return err
	}
	node, _ := v.(map[string]any)
	for _, prop := range sortedKeys(node) {
		var values []any
		var predicate rdfc.Term
		switch {
		case prop == "@type":
			values, _ = node[prop].([]any)
			predicate = rdfc.Term{Kind: rdfc.IRI, Value: rdfType}
			for _, t := range values {
				s, _ := t.(string)
				if strings.HasPrefix(s, "_:") {
					continue // a blank node type is a resource like any other
				}
				if !absoluteIRI(s) {
					return fmt.Errorf("type %q: %w (the contexts do not define it)", clip(s), ErrUndefinedTerm)
				}
			}
		case ld.IsKeyword(prop):
			continue // @id, @index, @reverse (already inverted), @included (already flattened)
		case strings.HasPrefix(prop, "_:"):
			return fmt.Errorf("property %q: blank node predicates are not RDF: %w", clip(prop), ErrUnsupportedValue)
		default:
			if !absoluteIRI(prop) {
				return fmt.Errorf("property %q: %w", clip(prop), ErrRelativeIRI)
			}
			values, _ = node[prop].([]any)
			predicate = rdfc.Term{Kind: rdfc.IRI, Value: prop}
		}
		for _, item := range values {
			obj, err := c.object(graph, item)
			if err != nil {
				return fmt.Errorf("property %s: %w", clip(predicate.Value), err)
			}
			c.quads = append(c.quads, rdfc.Quad{Subject: subject, Predicate: predicate, Object: obj, Graph: graph})
		}
	}
	return nil
}

// resource turns a node identifier into an IRI or blank node term.
func (c *converter) resource(id, what string) (rdfc.Term, error) {
	if strings.HasPrefix(id, "_:") {
		return rdfc.Term{Kind: rdfc.BlankNode, Value: id[2:]}, nil
	}
	if !absoluteIRI(id) {
		return rdfc.Term{}, fmt.Errorf("%s %q: %w", what, clip(id), ErrRelativeIRI)
	}
	return rdfc.Term{Kind: rdfc.IRI, Value: id}, nil
}

// object implements JSON-LD 1.1 "Object to RDF Conversion".
func (c *converter) object(graph rdfc.Term, item any) (rdfc.Term, error) {
	switch v := item.(type) {
	case string: // @type values arrive as strings
		return c.resource(v, "type")
	case map[string]any:
		if _, ok := v["@value"]; ok {
			return literal(v)
		}
		if l, ok := v["@list"]; ok {
			items, _ := l.([]any)
			return c.list(graph, items)
		}
		id, ok := v["@id"].(string)
		if !ok {
			return rdfc.Term{}, fmt.Errorf("node reference without @id: %w", ErrUnsupportedValue)
		}
		return c.resource(id, "@id")
	}
	return rdfc.Term{}, fmt.Errorf("unexpected %T in expanded JSON-LD: %w", item, ErrUnsupportedValue)
}

// list implements JSON-LD 1.1 "List to RDF Conversion".
func (c *converter) list(graph rdfc.Term, items []any) (rdfc.Term, error) {
	if len(items) == 0 {
		return rdfc.Term{Kind: rdfc.IRI, Value: rdfNil}, nil
	}
	first := rdfc.Term{Kind: rdfc.IRI, Value: rdfFirst}
	rest := rdfc.Term{Kind: rdfc.IRI, Value: rdfRest}
	head := rdfc.Term{Kind: rdfc.BlankNode, Value: c.issuer.GetId("")[2:]}
	subj := head
	for i, item := range items {
		obj, err := c.object(graph, item)
		if err != nil {
			return rdfc.Term{}, err
		}
		c.quads = append(c.quads, rdfc.Quad{Subject: subj, Predicate: first, Object: obj, Graph: graph})
		next := rdfc.Term{Kind: rdfc.IRI, Value: rdfNil}
		if i < len(items)-1 {
			next = rdfc.Term{Kind: rdfc.BlankNode, Value: c.issuer.GetId("")[2:]}
		}
		c.quads = append(c.quads, rdfc.Quad{Subject: subj, Predicate: rest, Object: next, Graph: graph})
		subj = next
	}
	return head, nil
}

// literal converts a JSON-LD value object to an RDF literal (JSON-LD 1.1
// "Object to RDF Conversion", steps 4-13).
func literal(v map[string]any) (rdfc.Term, error) {
	if _, ok := v["@direction"]; ok {
		// With rdfDirection unset the algorithm drops the direction: that
		// would leave it outside the signature.
		return rdfc.Term{}, fmt.Errorf("@direction: %w", ErrUnsupportedValue)
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
		switch ch := s[i]; {
		case ch <= 0x20, ch == '<', ch == '>', ch == '"', ch == '{', ch == '}', ch == '|', ch == '^', ch == '`', ch == '\\':
			return false
		}
	}
	return true
}

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

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

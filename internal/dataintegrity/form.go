package dataintegrity

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/blason-badges/blason/contexts"
	"github.com/blason-badges/blason/internal/jsongold/ld"
)

// ErrForm means a document is written in a form that its signature covers but
// that the checks reading its JSON do not read: a property under its full IRI
// or another name, a value object or a one-element array where a plain value
// is expected, a keyword written raw, a prefixed identifier, and the like.
//
// A signature covers RDF, not JSON: many JSON documents give the same
// canonical N-Quads. Everything after the proof (status, validity dates,
// holder binding, the schema, what a person is shown) reads JSON keys. If the
// JSON could say something other than what those keys say, a rewrite that
// keeps the signature could change a verdict (a revoked badge whose
// credentialStatus moved under its IRI would no longer be "revoked"). So a
// verified document must be in the one form the checks read: the compact form
// of the pinned contexts' terms, as JSON-LD compaction writes it.
var ErrForm = errors.New("a property is written in a form this verifier does not read")

// vocabulary is what the pinned contexts define: for each IRI (or keyword),
// the term names that stand for it, and for each term name, the IRIs it
// stands for in some pinned context or scoped context.
type vocabulary struct {
	termsOf map[string]map[string]bool // IRI or keyword -> term names
	iriOf   map[string]map[string]bool // term name -> IRIs or keywords
}

var pinned = sync.OnceValues(func() (*vocabulary, error) {
	v := &vocabulary{termsOf: map[string]map[string]bool{}, iriOf: map[string]map[string]bool{}}
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = contexts.Loader{}
	opts.ProcessingMode = ld.JsonLd_1_1
	seen := map[string]bool{}
	var walk func(c *ld.Context) error
	walk = func(c *ld.Context) error {
		for name, td := range c.TermDefinitions {
			if td == nil || td.ID == "" {
				continue
			}
			add(v.termsOf, td.ID, name)
			add(v.iriOf, name, td.ID)
			if !td.HasContext || td.Context == nil {
				continue
			}
			// Each scoped context is walked once, wherever it is reached:
			// the pinned contexts nest them into each other.
			key := name + " " + fmt.Sprint(td.Context)
			if m, ok := td.Context.(map[string]any); ok {
				key = fmt.Sprintf("%s %p", name, m)
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			scoped, err := c.Parse(td.Context)
			if err != nil {
				// The walk reaches combinations expansion never does (a
				// scoped context inside an unrelated scope); the terms a
				// scoped context defines are what matters here.
				if scoped, err = ld.NewContext(nil, opts).Parse(td.Context); err != nil {
					return fmt.Errorf("scoped context of %q: %w", name, err)
				}
			}
			if err := walk(scoped); err != nil {
				return err
			}
		}
		return nil
	}
	for _, u := range contexts.URLs() {
		c, err := ld.NewContext(nil, opts).Parse(u)
		if err != nil {
			return nil, fmt.Errorf("pinned context %s: %w", u, err)
		}
		if err := walk(c); err != nil {
			return nil, fmt.Errorf("pinned context %s: %w", u, err)
		}
	}
	return v, nil
})

func add(m map[string]map[string]bool, k, v string) {
	s := m[k]
	if s == nil {
		s = map[string]bool{}
		m[k] = s
	}
	s[v] = true
}

// formRule is the KeyHandler that enforces the compact form during the
// expansion that verification runs anyway, so the check costs a few map
// look-ups per key instead of a second JSON-LD pass.
func formRule(voc *vocabulary) func(c *ld.Context, activeProperty string, elem map[string]any, key, expanded string) error {
	return func(c *ld.Context, activeProperty string, elem map[string]any, key, expanded string) error {
		where := formWhere(activeProperty)
		if key == "@context" {
			return nil
		}
		_, isValueObject := elem["@value"]
		if strings.HasPrefix(expanded, "@") {
			return keywordRule(c, activeProperty, elem, key, expanded, isValueObject, voc, where)
		}
		td := c.GetTermDefinition(key)
		// A property the pinned contexts name must be written with that name:
		// not as its IRI, a compact IRI, or an alias from an inline context.
		if names, ok := voc.termsOf[expanded]; ok && !names[key] {
			return where.err("property %q is written for %q", clip(key), firstName(names))
		}
		// A pinned term name must keep its meaning (an inline context may
		// not give a familiar name to another property).
		if iris, ok := voc.iriOf[key]; ok && td != nil && !iris[expanded] {
			return where.err("property %q is redefined as %q", clip(key), clip(expanded))
		}
		if td == nil && strings.Contains(key, ":") {
			// An IRI key for a property no pinned term names: compaction
			// keeps it as written unless an inline term or prefix names it.
			if short, err := c.CompactIri(expanded, nil, true, false); err == nil && short != key {
				return where.err("property %q is written for %q", clip(key), clip(short))
			}
		}
		return valueRule(c, td, key, expanded, elem[key], voc, where)
	}
}

// formWhere makes the form errors raised inside activeProperty. It is a
// string, not a closure over it: this runs for every key of every document
// verified, and a closure was an allocation each time.
type formWhere string

func (w formWhere) err(format string, args ...any) error {
	at := ""
	if w != "" {
		at = fmt.Sprintf(" (inside %q)", clip(string(w)))
	}
	return fmt.Errorf("%w: %s%s", ErrForm, fmt.Sprintf(format, args...), at)
}

func firstName(names map[string]bool) string {
	best := ""
	for n := range names {
		if best == "" || len(n) < len(best) || (len(n) == len(best) && n < best) {
			best = n
		}
	}
	return best
}

func keywordRule(c *ld.Context, activeProperty string, elem map[string]any, key, expanded string, isValueObject bool,
	voc *vocabulary, where formWhere) error {
	switch expanded {
	case "@id":
		if key != "id" {
			return where.err("%q is written for \"id\"", clip(key))
		}
		s, ok := elem[key].(string)
		if !ok {
			return nil // expansion refuses a non-string @id
		}
		// An identifier is read as written: a compact IRI ("ex:1") would
		// mean another string than the one every check compares.
		if full, err := c.ExpandIri(s, true, false, nil, nil); err == nil && full != s {
			return where.err("identifier %q stands for %q", clip(s), clip(full))
		}
		return nil
	case "@type":
		if isValueObject {
			if key != "type" && key != "@type" {
				return where.err("%q is written for \"type\"", clip(key))
			}
			return nil // checked with @value
		}
		if key != "type" {
			return where.err("%q is written for \"type\"", clip(key))
		}
		var types []any
		switch t := elem[key].(type) {
		case string:
			types = []any{t}
		case []any:
			types = t
		}
		for _, t := range types {
			s, ok := t.(string)
			if !ok {
				continue // expansion refuses it
			}
			if err := vocabValue(c, s, voc, where); err != nil {
				return err
			}
		}
		return nil
	case "@value":
		if key != "@value" {
			return where.err("%q is written for \"@value\"", clip(key))
		}
		// A value object is the compact form only when a plain JSON value
		// cannot say the same: a language or a base direction, or a datatype
		// other than a string's or the one the term already gives.
		_, lang := elem["@language"]
		_, dir := elem["@direction"]
		if lang || dir {
			return nil
		}
		t, hasType := elem["@type"]
		if !hasType {
			t, hasType = elem["type"]
		}
		ts, _ := t.(string)
		if hasType {
			full, err := c.ExpandIri(ts, true, true, nil, nil)
			_, isString := elem["@value"].(string)
			if err == nil && isString && full != xsdString && full != c.GetTypeMapping(activeProperty) {
				return nil
			}
		}
		return where.err("a value of %q is written as a value object", clip(activeProperty))
	case "@language", "@direction":
		if key != expanded || !isValueObject {
			return where.err("%q is written outside a value object", clip(key))
		}
		return nil
	}
	// @graph, @included, @index, @list, @set, @nest, @reverse, @json, @none:
	// no Open Badges or VC document needs them written out, and each
	// changes where a value sits in the JSON without changing the RDF.
	return where.err("keyword %q (%q) is written out", clip(key), expanded)
}

// vocabValue checks a type name (or an @vocab-coerced value): a pinned term
// must be written as its term, never as its IRI.
func vocabValue(c *ld.Context, s string, voc *vocabulary, where formWhere) error {
	full, err := c.ExpandIri(s, true, true, nil, nil)
	if err != nil {
		return nil // expansion reports it
	}
	if names, ok := voc.termsOf[full]; ok && !names[s] {
		return where.err("type or value %q is written for %q", clip(s), firstName(names))
	}
	if full != s && strings.Contains(s, ":") {
		return where.err("value %q stands for %q", clip(s), clip(full))
	}
	return nil
}

func valueRule(c *ld.Context, td *ld.TermDefinition, key, expanded string, value any, voc *vocabulary,
	where formWhere) error {
	var coercion string
	set := false
	if td != nil {
		coercion = td.Type
		for _, k := range td.Container {
			set = set || k == "@set" || k == "@list"
		}
	}
	items := []any{value}
	if list, ok := value.([]any); ok {
		items = list
		// One scalar in an array is not how compaction writes a single value
		// (except where the term says "@set"), and checks read it as absent.
		if len(list) == 1 && !set && !isObject(list[0]) {
			return where.err("property %q holds a one-element array", clip(key))
		}
	}
	for _, it := range items {
		switch v := it.(type) {
		case string:
			switch coercion {
			case "@id":
				if full, err := c.ExpandIri(v, true, false, nil, nil); err == nil && full != v {
					return where.err("identifier %q of %q stands for %q", clip(v), clip(key), clip(full))
				}
			case "@vocab":
				if err := vocabValue(c, v, voc, where); err != nil {
					return err
				}
			}
		case map[string]any:
			// {"id": X} alone is how compaction never writes a reference for
			// a term typed @id (it writes X). credentialSubject is the
			// exception: VC Data Model 2.0 makes it an object. So is holder:
			// "The value of the holder property MUST be either a URL or an
			// object containing an id property" (VC Data Model 2.0 §4.13),
			// and the verifier reads both forms; so is issuer: "a URL, or an
			// object containing an id property" (§4.7), read both ways.
			if (coercion == "@id" || coercion == "@vocab") && len(v) == 1 && !objectOrURL[expanded] {
				if _, ok := v["id"]; ok {
					return where.err("the identifier of %q is wrapped in an object", clip(key))
				}
			}
		}
	}
	return nil
}

// objectOrURL are the @id-typed properties that VC Data Model 2.0 lets be
// written as an object with only an id, and whose readers read both forms.
var objectOrURL = map[string]bool{
	"https://www.w3.org/2018/credentials#credentialSubject": true,
	"https://www.w3.org/2018/credentials#holder":            true,
	"https://www.w3.org/2018/credentials#issuer":            true,
}

func isObject(v any) bool { _, ok := v.(map[string]any); return ok }

// formOptions are the expansion options of verification: those of signing,
// plus the form rule.
var formOptions = sync.OnceValues(func() (*ld.JsonLdOptions, error) {
	voc, err := pinned()
	if err != nil {
		return nil, err
	}
	opts := expansion.opts.Copy()
	opts.KeyHandler = formRule(voc)
	return opts, nil
})

package credential

import (
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// ValidateSchema's Compaction fast path (strict first) is sound only if
// every document the strict schema accepts is accepted by the compaction
// schema. This file proves that mechanically over the embedded schema
// files, with a prover that is sound but incomplete: it answers true only
// when inclusion follows from the keywords' meaning, and fails (naming
// where) on any keyword or shape it does not understand.
//
// The argument has two halves:
//  1. Every oneOf of the compaction schema has branches whose JSON types
//     are pairwise disjoint, so at most one branch can match any value:
//     there, oneOf means anyOf. (oneOf is the only keyword in these files
//     for which loosening a branch can reject more: two branches matching
//     fail a oneOf. The files use no not, if/then/else or dependent*;
//     TestStrictSubsumedByCompaction fails on any keyword not listed.)
//  2. With oneOf read as anyOf, every keyword is monotone, and the prover
//     checks, node by node from the two roots, that each strict subschema
//     is included in its compaction counterpart.

// jsonTypes are JSON Schema's instance types, "integer" folded into
// "number" (an over-approximation, safe for the disjointness check).
var jsonTypes = []string{"null", "boolean", "object", "array", "number", "string"}

type typeSet map[string]bool

func allTypes() typeSet {
	ts := typeSet{}
	for _, t := range jsonTypes {
		ts[t] = true
	}
	return ts
}

func (a typeSet) intersect(b typeSet) typeSet {
	out := typeSet{}
	for t := range a {
		if b[t] {
			out[t] = true
		}
	}
	return out
}

func valueType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case float64, json.Number:
		return "number"
	case string:
		return "string"
	}
	return "?"
}

// annotations are keywords that constrain nothing.
var annotations = map[string]bool{"description": true, "$comment": true, "title": true, "$schema": true, "$id": true, "$defs": true}

type schemaDoc struct {
	name string
	root map[string]any
}

func loadSchemaFile(t *testing.T, v SchemaVariant, k Kind) schemaDoc {
	t.Helper()
	data, err := schemaFS.ReadFile(path.Join(v.dir(), schemaFile(k)))
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	return schemaDoc{name: v.String() + " " + schemaFile(k), root: root}
}

// resolve follows a local "#/$defs/Name" reference (the only kind these
// files use: schemas/README.md).
func (f schemaDoc) resolve(ref string) (map[string]any, error) {
	name, ok := strings.CutPrefix(ref, "#/$defs/")
	if !ok {
		return nil, fmt.Errorf("%s: non-local $ref %q", f.name, ref)
	}
	defs, _ := f.root["$defs"].(map[string]any)
	d, ok := defs[name].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: $ref %q not found", f.name, ref)
	}
	return d, nil
}

// types over-approximates the JSON types of the values s accepts.
func (f schemaDoc) types(s any, depth int) typeSet {
	m, ok := s.(map[string]any)
	if !ok || depth > 64 {
		return allTypes()
	}
	ts := allTypes()
	switch t := m["type"].(type) {
	case string:
		ts = ts.intersect(typeSet{foldInteger(t): true})
	case []any:
		set := typeSet{}
		for _, e := range t {
			s, _ := e.(string)
			set[foldInteger(s)] = true
		}
		ts = ts.intersect(set)
	}
	if e, ok := m["enum"].([]any); ok {
		set := typeSet{}
		for _, v := range e {
			set[valueType(v)] = true
		}
		ts = ts.intersect(set)
	}
	if ref, ok := m["$ref"].(string); ok {
		if d, err := f.resolve(ref); err == nil {
			ts = ts.intersect(f.types(d, depth+1))
		}
	}
	if all, ok := m["allOf"].([]any); ok {
		for _, b := range all {
			ts = ts.intersect(f.types(b, depth+1))
		}
	}
	for _, kw := range []string{"oneOf", "anyOf"} {
		if bs, ok := m[kw].([]any); ok {
			union := typeSet{}
			for _, b := range bs {
				maps.Copy(union, f.types(b, depth+1))
			}
			ts = ts.intersect(union)
		}
	}
	return ts
}

func foldInteger(t string) string {
	if t == "integer" {
		return "number"
	}
	return t
}

// walkSchemas calls fn on every subschema of f (the root, $defs and every
// nested keyword), with a JSON pointer for messages.
func walkSchemas(v any, ptr string, fn func(m map[string]any, ptr string)) {
	switch x := v.(type) {
	case map[string]any:
		fn(x, ptr)
		for _, k := range slices.Sorted(maps.Keys(x)) {
			switch k {
			case "properties", "$defs":
				props, _ := x[k].(map[string]any)
				for _, p := range slices.Sorted(maps.Keys(props)) {
					walkSchemas(props[p], ptr+"/"+k+"/"+p, fn)
				}
			case "enum", "required", "type":
				// values, not schemas
			default:
				walkSchemas(x[k], ptr+"/"+k, fn)
			}
		}
	case []any:
		for i, e := range x {
			walkSchemas(e, fmt.Sprintf("%s/%d", ptr, i), fn)
		}
	}
}

// prover decides, soundly, whether strict subschema s accepts a subset of
// what compaction subschema c accepts.
type prover struct {
	strict, compaction schemaDoc
	// rootEvidenceAbsent: the document's root has no "evidence" either
	// (the fast path's guard for an EndorsementCredential).
	rootEvidenceAbsent bool
	// assumed holds the pairs under proof (co-induction: a recursive
	// schema pair revisited is assumed included, which is sound for
	// JSON Schema's well-founded validation over finite documents).
	assumed map[[3]string]bool
}

func schemaKey(v any) string { b, _ := json.Marshal(v); return string(b) }

// strip returns m without the listed keywords and without annotations.
func strip(m map[string]any, drop ...string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if !annotations[k] && !slices.Contains(drop, k) {
			out[k] = v
		}
	}
	return out
}

func asSchema(v any) (map[string]any, error) {
	switch x := v.(type) {
	case nil:
		return map[string]any{}, nil
	case bool:
		if x {
			return map[string]any{}, nil
		}
		return nil, fmt.Errorf("schema false not supported")
	case map[string]any:
		return x, nil
	}
	return nil, fmt.Errorf("not a schema: %v", v)
}

// sub returns nil if s ⊆ c, else why it could not prove it.
func (p *prover) sub(sv, cv any, ptr string, root bool) error {
	if sv == false {
		return nil // s accepts nothing
	}
	s, err := asSchema(sv)
	if err != nil {
		return fmt.Errorf("%s: strict: %w", ptr, err)
	}
	c, err := asSchema(cv)
	if err != nil {
		return fmt.Errorf("%s: compaction: %w", ptr, err)
	}
	s, c = strip(s), strip(c)
	if len(c) == 0 {
		return nil // c accepts everything
	}
	pair := [3]string{schemaKey(s), schemaKey(c), fmt.Sprint(root)}
	if p.assumed[pair] {
		return nil
	}
	p.assumed[pair] = true
	ok := false
	defer func() {
		if !ok {
			delete(p.assumed, pair) // a failed proof assumes nothing
		}
	}()
	err = p.subCombinators(s, c, ptr, root)
	ok = err == nil
	return err
}

func (p *prover) subCombinators(s, c map[string]any, ptr string, root bool) error {
	// Compaction side first: its constraints are conjuncts to meet.
	if ref, has := c["$ref"].(string); has {
		d, err := p.compaction.resolve(ref)
		if err != nil {
			return err
		}
		if err := p.sub(s, d, ptr+"→"+ref, root); err != nil {
			return err
		}
		return p.sub(s, strip(c, "$ref"), ptr, root)
	}
	if all, has := c["allOf"].([]any); has {
		for i, b := range all {
			if err := p.sub(s, b, fmt.Sprintf("%s/allOf/%d", ptr, i), root); err != nil {
				return err
			}
		}
		return p.sub(s, strip(c, "allOf"), ptr, root)
	}
	for _, kw := range []string{"oneOf", "anyOf"} {
		bs, has := c[kw].([]any)
		if !has {
			continue
		}
		// oneOf is anyOf here (TestCompactionOneOfDisjoint): s must fall
		// inside one branch. A strict disjunction may spread over several
		// branches, one alternative each.
		alts := p.strictAlternatives(s)
		for _, a := range alts {
			found := false
			var errs []string
			for i, b := range bs {
				err := p.sub(a, b, fmt.Sprintf("%s/%s/%d", ptr, kw, i), root)
				if err == nil {
					found = true
					break
				}
				errs = append(errs, err.Error())
			}
			if !found {
				return fmt.Errorf("%s: no %s branch includes the strict schema: [%s]", ptr, kw, strings.Join(errs, " | "))
			}
		}
		return p.sub(s, strip(c, kw), ptr, root)
	}
	// Strict side: narrowing it is always sound (s ⊆ s' when s' drops one
	// of s's conjuncts), and a disjunction needs each branch included.
	if ref, has := s["$ref"].(string); has {
		d, err := p.strict.resolve(ref)
		if err != nil {
			return err
		}
		rest := strip(s, "$ref")
		if len(rest) == 0 {
			return p.sub(d, c, ptr+"→"+ref, root)
		}
		if err := p.sub(d, c, ptr+"→"+ref, root); err == nil {
			return nil
		}
		return p.sub(rest, c, ptr, root)
	}
	if all, has := s["allOf"].([]any); has {
		// Every compaction keyword must be met by one conjunct: split c
		// keyword by keyword (c is plain here) and let any conjunct, or
		// what s has besides allOf, meet each one.
		conjuncts := append([]any{strip(s, "allOf")}, all...)
		for kw, v := range c {
			one := map[string]any{kw: v}
			if kw == "items" || kw == "additionalItems" {
				one = map[string]any{"items": c["items"]}
				if ai, has := c["additionalItems"]; has {
					one["additionalItems"] = ai
				}
			}
			if kw == "properties" || kw == "additionalProperties" {
				one = map[string]any{}
				for _, k := range []string{"properties", "additionalProperties"} {
					if x, has := c[k]; has {
						one[k] = x
					}
				}
			}
			met := false
			for _, cj := range conjuncts {
				if p.sub(cj, one, ptr, root) == nil {
					met = true
					break
				}
			}
			if !met {
				return fmt.Errorf("%s: no strict allOf conjunct meets compaction keyword %q", ptr, kw)
			}
		}
		return nil
	}
	for _, kw := range []string{"oneOf", "anyOf"} {
		if bs, has := s[kw].([]any); has {
			for i, b := range bs {
				if err := p.sub(b, c, fmt.Sprintf("%s/strict-%s/%d", ptr, kw, i), root); err != nil {
					return err
				}
			}
			return nil
		}
	}
	return p.subPlain(s, c, ptr, root)
}

// strictAlternatives splits a strict schema that is a bare disjunction into
// its branches; anything else is one alternative.
func (p *prover) strictAlternatives(s map[string]any) []any {
	s = strip(s)
	if ref, has := s["$ref"].(string); has && len(s) == 1 {
		if d, err := p.strict.resolve(ref); err == nil {
			return p.strictAlternatives(d)
		}
	}
	for _, kw := range []string{"oneOf", "anyOf"} {
		if bs, has := s[kw].([]any); has && len(s) == 1 {
			var out []any
			for _, b := range bs {
				if m, ok := b.(map[string]any); ok {
					out = append(out, p.strictAlternatives(m)...)
				} else {
					out = append(out, b)
				}
			}
			return out
		}
	}
	return []any{s}
}

// subPlain compares two schemas with no $ref, allOf, oneOf or anyOf in c,
// and none in s.
func (p *prover) subPlain(s, c map[string]any, ptr string, root bool) error {
	for _, kw := range []string{"$ref", "allOf", "oneOf", "anyOf"} {
		if _, has := s[kw]; has {
			return fmt.Errorf("%s: strict %s left in a plain comparison", ptr, kw)
		}
	}
	ts := p.strict.types(s, 0)
	if len(ts) == 0 {
		return nil // s accepts nothing
	}
	sEnum, sHasEnum := s["enum"].([]any)
	for _, kw := range slices.Sorted(maps.Keys(c)) {
		cv := c[kw]
		at := ptr + "/" + kw
		switch kw {
		case "type":
			ct := p.compaction.types(map[string]any{"type": cv}, 0)
			for t := range ts {
				if !ct[t] {
					return fmt.Errorf("%s: strict allows %s, compaction does not", at, t)
				}
			}
			// "integer" in c is narrower than its fold: require s integer too.
			if isIntegerOnly(cv) && ts["number"] && !isIntegerOnly(s["type"]) {
				return fmt.Errorf("%s: compaction requires integer", at)
			}
		case "enum":
			ce, _ := cv.([]any)
			if !sHasEnum {
				return fmt.Errorf("%s: compaction has an enum, strict none", at)
			}
			for _, v := range sEnum {
				if !slices.ContainsFunc(ce, func(w any) bool { return reflect.DeepEqual(v, w) }) {
					return fmt.Errorf("%s: strict enum value %v not in compaction enum", at, v)
				}
			}
		case "pattern", "format":
			if !ts["string"] || reflect.DeepEqual(s[kw], cv) {
				continue
			}
			if kw == "pattern" && sHasEnum {
				re, err := regexp.Compile(cv.(string))
				if err != nil {
					return fmt.Errorf("%s: %w", at, err)
				}
				if !slices.ContainsFunc(sEnum, func(v any) bool { str, ok := v.(string); return ok && !re.MatchString(str) }) {
					continue
				}
			}
			return fmt.Errorf("%s: strict %s %v differs from compaction %v", at, kw, s[kw], cv)
		case "required":
			if !ts["object"] {
				continue
			}
			sr, _ := s["required"].([]any)
			for _, r := range cv.([]any) {
				if !slices.Contains(sr, r) {
					return fmt.Errorf("%s: compaction requires %v, strict does not", at, r)
				}
			}
		case "properties":
			if !ts["object"] {
				continue
			}
			sp, _ := s["properties"].(map[string]any)
			cp, _ := cv.(map[string]any)
			for _, name := range slices.Sorted(maps.Keys(cp)) {
				sv, has := sp[name]
				if !has {
					if name == "evidence" && (!root || p.rootEvidenceAbsent) {
						// The one hole: the strict schema's
						// EndorsementCredential has no evidence property
						// (any value passes), the compaction schema's has.
						// ValidateSchema takes the fast path only for a
						// document with no "evidence" below its root
						// (nor at its root, for an EndorsementCredential),
						// so this constraint never applies to it.
						continue
					}
					sv = s["additionalProperties"] // nil (true) when absent
				}
				if err := p.sub(sv, cp[name], at+"/"+name, false); err != nil {
					return err
				}
			}
		case "additionalProperties":
			if !ts["object"] {
				continue
			}
			sp, _ := s["properties"].(map[string]any)
			cp, _ := c["properties"].(map[string]any)
			for _, name := range slices.Sorted(maps.Keys(sp)) {
				if _, named := cp[name]; named {
					continue
				}
				if err := p.sub(sp[name], cv, at+"("+name+")", false); err != nil {
					return err
				}
			}
			if err := p.sub(s["additionalProperties"], cv, at, false); err != nil {
				return err
			}
		case "propertyNames":
			if !ts["object"] {
				continue
			}
			if err := p.sub(s["propertyNames"], cv, at, false); err != nil {
				return err
			}
		case "minItems":
			if !ts["array"] {
				continue
			}
			sm, _ := s["minItems"].(float64)
			if sm < cv.(float64) {
				return fmt.Errorf("%s: strict minItems %v < compaction %v", at, sm, cv)
			}
		case "contains":
			if !ts["array"] {
				continue
			}
			sc, has := s["contains"]
			if !has {
				return fmt.Errorf("%s: compaction has contains, strict none", at)
			}
			if err := p.sub(sc, cv, at, false); err != nil {
				return err
			}
		case "items":
			if !ts["array"] {
				continue
			}
			if err := p.subItems(s, c, at); err != nil {
				return err
			}
		case "additionalItems":
			// Checked with items (subItems: the tail past a tuple
			// items); without a tuple items it constrains nothing.
		default:
			return fmt.Errorf("%s: keyword %q is not understood by the prover", at, kw)
		}
	}
	return nil
}

func isIntegerOnly(t any) bool {
	switch x := t.(type) {
	case string:
		return x == "integer"
	case []any:
		return len(x) > 0 && !slices.ContainsFunc(x, func(v any) bool { return v != "integer" })
	}
	return false
}

// itemAt is the schema s applies to array index i (nil: anything).
func itemAt(m map[string]any, i int) any {
	switch it := m["items"].(type) {
	case []any:
		if i < len(it) {
			return it[i]
		}
		return m["additionalItems"]
	default:
		return it
	}
}

func (p *prover) subItems(s, c map[string]any, at string) error {
	sTuple, sIsTuple := s["items"].([]any)
	cTuple, cIsTuple := c["items"].([]any)
	n := max(len(sTuple), len(cTuple)) + 1 // past both tuples: the tails
	if !sIsTuple && !cIsTuple {
		n = 1
	}
	for i := 0; i < n; i++ {
		if err := p.sub(itemAt(s, i), itemAt(c, i), fmt.Sprintf("%s/%d", at, i), false); err != nil {
			return err
		}
	}
	return nil
}

// TestCompactionOneOfDisjoint: half 1 of the argument above.
func TestCompactionOneOfDisjoint(t *testing.T) {
	t.Parallel()
	for _, k := range []Kind{OpenBadge, Endorsement} {
		f := loadSchemaFile(t, Compaction, k)
		n := 0
		walkSchemas(f.root, "", func(m map[string]any, ptr string) {
			bs, ok := m["oneOf"].([]any)
			if !ok {
				return
			}
			n++
			sets := make([]typeSet, len(bs))
			for i, b := range bs {
				sets[i] = f.types(b, 0)
			}
			for i := range sets {
				for j := i + 1; j < len(sets); j++ {
					if both := sets[i].intersect(sets[j]); len(both) > 0 && !enumOutsidePattern(bs[i], bs[j]) && !enumOutsidePattern(bs[j], bs[i]) {
						keys := slices.Sorted(maps.Keys(both))
						t.Errorf("%s %s/oneOf: branches %d and %d both accept %v", f.name, ptr, i, j, keys)
					}
				}
			}
		})
		if n < 50 {
			t.Errorf("%s: only %d oneOf found; the walk misses subschemas", f.name, n)
		}
	}
}

// enumOutsidePattern reports whether a accepts only enumerated strings
// (and no other type) none of which b's pattern matches, b accepting
// only strings: then no value satisfies both.
func enumOutsidePattern(a, b any) bool {
	am, _ := a.(map[string]any)
	bm, _ := b.(map[string]any)
	enum, ok := am["enum"].([]any)
	pat, ok2 := bm["pattern"].(string)
	if !ok || !ok2 || bm["type"] != "string" {
		return false
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return false
	}
	for _, v := range enum {
		if s, ok := v.(string); !ok || re.MatchString(s) {
			return false
		}
	}
	return true
}

// TestStrictSubsumedByCompaction: half 2.
func TestStrictSubsumedByCompaction(t *testing.T) {
	t.Parallel()
	for _, k := range []Kind{OpenBadge, Endorsement} {
		p := &prover{strict: loadSchemaFile(t, Strict, k), compaction: loadSchemaFile(t, Compaction, k), assumed: map[[3]string]bool{},
			rootEvidenceAbsent: k == Endorsement}
		if err := p.sub(p.strict.root, p.compaction.root, schemaFile(k), true); err != nil {
			t.Errorf("strict ⊆ compaction not proven: %v", err)
		}
	}
}

// TestProverRefutes: the prover is not a yes-machine. Each pair has a
// value accepted by the first schema and rejected by the second.
func TestProverRefutes(t *testing.T) {
	t.Parallel()
	empty := schemaDoc{name: "inline", root: map[string]any{"$defs": map[string]any{"S": map[string]any{"type": "string"}}}}
	for _, tc := range []struct{ s, c string }{
		{`{"type":"string"}`, `{"type":"object"}`},
		{`{"type":"array","items":{"type":"string"}}`, `{"type":"array","items":{"type":"string","pattern":"^a"}}`},
		{`{"type":"array","minItems":1}`, `{"type":"array","minItems":2}`},
		{`{"type":"object","properties":{"a":{"type":"string"}}}`, `{"type":"object","required":["a"]}`},
		{`{"type":"object","properties":{"a":{"type":"number"}}}`, `{"type":"object","properties":{"a":{"$ref":"#/$defs/S"}}}`},
		{`{"type":"object","properties":{"b":{"type":"number"}}}`, `{"type":"object","additionalProperties":{"type":"string"}}`},
		{`{"enum":["x","y"]}`, `{"enum":["x"]}`},
		{`{"type":"string"}`, `{"oneOf":[{"type":"number"},{"type":"array"}]}`},
		{`{"type":"array","items":[{"type":"string"}]}`, `{"type":"array","items":[{"enum":["z"]}]}`},
		{`{"type":"array"}`, `{"type":"array","contains":{"type":"string"}}`},
		{`{"type":"string"}`, `{"not":{"type":"number"}}`},
	} {
		var s, c any
		if err := json.Unmarshal([]byte(tc.s), &s); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(tc.c), &c); err != nil {
			t.Fatal(err)
		}
		p := &prover{strict: empty, compaction: empty, assumed: map[[3]string]bool{}}
		if err := p.sub(s, c, "", true); err == nil {
			t.Errorf("%s ⊆ %s claimed", tc.s, tc.c)
		}
		// And the inclusion each pair's reverse or identity allows holds.
		p = &prover{strict: empty, compaction: empty, assumed: map[[3]string]bool{}}
		if err := p.sub(s, s, "", true); err != nil && !strings.Contains(tc.c, "not") {
			t.Errorf("%s ⊆ itself not proven: %v", tc.s, err)
		}
	}
}

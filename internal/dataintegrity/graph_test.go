package dataintegrity

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/rdfc"
)

// jsVectors are the documents signed by Digital Bazaar's stack
// (testdata/js-presentations/README.md), with the proof purpose, challenge
// and domain each was signed with.
var jsVectors = []struct {
	name, purpose, challenge, domain string
}{
	{"badge-for-holder", PurposeAssertion, "", ""},
	{"vp-one-badge", PurposeAuthentication, "c0ffee-2025", "verifier.example"},
	{"vp-no-credential", PurposeAuthentication, "c0ffee-2025", "verifier.example"},
	{"vc-language-direction", PurposeAssertion, "", ""},
}

// TestJSVectorsCanonicalForm reproduces, byte for byte, the canonical
// N-Quads the reference stack computed for each document without its proof
// (the presentation's credential and its proof are named graphs; @direction
// is an i18n datatype), and verifies each document's proof.
func TestJSVectorsCanonicalForm(t *testing.T) {
	t.Parallel()
	for _, v := range jsVectors {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			doc := readJSON(t, "testdata/js-presentations/"+v.name+".json")
			unsecured := shallowCopy(doc)
			delete(unsecured, "proof")
			got, err := Canonicalize(unsecured)
			if err != nil {
				t.Fatal(err)
			}
			if want := readText(t, "testdata/js-presentations/"+v.name+".unsecured.nq"); string(got) != want {
				t.Fatalf("canonical N-Quads differ:\n--- got\n%s--- want\n%s", got, want)
			}
			opts := VerifyOptions{Resolver: fragmentResolver{}, Purpose: v.purpose, Challenge: v.challenge, Domain: v.domain}
			if _, err := Verify(context.Background(), doc, opts); err != nil {
				t.Fatalf("verify: %v", err)
			}
			// The signature covers the named graphs: the presentation's
			// proof fails once its credential's name changes.
			if vcs, ok := doc["verifiableCredential"].([]any); ok && len(vcs) > 0 {
				vc := shallowCopy(vcs[0].(map[string]any))
				vc["name"] = "Changed"
				doc["verifiableCredential"] = []any{vc}
				if _, err := Verify(context.Background(), doc, opts); !errors.Is(err, ErrSignature) {
					t.Fatalf("tampered credential: err = %v, want ErrSignature", err)
				}
			}
		})
	}
}

// TestGraphCycles: a graph that names itself, and two graphs that contain
// each other's names, canonicalise quickly (the names are blank nodes, so
// RDFC-1.0 must tell them apart; its work bound caps it).
func TestGraphCycles(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		graph map[string]any
		want  error
	}{
		{"self", map[string]any{"@id": "_:g", "@graph": []any{map[string]any{"@id": "_:g", "name": "me"}}}, nil},
		{"mutual", map[string]any{"@id": "_:a", "@graph": []any{map[string]any{"@id": "_:b", "name": "b",
			"@graph": []any{map[string]any{"@id": "_:a", "name": "a"}}}}}, nil},
		// 200 indistinguishable blank nodes in a ring: refused by the
		// canonicalisation work bound, not computed.
		{"ring of 200", wideCycle(200), rdfc.ErrTooComplex},
	} {
		doc := credentialFor(t, "did:example:issuer")
		doc["credentialSubject"] = c.graph
		start := time.Now()
		_, err := Canonicalize(doc)
		// The work bound is what keeps this fast; the clock is only a
		// backstop against a hang (generous: the machine may be loaded).
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: took %v", c.name, d)
		}
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
}

// wideCycle returns n blank-node graphs each naming the next in a ring.
func wideCycle(n int) map[string]any {
	var items []any
	for i := 0; i < n; i++ {
		items = append(items, map[string]any{"@id": blankName(i), "@graph": []any{
			map[string]any{"@id": blankName((i + 1) % n), "name": "x"}}})
	}
	return map[string]any{"@id": blankName(0), "@graph": items}
}

func blankName(i int) string { return "_:n" + strconv.Itoa(i) }

// nestedGraphs returns a node holding n named graphs nested inside each
// other, the innermost holding one statement.
func nestedGraphs(n int) map[string]any {
	inner := map[string]any{"name": "deep"}
	for i := 0; i < n; i++ {
		inner = map[string]any{"@graph": []any{inner}}
	}
	return inner
}

// nestedContainers returns a document whose graph-container property g
// nests n times: n named graphs, by @container rather than by @graph.
func nestedContainers(n int) map[string]any {
	inner := map[string]any{"http://example.org/leaf": "deep"}
	for i := 0; i < n; i++ {
		inner = map[string]any{"g": inner}
	}
	inner["@context"] = map[string]any{"g": map[string]any{"@id": "http://example.org/g", "@container": "@graph"}}
	return inner
}

// TestGraphNestingLimit: named graphs, made by @graph objects or by graph
// containers, may nest maxGraphDepth deep, and no deeper; the refusal comes
// at once.
func TestGraphNestingLimit(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		depth int
		want  error
	}{{3, nil}, {maxGraphDepth, nil}, {maxGraphDepth + 1, ErrTooDeep}, {40, ErrTooDeep}} {
		doc := credentialFor(t, "did:example:issuer")
		doc["credentialSubject"] = nestedGraphs(c.depth)
		for form, d := range map[string]map[string]any{"@graph": doc, "@container": nestedContainers(c.depth)} {
			start := time.Now()
			quads, err := toQuads(d)
			if !errors.Is(err, c.want) && !(c.want == nil && err == nil) {
				t.Errorf("%s, depth %d: err = %v, want %v", form, c.depth, err, c.want)
			}
			if err == nil {
				// The innermost statement is in a named graph; with graph
				// containers every level holds a statement (the link to
				// the next graph), so there are depth named graphs. (An
				// @graph object alone states nothing: its graph is empty.)
				graphs := map[string]bool{}
				for _, q := range quads {
					if q.Graph.Kind == rdfc.BlankNode {
						graphs[q.Graph.Value] = true
					} else if q.Object.Value == "deep" {
						t.Errorf("%s, depth %d: the innermost statement is in the default graph", form, c.depth)
					}
				}
				if form == "@container" && len(graphs) != c.depth {
					t.Errorf("%s, depth %d: %d named graphs", form, c.depth, len(graphs))
				}
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("%s, depth %d took %v", form, c.depth, d)
			}
		}
	}
}

// TestFormRulePresentation: the form check reads what a presentation may
// be (VC Data Model 2.0 §4.13): holder as a URL or as an object with an
// id, a credential as a named graph, a direction on a name.
func TestFormRulePresentation(t *testing.T) {
	t.Parallel()
	vp := readJSON(t, "testdata/js-presentations/vp-one-badge.json")
	delete(vp, "proof")
	for name, holder := range map[string]any{
		"holder as a URL":                "did:key:z6MkkBPYdMyzcYZ82316KGBobVXJL619wybD692WpZaPQSBg",
		"holder as an object with an id": map[string]any{"id": "did:key:z6MkkBPYdMyzcYZ82316KGBobVXJL619wybD692WpZaPQSBg"},
	} {
		doc := shallowCopy(vp)
		doc["holder"] = holder
		if _, err := canonicalizeRead(doc); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	vc := readJSON(t, "testdata/js-presentations/vc-language-direction.json")
	delete(vc, "proof")
	if _, err := canonicalizeRead(vc); err != nil {
		t.Errorf("direction: %v", err)
	}
}

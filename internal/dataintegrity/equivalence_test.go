package dataintegrity

import (
	"strings"
	"testing"

	"github.com/blason-badges/blason/contexts"
	"github.com/blason-badges/blason/internal/jsongold/ld"
	"github.com/blason-badges/blason/internal/rdfc"
)

// jsonGoldQuads converts doc to quads through json-gold's own node map and
// RDF conversion (the path toQuads replaces), for comparison.
func jsonGoldQuads(t *testing.T, doc map[string]any) []rdfc.Quad {
	t.Helper()
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = contexts.Loader{}
	ds, err := ld.NewJsonLdProcessor().ToRDF(doc, opts)
	if err != nil {
		t.Fatal(err)
	}
	term := func(n ld.Node) rdfc.Term {
		switch v := n.(type) {
		case ld.IRI:
			return rdfc.Term{Kind: rdfc.IRI, Value: v.Value}
		case ld.BlankNode:
			return rdfc.Term{Kind: rdfc.BlankNode, Value: strings.TrimPrefix(v.Attribute, "_:")}
		case ld.Literal:
			dt := v.Datatype
			if dt == xsdString {
				dt = ""
			}
			return rdfc.Term{Kind: rdfc.Literal, Value: v.Value, Datatype: dt, Language: v.Language}
		}
		t.Fatalf("node %T", n)
		return rdfc.Term{}
	}
	var out []rdfc.Quad
	for g, quads := range ds.(*ld.RDFDataset).Graphs {
		graph := rdfc.Term{Kind: rdfc.DefaultGraph}
		if g != "@default" {
			if strings.HasPrefix(g, "_:") {
				graph = rdfc.Term{Kind: rdfc.BlankNode, Value: g[2:]}
			} else {
				graph = rdfc.Term{Kind: rdfc.IRI, Value: g}
			}
		}
		for _, q := range quads {
			out = append(out, rdfc.Quad{Subject: term(q.Subject), Predicate: term(q.Predicate), Object: term(q.Object), Graph: graph})
		}
	}
	return out
}

// TestDirectRDFMatchesNodeMap: converting the expanded form directly gives
// the same canonical dataset as json-gold's node map, on documents that use
// shared blank nodes, nested and repeated nodes, lists, @graph, @reverse,
// @included, typed values, and graph containers (also with @id and @index,
// nested, and a presentation's credentials and proofs).
func TestDirectRDFMatchesNodeMap(t *testing.T) {
	docs := []string{
		readText(t, "testdata/ob3/impl-testvector-eddsa-rdfc-2022-unsigned.json"),
		readText(t, "testdata/eddsa-rdfc-2022/proof-set-chain/signedProofChain2.json"),
		// Graph containers: the credential and its proof are named graphs.
		readText(t, "testdata/js-presentations/vp-one-badge.json"),
		readText(t, "testdata/js-presentations/vp-no-credential.json"),
		`{"@context": [{"@version": 1.1, "byID": {"@id": "http://ex.org/byID", "@container": ["@graph", "@id"]},
		   "byIndex": {"@id": "http://ex.org/byIndex", "@container": ["@graph", "@index"]},
		   "inGraph": {"@id": "http://ex.org/inGraph", "@container": "@graph"}}, "https://www.w3.org/ns/credentials/v2"],
		  "id": "urn:x:top",
		  "byID": {"urn:x:g1": {"name": "one"}, "_:g2": [{"name": "two"}, {"name": "three"}]},
		  "byIndex": {"a": {"name": "ia"}, "b": {"@graph": {"name": "ib"}}},
		  "inGraph": [{"name": "plain", "inGraph": {"name": "nested"}}, {"@id": "_:g2", "name": "shared name"}]}`,
		`{"@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
		  "id": "urn:x:1", "knows": [{"@id": "_:a", "name": "A"}, {"@id": "_:a", "age": 3}, {"@id": "_:b", "knows": {"@id": "_:a"}}],
		  "seq": {"@list": [1, "two", {"@id": "urn:x:3"}, {"name": "inner"}]},
		  "same": [{"name": "dup"}, {"name": "dup"}, "plain", "plain"],
		  "@reverse": {"parentOf": {"@id": "urn:x:parent", "name": "P"}},
		  "@included": [{"@id": "urn:x:inc", "name": "included"}],
		  "typed": {"@value": "2024-01-01", "@type": "http://www.w3.org/2001/XMLSchema#date"},
		  "fr": {"@value": "Bonjour", "@language": "fr"}}`,
		`{"@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
		  "@id": "urn:x:g", "@graph": [{"@id": "urn:x:s", "p": {"name": "in graph"}}, {"@id": "_:n", "q": 1.5}]}`,
	}
	for i, d := range docs {
		doc := mustJSON(t, d)
		delete(doc, "proof")
		mine, err := toQuads(doc)
		if err != nil {
			t.Fatalf("doc %d: %v", i, err)
		}
		a, _, err := rdfc.Canonicalize(mine, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _, err := rdfc.Canonicalize(jsonGoldQuads(t, doc), nil)
		if err != nil {
			t.Fatal(err)
		}
		if string(a) != string(b) {
			t.Fatalf("doc %d differs:\n--- direct\n%s--- node map\n%s", i, a, b)
		}
	}
}

package dataintegrity

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	upstream "github.com/piprate/json-gold/ld"

	"github.com/blason-badges/blason/contexts"
	"github.com/blason-badges/blason/internal/jsongold/ld"
)

// TestExpansionMatchesUpstream expands documents whose terms use every kind
// of container mapping (@language, @index, @id, @type, @graph, @list, @set),
// reverse properties and scoped contexts, with our json-gold copy and with
// upstream json-gold v0.9.1, and requires the same expanded form. It guards
// the patches that only make expansion cheaper (term definitions looked up
// once per key, keyword form, opaque IRIs): they must change nothing.
// (Documents whose scoped context is null, where the container patch
// deliberately differs, are not among them.)
func TestExpansionMatchesUpstream(t *testing.T) {
	t.Parallel()
	ctx := `{
		"@version": 1.1,
		"@vocab": "https://vocab.example/",
		"ex": "https://ex.example/",
		"lang": {"@id": "ex:lang", "@container": "@language"},
		"idx": {"@id": "ex:idx", "@container": "@index"},
		"idxp": {"@id": "ex:idxp", "@container": "@index", "@index": "ex:prop"},
		"ids": {"@id": "ex:ids", "@container": "@id"},
		"types": {"@id": "ex:types", "@container": "@type"},
		"g": {"@id": "ex:g", "@container": "@graph"},
		"gid": {"@id": "ex:gid", "@container": ["@graph", "@id"]},
		"gidx": {"@id": "ex:gidx", "@container": ["@graph", "@index"]},
		"list": {"@id": "ex:list", "@container": "@list"},
		"set": {"@id": "ex:set", "@container": "@set"},
		"rev": {"@reverse": "ex:rel"},
		"ref": {"@id": "ex:ref", "@type": "@id"},
		"voc": {"@id": "ex:voc", "@type": "@vocab"},
		"date": {"@id": "ex:date", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
		"scoped": {"@id": "ex:scoped", "@context": {"inner": "ex:inner", "lang2": {"@id": "ex:lang2", "@container": "@language"}}},
		"Thing": {"@id": "ex:Thing", "@context": {"tprop": {"@id": "ex:tprop", "@container": "@index"}}},
		"id": "@id",
		"type": "@type"
	}`
	docs := []string{
		`{"id": "urn:a", "lang": {"en": "hello", "fr": ["bonjour", "salut"], "@none": "x"}}`,
		`{"id": "urn:a", "idx": {"k1": {"id": "urn:b", "name": "b"}, "k2": "v", "@none": {"name": "n"}}}`,
		`{"id": "urn:a", "idxp": {"k1": {"name": "b"}, "k2": {"id": "urn:c"}}}`,
		`{"id": "urn:a", "ids": {"urn:x": {"name": "x"}, "urn:y": {"name": "y", "type": "Thing"}}}`,
		`{"id": "urn:a", "types": {"Thing": {"name": "t", "tprop": {"i": "v"}}, "ex:Other": "urn:o"}}`,
		`{"id": "urn:a", "g": {"name": "in a graph"}, "gid": {"urn:g1": {"name": "g1"}}, "gidx": {"i1": {"name": "i"}}}`,
		`{"id": "urn:a", "list": ["a", {"id": "urn:b"}, 3, true], "set": ["x", "x", {"@value": "y"}]}`,
		`{"id": "urn:a", "rev": [{"id": "urn:r1"}, {"id": "urn:r2", "name": "r"}]}`,
		`{"id": "urn:a", "ref": "did:key:z6Mk#z6Mk", "voc": "Thing", "date": "2024-01-01T00:00:00Z", "ex:plain": "urn:uuid:1"}`,
		`{"id": "urn:a", "scoped": {"inner": "v", "lang2": {"de": "hallo"}}, "type": ["Thing", "ex:T2"], "tprop": {"a": "b"}}`,
		`{"@id": "urn:a", "@type": "Thing", "ex:p": [{"@value": "v", "@language": "en"}, {"@list": ["l"]}], "@reverse": {"ex:q": {"@id": "urn:z"}}}`,
	}
	opts := ld.NewJsonLdOptions("")
	opts.ProcessingMode = ld.JsonLd_1_1
	up := upstream.NewJsonLdOptions("")
	up.ProcessingMode = upstream.JsonLd_1_1
	for _, d := range docs {
		var docA, docB map[string]any
		src := `{"@context": ` + ctx + `, ` + d[1:]
		if err := json.Unmarshal([]byte(src), &docA); err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		_ = json.Unmarshal([]byte(src), &docB)
		got, err := ld.NewJsonLdProcessor().Expand(docA, opts)
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		want, err := upstream.NewJsonLdProcessor().Expand(docB, up)
		if err != nil {
			t.Fatalf("upstream, %s: %v", d, err)
		}
		if !reflect.DeepEqual(got, want) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			t.Fatalf("%s:\nours     %s\nupstream %s", d, g, w)
		}
	}
}

// TestExpansionMatchesUpstreamOnCredentials: the same comparison over the
// badges and every test vector that upstream expands without the scoped
// null context (presentations are left out: there the container patch
// deliberately differs).
func TestExpansionMatchesUpstreamOnCredentials(t *testing.T) {
	t.Parallel()
	opts := ld.NewJsonLdOptions("")
	opts.ProcessingMode = ld.JsonLd_1_1
	opts.DocumentLoader = contexts.Loader{}
	up := upstream.NewJsonLdOptions("")
	up.ProcessingMode = upstream.JsonLd_1_1
	up.DocumentLoader = upstreamLoader{}
	files, _ := filepath.Glob("testdata/*/*.json")
	more, _ := filepath.Glob("testdata/*/*/*.json")
	compared := 0
	for _, f := range append(files, more...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var a, c map[string]any
		if json.Unmarshal(b, &a) != nil || a["@context"] == nil || a["verifiableCredential"] != nil {
			continue
		}
		_ = json.Unmarshal(b, &c)
		got, err := ld.NewJsonLdProcessor().Expand(a, opts)
		want, uerr := upstream.NewJsonLdProcessor().Expand(c, up)
		if (err == nil) != (uerr == nil) {
			t.Fatalf("%s: ours %v, upstream %v", f, err, uerr)
		}
		if err != nil {
			continue
		}
		if !reflect.DeepEqual(got, want) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			t.Fatalf("%s:\nours     %s\nupstream %s", f, g, w)
		}
		compared++
	}
	if compared < 15 {
		t.Fatalf("only %d documents compared", compared)
	}
}

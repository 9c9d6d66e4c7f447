package dataintegrity

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/blason-badges/blason/contexts"
	"github.com/blason-badges/blason/internal/jsongold/ld"
)

// TestMemoMatchesNoMemo: expansion through the context memo (every
// verification's path) gives exactly the expanded form that upstream's
// unmemoised processing gives, for badges of several sizes, presentations
// and every signed test vector, on the first run (filling the memo) and on
// the second (reading it).
func TestMemoMatchesNoMemo(t *testing.T) {
	t.Parallel()
	plain := ld.NewJsonLdOptions("")
	plain.DocumentLoader = contexts.Loader{}
	plain.ProcessingMode = ld.JsonLd_1_1
	plain.SafeMode = true

	docs := map[string]map[string]any{}
	for _, n := range []int{0, 1, 10} {
		docs[fmt.Sprintf("badge with %d alignments", n)] = badgeWithAlignments(t, "did:example:issuer", n)
	}
	files, _ := filepath.Glob("testdata/*/*.json")
	more, _ := filepath.Glob("testdata/*/*/*.json")
	for _, f := range append(files, more...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if json.Unmarshal(b, &m) == nil && m["@context"] != nil {
			docs[f] = m
		}
	}
	compared := 0
	for name, doc := range docs {
		want, wantErr := expandFrom(ld.NewContext(nil, plain), doc, plain)
		for round := range 2 {
			got, err := expandFrom(expansion.root, doc, expansion.opts)
			if (err == nil) != (wantErr == nil) || !reflect.DeepEqual(got, want) {
				t.Fatalf("%s, round %d: memoised expansion differs:\n%v (%v)\nvs\n%v (%v)", name, round, got, err, want, wantErr)
			}
		}
		if wantErr == nil {
			compared++
		}
	}
	if compared < 20 {
		t.Fatalf("only %d documents expanded", compared)
	}
}

package credential

import (
	"encoding/json"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// schemaCorpus is every JSON document under testdata/ (fixtures and the
// fuzz corpus), decoded.
func schemaCorpus(t *testing.T) map[string]any {
	t.Helper()
	out := map[string]any{}
	files, _ := filepath.Glob("testdata/*/*.json")
	more, _ := filepath.Glob("testdata/*/*/*.json")
	for _, p := range append(files, more...) {
		doc, err := ParseJSON(readFixture(t, strings.TrimPrefix(filepath.ToSlash(p), "testdata/")), Limits{})
		if err == nil {
			out[p] = doc
		}
	}
	fuzz, _ := filepath.Glob("testdata/fuzz/*/*")
	for _, p := range fuzz {
		// go test fuzz v1 files hold []byte("...") lines.
		for _, line := range strings.Split(string(readFixture(t, strings.TrimPrefix(filepath.ToSlash(p), "testdata/"))), "\n") {
			lit, ok := strings.CutPrefix(line, "[]byte(")
			if !ok {
				continue
			}
			s, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
			if err != nil {
				continue
			}
			if doc, err := ParseJSON([]byte(s), Limits{}); err == nil {
				out[p] = doc
			}
		}
	}
	if len(out) < 30 {
		t.Fatalf("only %d corpus documents", len(out))
	}
	return out
}

func deepCopy(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseJSON(b, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// variants derives documents from doc, one change each at every position:
// a one-element array compacted to its element (App. A.2.1), a value
// wrapped in an array, and a value replaced by a number, a string, null, a
// language map, an empty object or an empty array.
func variants(t *testing.T, doc any) []any {
	var out []any
	var paths [][]any // each a list of map keys / array indices from the root
	var walk func(v any, path []any)
	walk = func(v any, path []any) {
		if len(path) > 0 {
			paths = append(paths, append([]any(nil), path...))
		}
		switch x := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(x)) {
				walk(x[k], append(path, k))
			}
		case []any:
			for i, e := range x {
				walk(e, append(path, i))
			}
		}
	}
	walk(doc, nil)
	replacements := []func(old any) any{
		func(old any) any {
			if a, ok := old.([]any); ok && len(a) == 1 {
				return a[0]
			}
			return nil
		},
		func(old any) any { return []any{old} },
		func(any) any { return 5.0 },
		func(any) any { return "x" },
		func(any) any { return nil },
		func(any) any { return map[string]any{"en": "x"} },
		func(any) any { return map[string]any{} },
		func(any) any { return []any{} },
	}
	for _, p := range paths {
		for _, r := range replacements {
			c := deepCopy(t, doc)
			parent := c
			for _, step := range p[:len(p)-1] {
				switch s := step.(type) {
				case string:
					parent = parent.(map[string]any)[s]
				case int:
					parent = parent.([]any)[s]
				}
			}
			switch s := p[len(p)-1].(type) {
			case string:
				m := parent.(map[string]any)
				m[s] = r(m[s])
			case int:
				a := parent.([]any)
				a[s] = r(a[s])
			}
			out = append(out, c)
		}
	}
	return out
}

// TestCompactionFastPathSame: ValidateSchema's Compaction answer (strict
// first) equals the compaction schema's own, error text included, over the
// corpus and every one-change variant of its Open Badges.
func TestCompactionFastPathSame(t *testing.T) {
	t.Parallel()
	fast, total := 0, 0
	same := func(name string, doc any, k Kind) {
		total++
		got := ValidateSchema(doc, k, Compaction)
		want := validateVariant(doc, k, Compaction)
		if (got == nil) != (want == nil) || (got != nil && got.Error() != want.Error()) {
			t.Errorf("%s (%v): fast path %v, compaction %v", name, k, got, want)
		}
		if !evidenceOutsideRoot(doc, k) && validateVariant(strictView(doc, k), k, Strict) == nil {
			fast++
		}
	}
	for name, doc := range schemaCorpus(t) {
		if m, ok := doc.(map[string]any); ok {
			if v, err := FromMap(m).Version(); err == nil && v == V1 {
				continue
			}
		}
		for _, k := range []Kind{OpenBadge, Endorsement} {
			same(name, doc, k)
		}
		kind := FromMap(asMap(doc)).Kind()
		if kind != OpenBadge && kind != Endorsement {
			continue
		}
		// The variants of the documents strict accepts: those reach the
		// fast path, or fall just outside it (the others only ever take
		// the compaction path, which is the reference itself).
		if validateVariant(strictView(doc, kind), kind, Strict) != nil {
			continue
		}
		// At most 150 per document, spread evenly (a stride over the
		// positions in walk order): the large examples have thousands.
		vs := variants(t, doc)
		stride := max(1, len(vs)/150)
		for i := 0; i < len(vs); i += stride {
			same(name+"#"+strconv.Itoa(i), vs[i], kind)
		}
	}
	t.Logf("%d documents, %d took the fast path", total, fast)
	if fast < 100 || fast == total {
		t.Errorf("fast path taken for %d of %d documents: the test does not exercise both paths", fast, total)
	}
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

// TestCompactionFastPathEvidenceHole: the hole the guard closes is real.
// An endorsement whose evidence the compaction schema rejects passes the
// strict schema; ValidateSchema still rejects it.
func TestCompactionFastPathEvidenceHole(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		fixture string
		k       Kind
		set     func(m map[string]any)
	}{
		{"validator-fixtures/endorsement-valid.json", Endorsement, func(m map[string]any) {
			m["evidence"] = []any{map[string]any{"type": []any{"Evidence"}, "audience": 5.0}}
		}},
		{"validator-fixtures/simple.json", OpenBadge, func(m map[string]any) {
			end, err := ParseJSON(readFixture(t, "validator-fixtures/endorsement-valid.json"), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			end.(map[string]any)["evidence"] = []any{map[string]any{"type": []any{"Evidence"}, "audience": 5.0}}
			m["endorsement"] = []any{end}
		}},
	} {
		doc, err := ParseJSON(readFixture(t, tc.fixture), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		tc.set(doc.(map[string]any))
		if err := validateVariant(doc, tc.k, Strict); err != nil {
			t.Fatalf("%s: strict rejects the document (%v): the hole is gone, drop the guard", tc.fixture, err)
		}
		if err := validateVariant(doc, tc.k, Compaction); !errors.Is(err, ErrSchema) {
			t.Fatalf("%s: compaction: %v", tc.fixture, err)
		}
		if err := ValidateSchema(doc, tc.k, Compaction); !errors.Is(err, ErrSchema) {
			t.Errorf("%s: ValidateSchema(Compaction) = %v, want the compaction schema's rejection", tc.fixture, err)
		}
	}
}

// TestStrictViewWrapsProof: a proof signed as a single object (as the VC
// API signs it) is seen by the strict schema as a one-element array, so
// such a badge takes the fast path; the document itself is unchanged.
func TestStrictViewWrapsProof(t *testing.T) {
	t.Parallel()
	if err := compiled[Compaction].load(); err != nil {
		t.Fatal(err)
	}
	for _, k := range []Kind{OpenBadge, Endorsement} {
		for _, name := range []string{"proof", "evidence", "termsOfUse", "credentialSchema"} {
			if !compiled[Compaction].singleOrArray[k][name] {
				t.Errorf("%v: %s is not single-or-array in the compaction schema", k, name)
			}
		}
		for _, name := range []string{"@context", "type", "credentialSubject", "issuer", "credentialStatus"} {
			if compiled[Compaction].singleOrArray[k][name] {
				t.Errorf("%v: %s taken as single-or-array", k, name)
			}
		}
	}
	doc, err := ParseJSON(readFixture(t, "examples/impl-testvector-eddsa-rdfc-2022-signed.json"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	proof := doc.(map[string]any)["proof"]
	if _, single := proof.(map[string]any); !single {
		t.Fatalf("fixture proof is %T", proof)
	}
	view := strictView(doc, OpenBadge).(map[string]any)
	if got, ok := view["proof"].([]any); !ok || len(got) != 1 {
		t.Errorf("view proof %v", view["proof"])
	}
	if _, single := doc.(map[string]any)["proof"].(map[string]any); !single {
		t.Error("the document was modified")
	}
	if err := validateVariant(doc, OpenBadge, Strict); err == nil {
		t.Fatal("strict accepts a single proof: the view is not needed")
	}
	if err := validateVariant(view, OpenBadge, Strict); err != nil {
		t.Errorf("strict rejects the view: %v", err)
	}
	if err := ValidateSchema(doc, OpenBadge, Compaction); err != nil {
		t.Errorf("compaction: %v", err)
	}
}

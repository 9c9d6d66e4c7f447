package credential

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func addSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.json")
	more, _ := filepath.Glob("testdata/*/*/*.json")
	if len(files)+len(more) == 0 {
		f.Fatal("no seed fixtures")
	}
	for _, p := range append(files, more...) {
		f.Add(readFixture(f, strings.TrimPrefix(filepath.ToSlash(p), "testdata/")))
	}
	for _, s := range []string{`{"a":1,"a":2}`, `[{"x":{"y":1,"y":2}}]`, `"\ud800"`, "\"\xff\"", `1e400`, `{"proof":null}`,
		`{"@context":"https://www.w3.org/ns/credentials/v2","credentialSubject":[{},{}]}`, `[` + strings.Repeat("[", 70)} {
		f.Add([]byte(s))
	}
}

// hasDuplicateKey reports, using encoding/json's tokenizer, whether some
// object in data repeats a key (data must be valid JSON).
func hasDuplicateKey(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		obj    bool
		keys   map[string]bool
		expKey bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return false
		}
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				if top != nil && top.obj {
					top.expKey = true
				}
				stack = append(stack, &frame{obj: d == '{', keys: map[string]bool{}, expKey: true})
			case '}', ']':
				stack = stack[:len(stack)-1]
			}
			continue
		}
		if top != nil && top.obj {
			if top.expKey {
				k := tok.(string)
				if top.keys[k] {
					return true
				}
				top.keys[k] = true
				top.expKey = false
			} else {
				top.expKey = true
			}
		}
	}
}

func FuzzParseJSON(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseJSON(data, Limits{})
		var want any
		stdErr := json.Unmarshal(data, &want)
		if err == nil {
			// Everything we accept, encoding/json accepts with the same value.
			if stdErr != nil {
				t.Fatalf("ParseJSON accepted what encoding/json rejects (%v): %q", stdErr, data)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("value differs from encoding/json for %q:\n got %#v\nwant %#v", data, got, want)
			}
			if hasDuplicateKey(data) {
				t.Fatalf("accepted a duplicate key: %q", data)
			}
			return
		}
		var je *JSONError
		if !errors.As(err, &je) {
			t.Fatalf("error %T is not a *JSONError", err)
		}
		// A duplicate may be reported before a later syntax error; in valid
		// JSON it must be real.
		if errors.Is(err, ErrDuplicateKey) && stdErr == nil && !hasDuplicateKey(data) {
			t.Fatalf("ErrDuplicateKey without a duplicate: %q: %v", data, err)
		}
		// Where encoding/json silently accepts valid, well-formed input, the
		// only reasons to refuse are duplicates, depth and unpaired
		// surrogate escapes.
		if stdErr == nil && utf8.Valid(data) && !bytes.Contains(data, []byte(`\u`)) &&
			!errors.Is(err, ErrDuplicateKey) && !errors.Is(err, ErrTooDeep) {
			t.Fatalf("rejected valid JSON %q: %v", data, err)
		}
		if stdErr == nil && hasDuplicateKey(data) && !errors.Is(err, ErrDuplicateKey) && !errors.Is(err, ErrTooDeep) &&
			!errors.Is(err, ErrMalformed) {
			t.Fatalf("duplicate key not reported: %q: %v", data, err)
		}
	})
}

// exerciseAccessors calls every accessor and check; it must never panic.
func exerciseAccessors(c *Credential) {
	_, _ = c.Version()
	_ = c.CheckContext()
	_ = c.CheckType()
	_ = c.CheckSubject()
	_ = c.Types()
	_ = c.HasType("VerifiableCredential")
	_ = c.Kind()
	_, _, _, _, _ = c.ID(), c.IssuerID(), c.IssuerName(), c.Name(), c.Description()
	_, _, _ = c.ValidFrom()
	_, _, _ = c.ValidUntil()
	_ = c.Subjects()
	_, _ = c.Subject()
	_ = c.SubjectID()
	_, _ = c.Proofs()
	for _, e := range c.Endorsements() {
		exerciseAccessors(FromMap(e))
	}
	for _, s := range c.Subjects() {
		_, _ = MatchIdentifier(s, "emailAddress", "a@example.com")
	}
}

func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, Limits{})
		if err != nil {
			return
		}
		exerciseAccessors(c)
		for _, k := range []Kind{OpenBadge, Endorsement} {
			_ = ValidateSchema(c.Doc, k, Compaction)
		}
	})
}

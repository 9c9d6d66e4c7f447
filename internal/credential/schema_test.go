package credential

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

func TestValidateSchemaArguments(t *testing.T) {
	doc := map[string]any{"@context": []any{ContextV2}}
	if err := ValidateSchema(doc, KindUnknown, Compaction); !errors.Is(err, ErrUnknownKind) {
		t.Errorf("unknown kind: %v", err)
	}
	if err := ValidateSchema(doc, OpenBadge, SchemaVariant(7)); err == nil {
		t.Error("unknown variant accepted")
	}
	v1 := map[string]any{"@context": []any{ContextV1}}
	if err := ValidateSchema(v1, OpenBadge, Strict); !errors.Is(err, ErrNoSchemaForV1) {
		t.Errorf("V1: %v", err)
	}
	for _, d := range []any{nil, "x", []any{}, 1.0} {
		if err := ValidateSchema(d, OpenBadge, Compaction); !errors.Is(err, ErrSchema) {
			t.Errorf("%v: %v", d, err)
		}
	}
}

func TestValidateSchemaCompactedForms(t *testing.T) {
	// App. A.2.1 singular values: accepted by Compaction, rejected by Strict.
	c := mutate(t, func(m map[string]any) {
		m["type"] = []any{"VerifiableCredential", "OpenBadgeCredential"}
		m["proof"] = map[string]any{"type": "DataIntegrityProof"}
		cs := m["credentialSubject"].(map[string]any)
		cs["type"] = "AchievementSubject"
		cs["achievement"].(map[string]any)["type"] = "Achievement"
		m["issuer"].(map[string]any)["type"] = "Profile"
	})
	if err := ValidateSchema(c.Doc, OpenBadge, Compaction); err != nil {
		t.Errorf("compaction: %v", err)
	}
	err := ValidateSchema(c.Doc, OpenBadge, Strict)
	var se *SchemaError
	if !errors.As(err, &se) || !errors.Is(err, ErrSchema) {
		t.Fatalf("strict: %v", err)
	}
	ptrs := map[string]bool{}
	for _, v := range se.Violations {
		ptrs[v.Pointer] = true
		if v.Reason == "" || strings.Contains(v.Reason, "\n") {
			t.Errorf("reason %q", v.Reason)
		}
	}
	for _, p := range []string{"/proof", "/credentialSubject/type", "/credentialSubject/achievement/type", "/issuer/type"} {
		if !ptrs[p] {
			t.Errorf("strict violations %v lack %s", se.Violations, p)
		}
	}
	// A compacted single-string type must still name its class.
	c = mutate(t, func(m map[string]any) {
		m["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["type"] = "Badge"
	})
	if err := ValidateSchema(c.Doc, OpenBadge, Compaction); !errors.Is(err, ErrSchema) || !strings.Contains(err.Error(), "/credentialSubject/achievement/type") {
		t.Errorf("compacted wrong type: %v", err)
	}
}

func TestValidateSchemaMessageBounded(t *testing.T) {
	c := mutate(t, func(m map[string]any) {
		ev := []any{}
		for i := 0; i < 20; i++ {
			ev = append(ev, map[string]any{"type": "Nope"})
		}
		m["evidence"] = ev
	})
	err := ValidateSchema(c.Doc, OpenBadge, Compaction)
	var se *SchemaError
	if !errors.As(err, &se) || len(se.Violations) != 20 {
		t.Fatalf("%v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "and 16 more") || strings.Contains(msg, "\n") {
		t.Errorf("message: %s", msg)
	}
}

func TestSchemaLoaderIsOffline(t *testing.T) {
	l := embeddedLoader{}
	for _, u := range []string{"https://example.com/schema.json", "file:///etc/passwd", "https://json-schema.org/draft/2019-09/schema"} {
		if _, err := l.Load(u); err == nil {
			t.Errorf("loader served %s", u)
		}
	}
	// Every variant compiles from the embedded files alone, and a compiled
	// loader knows the purl URL of each schema.
	for _, v := range []SchemaVariant{Strict, Compaction} {
		if err := compiled[v].load(); err != nil {
			t.Fatalf("%v: %v", v, err)
		}
	}
}

func TestValidateSchemaConcurrent(t *testing.T) {
	data := readFixture(t, "validator-fixtures/complete.json")
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c, err := Parse(data, Limits{})
			if err != nil {
				t.Error(err)
				return
			}
			if err := ValidateSchema(c.Doc, OpenBadge, SchemaVariant(i%2)); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
}

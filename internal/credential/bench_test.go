package credential

import (
	"encoding/json"
	"testing"
)

func benchParse(b *testing.B, name string, std bool) {
	data := readFixture(b, name)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if std {
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
		} else if _, err := ParseJSON(data, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseJSON(b *testing.B) {
	for _, f := range []string{"validator-fixtures/simple.json", "validator-fixtures/complete_v1.json"} {
		b.Run("strict/"+f, func(b *testing.B) { benchParse(b, f, false) })
		b.Run("encoding-json/"+f, func(b *testing.B) { benchParse(b, f, true) })
	}
}

func BenchmarkValidateSchema(b *testing.B) {
	c, err := Parse(readFixture(b, "validator-fixtures/simple.json"), Limits{})
	if err != nil {
		b.Fatal(err)
	}
	for _, v := range []SchemaVariant{Strict, Compaction} {
		b.Run(v.String(), func(b *testing.B) {
			if err := ValidateSchema(c.Doc, OpenBadge, v); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := ValidateSchema(c.Doc, OpenBadge, v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// The compaction schema alone: what Compaction cost before its strict
	// fast path, and still costs a document strict rejects.
	b.Run("compaction-only", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := validateVariant(c.Doc, OpenBadge, Compaction); err != nil {
				b.Fatal(err)
			}
		}
	})
}

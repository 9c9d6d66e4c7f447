package dataintegrity

import (
	"crypto/sha256"
	"testing"

	"github.com/blason-badges/blason/internal/rdfc"
)

func BenchmarkTmpPhases(b *testing.B) {
	priv, d, vm := benchKey(b)
	for _, n := range []int{0, 100} {
		signed, _ := Sign(badgeWithAlignments(b, d, n), priv, SignOptions{VerificationMethod: vm})
		doc := shallowCopy(signed)
		delete(doc, "proof")
		options := shallowCopy(signed["proof"].(map[string]any))
		delete(options, "proofValue")
		options["@context"] = signed["@context"]
		opts, _ := formOptions()
		for name, dd := range map[string]map[string]any{"doc": doc, "proof": options} {
			b.Run(name+"/expand", func(b *testing.B) {
				for b.Loop() {
					expandFrom(expansion.root, dd, opts)
				}
			})
			b.Run(name+"/toquads", func(b *testing.B) {
				for b.Loop() {
					toQuadsInto(nil, expansion.root, dd, opts, rdfDirectionI18n)
				}
			})
			q, _ := toQuadsInto(nil, expansion.root, dd, opts, rdfDirectionI18n)
			b.Run(name+"/rdfc", func(b *testing.B) {
				for b.Loop() {
					rdfc.CanonicalDigest(q, nil, sha256.New)
				}
			})
		}
	}
}

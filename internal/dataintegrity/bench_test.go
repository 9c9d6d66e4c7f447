package dataintegrity

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"testing"

	upstream "github.com/piprate/json-gold/ld"

	"github.com/blason-badges/blason/contexts"
	"github.com/blason-badges/blason/internal/benchratio"
	"github.com/blason-badges/blason/internal/did"
)

// badgeWithAlignments is a typical one-achievement OB 3.0 badge whose
// achievement carries n alignments (competency framework links).
func badgeWithAlignments(b testing.TB, issuer string, n int) map[string]any {
	doc := credentialFor(b, issuer)
	ach := doc["credentialSubject"].(map[string]any)["achievement"].(map[string]any)
	var al []any
	for i := 0; i < n; i++ {
		al = append(al, map[string]any{
			"type":            []any{"Alignment"},
			"targetName":      fmt.Sprintf("Competency %d", i),
			"targetUrl":       fmt.Sprintf("https://frameworks.example/competencies/%d", i),
			"targetFramework": "Example framework",
			"targetCode":      fmt.Sprintf("C%03d", i),
		})
	}
	if n > 0 {
		ach["alignment"] = al
	}
	return doc
}

var benchSizes = []int{0, 10, 100}

func benchKey(b *testing.B) (ed25519.PrivateKey, string, string) {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	d, vm, err := did.KeyDID(priv.Public())
	if err != nil {
		b.Fatal(err)
	}
	return priv, d, vm
}

func BenchmarkSign(b *testing.B) {
	priv, d, vm := benchKey(b)
	for _, n := range benchSizes {
		doc := badgeWithAlignments(b, d, n)
		b.Run(fmt.Sprintf("alignments=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := Sign(doc, priv, SignOptions{VerificationMethod: vm}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	priv, d, vm := benchKey(b)
	for _, n := range benchSizes {
		signed, err := Sign(badgeWithAlignments(b, d, n), priv, SignOptions{VerificationMethod: vm})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("alignments=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := Verify(context.Background(), signed, VerifyOptions{Resolver: fragmentResolver{}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// upstreamLoader serves the pinned contexts to json-gold as released: its
// RemoteDocument is a different type from the in-tree copy's.
type upstreamLoader struct{}

func (upstreamLoader) LoadDocument(u string) (*upstream.RemoteDocument, error) {
	d, err := contexts.Loader{}.LoadDocument(u)
	if err != nil {
		return nil, err
	}
	return &upstream.RemoteDocument{DocumentURL: d.DocumentURL, Document: d.Document, ContextURL: d.ContextURL}, nil
}

// BenchmarkBaselineJSONGold verifies the same badges through json-gold's
// one-call path (Normalize with URDNA2015, the pinned loader): what a Go
// implementation gets from the library as released. It imports upstream
// github.com/piprate/json-gold v0.9.1 itself (a test-only requirement in
// go.mod), not the patched copy in internal/jsongold, so no Blason patch
// (memo, key handler) can flatter the baseline. It exists to measure our
// ratio in the same run; it is not used in production (it is not RDFC-1.0
// and ignores safe mode).
func BenchmarkBaselineJSONGold(b *testing.B) {
	priv, d, vm := benchKey(b)
	proc := upstream.NewJsonLdProcessor()
	opts := upstream.NewJsonLdOptions("")
	opts.DocumentLoader = upstreamLoader{}
	opts.Algorithm = upstream.AlgorithmURDNA2015
	opts.Format = "application/n-quads"
	for _, n := range benchSizes {
		signed, err := Sign(badgeWithAlignments(b, d, n), priv, SignOptions{VerificationMethod: vm})
		if err != nil {
			b.Fatal(err)
		}
		unsecured := shallowCopy(signed)
		proof := shallowCopy(unsecured["proof"].(map[string]any))
		delete(unsecured, "proof")
		sig := proof["proofValue"].(string)
		delete(proof, "proofValue")
		proof["@context"] = unsecured["@context"]
		pub := priv.Public().(ed25519.PublicKey)
		b.Run(fmt.Sprintf("alignments=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				docN, err := proc.Normalize(unsecured, opts)
				if err != nil {
					b.Fatal(err)
				}
				proofN, err := proc.Normalize(proof, opts)
				if err != nil {
					b.Fatal(err)
				}
				h1 := sha256.Sum256([]byte(proofN.(string)))
				h2 := sha256.Sum256([]byte(docN.(string)))
				_ = ed25519.Verify(pub, append(h1[:], h2[:]...), []byte(sig))
			}
		})
	}
}

// floor is the irreducible cost of verifying an eddsa-rdfc-2022 proof: one
// Ed25519 verify and two SHA-256 (of a 4 KiB and a 512-byte canonical form).
func floor(b testing.TB) func() {
	priv, _, _ := benchKey(b.(*testing.B))
	pub := priv.Public().(ed25519.PublicKey)
	msg := make([]byte, 64)
	sig := ed25519.Sign(priv, msg)
	canon := make([]byte, 4096)
	return func() {
		h1 := sha256.Sum256(canon)
		h2 := sha256.Sum256(canon[:512])
		copy(msg, h1[:])
		copy(msg[32:], h2[:])
		ed25519.Verify(pub, msg, sig)
	}
}

// BenchmarkVerifyVsFloor is issue 14's Data Integrity goal in one run:
// Verify of a typical badge (alignments=0) and of one with 100 alignments,
// interleaved with the floor so both see the same load. x-floor is the
// ratio; the goals are at most 2 and at most 25 (and at most 1 MiB
// allocated for 100 alignments: B/op, which includes the floor's 16 bytes).
func BenchmarkVerifyVsFloor(b *testing.B) {
	priv, d, vm := benchKey(b)
	for _, n := range []int{0, 100} {
		signed, err := Sign(badgeWithAlignments(b, d, n), priv, SignOptions{VerificationMethod: vm})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("alignments=%d", n), func(b *testing.B) {
			fl := floor(b)
			b.ReportAllocs()
			benchratio.Run(b, func() {
				if _, err := Verify(context.Background(), signed, VerifyOptions{Resolver: fragmentResolver{}}); err != nil {
					b.Fatal(err)
				}
			}, fl)
		})
	}
}

// BenchmarkFloor is the irreducible cost: one Ed25519 verify and two SHA-256.
func BenchmarkFloor(b *testing.B) {
	priv, _, _ := benchKey(b)
	pub := priv.Public().(ed25519.PublicKey)
	msg := make([]byte, 64)
	sig := ed25519.Sign(priv, msg)
	canon := make([]byte, 4096)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		h1 := sha256.Sum256(canon)
		h2 := sha256.Sum256(canon[:512])
		copy(msg, h1[:])
		copy(msg[32:], h2[:])
		ed25519.Verify(pub, msg, sig)
	}
}

func BenchmarkVerifyOB3Vector(b *testing.B) {
	doc := readJSON(b, "testdata/ob3/impl-testvector-eddsa-rdfc-2022-signed.json")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Verify(context.Background(), doc, VerifyOptions{Resolver: fragmentResolver{}}); err != nil {
			b.Fatal(err)
		}
	}
}

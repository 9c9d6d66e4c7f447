package status

import (
	"math/rand/v2"
	"testing"
)

func benchList(b *testing.B) (*List, string) {
	bs := mustNew(b, MinBits)
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 { // ~1.5% revoked
		bs.Set(r.IntN(MinBits), true)
	}
	enc := encoded(b, bs)
	l, err := ParseListCredential(listDoc(b, enc, nil))
	if err != nil {
		b.Fatal(err)
	}
	return l, enc
}

func BenchmarkStatus(b *testing.B) {
	l, _ := benchList(b)
	es, err := ParseEntries(entryDoc(nil))
	if err != nil {
		b.Fatal(err)
	}
	e := es[0]
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		e.Index = i & (MinBits - 1)
		if _, err := l.Status(e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode131072(b *testing.B) {
	_, enc := benchList(b)
	b.ReportAllocs()
	b.SetBytes(MinBytes)
	for b.Loop() {
		if _, err := Decode(enc, DecodeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode131072(b *testing.B) {
	l, _ := benchList(b)
	b.ReportAllocs()
	b.SetBytes(MinBytes)
	for b.Loop() {
		if _, err := l.Bits.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}

package dataintegrity

import (
	"context"
	"testing"
)

func BenchmarkVerifyOB3Vector(b *testing.B) {
	doc := readJSON(b, "testdata/ob3/impl-testvector-eddsa-rdfc-2022-signed.json")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Verify(context.Background(), doc, VerifyOptions{Resolver: fragmentResolver{}}); err != nil {
			b.Fatal(err)
		}
	}
}

package verifier

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"testing"

	"github.com/blason-badges/blason/internal/testissuer/testkit"
)

// BenchmarkVerifyBadge is the whole report for a typical badge: strict
// parse, context, type, OB JSON Schema, subject, eddsa-rdfc-2022 proof, key
// provenance, validity.
func BenchmarkVerifyBadge(b *testing.B) {
	s := newSigner(b, ed25519.NewKeyFromSeed(make([]byte, 32)))
	badge := s.badge(b, nil)
	v := New(Options{Now: testNow})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Verify(context.Background(), badge); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyBadgeWithStatus adds a status check against a cached
// (already fetched and verified) Bitstring Status List.
func BenchmarkVerifyBadgeWithStatus(b *testing.B) {
	s := newSigner(b, ed25519.NewKeyFromSeed(make([]byte, 32)))
	badge := s.badge(b, withStatus("revocation", "42"))
	f := testkit.NewWeb(map[string][]byte{listURL: s.statusList(b, "revocation", nil)})
	v := New(Options{Now: testNow, Fetcher: f})
	if _, err := v.Verify(context.Background(), badge); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Verify(context.Background(), badge); err != nil {
			b.Fatal(err)
		}
	}
	if f.Total() != 1 {
		b.Fatalf("%d fetches: the list was not cached", f.Total())
	}
}

// BenchmarkVerifyPresentation: a holder presents 1 or 10 badges.
func BenchmarkVerifyPresentation(b *testing.B) {
	issuerKey := newSigner(b, ed25519.NewKeyFromSeed(make([]byte, 32)))
	seed := make([]byte, 32)
	seed[0] = 1
	holder := newSigner(b, ed25519.NewKeyFromSeed(seed))
	for _, n := range []int{1, 10} {
		var creds [][]byte
		for i := 0; i < n; i++ {
			creds = append(creds, issuerKey.badge(b, func(m map[string]any) {
				m["id"] = fmt.Sprintf("urn:uuid:0b1f1d7e-0c1a-4c53-9f4e-6e6c2a0c7f%02d", i)
			}))
		}
		data := vp(b, holder, "c", "d", creds...)
		v := New(Options{Now: testNow})
		b.Run(fmt.Sprintf("credentials=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := v.VerifyPresentation(context.Background(), data, PresentationOptions{Challenge: "c", Domain: "d"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

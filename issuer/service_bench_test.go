package issuer_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
	"github.com/blason-badges/blason/internal/testissuer"
	"github.com/blason-badges/blason/issuer"
)

// benchAward issues b.N credentials with a status entry each: build, sign
// (eddsa-rdfc-2022), strict schema, preflight verification, and the
// store's transaction with the status slot. The target is 10,000
// in under 10 s: go test -run=^$ -bench=ServiceAward -benchtime=10000x ./issuer/
func benchAward(b *testing.B, st issuer.Store) {
	svc := testissuer.NewService(st, "https://badges.lab.example", clock)
	k := testissuer.AddIssuer(b, svc, 1)
	a := issuer.Award{Achievement: achievement(), Recipient: issuer.Recipient{Email: "learner@example.org"}}
	b.Run("single", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := svc.Award(context.Background(), k.DID, a); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "awards/s")
	})
	// One by one from as many callers as cores (a server's requests):
	// signing and the preflight run outside the store's write
	// transaction, so they proceed side by side.
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := svc.Award(context.Background(), k.DID, a); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "awards/s")
	})
	// AwardMany: batches of issuer.MaxBatch in one transaction each, built
	// and signed on every core.
	b.Run("bulk", func(b *testing.B) {
		awards := make([]issuer.Award, b.N)
		for i := range awards {
			awards[i] = a
		}
		b.ReportAllocs()
		b.ResetTimer()
		if _, err := svc.AwardMany(context.Background(), k.DID, awards, nil); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "awards/s")
	})
}

func BenchmarkServiceAwardSQLite(b *testing.B) {
	st, err := openSQLite(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	benchAward(b, st)
}

func BenchmarkServiceAwardPostgres(b *testing.B) {
	// A fresh schema (skipped without BLASON_TEST_POSTGRES): runs do not
	// pile up in one database.
	st, err := openPostgres(context.Background(), sqldbtest.PostgresDSN(b))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	benchAward(b, st)
}

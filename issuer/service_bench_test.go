package issuer_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/benchratio"
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
		cpu := benchratio.CPU()
		for i := 0; i < b.N; i++ {
			if _, err := svc.Award(context.Background(), k.DID, a); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, cpu)
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "awards/s")
	})
	// One by one from as many callers as cores, then from 8 (4 per core:
	// a server's concurrent issue requests): signing and the preflight run
	// outside the store's write transaction, side by side, and the
	// reservations and records of awards that meet share SQLite's
	// transactions (and disk flushes).
	for _, c := range []struct {
		name    string
		perCore int
	}{{"parallel", 1}, {"parallel8", 4}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(c.perCore)
			cpu := benchratio.CPU()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := svc.Award(context.Background(), k.DID, a); err != nil {
						b.Error(err)
						return
					}
				}
			})
			reportCPU(b, cpu)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "awards/s")
		})
	}
	// AwardMany: batches of issuer.MaxBatch in one transaction each, built
	// and signed on every core.
	b.Run("bulk", func(b *testing.B) {
		awards := make([]issuer.Award, b.N)
		for i := range awards {
			awards[i] = a
		}
		b.ReportAllocs()
		b.ResetTimer()
		cpu := benchratio.CPU()
		if _, err := svc.AwardMany(context.Background(), k.DID, awards, nil); err != nil {
			b.Fatal(err)
		}
		reportCPU(b, cpu)
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "awards/s")
	})
}

// reportCPU reports the process's CPU time per award since start (all
// cores, the garbage collector included): on a shared machine the wall
// clock mostly measures the neighbours, while cpu-ns/op bounds what a
// quiet machine does (2 cores: at most 2 s of CPU per wall second).
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(benchratio.CPU()-start)/float64(b.N), "cpu-ns/op")
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

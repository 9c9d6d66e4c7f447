package workspace_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/awardcsv"
	"github.com/blason-badges/blason/internal/workspace"
)

// BenchmarkAwardCSV10k: the target, 10,000 CSV rows awarded with
// their e-mails queued in at most 15 s on SQLite (2 cores). One op is the
// whole import: parse, check, sign and record 10,000 credentials, store
// 10,000 claim links and queue 10,000 e-mails.
// go test -run XXX -bench AwardCSV10k -benchtime 1x -cpu 2 ./internal/workspace/
func BenchmarkAwardCSV10k(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("nom;email;commentaire\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&sb, "Personne %d;p%05d@lab.example.org;A suivi la formation\n", i, i)
	}
	data := sb.String()
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f := sqliteFixture(b)
		a := sampleAchievement(f.issuerID, "fr", "Formation sécurité")
		a.Results = nil
		if err := f.ws.CreateAchievement(ctx, a, "bench"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		sheet, err := awardcsv.Parse(strings.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		rep, err := f.ws.AwardSheet(ctx, f.issuerID, sheet, workspace.AwardOptions{AchievementID: a.ID, Actor: "bench"})
		if err != nil || len(rep.Awarded) != 10000 {
			b.Fatalf("%v %d", err, len(rep.Awarded))
		}
		b.StopTimer()
		st, _ := f.store.Outbox(ctx)
		if st.Waiting != 10000 {
			b.Fatalf("outbox %+v", st)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/1000, "s/import")
}

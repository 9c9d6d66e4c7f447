package workspace_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/awardcsv"
	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
	"github.com/blason-badges/blason/internal/store/workspacedb"
	"github.com/blason-badges/blason/internal/workspace"
)

// TestJobsRecorded: a background job's progress and result are in the
// store; another Jobs on the same store (a restarted process) finds it
// ended with its result, or interrupted where a process left it running;
// another issuer's job is not found.
func TestJobsRecorded(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		st, err := workspacedb.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		js := &workspace.Jobs{Store: st}
		release := make(chan struct{})
		running := make(chan struct{})
		j := js.Start(ctx, "did:key:lab", "ann", func(ctx context.Context, progress func(int, int)) (*workspace.AwardReport, error) {
			progress(2, 3)
			close(running)
			<-release
			return &workspace.AwardReport{Awarded: make([]*workspace.AwardRecord, 2), Problems: []awardcsv.Problem{{Line: 4}, {Line: 4}}}, nil
		})
		<-running
		restarted := &workspace.Jobs{Store: st}
		seen, ok, err := restarted.Lookup(ctx, "did:key:lab", j.ID)
		if err != nil || !ok || !seen.Interrupted || seen.Done != 2 || seen.Total != 3 {
			t.Fatalf("while running, seen from elsewhere: %+v %v %v", seen, ok, err)
		}
		close(release)
		for deadline := time.Now().Add(5 * time.Second); !j.State().Ended && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		}
		seen, ok, err = restarted.Lookup(ctx, "did:key:lab", j.ID)
		if err != nil || !ok || seen.Interrupted || !seen.Ended || seen.Awarded != 2 || seen.Skipped != 1 || seen.Err != nil {
			t.Fatalf("ended, seen from elsewhere: %+v %v %v", seen, ok, err)
		}
		if _, ok, err := restarted.Lookup(ctx, "did:key:other", j.ID); ok || err != nil {
			t.Fatalf("another issuer's job: %v %v", ok, err)
		}
		failed := js.Start(ctx, "did:key:lab", "ann", func(context.Context, func(int, int)) (*workspace.AwardReport, error) {
			return nil, errors.New("disk full")
		})
		for deadline := time.Now().Add(5 * time.Second); !failed.State().Ended && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		}
		if seen, ok, _ := restarted.Lookup(ctx, "did:key:lab", failed.ID); !ok || seen.Err == nil || seen.Interrupted {
			t.Fatalf("failed job: %+v", seen)
		}
	})
}

package workspace_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
	"github.com/blason-badges/blason/internal/store/workspacedb"
	"github.com/blason-badges/blason/internal/workspace"
)

// countingMailer records every message it is asked to send.
type countingMailer struct {
	mu   sync.Mutex
	sent map[string]int
}

func (m *countingMailer) Send(_ context.Context, to, _, _ string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent[to]++
	return nil
}

// Several serve processes share one database and each runs an outbox: the
// leases (FOR UPDATE SKIP LOCKED on PostgreSQL, the single writer on
// SQLite) make every queued e-mail go out exactly once.
func TestOutboxWorkersSendEachMailOnce(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		const n = 60
		for i := range n {
			if err := f.ws.QueueMail(ctx, fmt.Sprintf("p%02d@lab.example", i), "Votre badge", "Bonjour"); err != nil {
				t.Fatal(err)
			}
		}
		m := &countingMailer{sent: map[string]int{}}
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			// Each worker has its own Store, as each process would.
			st, err := workspacedb.New(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			o := &workspace.Outbox{Store: st, Mailer: m, Batch: 7, Now: f.clock}
			wg.Go(func() {
				for {
					sent, err := o.Pass(ctx)
					if err != nil {
						errs <- err
						return
					}
					if sent == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(m.sent) != n {
			t.Fatalf("%d distinct recipients received mail, want %d", len(m.sent), n)
		}
		for to, c := range m.sent {
			if c != 1 {
				t.Errorf("%s received %d copies", to, c)
			}
		}
		st, err := f.store.Outbox(ctx)
		if err != nil || st.Sent != n || st.Waiting != 0 {
			t.Fatalf("outbox after: %+v, %v; want %d sent, none waiting", st, err, n)
		}
	})
}

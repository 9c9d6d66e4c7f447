package issuerdb

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
)

// holdLead makes c's next leader wait in its step until release is
// closed, and returns once it does: requests made meanwhile queue up.
func holdLead(t *testing.T, c *coalescer[int], release chan struct{}) chan error {
	t.Helper()
	started := make(chan struct{})
	out := make(chan error, 1)
	go func() {
		out <- c.do(context.Background(), -1, func(_ context.Context, ws []*waiter[int]) {
			close(started)
			<-release
			for _, w := range ws {
				w.done <- nil
			}
		})
	}()
	<-started
	return out
}

// waitPending waits until n requests are queued behind the leader.
func waitPending(t *testing.T, c *coalescer[int], n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		c.mu.Lock()
		k := len(c.pending)
		c.mu.Unlock()
		if k == n {
			return
		}
	}
	t.Fatalf("%d requests never queued", n)
}

// TestCoalescerSharesOneTransaction: requests that arrive while a
// transaction runs are carried together by the next one, each in its own
// savepoint; one that fails (a duplicate key) is rolled back and fails
// alone; one whose context is cancelled before its transaction begins is
// skipped with its context's error; the others commit.
func TestCoalescerSharesOneTransaction(t *testing.T) {
	db := sqldbtest.SQLite(t)
	ctx := context.Background()
	if err := db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "CREATE TABLE t (x INTEGER PRIMARY KEY, y INTEGER NOT NULL)")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var c coalescer[int]
	release := make(chan struct{})
	leader := holdLead(t, &c, release)

	var (
		mu      sync.Mutex
		batches [][]int
	)
	run := func(ctx context.Context, ws []*waiter[int]) {
		mu.Lock()
		var b []int
		for _, w := range ws {
			b = append(b, w.req)
		}
		batches = append(batches, b)
		mu.Unlock()
		errs := make([]error, len(ws))
		err := db.Write(ctx, func(tx *sql.Tx) error {
			return shared(ctx, tx, ws, errs, func(w *waiter[int]) error {
				// Two rows per request, so that a failure on the second
				// must undo the first: x = req and x = 100 + req%10.
				if _, err := tx.ExecContext(ctx, "INSERT INTO t VALUES ($1, $2)", w.req, w.req); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, "INSERT INTO t VALUES ($1, $2)", 100+w.req%10, w.req)
				return err
			})
		})
		answer(ws, errs, err)
	}
	// 1, 2 and 3 are fine; 12 collides with 2 on its second row; 4 is
	// cancelled while it waits.
	reqs := []int{1, 2, 12, 3, 4}
	cctx, cancel := context.WithCancel(ctx)
	results := make([]chan error, len(reqs))
	for i, r := range reqs {
		results[i] = make(chan error, 1)
		rctx := ctx
		if r == 4 {
			rctx = cctx
		}
		go func() { results[i] <- c.do(rctx, r, run) }()
		waitPending(t, &c, i+1) // in this order
	}
	cancel()
	close(release)
	if err := <-leader; err != nil {
		t.Fatal(err)
	}
	got := map[int]error{}
	for i, r := range reqs {
		got[r] = <-results[i]
	}
	for _, r := range []int{1, 2, 3} {
		if got[r] != nil {
			t.Errorf("request %d: %v", r, got[r])
		}
	}
	if got[12] == nil || !strings.Contains(strings.ToLower(got[12].Error()), "unique") {
		t.Errorf("request 12 (duplicate): %v, want a UNIQUE failure", got[12])
	}
	if !errors.Is(got[4], context.Canceled) {
		t.Errorf("request 4 (cancelled while waiting): %v, want context.Canceled", got[4])
	}
	if len(batches) != 1 || len(batches[0]) != len(reqs) {
		t.Fatalf("batches %v, want all %d requests in one", batches, len(reqs))
	}
	var rows []int
	if err := db.Read(ctx, func(tx *sql.Tx) error {
		rs, err := tx.QueryContext(ctx, "SELECT DISTINCT y FROM t")
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var y int
			if err := rs.Scan(&y); err != nil {
				return err
			}
			rows = append(rows, y)
		}
		return rs.Err()
	}); err != nil {
		t.Fatal(err)
	}
	sort.Ints(rows)
	if len(rows) != 3 || rows[0] != 1 || rows[1] != 2 || rows[2] != 3 {
		t.Fatalf("committed requests %v, want [1 2 3]", rows)
	}
}

// TestCoalescerPanic: a step that panics answers every request it
// carried with an error, and hands the lead on, so that later requests
// still run.
func TestCoalescerPanic(t *testing.T) {
	var c coalescer[int]
	release := make(chan struct{})
	leader := holdLead(t, &c, release)
	boom := func(context.Context, []*waiter[int]) { panic("boom") }
	first := make(chan error, 2)
	var panicked sync.WaitGroup
	panicked.Add(1)
	go func() {
		defer func() {
			if recover() != nil {
				panicked.Done()
			}
		}()
		first <- c.do(context.Background(), 1, boom)
	}()
	waitPending(t, &c, 1)
	go func() { first <- c.do(context.Background(), 2, boom) }()
	waitPending(t, &c, 2)
	close(release)
	if err := <-leader; err != nil {
		t.Fatal(err)
	}
	// Request 1 leads the panicking step: its caller sees the panic;
	// request 2, carried by it, gets an error.
	panicked.Wait()
	if err := <-first; err == nil {
		t.Fatal("a request carried by a panicking step succeeded")
	}
	ok := make(chan error, 1)
	go func() {
		ok <- c.do(context.Background(), 3, func(_ context.Context, ws []*waiter[int]) {
			for _, w := range ws {
				w.done <- nil
			}
		})
	}()
	select {
	case err := <-ok:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the lead was not handed on after a panic")
	}
}

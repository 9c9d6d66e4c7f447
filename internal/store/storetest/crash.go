package storetest

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/blason-badges/blason/issuer"
)

// Environment of the crash child process.
const (
	envChild  = "BLASON_STORETEST_CRASH_CHILD"
	envTarget = "BLASON_STORETEST_CRASH_TARGET"
	envBatch  = "BLASON_STORETEST_CRASH_BATCH" // AwardBatch of this many; unset: single awards
)

const (
	crashIssuer   = "did:web:crash.example"
	crashListSize = 64 // small, so that the child starts many lists (and may die doing so)
	crashAwards   = 5000
	// CrashBatchSize is the batch CrashBatch's child awards.
	CrashBatchSize = 100
)

// HelperBulkAward is the body of the test that Crash and CrashBatch
// re-execute as a child process (name it TestHelperBulkAward). In a normal
// test run it skips. In the child it opens target with open, awards up to
// 5,000 credentials (two status slots each) one after the other — singly,
// or for CrashBatch in AwardBatch calls of CrashBatchSize — and prints
// "ok <n>" on stdout after each commit (n: the credentials awarded so far),
// until the parent kills it.
func HelperBulkAward(t *testing.T, open func(ctx context.Context, target string) (Store, error)) {
	if os.Getenv(envChild) != "1" {
		t.Skip("helper process for the crash test")
	}
	ctx := context.Background()
	batch := 1
	if v := os.Getenv(envBatch); v != "" {
		var err error
		if batch, err = strconv.Atoi(v); err != nil || batch < 1 {
			fmt.Println("error", envBatch, v)
			os.Exit(3)
		}
	}
	s, err := open(ctx, os.Getenv(envTarget))
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	out := bufio.NewWriter(os.Stdout)
	for i := batch; i <= crashAwards; i += batch {
		if batch == 1 {
			_, err = s.Award(ctx, crashIssuer, both, crashListSize, func(slots []issuer.StatusSlot) (*issuer.CredentialRecord, error) {
				return record(crashIssuer, slots), nil
			})
		} else {
			_, err = s.AwardBatch(ctx, crashIssuer, both, crashListSize, batch, buildRecords(crashIssuer))
		}
		if err != nil {
			fmt.Fprintln(out, "error", err)
			out.Flush()
			os.Exit(3)
		}
		fmt.Fprintln(out, "ok", i)
		out.Flush()
	}
	s.Close()
	os.Exit(0)
}

// Crash kills a bulk award in the middle, three times, and checks what
// survives. helperTest names the test that calls HelperBulkAward, target is
// passed to it (a file path or a DSN), and open opens target in this
// process. Each round starts the child, waits for some commits, sends
// SIGKILL, reopens the store, and checks: it opens, every announced award
// is there (and at most one more), every record has its two slots, no
// (list, index) pair is handed out twice, each list's recorded slots are
// among the Used it handed out (a kill between reserving and recording
// leaves reserved slots unused); then awards continue without reusing an
// index.
func Crash(t *testing.T, helperTest, target string, open func(ctx context.Context, target string) (Store, error)) {
	crash(t, helperTest, target, open, 1)
}

// CrashBatch is Crash with a child that awards in batches of
// CrashBatchSize (on lists of 64, so that every batch fills lists and
// starts new ones), killed at a random moment in a batch, five times: what
// survives is every announced batch, and at most the one in flight as a
// whole, never a part of it.
func CrashBatch(t *testing.T, helperTest, target string, open func(ctx context.Context, target string) (Store, error)) {
	crash(t, helperTest, target, open, CrashBatchSize)
}

func crash(t *testing.T, helperTest, target string, open func(ctx context.Context, target string) (Store, error), batch int) {
	ctx := context.Background()
	s, err := open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	newIssuer(t, s, crashIssuer)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	want := 0
	rounds := 3
	if batch > 1 {
		rounds = 5
	}
	inFlight := 0
	for round := range rounds {
		killAfter := shuffle(300) // 150..449 commits
		if batch > 1 {
			killAfter = batch * shuffle(6) // 3..8 batches
		}
		announced := runChild(t, helperTest, target, killAfter, batch)
		s, err := open(ctx, target)
		if err != nil {
			t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
		}
		n := Check(t, s, crashIssuer, both)
		if n != want+announced && n != want+announced+batch {
			t.Fatalf("round %d: %d records after %d announced awards in batches of %d (had %d before)", round, n, announced, batch, want)
		}
		if n == want+announced+batch {
			inFlight++
		}
		t.Logf("round %d: killed after %d announced awards (batches of %d); %d records, all consistent", round, announced, batch, n)
		// Awards continue, without reusing an index.
		for range 2 * crashListSize {
			award(t, s, crashIssuer, both, crashListSize)
		}
		if batch > 1 {
			awardBatch(t, s, crashIssuer, both, crashListSize, batch)
		}
		want = Check(t, s, crashIssuer, both)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d of %d rounds: the batch in flight had committed but was not announced before the kill", inFlight, rounds)
}

// runChild runs the helper until it has announced killAfter commits, kills
// it with SIGKILL, and returns the number of commits it announced.
func runChild(t *testing.T, helperTest, target string, killAfter, batch int) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+helperTest+"$", "-test.count=1", "-test.timeout=2m")
	cmd.Env = append(os.Environ(), envChild+"=1", envTarget+"="+target, envBatch+"="+strconv.Itoa(batch))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	type result struct {
		announced int
		err       error
	}
	done := make(chan result, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		n := 0
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "ok "); ok {
				n, _ = strconv.Atoi(v)
				if n >= killAfter {
					// Kill while the child is in its next award; a batch
					// takes a while, so hit it at a random point.
					if batch > 1 {
						time.Sleep(time.Duration(rand.IntN(20_000)) * time.Microsecond)
					}
					_ = cmd.Process.Kill()
					// Drain: lines the child wrote before dying count too.
					for sc.Scan() {
						if v, ok := strings.CutPrefix(sc.Text(), "ok "); ok {
							n, _ = strconv.Atoi(v)
						}
					}
					done <- result{n, nil}
					return
				}
			} else if strings.HasPrefix(line, "error") {
				done <- result{n, fmt.Errorf("child: %s", line)}
				return
			}
		}
		done <- result{n, fmt.Errorf("child exited after %d awards without being killed", n)}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(90 * time.Second):
		_ = cmd.Process.Kill()
		r = result{0, fmt.Errorf("child did not reach %d awards in 90s", killAfter)}
	}
	_ = cmd.Wait()
	if r.err != nil {
		t.Fatal(r.err)
	}
	if cmd.ProcessState != nil && cmd.ProcessState.Success() {
		t.Fatal("child exited normally: the kill came too late")
	}
	return r.announced
}

// BenchAward awards n credentials with two status slots each and a ~2 KB
// document into a fresh store per iteration, and reports awards per
// second: sub-benchmark "single", one Award after the other, and "batch500",
// AwardBatch calls of 500.
func BenchAward(b *testing.B, open func(b *testing.B) Store, n int) {
	b.Run("single", func(b *testing.B) { benchAward(b, open, n, 1) })
	b.Run("batch500", func(b *testing.B) { benchAward(b, open, n, 500) })
}

func benchAward(b *testing.B, open func(b *testing.B) Store, n, batch int) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := open(b)
		is := newIssuer(b, s, "did:web:bench.example")
		b.StartTimer()
		start := time.Now()
		for done := 0; done < n; done += batch {
			if batch == 1 {
				if _, err := s.Award(ctx, is.ID, both, 131072, func(slots []issuer.StatusSlot) (*issuer.CredentialRecord, error) {
					return record(is.ID, slots), nil
				}); err != nil {
					b.Fatal(err)
				}
				continue
			}
			if _, err := s.AwardBatch(ctx, is.ID, both, 131072, min(batch, n-done), buildRecords(is.ID)); err != nil {
				b.Fatal(err)
			}
		}
		elapsed := time.Since(start)
		b.ReportMetric(float64(n)/elapsed.Seconds(), "awards/s")
		b.ReportMetric(elapsed.Seconds(), "s/run")
	}
}

// Package benchratio measures an operation against its floor (the bare
// cryptographic work it cannot avoid) in one benchmark run, so that a speed
// goal stated as a ratio ("at most 2x the floor") can be read from one line
// on a shared machine whose absolute speed drifts from minute to minute.
//
// The two are run in alternating batches of the same length, so both see
// the same machine load; the ratio is the quotient of their total times.
package benchratio

import (
	"testing"
	"time"
)

// batch is the number of calls of one side before switching to the other:
// long enough that reading the clock costs nothing measurable, short enough
// that both sides sample the same load.
const batch = 16

// Run calls subject and floor b.N times each, interleaved, and reports:
// ns/subject and ns/floor (mean time of one call), and x-floor, the ratio
// of the two. Allocations reported by b.ReportAllocs cover both (the floors
// used here allocate at most a few bytes). The standard ns/op is the time of
// one subject plus one floor.
func Run(b *testing.B, subject, floor func()) {
	b.Helper()
	// Warm both (lazily built caches, pools) outside the measurement.
	subject()
	floor()
	b.ResetTimer()
	var ts, tf time.Duration
	for done := 0; done < b.N; {
		n := min(batch, b.N-done)
		t0 := time.Now()
		for range n {
			subject()
		}
		t1 := time.Now()
		for range n {
			floor()
		}
		t2 := time.Now()
		ts += t1.Sub(t0)
		tf += t2.Sub(t1)
		done += n
	}
	b.StopTimer()
	if tf <= 0 {
		b.Fatal("benchratio: the floor took no measurable time")
	}
	b.ReportMetric(float64(ts.Nanoseconds())/float64(b.N), "ns/subject")
	b.ReportMetric(float64(tf.Nanoseconds())/float64(b.N), "ns/floor")
	b.ReportMetric(float64(ts)/float64(tf), "x-floor")
}

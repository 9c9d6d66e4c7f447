// Package benchratio measures an operation against its floor (the bare
// cryptographic work it cannot avoid) in one benchmark run, so that a speed
// goal stated as a ratio ("at most 2x the floor") can be read from one line
// on a shared machine whose absolute speed drifts from minute to minute.
//
// The two are interleaved so that both see the same machine load (see Run),
// and timed on the process's CPU clock where the system has one (Linux), so
// that time spent descheduled while other processes run counts for neither.
// The CPU clock includes the garbage collector's work, wherever it runs.
package benchratio

import (
	"testing"
	"time"
)

// Run calls subject b.N times, and after each call the floor for about as
// long (as many calls as the ratio measured so far, at least one), so that
// both sample the machine's load over the same stretches of time. It
// reports, per call: ns/subject and ns/floor on the process CPU clock (the
// wall clock where there is none), x-floor, their ratio, and x-floor-wall,
// the same ratio on the wall clock. Allocations reported by b.ReportAllocs
// cover both (the floors used here allocate at most a few bytes per call).
// The standard ns/op is the wall time of one subject plus its share of
// floor calls.
func Run(b *testing.B, subject, floor func()) {
	b.Helper()
	// Warm both (lazily built caches, pools) outside the measurement.
	subject()
	floor()
	b.ResetTimer()
	var ts, tf, ws, wf time.Duration
	nf := 0
	for i := 0; i < b.N; i++ {
		c0, w0 := cpuNow(), time.Now()
		subject()
		c1, w1 := cpuNow(), time.Now()
		ts += c1 - c0
		ws += w1.Sub(w0)
		k := 1
		if nf > 0 && tf > 0 {
			k = max(1, int(float64(ts)/float64(i+1)/(float64(tf)/float64(nf))+0.5))
		}
		for range k {
			floor()
		}
		tf += cpuNow() - c1
		wf += time.Since(w1)
		nf += k
	}
	b.StopTimer()
	if tf <= 0 || wf <= 0 || nf == 0 {
		b.Fatal("benchratio: the floor took no measurable time")
	}
	perS := float64(ts.Nanoseconds()) / float64(b.N)
	perF := float64(tf.Nanoseconds()) / float64(nf)
	b.ReportMetric(perS, "ns/subject")
	b.ReportMetric(perF, "ns/floor")
	b.ReportMetric(perS/perF, "x-floor")
	b.ReportMetric((float64(ws)/float64(b.N))/(float64(wf)/float64(nf)), "x-floor-wall")
}

// CPU is the process's CPU time so far (all threads, the garbage collector
// included; the wall clock where the system has no process CPU clock):
// the difference across a benchmark loop, divided by b.N, is the CPU per
// operation, which a shared machine's load barely moves.
func CPU() time.Duration { return cpuNow() }

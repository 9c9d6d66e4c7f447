// Package ratelimit is a keyed token bucket: each key (a client address, a
// client id, a token) may make Burst requests at once and Rate per second
// after that. It keeps at most MaxKeys keys, forgetting idle ones first.
// In memory, per process: a limit on abuse, not an accounting.
package ratelimit

import (
	"sync"
	"time"
)

// Limiter limits requests per key. The zero value is not usable; use New.
type Limiter struct {
	rate    float64 // tokens per second
	burst   float64
	maxKeys int
	now     func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// DefaultMaxKeys bounds the keys a Limiter remembers.
const DefaultMaxKeys = 10000

// New returns a Limiter allowing burst requests at once and perSecond
// after that, for each key.
func New(perSecond float64, burst int) *Limiter {
	return &Limiter{rate: perSecond, burst: float64(burst), maxKeys: DefaultMaxKeys, now: time.Now, buckets: map[string]*bucket{}}
}

// WithClock replaces the clock (tests).
func (l *Limiter) WithClock(now func() time.Time) *Limiter { l.now = now; return l }

// Allow takes one token from key's bucket; false means wait. retry is how
// long until a token is available (for Retry-After).
func (l *Limiter) Allow(key string) (ok bool, retry time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, found := l.buckets[key]
	if !found {
		if len(l.buckets) >= l.maxKeys {
			l.evict(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	if l.rate <= 0 {
		return false, time.Hour
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// Peek reports whether key has a token, without taking it: a caller that
// only counts failures checks first and calls Allow when one happens.
func (l *Limiter) Peek(key string) (ok bool, retry time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, found := l.buckets[key]
	if !found {
		return true, 0
	}
	tokens := min(l.burst, b.tokens+l.now().Sub(b.last).Seconds()*l.rate)
	if tokens >= 1 {
		return true, 0
	}
	if l.rate <= 0 {
		return false, time.Hour
	}
	return false, time.Duration((1 - tokens) / l.rate * float64(time.Second))
}

// evict forgets full buckets (keys idle long enough to have refilled),
// and if none is, the oldest half.
func (l *Limiter) evict(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) < l.maxKeys {
		return
	}
	n := 0
	for k := range l.buckets {
		delete(l.buckets, k)
		if n++; n >= l.maxKeys/2 {
			return
		}
	}
}

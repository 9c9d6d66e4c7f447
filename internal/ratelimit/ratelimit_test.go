package ratelimit

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	t.Parallel()
	now := time.Unix(0, 0)
	l := New(1, 3).WithClock(func() time.Time { return now })
	for i := range 3 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("request %d of the burst refused", i)
		}
	}
	ok, retry := l.Allow("a")
	if ok || retry <= 0 || retry > time.Second {
		t.Fatalf("4th: %v %v", ok, retry)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("another key is limited by the first")
	}
	now = now.Add(1100 * time.Millisecond)
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("no token after a second")
	}
	if ok, _ := l.Allow("a"); ok {
		t.Fatal("two tokens after one second")
	}
	now = now.Add(time.Hour)
	for range 3 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatal("bucket did not refill to the burst")
		}
	}
	if ok, _ := l.Allow("a"); ok {
		t.Fatal("bucket refilled beyond the burst")
	}
}

func TestEviction(t *testing.T) {
	t.Parallel()
	now := time.Unix(0, 0)
	l := New(1, 1).WithClock(func() time.Time { return now })
	l.maxKeys = 4
	for _, k := range []string{"a", "b", "c", "d", "e", "f"} {
		l.Allow(k)
	}
	if len(l.buckets) > 4 {
		t.Fatalf("%d keys kept", len(l.buckets))
	}
}

func TestPeek(t *testing.T) {
	t.Parallel()
	now := time.Unix(0, 0)
	l := New(1, 2).WithClock(func() time.Time { return now })
	for range 5 {
		if ok, _ := l.Peek("a"); !ok {
			t.Fatal("peek of a fresh key refused")
		}
	}
	l.Allow("a")
	l.Allow("a")
	if ok, retry := l.Peek("a"); ok || retry <= 0 {
		t.Fatalf("peek after the burst: %v %v", ok, retry)
	}
	now = now.Add(time.Second)
	if ok, _ := l.Peek("a"); !ok {
		t.Fatal("peek after refill refused")
	}
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("peek took the token")
	}
}

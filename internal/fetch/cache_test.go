package fetch

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

func TestCacheTTL(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{}
	clk.ns.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	c := NewCache[[]byte](10, clk.now)
	c.Put("https://a.example/", []byte("a"), time.Minute)
	if v, ok := c.Get("https://a.example/"); !ok || string(v) != "a" {
		t.Fatalf("fresh entry: %q %v", v, ok)
	}
	clk.advance(time.Minute - time.Nanosecond)
	if _, ok := c.Get("https://a.example/"); !ok {
		t.Fatal("entry expired early")
	}
	clk.advance(time.Nanosecond)
	if _, ok := c.Get("https://a.example/"); ok {
		t.Fatal("entry outlived its TTL")
	}
	if c.Len() != 0 {
		t.Errorf("expired entry kept: Len %d", c.Len())
	}
	// Put refreshes the value and the TTL.
	c.Put("k", []byte("1"), time.Second)
	clk.advance(900 * time.Millisecond)
	c.Put("k", []byte("2"), time.Second)
	clk.advance(900 * time.Millisecond)
	if v, ok := c.Get("k"); !ok || string(v) != "2" {
		t.Fatalf("refreshed entry: %q %v", v, ok)
	}
	// ttl <= 0 stores nothing and drops the old entry.
	c.Put("k", []byte("3"), 0)
	if _, ok := c.Get("k"); ok {
		t.Fatal("ttl 0 kept an entry")
	}
	c.Put("d", nil, time.Hour)
	c.Delete("d")
	if _, ok := c.Get("d"); ok {
		t.Fatal("Delete kept the entry")
	}
}

func TestCacheEvictionLRU(t *testing.T) {
	t.Parallel()
	c := NewCache[int](3, nil)
	for i := range 3 {
		c.Put(strconv.Itoa(i), i, time.Hour)
	}
	c.Get("0") // 0 becomes most recently used; 1 is now the oldest
	c.Put("3", 3, time.Hour)
	if c.Len() != 3 {
		t.Fatalf("Len %d, want 3", c.Len())
	}
	if _, ok := c.Get("1"); ok {
		t.Error("least recently used entry not evicted")
	}
	for _, k := range []string{"0", "2", "3"} {
		if _, ok := c.Get(k); !ok {
			t.Errorf("entry %s evicted", k)
		}
	}
	for i := range 1000 {
		c.Put("x"+strconv.Itoa(i), i, time.Hour)
	}
	if c.Len() != 3 {
		t.Fatalf("bound not kept: Len %d", c.Len())
	}
}

func TestCacheZeroValue(t *testing.T) {
	t.Parallel()
	var c Cache[string]
	if _, ok := c.Get("a"); ok {
		t.Fatal("empty cache hit")
	}
	c.Put("a", "b", time.Hour)
	if v, ok := c.Get("a"); !ok || v != "b" {
		t.Fatalf("zero cache: %q %v", v, ok)
	}
	if NewCache[int](0, nil).max != DefaultCacheEntries {
		t.Error("maxEntries 0 does not mean DefaultCacheEntries")
	}
}

func TestCacheConcurrent(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{}
	c := NewCache[int](64, clk.now)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				k := strconv.Itoa((g*7 + i) % 200)
				switch i % 5 {
				case 0:
					c.Delete(k)
				case 1:
					clk.advance(time.Millisecond)
				default:
					c.Put(k, i, time.Second)
					if v, ok := c.Get(k); ok && v < 0 {
						t.Error("impossible value")
					}
				}
			}
		}()
	}
	wg.Wait()
	if n := c.Len(); n > 64 {
		t.Fatalf("Len %d exceeds the bound", n)
	}
}

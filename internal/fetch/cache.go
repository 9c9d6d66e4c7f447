package fetch

import (
	"container/list"
	"sync"
	"time"
)

// DefaultCacheEntries is the capacity of a Cache created with
// maxEntries <= 0, or of a zero Cache.
const DefaultCacheEntries = 1024

// Cache is a size-bounded, least-recently-used cache of values with a
// per-entry time to live, keyed by URL (or any string). It is safe for
// concurrent use. It honours no Cache-Control header: callers choose the
// TTL. The zero value is ready to use with DefaultCacheEntries and
// time.Now.
//
// Values are returned as stored; callers sharing mutable values (pointers,
// slices) must not modify them or must store copies.
type Cache[V any] struct {
	mu    sync.Mutex
	max   int
	now   func() time.Time
	ll    *list.List // front = most recently used
	items map[string]*list.Element
}

type cacheEntry[V any] struct {
	key     string
	val     V
	expires time.Time
}

// NewCache returns a Cache holding at most maxEntries entries (<= 0 means
// DefaultCacheEntries) and reading the time from now (nil means time.Now).
func NewCache[V any](maxEntries int, now func() time.Time) *Cache[V] {
	c := &Cache[V]{max: maxEntries, now: now}
	c.init()
	return c
}

func (c *Cache[V]) init() {
	if c.items != nil {
		return
	}
	if c.max <= 0 {
		c.max = DefaultCacheEntries
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.ll = list.New()
	c.items = make(map[string]*list.Element)
}

// Get returns the value stored under key if it has not expired.
func (c *Cache[V]) Get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	var zero V
	el, ok := c.items[key]
	if !ok {
		return zero, false
	}
	e := el.Value.(*cacheEntry[V])
	if !c.now().Before(e.expires) {
		c.remove(el)
		return zero, false
	}
	c.ll.MoveToFront(el)
	return e.val, true
}

// Put stores v under key for ttl, evicting the least recently used entry
// when the cache is full. A ttl <= 0 stores nothing and removes any
// existing entry for key.
func (c *Cache[V]) Put(key string, v V, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	if ttl <= 0 {
		if el, ok := c.items[key]; ok {
			c.remove(el)
		}
		return
	}
	exp := c.now().Add(ttl)
	if el, ok := c.items[key]; ok {
		e := el.Value.(*cacheEntry[V])
		e.val, e.expires = v, exp
		c.ll.MoveToFront(el)
		return
	}
	c.items[key] = c.ll.PushFront(&cacheEntry[V]{key: key, val: v, expires: exp})
	for c.ll.Len() > c.max {
		c.remove(c.ll.Back())
	}
}

// Delete removes key from the cache.
func (c *Cache[V]) Delete(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	if el, ok := c.items[key]; ok {
		c.remove(el)
	}
}

// Len returns the number of entries held, including expired entries not
// yet removed.
func (c *Cache[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	return c.ll.Len()
}

func (c *Cache[V]) remove(el *list.Element) {
	c.ll.Remove(el)
	delete(c.items, el.Value.(*cacheEntry[V]).key)
}

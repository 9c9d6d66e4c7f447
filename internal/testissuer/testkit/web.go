package testkit

import (
	"context"
	"fmt"
	"sync"

	"github.com/blason-badges/blason/internal/fetch"
)

// Web is a virtual web in memory: documents by absolute URL (DID and
// controller documents, JWKS, status lists), served through GetJSON, the
// Fetcher interface of the verifier, did and vcjwt packages. It counts the
// requests for each URL; a URL it does not hold fails like a 404.
// Safe for concurrent use.
type Web struct {
	mu    sync.Mutex
	docs  map[string][]byte
	hits  map[string]int
	total int
}

// NewWeb returns a web holding docs (URL to body), which may be nil.
func NewWeb(docs map[string][]byte) *Web {
	w := &Web{docs: map[string][]byte{}, hits: map[string]int{}}
	for u, b := range docs {
		w.docs[u] = b
	}
	return w
}

// Serve publishes body at the absolute URL u (replacing what was there).
func (w *Web) Serve(u string, body []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.docs[u] = body
}

// Remove takes u off the web: it then fails like a 404.
func (w *Web) Remove(u string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.docs, u)
}

// Count is how many times u was asked for.
func (w *Web) Count(u string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.hits[u]
}

// Total is how many requests the web answered, for any URL.
func (w *Web) Total() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.total
}

// ResetCounts sets every count back to zero.
func (w *Web) ResetCounts() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.hits, w.total = map[string]int{}, 0
}

// GetJSON returns the body at url, or an error wrapping fetch.ErrStatus.
func (w *Web) GetJSON(_ context.Context, url string, _ ...string) ([]byte, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.hits[url]++
	w.total++
	b, ok := w.docs[url]
	if !ok {
		return nil, fmt.Errorf("%w: 404 for %s (virtual web)", fetch.ErrStatus, url)
	}
	return b, nil
}

// Blason patch (not in upstream json-gold v0.9.1): memoised context processing.
//
// Expanding a document re-processes the same contexts again and again: the
// document's @context, and every type-scoped and property-scoped context of
// every node. For Open Badges credentials this was 90 % of the cost of a
// signature verification. With a ContextMemo in the options, the result of
// processing a local context against an active context is remembered, keyed
// by the active context's identity and the local context's identity, so
// each distinct pair is processed once per process.
//
// This is only sound when processed contexts are never mutated afterwards,
// which holds for expansion and RDF conversion (the paths Blason uses); do
// not use a memo with compaction or framing, which fill lazy caches in the
// contexts. Local contexts are memoised only when their identity fully
// determines their content: URL strings (the loader must be deterministic,
// e.g. a pinned set) and maps registered with MarkImmutable. Inline context
// objects from the input document are never memoised.

package ld

import (
	"reflect"
	"strconv"
	"sync"
)

// ContextMemo remembers processed contexts. It is safe for concurrent use.
// (A map under a read-write lock rather than a sync.Map: a sync.Map look-up
// boxes its struct key, an allocation per look-up, and verification makes
// a dozen per document.)
type ContextMemo struct {
	mu    sync.RWMutex
	m     map[memoKey]*Context
	lists map[*Context]map[string]*Context // kind 'b': parent -> flags byte + appendLocalKey
	n     int                              // entries in m and lists
	limit int
}

// NewContextMemo returns a memo that holds at most limit entries (beyond
// that, results are computed but not remembered).
func NewContextMemo(limit int) *ContextMemo {
	return &ContextMemo{m: make(map[memoKey]*Context), lists: make(map[*Context]map[string]*Context), limit: limit}
}

// memoKey identifies a local context processed against a parent: a single
// URL by itself (kind 's'), an immutable map by its address (kind 'm'),
// null (kind 'n'), or anything else by the string localKey writes (kind
// 'b', kept in ContextMemo.lists, where the string starts with the flags
// byte). No look-up builds a string on the heap.
type memoKey struct {
	parent *Context
	kind   byte
	ptr    uintptr
	local  string
	flags  uint8
}

// immutableMaps holds the addresses of maps registered by MarkImmutable.
var immutableMaps = struct {
	sync.RWMutex
	m map[uintptr]struct{}
}{m: make(map[uintptr]struct{})}

func isImmutable(p uintptr) bool {
	immutableMaps.RLock()
	defer immutableMaps.RUnlock()
	_, ok := immutableMaps.m[p]
	return ok
}

// MarkImmutable registers every JSON object reachable from v as immutable,
// so that it can serve as a memo key by identity. The caller promises never
// to modify them (e.g. the parsed documents of a pinned context loader).
func MarkImmutable(v any) {
	switch x := v.(type) {
	case map[string]any:
		immutableMaps.Lock()
		immutableMaps.m[reflect.ValueOf(x).Pointer()] = struct{}{}
		immutableMaps.Unlock()
		for _, e := range x {
			MarkImmutable(e)
		}
	case []any:
		for _, e := range x {
			MarkImmutable(e)
		}
	}
}

// appendLocalKey appends the memo identity of a local context to b, if it
// has one.
func appendLocalKey(b []byte, local any) ([]byte, bool) {
	switch x := local.(type) {
	case nil:
		b = append(b, "n;"...)
	case string:
		b = append(b, 's')
		b = strconv.AppendInt(b, int64(len(x)), 10)
		b = append(b, ':')
		b = append(b, x...)
	case map[string]any:
		p := reflect.ValueOf(x).Pointer()
		if !isImmutable(p) {
			return b, false
		}
		b = append(b, 'm')
		b = strconv.AppendUint(b, uint64(p), 16)
		b = append(b, ';')
	case []any:
		b = append(b, '[')
		for _, e := range x {
			var ok bool
			if b, ok = appendLocalKey(b, e); !ok {
				return b, false
			}
		}
		b = append(b, ']')
	default:
		return b, false
	}
	return b, true
}

// NewStableContext returns an empty active context that serves as the root
// of memoised processing: keep it for the life of the options and pass it to
// JsonLdApi.Expand. Only contexts derived from a stable context through the
// memo are memoised as parents, so transient contexts (from inline context
// objects) never fill the memo.
func NewStableContext(options *JsonLdOptions) *Context {
	c := NewContext(nil, options)
	c.stable = true
	return c
}

func (c *Context) memo() *ContextMemo {
	if c.options == nil {
		return nil
	}
	return c.options.ContextMemo
}

func (m *ContextMemo) lookup(c *Context, local any, flags uint8) (memoKey, *Context, bool) {
	if !c.stable {
		return memoKey{}, nil, false
	}
	k := memoKey{parent: c, flags: flags}
	switch x := local.(type) {
	case nil:
		k.kind = 'n'
	case string:
		k.kind, k.local = 's', x
	case map[string]any:
		p := reflect.ValueOf(x).Pointer()
		if !isImmutable(p) {
			return memoKey{}, nil, false
		}
		k.kind, k.ptr = 'm', p
	default:
		// Written into a buffer on the stack and looked up as
		// m.lists[c][string(b)], which does not allocate; the key string is
		// made only for a miss (a document's @context array is looked up
		// twice per verification).
		var stack [512]byte
		b, ok := appendLocalKey(append(stack[:0], flags), local)
		if !ok {
			return memoKey{}, nil, false
		}
		m.mu.RLock()
		v, hit := m.lists[c][string(b)]
		m.mu.RUnlock()
		if hit {
			return memoKey{}, v, true
		}
		return memoKey{parent: c, kind: 'b', local: string(b), flags: flags}, nil, true
	}
	m.mu.RLock()
	v, ok := m.m[k]
	m.mu.RUnlock()
	if ok {
		return k, v, true
	}
	return k, nil, true
}

func (m *ContextMemo) store(k memoKey, result *Context) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.n >= m.limit {
		return
	}
	if k.kind == 'b' {
		inner := m.lists[k.parent]
		if inner == nil {
			inner = make(map[string]*Context)
			m.lists[k.parent] = inner
		}
		if _, ok := inner[k.local]; !ok {
			result.stable = true
			inner[k.local] = result
			m.n++
		}
		return
	}
	if _, ok := m.m[k]; !ok {
		result.stable = true
		m.m[k] = result
		m.n++
	}
}

func boolFlags(bs ...bool) uint8 {
	var f uint8
	for i, b := range bs {
		if b {
			f |= 1 << i
		}
	}
	return f
}

// hasContainer is Context.HasContainerMapping for a term definition already
// looked up (nil when the term is not defined).
func (td *TermDefinition) hasContainer(val string) bool {
	if td == nil {
		return false
	}
	for _, container := range td.Container {
		if container == val {
			return true
		}
	}
	return false
}

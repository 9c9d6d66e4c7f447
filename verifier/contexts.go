package verifier

import (
	"strings"

	"github.com/blason-badges/blason/contexts"
)

// unknownContexts lists the context URLs in doc (at any depth, including
// proofs' and scoped @context values) that Blason does not pin, so that the
// report names the context that stopped verification rather than saying
// only "unknown JSON-LD context". At most max are returned.
func unknownContexts(doc any, max int) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(v any, depth int)
	addURL := func(u string) {
		if !contexts.Known(u) && !seen[u] && len(out) < max {
			seen[u] = true
			if len(u) > 200 {
				u = u[:200] + "…"
			}
			out = append(out, u)
		}
	}
	walk = func(v any, depth int) {
		if depth > 64 || len(out) >= max {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if k == "@context" {
					for _, c := range asList(e) {
						if s, ok := c.(string); ok {
							addURL(s)
						} else {
							walk(c, depth+1) // an inline context may import others
						}
					}
					continue
				}
				if k == "@import" {
					if s, ok := e.(string); ok {
						addURL(s)
					}
				}
				walk(e, depth+1)
			}
		case []any:
			for _, e := range x {
				walk(e, depth+1)
			}
		}
	}
	walk(doc, 0)
	return out
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

// withUnknownContexts appends the unknown context URLs of doc to detail.
func withUnknownContexts(detail string, doc map[string]any) string {
	if u := unknownContexts(doc, 5); len(u) > 0 {
		return detail + " (not a context Blason knows: " + strings.Join(u, ", ") + ")"
	}
	return detail
}

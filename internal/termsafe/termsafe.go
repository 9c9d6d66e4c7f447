// Package termsafe makes text that came from a credential safe to print on
// a terminal. A credential's name, issuer, ids and the error details that
// quote them are chosen by whoever wrote the credential, signed or not: an
// escape sequence in them could clear the screen and draw a fake verdict,
// and a bidi override could make "REVOKED" read backwards. Everything the
// command line prints from a credential goes through String.
//
// --json output keeps the exact text: JSON escapes control characters, and
// EscapeJSON additionally writes the invisible and bidi code points as
// \uXXXX escapes, which decode to the same string.
package termsafe

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/blason-badges/blason/internal/limits"
)

// Ellipsis ends a clipped string.
const Ellipsis = "…"

// Unsafe reports whether r must not reach a terminal as is: C0 controls
// (U+0000–U+001F, including tab and newline: a credential's strings are
// printed on one line), DEL, C1 controls (U+0080–U+009F; U+009B is a CSI
// on terminals that honour 8-bit controls), the bidi embeddings, overrides
// and isolates (U+202A–U+202E, U+2066–U+2069), the directional marks
// (U+200E, U+200F, U+061C), and the line and paragraph separators
// (U+2028, U+2029), which some terminals treat as newlines.
func Unsafe(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x200e, r == 0x200f, r == 0x061c, r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// String returns s with every unsafe code point written visibly (ESC as
// \x1b, U+202E as \u202e, an invalid UTF-8 byte as \xNN) and clipped to
// limits.TerminalStringRunes runes. It is idempotent: its output contains
// only safe code points, which it leaves unchanged, and is never longer
// than the limit.
func String(s string) string { return Clip(s, limits.TerminalStringRunes) }

// Clip is String with a limit of max runes (at least 1).
func Clip(s string, max int) string {
	if max < 1 {
		max = 1
	}
	if isSafe(s, max) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80 && Unsafe(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case Unsafe(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	out := b.String()
	if utf8.RuneCountInString(out) <= max {
		return out
	}
	// Keep max-1 runes and the ellipsis; an escape may be cut short, and
	// what remains of it is plain ASCII.
	return string([]rune(out)[:max-1]) + Ellipsis
}

// isSafe reports whether s is valid UTF-8 of at most max runes with no
// unsafe code point: the common case, which costs no allocation.
func isSafe(s string, max int) bool {
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || Unsafe(r) {
			return false
		}
		i += size
		n++
	}
	return n <= max
}

// EscapeJSON rewrites every unsafe code point that encoding/json leaves raw
// (DEL, C1 controls, bidi controls) as a \uXXXX escape. In JSON text those
// code points can only occur inside strings, where the escape decodes to
// the same code point: the document's value is unchanged, and its bytes
// are safe to print on a terminal. b must be valid JSON from encoding/json.
func EscapeJSON(b []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r >= 0x7f && size > 0 && !(r == utf8.RuneError && size == 1) && Unsafe(r) {
			if out == nil {
				out = make([]byte, 0, len(b)+16)
			}
			out = append(out, b[last:i]...)
			out = fmt.Appendf(out, `\u%04x`, r)
			last = i + size
		}
		i += size
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

package credential

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/blason-badges/blason/internal/limits"
)

// Default limits used when a Limits field is zero (or negative).
const (
	// DefaultMaxBytes is the input size limit when Limits.MaxBytes is zero:
	// 1 MiB. The largest credential we know of (the spec's complete example
	// with embedded endorsements) is about 30 KB; baked images and data-URI
	// evidence can be larger, so callers that accept them should raise it.
	DefaultMaxBytes = limits.CredentialBytes
	// DefaultMaxDepth is the nesting limit when Limits.MaxDepth is zero: 64
	// levels of arrays/objects (OB 3.0 credentials use about 10).
	DefaultMaxDepth = limits.CredentialDepth
)

// Limits bounds the work ParseJSON and Parse do on untrusted input. The zero
// value is ready to use and means the defaults.
type Limits struct {
	// MaxBytes is the largest accepted input in bytes.
	// Zero or negative means DefaultMaxBytes (1 MiB).
	MaxBytes int
	// MaxDepth is the deepest accepted nesting of arrays and objects (a
	// top-level object is depth 1). Zero or negative means DefaultMaxDepth (64).
	MaxDepth int
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	return l
}

// JSONError describes why ParseJSON rejected its input. It wraps one of
// ErrMalformed, ErrDuplicateKey, ErrTooDeep or ErrTooLarge.
type JSONError struct {
	Err    error  // the sentinel
	Offset int    // byte offset at which the problem was detected
	Path   string // JSONPath-like location of the enclosing value, e.g. $.credentialSubject.identifier[0]
	Detail string // what was wrong, e.g. `duplicate key "id"`

	segs []string // path segments, innermost first, collected while unwinding
}

func (e *JSONError) Error() string {
	switch e.Err {
	case ErrDuplicateKey:
		return fmt.Sprintf("%s at %s (offset %d)", e.Detail, e.Path, e.Offset)
	case ErrTooLarge:
		return fmt.Sprintf("%v: %s", e.Err, e.Detail)
	default:
		return fmt.Sprintf("%v at offset %d (%s): %s", e.Err, e.Offset, e.Path, e.Detail)
	}
}

// Unwrap returns the sentinel error.
func (e *JSONError) Unwrap() error { return e.Err }

// ParseJSON decodes data into the same Go values as encoding/json.Unmarshal
// into an `any` (map[string]any, []any, string, float64, bool, nil), but
// strictly:
//   - an object with a repeated key is rejected (ErrDuplicateKey), at any depth;
//   - input longer than lim.MaxBytes is rejected before parsing (ErrTooLarge);
//   - nesting deeper than lim.MaxDepth is rejected (ErrTooDeep);
//   - invalid UTF-8, unpaired UTF-16 surrogate escapes (\ud800), numbers
//     outside the float64 range and any data after the value are rejected
//     (ErrMalformed), where encoding/json would substitute U+FFFD or stop
//     early.
//
// Errors are *JSONError values that give the byte offset and the JSON path.
// ParseJSON never panics. The strings it returns share copies of stretches
// of data of up to 4 KiB (one allocation for many strings), so a string kept
// from the result keeps at most that much of the input alive.
func ParseJSON(data []byte, lim Limits) (any, error) {
	lim = lim.withDefaults()
	if len(data) > lim.MaxBytes {
		return nil, &JSONError{Err: ErrTooLarge, Path: "$",
			Detail: fmt.Sprintf("%d bytes, limit is %d", len(data), lim.MaxBytes)}
	}
	d := decoder{data: data, maxDepth: lim.MaxDepth}
	st := d.borrow()
	v, err := d.value()
	d.giveBack(st)
	if err == nil {
		d.ws()
		if d.pos < len(d.data) {
			err = d.errf(ErrMalformed, "unexpected %s after top-level value", d.describe())
		}
	}
	if err != nil {
		var je *JSONError
		if errors.As(err, &je) {
			je.Path = buildPath(je.segs)
			je.segs = nil
		}
		return nil, err
	}
	return v, nil
}

func buildPath(segs []string) string {
	var b strings.Builder
	b.WriteByte('$')
	for i := len(segs) - 1; i >= 0; i-- {
		b.WriteString(segs[i])
	}
	return b.String()
}

func keySeg(k string) string {
	if k == "" || strings.ContainsAny(k, ".[]'\" \t\r\n") || !utf8.ValidString(k) {
		return "[" + strconv.Quote(k) + "]"
	}
	return "." + k
}

type decoder struct {
	data     []byte
	pos      int
	depth    int
	maxDepth int
	// The members of the objects and the elements of the arrays being
	// parsed, innermost last: each object or array is built from its own
	// stretch once complete, so that its map or slice is allocated once at
	// its final size instead of growing (a credential's top-level object
	// has ten to fifteen members: past eight, a map that grows is rebuilt
	// as a table). Borrowed from stacks and returned, cleared, when done.
	members []member
	elems   []any
	// region is a copy of data[regionAt:regionAt+len(region)]: strings
	// without escapes are cut from it instead of each being copied into an
	// allocation of its own (see plainString).
	region   string
	regionAt int
}

type member struct {
	k string
	v any
}

// stacks holds the member and element stacks between calls; stacks that grew
// past maxPooledStack entries (an unusual document) are left to the
// collector.
type stacks struct {
	members []member
	elems   []any
}

var stackPool = sync.Pool{New: func() any { return &stacks{members: make([]member, 0, 32), elems: make([]any, 0, 32)} }}

const maxPooledStack = 1024

func (d *decoder) borrow() *stacks {
	s := stackPool.Get().(*stacks)
	d.members, d.elems = s.members[:0], s.elems[:0]
	return s
}

// giveBack returns the stacks to the pool. They hold no parsed value: each
// object and array clears its own stretch when it returns, whether it
// succeeded or not.
func (d *decoder) giveBack(s *stacks) {
	if cap(d.members) > maxPooledStack || cap(d.elems) > maxPooledStack {
		return
	}
	s.members, s.elems = d.members[:0], d.elems[:0]
	stackPool.Put(s)
}

func (d *decoder) errf(sentinel error, format string, args ...any) *JSONError {
	return &JSONError{Err: sentinel, Offset: d.pos, Detail: fmt.Sprintf(format, args...)}
}

// describe names the byte at d.pos for an error message.
func (d *decoder) describe() string {
	if d.pos >= len(d.data) {
		return "end of input"
	}
	c := d.data[d.pos]
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("character %q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

func (d *decoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *decoder) value() (any, error) {
	d.ws()
	if d.pos >= len(d.data) {
		return nil, d.errf(ErrMalformed, "unexpected end of input, expecting a value")
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		return d.strValue()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	default:
		return nil, d.errf(ErrMalformed, "invalid %s looking for beginning of value", d.describe())
	}
}

func (d *decoder) literal(lit string) error {
	if len(d.data)-d.pos >= len(lit) && string(d.data[d.pos:d.pos+len(lit)]) == lit {
		d.pos += len(lit)
		return nil
	}
	return d.errf(ErrMalformed, "invalid literal, expecting %s", lit)
}

func (d *decoder) enter() error {
	d.depth++
	if d.depth > d.maxDepth {
		return d.errf(ErrTooDeep, "nesting deeper than %d levels", d.maxDepth)
	}
	return nil
}

// linearMembers is how many members of one object are checked for a repeated
// key by comparing with the earlier ones on the stack; from then on the
// object's map is made and takes the remaining members directly, so a huge
// object costs no quadratic time.
const linearMembers = 16

func (d *decoder) object() (any, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	d.pos++ // '{'
	d.ws()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		d.depth--
		return make(map[string]any), nil
	}
	base := len(d.members)
	defer func() {
		clear(d.members[base:])
		d.members = d.members[:base]
	}()
	var m map[string]any // made once linearMembers are on the stack
	for {
		d.ws()
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return nil, d.errf(ErrMalformed, "unexpected %s, expecting a string object key", d.describe())
		}
		keyOff := d.pos
		k, _, err := d.str(false)
		if err != nil {
			return nil, err
		}
		d.ws()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return nil, d.errf(ErrMalformed, "unexpected %s after object key, expecting ':'", d.describe())
		}
		d.pos++
		v, err := d.value()
		if err != nil {
			if je, ok := err.(*JSONError); ok {
				je.segs = append(je.segs, keySeg(k))
			}
			return nil, err
		}
		// A repeated key is reported once its value has been read, as
		// before: the first problem in document order wins.
		if m == nil {
			for _, p := range d.members[base:] {
				if p.k == k {
					return nil, &JSONError{Err: ErrDuplicateKey, Offset: keyOff, Detail: fmt.Sprintf("duplicate key %q", k)}
				}
			}
			d.members = append(d.members, member{k, v})
			if len(d.members)-base == linearMembers {
				m = make(map[string]any, 2*linearMembers)
				for _, p := range d.members[base:] {
					m[p.k] = p.v
				}
			}
		} else {
			// One map operation: the map grows unless k was already there.
			n := len(m)
			m[k] = v
			if len(m) == n {
				return nil, &JSONError{Err: ErrDuplicateKey, Offset: keyOff, Detail: fmt.Sprintf("duplicate key %q", k)}
			}
		}
		d.ws()
		if d.pos < len(d.data) {
			switch d.data[d.pos] {
			case ',':
				d.pos++
				continue
			case '}':
				d.pos++
				d.depth--
				if m == nil {
					ms := d.members[base:]
					m = make(map[string]any, len(ms))
					for _, p := range ms {
						m[p.k] = p.v
					}
				}
				return m, nil
			}
		}
		return nil, d.errf(ErrMalformed, "unexpected %s after object value, expecting ',' or '}'", d.describe())
	}
}

func (d *decoder) array() (any, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	d.pos++ // '['
	d.ws()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		d.depth--
		return []any{}, nil
	}
	base := len(d.elems)
	defer func() {
		clear(d.elems[base:])
		d.elems = d.elems[:base]
	}()
	for {
		v, err := d.value()
		if err != nil {
			if je, ok := err.(*JSONError); ok {
				je.segs = append(je.segs, "["+strconv.Itoa(len(d.elems)-base)+"]")
			}
			return nil, err
		}
		d.elems = append(d.elems, v)
		d.ws()
		if d.pos < len(d.data) {
			switch d.data[d.pos] {
			case ',':
				d.pos++
				continue
			case ']':
				d.pos++
				d.depth--
				return append([]any(nil), d.elems[base:]...), nil
			}
		}
		return nil, d.errf(ErrMalformed, "unexpected %s after array element, expecting ',' or ']'", d.describe())
	}
}

// strValue decodes a string value: the words of the interning table come
// boxed already, so they cost no allocation at all.
func (d *decoder) strValue() (any, error) {
	s, boxed, err := d.str(true)
	if err != nil {
		return nil, err
	}
	if boxed != nil {
		return boxed, nil
	}
	return s, nil
}

// SWAR ("SIMD within a register") constants for plainWord.
const (
	lsbs = 0x0101010101010101
	msbs = 0x8080808080808080
)

// plainWord reports whether none of the 8 bytes in w (a little-endian load)
// ends or complicates a string: no '"', no '\\', no control character
// (< 0x20) and no byte of a multi-byte UTF-8 sequence (>= 0x80). For each
// test, (x - 0x01..01) &^ x has a byte's high bit set only if some byte
// of x is zero (or, for the < 0x20 test, below 0x20: exact as a yes/no
// answer for any bound up to 0x80); false positives cannot occur in the
// yes/no answer, and a "no" sends the caller to the byte-by-byte loop,
// which decides exactly.
func plainWord(w uint64) bool {
	q := w ^ (lsbs * '"')
	b := w ^ (lsbs * '\\')
	special := ((q - lsbs) &^ q) | ((b - lsbs) &^ b) | ((w - lsbs*0x20) &^ w) | w
	return special&msbs == 0
}

// str decodes the string starting at d.pos (which holds '"'). For a word of
// the interning table it returns the shared string and, when boxed is
// asked for, the shared interface value holding it.
func (d *decoder) str(boxed bool) (string, any, error) {
	start := d.pos + 1
	i := start
	// Fast path: printable ASCII without escapes, eight bytes at a time,
	// then byte by byte up to the quote or the first byte that needs the
	// general loop.
	for i+8 <= len(d.data) && plainWord(binary.LittleEndian.Uint64(d.data[i:])) {
		i += 8
	}
	for i < len(d.data) {
		c := d.data[i]
		if c == '"' {
			d.pos = i + 1
			if w := lookupInterned(d.data[start:i]); w != nil {
				if boxed {
					return w.s, w.v, nil
				}
				return w.s, nil, nil
			}
			return d.plainString(start, i), nil, nil
		}
		if c < 0x20 || c == '\\' || c >= utf8.RuneSelf {
			break
		}
		i++
	}
	s, err := d.strSlow(start, i)
	return s, nil, err
}

// Region sizes: a string of up to maxRegionString bytes is cut from a copy of
// the input of regionBytes (or what is left of the input, if less) that
// begins with it, shared with the strings that follow it. A string keeps its
// whole region alive, so regions are small: a string taken from a parsed
// document retains at most regionBytes of it.
const (
	regionBytes     = 4096
	maxRegionString = 1024
)

// plainString returns data[start:end] as a string, cut from the current
// region when it lies within it: one allocation for all the strings of a
// stretch of regionBytes, rather than one per string.
func (d *decoder) plainString(start, end int) string {
	if start >= d.regionAt && end <= d.regionAt+len(d.region) {
		return d.region[start-d.regionAt : end-d.regionAt]
	}
	if end-start > maxRegionString {
		return string(d.data[start:end])
	}
	d.regionAt = start
	d.region = string(d.data[start:min(len(d.data), start+regionBytes)])
	return d.region[:end-start]
}

// strSlow finishes a string that has escapes, control characters or
// non-ASCII bytes from i on (data[start:i] is plain ASCII).
func (d *decoder) strSlow(start, i int) (string, error) {
	buf := make([]byte, i-start, i-start+16)
	copy(buf, d.data[start:i])
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return string(buf), nil
		case c < 0x20:
			d.pos = i
			return "", d.errf(ErrMalformed, "invalid control character 0x%02x in string", c)
		case c == '\\':
			d.pos = i
			if i+1 >= len(d.data) {
				return "", d.errf(ErrMalformed, "unexpected end of input in string escape")
			}
			switch e := d.data[i+1]; e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := hex4(d.data[i+2:])
				if !ok {
					return "", d.errf(ErrMalformed, "invalid \\u escape in string")
				}
				i += 6
				if utf16.IsSurrogate(r) {
					var r2 rune = -1
					if r < 0xdc00 && i+1 < len(d.data) && d.data[i] == '\\' && d.data[i+1] == 'u' {
						r2, ok = hex4(d.data[i+2:])
						if !ok {
							d.pos = i
							return "", d.errf(ErrMalformed, "invalid \\u escape in string")
						}
					}
					dec := utf16.DecodeRune(r, r2)
					if dec == utf8.RuneError {
						return "", d.errf(ErrMalformed, "unpaired UTF-16 surrogate escape in string")
					}
					r = dec
					i += 6
				}
				buf = utf8.AppendRune(buf, r)
				continue
			default:
				return "", d.errf(ErrMalformed, "invalid escape '\\%c' in string", e)
			}
			i += 2
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			i++
		default:
			r, size := utf8.DecodeRune(d.data[i:])
			if r == utf8.RuneError && size <= 1 {
				d.pos = i
				return "", d.errf(ErrMalformed, "invalid UTF-8 in string")
			}
			buf = append(buf, d.data[i:i+size]...)
			i += size
		}
	}
	d.pos = i
	return "", d.errf(ErrMalformed, "unexpected end of input in string")
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number scans an RFC 8259 number and converts it like encoding/json.
func (d *decoder) number() (any, error) {
	start := d.pos
	i := start
	n := len(d.data)
	if d.data[i] == '-' {
		i++
	}
	simple := true // only integer digits, no fraction/exponent
	switch {
	case i < n && d.data[i] == '0':
		i++
	case i < n && d.data[i] >= '1' && d.data[i] <= '9':
		for i < n && d.data[i] >= '0' && d.data[i] <= '9' {
			i++
		}
	default:
		d.pos = i
		return nil, d.errf(ErrMalformed, "invalid %s in number, expecting a digit", d.describe())
	}
	if i < n && d.data[i] == '.' {
		simple = false
		i++
		if i >= n || d.data[i] < '0' || d.data[i] > '9' {
			d.pos = i
			return nil, d.errf(ErrMalformed, "invalid %s after decimal point in number", d.describe())
		}
		for i < n && d.data[i] >= '0' && d.data[i] <= '9' {
			i++
		}
	}
	if i < n && (d.data[i] == 'e' || d.data[i] == 'E') {
		simple = false
		i++
		if i < n && (d.data[i] == '+' || d.data[i] == '-') {
			i++
		}
		if i >= n || d.data[i] < '0' || d.data[i] > '9' {
			d.pos = i
			return nil, d.errf(ErrMalformed, "invalid %s in number exponent", d.describe())
		}
		for i < n && d.data[i] >= '0' && d.data[i] <= '9' {
			i++
		}
	}
	d.pos = i
	lit := d.data[start:i]
	// Integers of up to 15 digits are exact in a float64: skip strconv.
	if simple && len(lit) <= 15 {
		neg := lit[0] == '-'
		if neg {
			lit = lit[1:]
		}
		var v int64
		for _, c := range lit {
			v = v*10 + int64(c-'0')
		}
		f := float64(v)
		if neg {
			f = -f
		}
		return f, nil
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil {
		d.pos = start
		return nil, d.errf(ErrMalformed, "number %s out of range", lit)
	}
	return f, nil
}

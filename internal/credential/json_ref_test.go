package credential

// This file keeps, verbatim but renamed, the ParseJSON decoder as it was
// before the fast paths of issue 14 (SWAR string scan, interning table,
// member and element stacks): the reference the differential tests and
// FuzzParseJSONMatchesReference hold the current decoder to, value for
// value and error for error (sentinel, offset, path and message).

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// refParseJSON is ParseJSON as of commit 6363234.
func refParseJSON(data []byte, lim Limits) (any, error) {
	lim = lim.withDefaults()
	if len(data) > lim.MaxBytes {
		return nil, &JSONError{Err: ErrTooLarge, Path: "$",
			Detail: fmt.Sprintf("%d bytes, limit is %d", len(data), lim.MaxBytes)}
	}
	d := refDecoder{data: data, maxDepth: lim.MaxDepth}
	v, err := d.value()
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

type refDecoder struct {
	data     []byte
	pos      int
	depth    int
	maxDepth int
}

func (d *refDecoder) errf(sentinel error, format string, args ...any) *JSONError {
	return &JSONError{Err: sentinel, Offset: d.pos, Detail: fmt.Sprintf(format, args...)}
}

// describe names the byte at d.pos for an error message.
func (d *refDecoder) describe() string {
	if d.pos >= len(d.data) {
		return "end of input"
	}
	c := d.data[d.pos]
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("character %q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

func (d *refDecoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *refDecoder) value() (any, error) {
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
		return d.str()
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

func (d *refDecoder) literal(lit string) error {
	if len(d.data)-d.pos >= len(lit) && string(d.data[d.pos:d.pos+len(lit)]) == lit {
		d.pos += len(lit)
		return nil
	}
	return d.errf(ErrMalformed, "invalid literal, expecting %s", lit)
}

func (d *refDecoder) enter() error {
	d.depth++
	if d.depth > d.maxDepth {
		return d.errf(ErrTooDeep, "nesting deeper than %d levels", d.maxDepth)
	}
	return nil
}

func (d *refDecoder) object() (any, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	d.pos++ // '{'
	m := make(map[string]any)
	d.ws()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		d.depth--
		return m, nil
	}
	for {
		d.ws()
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return nil, d.errf(ErrMalformed, "unexpected %s, expecting a string object key", d.describe())
		}
		keyOff := d.pos
		k, err := d.str()
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
		// One map operation: the map grows unless k was already there.
		n := len(m)
		m[k] = v
		if len(m) == n {
			return nil, &JSONError{Err: ErrDuplicateKey, Offset: keyOff, Detail: fmt.Sprintf("duplicate key %q", k)}
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
				return m, nil
			}
		}
		return nil, d.errf(ErrMalformed, "unexpected %s after object value, expecting ',' or '}'", d.describe())
	}
}

func (d *refDecoder) array() (any, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	d.pos++ // '['
	arr := []any{}
	d.ws()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		d.depth--
		return arr, nil
	}
	for {
		v, err := d.value()
		if err != nil {
			if je, ok := err.(*JSONError); ok {
				je.segs = append(je.segs, "["+strconv.Itoa(len(arr))+"]")
			}
			return nil, err
		}
		arr = append(arr, v)
		d.ws()
		if d.pos < len(d.data) {
			switch d.data[d.pos] {
			case ',':
				d.pos++
				continue
			case ']':
				d.pos++
				d.depth--
				return arr, nil
			}
		}
		return nil, d.errf(ErrMalformed, "unexpected %s after array element, expecting ',' or ']'", d.describe())
	}
}

// str decodes the string starting at d.pos (which holds '"').
func (d *refDecoder) str() (string, error) {
	start := d.pos + 1
	i := start
	// Fast path: printable ASCII without escapes.
	for i < len(d.data) {
		c := d.data[i]
		if c == '"' {
			d.pos = i + 1
			if i-start <= maxInterned {
				if s, ok := interned[string(d.data[start:i])]; ok {
					return s, nil
				}
			}
			return string(d.data[start:i]), nil
		}
		if c < 0x20 || c == '\\' || c >= utf8.RuneSelf {
			break
		}
		i++
	}
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
				r, ok := refHex4(d.data[i+2:])
				if !ok {
					return "", d.errf(ErrMalformed, "invalid \\u escape in string")
				}
				i += 6
				if utf16.IsSurrogate(r) {
					var r2 rune = -1
					if r < 0xdc00 && i+1 < len(d.data) && d.data[i] == '\\' && d.data[i+1] == 'u' {
						r2, ok = refHex4(d.data[i+2:])
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

func refHex4(b []byte) (rune, bool) {
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
func (d *refDecoder) number() (any, error) {
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

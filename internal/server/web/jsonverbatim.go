package web

// verbatimJSON reports whether json.Encoder would write b, as a
// json.RawMessage, exactly as it is: b is one valid JSON value with no
// whitespace outside its strings and none of the characters the encoder
// escapes for HTML (<, >, &, U+2028, U+2029). Then the share page's JSON
// answer copies the stored badge instead of running it through the
// encoder's scanner (~4 ns a byte, a tenth of the page's own cost); a
// badge issued by Blason is written so. When in doubt it answers false,
// and the encoder does the work: a value nested deeper than 512 levels,
// say. FuzzVerbatimJSON checks it against encoding/json.
func verbatimJSON(b []byte) bool {
	p := jsonChecker{b: b}
	return p.value(0) && p.i == len(b)
}

type jsonChecker struct {
	b []byte
	i int
}

func (p *jsonChecker) value(depth int) bool {
	if p.i >= len(p.b) || depth > 512 {
		return false
	}
	switch c := p.b[p.i]; {
	case c == '{':
		p.i++
		if p.i < len(p.b) && p.b[p.i] == '}' {
			p.i++
			return true
		}
		for {
			if !p.str() || !p.next(':') || !p.value(depth+1) {
				return false
			}
			if p.i < len(p.b) && p.b[p.i] == '}' {
				p.i++
				return true
			}
			if !p.next(',') {
				return false
			}
		}
	case c == '[':
		p.i++
		if p.i < len(p.b) && p.b[p.i] == ']' {
			p.i++
			return true
		}
		for {
			if !p.value(depth + 1) {
				return false
			}
			if p.i < len(p.b) && p.b[p.i] == ']' {
				p.i++
				return true
			}
			if !p.next(',') {
				return false
			}
		}
	case c == '"':
		return p.str()
	case c == '-' || '0' <= c && c <= '9':
		return p.number()
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	}
	return false
}

func (p *jsonChecker) next(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *jsonChecker) literal(s string) bool {
	if len(p.b)-p.i >= len(s) && string(p.b[p.i:p.i+len(s)]) == s {
		p.i += len(s)
		return true
	}
	return false
}

// str reads a string: no control character, valid escapes, none of the
// characters the encoder would escape.
func (p *jsonChecker) str() bool {
	if !p.next('"') {
		return false
	}
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return true
		case c < 0x20, c == '<', c == '>', c == '&':
			return false
		case c == 0xE2 && p.i+2 < len(p.b) && p.b[p.i+1] == 0x80 && p.b[p.i+2]&^1 == 0xA8:
			return false
		case c == '\\':
			if p.i+1 >= len(p.b) {
				return false
			}
			switch p.b[p.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.i += 2
			case 'u':
				if p.i+6 > len(p.b) {
					return false
				}
				for _, h := range p.b[p.i+2 : p.i+6] {
					if !isHexDigit(h) {
						return false
					}
				}
				p.i += 6
			default:
				return false
			}
		default:
			p.i++
		}
	}
	return false
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (p *jsonChecker) number() bool {
	p.next('-')
	switch {
	case p.next('0'):
	case p.i < len(p.b) && '1' <= p.b[p.i] && p.b[p.i] <= '9':
		p.digits()
	default:
		return false
	}
	if p.next('.') && !p.digits() {
		return false
	}
	if p.next('e') || p.next('E') {
		if !p.next('+') {
			p.next('-')
		}
		if !p.digits() {
			return false
		}
	}
	return true
}

// digits reads one digit or more.
func (p *jsonChecker) digits() bool {
	start := p.i
	for p.i < len(p.b) && '0' <= p.b[p.i] && p.b[p.i] <= '9' {
		p.i++
	}
	return p.i > start
}

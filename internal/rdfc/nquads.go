package rdfc

import (
	"strconv"
	"unicode/utf8"
)

// SyntaxError describes an N-Quads syntax error. Line and Column are 1-based;
// Column counts bytes.
type SyntaxError struct {
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	return "rdfc: parse n-quads: line " + strconv.Itoa(e.Line) + ", column " + strconv.Itoa(e.Column) + ": " + e.Msg
}

// ParseNQuads parses an N-Quads document (W3C RDF 1.1 N-Quads grammar,
// including \u/\U and ECHAR escapes, comments and blank lines). Escapes are
// decoded; a datatype of xsd:string is reported as "" so that parsed quads
// compare equal to their canonical form. IRIs must be absolute (have a
// scheme). Errors are *SyntaxError values with line and column.
func ParseNQuads(doc []byte) ([]Quad, error) {
	p := parser{doc: doc, line: 1}
	var quads []Quad
	for {
		p.skipSpace()
		if p.pos >= len(p.doc) {
			return quads, nil
		}
		switch c := p.doc[p.pos]; c {
		case '\n', '\r':
			p.newline()
			continue
		case '#':
			p.skipComment()
			continue
		}
		q, err := p.statement()
		if err != nil {
			return nil, err
		}
		quads = append(quads, q)
	}
}

type parser struct {
	doc       []byte
	pos       int
	line      int
	lineStart int
	scratch   []byte
}

func (p *parser) errorf(pos int, msg string) error {
	return &SyntaxError{Line: p.line, Column: pos - p.lineStart + 1, Msg: msg}
}

func (p *parser) skipSpace() {
	for p.pos < len(p.doc) && (p.doc[p.pos] == ' ' || p.doc[p.pos] == '\t') {
		p.pos++
	}
}

func (p *parser) newline() {
	// EOL ::= [#xD#xA]+ ; count "\r\n" as one line break.
	if p.doc[p.pos] == '\r' && p.pos+1 < len(p.doc) && p.doc[p.pos+1] == '\n' {
		p.pos++
	}
	p.pos++
	p.line++
	p.lineStart = p.pos
}

func (p *parser) skipComment() {
	for p.pos < len(p.doc) && p.doc[p.pos] != '\n' && p.doc[p.pos] != '\r' {
		p.pos++
	}
}

func (p *parser) atEOL() bool {
	return p.pos >= len(p.doc) || p.doc[p.pos] == '\n' || p.doc[p.pos] == '\r'
}

// statement parses subject predicate object graphLabel? '.' and the rest of
// the line (whitespace and an optional comment).
func (p *parser) statement() (Quad, error) {
	var q Quad
	var err error
	if q.Subject, err = p.term("subject", true, false); err != nil {
		return q, err
	}
	p.skipSpace()
	if q.Predicate, err = p.term("predicate", false, false); err != nil {
		return q, err
	}
	p.skipSpace()
	if q.Object, err = p.term("object", true, true); err != nil {
		return q, err
	}
	p.skipSpace()
	if p.pos < len(p.doc) && (p.doc[p.pos] == '<' || p.doc[p.pos] == '_') {
		if q.Graph, err = p.term("graph label", true, false); err != nil {
			return q, err
		}
		p.skipSpace()
	} else {
		q.Graph.Kind = DefaultGraph
	}
	if p.pos >= len(p.doc) || p.doc[p.pos] != '.' {
		return q, p.errorf(p.pos, "expected '.' at end of statement")
	}
	p.pos++
	p.skipSpace()
	if p.pos < len(p.doc) && p.doc[p.pos] == '#' {
		p.skipComment()
	}
	if !p.atEOL() {
		return q, p.errorf(p.pos, "unexpected text after '.'")
	}
	return q, nil
}

// term parses one term; blank and literal say which kinds besides IRIs are
// allowed in this position.
func (p *parser) term(what string, blank, literal bool) (Term, error) {
	if p.atEOL() {
		return Term{}, p.errorf(p.pos, "missing "+what)
	}
	switch c := p.doc[p.pos]; {
	case c == '<':
		v, err := p.iri()
		return Term{Kind: IRI, Value: v}, err
	case c == '_' && blank:
		return p.blankNode()
	case c == '"' && literal:
		return p.literal()
	}
	return Term{}, p.errorf(p.pos, "unexpected character "+strconv.QuoteRune(p.peekRune())+" in "+what)
}

func (p *parser) peekRune() rune {
	r, _ := utf8.DecodeRune(p.doc[p.pos:])
	return r
}

// iri parses IRIREF ::= '<' ([^#x00-#x20<>"{}|^`\] | UCHAR)* '>'.
func (p *parser) iri() (string, error) {
	start := p.pos
	p.pos++ // '<'
	buf := p.scratch[:0]
	for {
		if p.atEOL() {
			return "", p.errorf(start, "unterminated IRI")
		}
		c := p.doc[p.pos]
		switch {
		case c == '>':
			p.pos++
			p.scratch = buf
			v := string(buf)
			if !validIRI(v) {
				return "", p.errorf(start, "IRI "+strconv.Quote(v)+" is not absolute")
			}
			return v, nil
		case c == '\\':
			r, err := p.uchar()
			if err != nil {
				return "", err
			}
			if r < 0x80 && iriForbidden(byte(r)) {
				return "", p.errorf(start, "escaped character "+strconv.QuoteRune(r)+" not allowed in IRI")
			}
			buf = utf8.AppendRune(buf, r)
		case iriForbidden(c):
			return "", p.errorf(p.pos, "character "+strconv.QuoteRune(rune(c))+" not allowed in IRI")
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			p.pos++
		default:
			r, n := utf8.DecodeRune(p.doc[p.pos:])
			if r == utf8.RuneError && n == 1 {
				return "", p.errorf(p.pos, "invalid UTF-8")
			}
			buf = append(buf, p.doc[p.pos:p.pos+n]...)
			p.pos += n
		}
	}
}

// uchar parses UCHAR at p.pos (which holds '\') and returns the code point.
func (p *parser) uchar() (rune, error) {
	start := p.pos
	if p.pos+1 >= len(p.doc) {
		return 0, p.errorf(start, "incomplete escape sequence")
	}
	n := 0
	switch p.doc[p.pos+1] {
	case 'u':
		n = 4
	case 'U':
		n = 8
	default:
		return 0, p.errorf(start, "invalid escape sequence \\"+string(rune(p.doc[p.pos+1])))
	}
	if p.pos+2+n > len(p.doc) {
		return 0, p.errorf(start, "incomplete \\"+string(rune(p.doc[p.pos+1]))+" escape")
	}
	var r rune
	for _, h := range p.doc[p.pos+2 : p.pos+2+n] {
		var d byte
		switch {
		case h >= '0' && h <= '9':
			d = h - '0'
		case h >= 'a' && h <= 'f':
			d = h - 'a' + 10
		case h >= 'A' && h <= 'F':
			d = h - 'A' + 10
		default:
			return 0, p.errorf(start, "invalid hex digit in \\"+string(rune(p.doc[p.pos+1]))+" escape")
		}
		r = r<<4 | rune(d)
	}
	if r > utf8.MaxRune || (r >= 0xD800 && r <= 0xDFFF) {
		return 0, p.errorf(start, "escape is not a Unicode scalar value")
	}
	p.pos += 2 + n
	return r, nil
}

// blankNode parses BLANK_NODE_LABEL ::= '_:' (PN_CHARS_U | [0-9])
// ((PN_CHARS | '.')* PN_CHARS)?.
func (p *parser) blankNode() (Term, error) {
	start := p.pos
	if p.pos+1 >= len(p.doc) || p.doc[p.pos+1] != ':' {
		return Term{}, p.errorf(start, "expected '_:' blank node label")
	}
	p.pos += 2
	labelStart := p.pos
	end := p.pos // end of the label excluding trailing dots
	for p.pos < len(p.doc) {
		r, n := utf8.DecodeRune(p.doc[p.pos:])
		first := p.pos == labelStart
		switch {
		case first && (isPNCharsU(r) || (r >= '0' && r <= '9')):
		case !first && isPNChars(r):
		case !first && r == '.':
			p.pos += n
			continue
		default:
			goto done
		}
		p.pos += n
		end = p.pos
	}
done:
	if end == labelStart {
		return Term{}, p.errorf(start, "empty or invalid blank node label")
	}
	p.pos = end // trailing dots belong to the statement
	return Term{Kind: BlankNode, Value: string(p.doc[labelStart:end])}, nil
}

func isPNCharsBase(r rune) bool {
	switch {
	case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z',
		r >= 0xC0 && r <= 0xD6, r >= 0xD8 && r <= 0xF6, r >= 0xF8 && r <= 0x2FF,
		r >= 0x370 && r <= 0x37D, r >= 0x37F && r <= 0x1FFF, r >= 0x200C && r <= 0x200D,
		r >= 0x2070 && r <= 0x218F, r >= 0x2C00 && r <= 0x2FEF, r >= 0x3001 && r <= 0xD7FF,
		r >= 0xF900 && r <= 0xFDCF, r >= 0xFDF0 && r <= 0xFFFD, r >= 0x10000 && r <= 0xEFFFF:
		return r != utf8.RuneError
	}
	return false
}

func isPNCharsU(r rune) bool { return isPNCharsBase(r) || r == '_' || r == ':' }

func isPNChars(r rune) bool {
	return isPNCharsU(r) || r == '-' || (r >= '0' && r <= '9') || r == 0xB7 ||
		(r >= 0x300 && r <= 0x36F) || (r >= 0x203F && r <= 0x2040)
}

// literal parses STRING_LITERAL_QUOTE ('^^' IRIREF | LANGTAG)?.
func (p *parser) literal() (Term, error) {
	start := p.pos
	p.pos++ // '"'
	buf := p.scratch[:0]
	for {
		if p.atEOL() {
			return Term{}, p.errorf(start, "unterminated string literal")
		}
		c := p.doc[p.pos]
		switch {
		case c == '"':
			p.pos++
			p.scratch = buf
			t := Term{Kind: Literal, Value: string(buf)}
			return t, p.literalSuffix(&t)
		case c == '\\':
			if p.pos+1 >= len(p.doc) {
				return Term{}, p.errorf(p.pos, "incomplete escape sequence")
			}
			var e byte
			switch p.doc[p.pos+1] {
			case 't':
				e = '\t'
			case 'b':
				e = '\b'
			case 'n':
				e = '\n'
			case 'r':
				e = '\r'
			case 'f':
				e = '\f'
			case '"':
				e = '"'
			case '\'':
				e = '\''
			case '\\':
				e = '\\'
			}
			if e != 0 {
				buf = append(buf, e)
				p.pos += 2
				continue
			}
			r, err := p.uchar()
			if err != nil {
				return Term{}, err
			}
			buf = utf8.AppendRune(buf, r)
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			p.pos++
		default:
			r, n := utf8.DecodeRune(p.doc[p.pos:])
			if r == utf8.RuneError && n == 1 {
				return Term{}, p.errorf(p.pos, "invalid UTF-8")
			}
			buf = append(buf, p.doc[p.pos:p.pos+n]...)
			p.pos += n
		}
	}
}

func (p *parser) literalSuffix(t *Term) error {
	if p.pos >= len(p.doc) {
		return nil
	}
	switch p.doc[p.pos] {
	case '@':
		start := p.pos
		p.pos++
		for p.pos < len(p.doc) && (isAlpha(p.doc[p.pos]) || isDigit(p.doc[p.pos]) || p.doc[p.pos] == '-') {
			p.pos++
		}
		t.Language = string(p.doc[start+1 : p.pos])
		if !validLangTag(t.Language) {
			return p.errorf(start, "invalid language tag "+strconv.Quote(t.Language))
		}
	case '^':
		if p.pos+2 >= len(p.doc) || p.doc[p.pos+1] != '^' || p.doc[p.pos+2] != '<' {
			return p.errorf(p.pos, "expected '^^<' before datatype IRI")
		}
		p.pos += 2
		dt, err := p.iri()
		if err != nil {
			return err
		}
		if dt != XSDString {
			t.Datatype = dt
		}
	}
	return nil
}

package bake

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/blason-badges/blason/internal/input"
)

const (
	// nsOB3 is the namespace OB 3.0 §5.3.2 puts on <svg>: "add an
	// xmlns:openbadges attribute to the <svg> tag with the value
	// https://purl.imsglobal.org/ob/v3p0".
	nsOB3 = "https://purl.imsglobal.org/ob/v3p0"
	// prefix is the prefix the spec writes; Bake declares and uses it.
	prefix = "openbadges"
)

// ob3Spaces are the namespaces an OB 3.0 <credential> element is read in:
// the spec's, its http twin, and an undeclared "openbadges:" prefix (which
// encoding/xml leaves as the space); the signature inside, not the
// namespace spelling, decides whether the badge is genuine.
var ob3Spaces = map[string]bool{nsOB3: true, "http://purl.imsglobal.org/ob/v3p0": true, prefix: true}

// ob2Spaces are those of an OB 2.0 <assertion> element
// (xmlns:openbadges="http://openbadges.org").
var ob2Spaces = map[string]bool{"http://openbadges.org": true, "https://openbadges.org": true, prefix: true}

// svgElement is a baked element found in an SVG: its byte range in the
// file, its verify attribute and its text.
type svgElement struct {
	start, end int
	verify     string
	hasVerify  bool
	text       []byte
}

// svgDoc is what scanSVG learned about an SVG document.
type svgDoc struct {
	rootStart, rootEnd int    // the root start tag, data[rootStart:rootEnd]
	rootName           string // its qualified name as written (svg, svg:svg)
	selfClosing        bool   // <svg .../>
	nsDecl             string // the value of xmlns:openbadges on the root
	hasNSDecl          bool
	ob3, ob2           []svgElement
}

// newDecoder returns a strict decoder: encoding/xml never reads a DTD and
// never expands an entity it was not given (Entity is nil), so an
// undeclared &name; is a syntax error; non-UTF-8 encodings are refused
// (CharsetReader is nil).
func newDecoder(data []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.CharsetReader = func(label string, _ io.Reader) (io.Reader, error) {
		return nil, fmt.Errorf("only UTF-8 SVG is read, this one declares %q", label)
	}
	return d
}

// sniffSVG reports whether data looks like XML whose root element is svg:
// it skips a byte-order mark, whitespace, the XML declaration, comments
// and a DOCTYPE (at most sniffTokens of them) and reads the first tag's
// name. It is a sniffer, cheap on any input; scanSVG decides whether the
// document is well formed.
func sniffSVG(data []byte) bool {
	s := bytes.TrimPrefix(data, []byte("\ufeff"))
	for range sniffTokens {
		s = bytes.TrimLeft(s, " \t\r\n")
		var end []byte
		switch {
		case bytes.HasPrefix(s, []byte("<?")):
			end = []byte("?>")
		case bytes.HasPrefix(s, []byte("<!--")):
			end = []byte("-->")
		case bytes.HasPrefix(s, []byte("<!")):
			// A DOCTYPE, perhaps with an internal subset [...].
			if i, j := bytes.IndexByte(s, '['), bytes.IndexByte(s, '>'); i >= 0 && i < j {
				k := bytes.Index(s, []byte("]>"))
				if k < 0 {
					return false
				}
				s = s[k:]
			}
			end = []byte(">")
		case bytes.HasPrefix(s, []byte("<")):
			name := s[1:]
			i := bytes.IndexAny(name, " \t\r\n/>")
			if i < 0 {
				return false
			}
			name = name[:i]
			if j := bytes.LastIndexByte(name, ':'); j >= 0 {
				name = name[j+1:]
			}
			return string(name) == "svg"
		default:
			return false // text, JSON, a JWS: not markup
		}
		i := bytes.Index(s, end)
		if i < 0 {
			return false
		}
		s = s[i+len(end):]
	}
	return false
}

func isSpace(b []byte) bool {
	return len(bytes.TrimLeft(bytes.TrimPrefix(b, []byte("\ufeff")), " \t\r\n")) == 0
}

// scanSVG reads a whole SVG document within the bounds, checking it is well
// formed, has a single svg root element and no DTD internal subset, and
// finds its baked elements. Reading all of it (not stopping at the first
// credential, as the spec allows) is what lets Extract refuse two.
func scanSVG(data []byte) (*svgDoc, error) {
	d := newDecoder(data)
	doc := &svgDoc{rootStart: -1}
	var (
		depth, tokens int
		rootDone      bool
		cur           *svgElement // the baked element being read
		curOB3        bool
		curDepth      int
	)
	prev := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: SVG: %v", ErrMalformed, err)
		}
		off := int(d.InputOffset())
		start := prev
		prev = off
		if tokens++; tokens > MaxXMLTokens {
			return nil, fmt.Errorf("%w: SVG has more than %d XML tokens", ErrTooLarge, MaxXMLTokens)
		}
		switch tok := tok.(type) {
		case xml.Directive:
			// OB 3.0 SVGs may carry <!DOCTYPE svg PUBLIC "..." "...svg11.dtd">
			// (the validator's fixtures do); the external DTD is never
			// fetched. An internal subset is where entities are declared
			// (billion laughs): refused outright, never expanded.
			s := string(tok)
			if !strings.HasPrefix(s, "DOCTYPE") || strings.ContainsAny(s, "[<") || strings.Contains(s, "ENTITY") || doc.rootStart >= 0 {
				return nil, fmt.Errorf("%w: <!%.40s", ErrUnsafeXML, s)
			}
		case xml.StartElement:
			if rootDone {
				return nil, fmt.Errorf("%w: SVG has content after its root element", ErrMalformed)
			}
			if depth++; depth > MaxXMLDepth {
				return nil, fmt.Errorf("%w: SVG nests elements deeper than %d", ErrTooLarge, MaxXMLDepth)
			}
			if doc.rootStart < 0 {
				if tok.Name.Local != "svg" {
					return nil, fmt.Errorf("%w: the root element is <%s>, not <svg>", ErrMalformed, tok.Name.Local)
				}
				raw := data[start:off]
				if !bytes.HasPrefix(raw, []byte("<")) || !bytes.HasSuffix(raw, []byte(">")) {
					return nil, fmt.Errorf("%w: SVG root tag not found", ErrMalformed)
				}
				doc.rootStart, doc.rootEnd = start, off
				doc.selfClosing = bytes.HasSuffix(raw, []byte("/>"))
				doc.rootName = string(raw[1:bytes.IndexAny(raw, " \t\r\n/>")])
				for _, a := range tok.Attr {
					if a.Name.Space == "xmlns" && a.Name.Local == prefix {
						doc.nsDecl, doc.hasNSDecl = a.Value, true
					}
				}
				continue
			}
			if cur != nil {
				return nil, fmt.Errorf("%w: SVG has an element inside <%s:%s>", ErrMalformed, prefix, tok.Name.Local)
			}
			ob3 := tok.Name.Local == "credential" && ob3Spaces[tok.Name.Space]
			ob2 := tok.Name.Local == "assertion" && ob2Spaces[tok.Name.Space]
			if ob3 || ob2 {
				cur, curOB3, curDepth = &svgElement{start: start}, ob3, depth
				for _, a := range tok.Attr {
					if a.Name.Space == "" && a.Name.Local == "verify" {
						cur.verify, cur.hasVerify = a.Value, true
					}
				}
			}
		case xml.EndElement:
			if cur != nil && depth == curDepth {
				cur.end = off
				if curOB3 {
					doc.ob3 = append(doc.ob3, *cur)
				} else {
					doc.ob2 = append(doc.ob2, *cur)
				}
				cur = nil
			}
			if depth--; depth == 0 {
				rootDone = true
			}
		case xml.CharData:
			if doc.rootStart < 0 || rootDone {
				if !isSpace(tok) {
					return nil, fmt.Errorf("%w: SVG has text outside its root element", ErrMalformed)
				}
				continue
			}
			if cur != nil {
				if len(cur.text)+len(tok) > MaxCredentialBytes {
					return nil, fmt.Errorf("%w: the baked credential is more than %d bytes", ErrTooLarge, MaxCredentialBytes)
				}
				cur.text = append(cur.text, tok...)
			}
		}
	}
	if doc.rootStart < 0 || !rootDone {
		return nil, fmt.Errorf("%w: SVG has no complete <svg> root element", ErrMalformed)
	}
	return doc, nil
}

func extractSVG(data []byte) (Extracted, error) {
	doc, err := scanSVG(data)
	if err != nil {
		return Extracted{}, err
	}
	var els []svgElement
	v := OB3
	switch {
	case len(doc.ob3) > 1:
		return Extracted{}, fmt.Errorf("%w: %d <%s:credential> elements", ErrMultiple, len(doc.ob3), prefix)
	case len(doc.ob3) == 1:
		els = doc.ob3
	case len(doc.ob2) > 0:
		els, v = doc.ob2, OB2 // OB 2.0: the first one
	default:
		return Extracted{}, fmt.Errorf("%w (no <%s:credential> element in this SVG)", ErrNoCredential, prefix)
	}
	el := els[0]
	// §5.3.2: a VC-JWT goes in verify, an embedded-proof credential in
	// the body. An empty verify="" (left by some generators) means body.
	cred := el.text
	if el.verify != "" {
		cred = []byte(el.verify)
	}
	if isSpace(cred) {
		return Extracted{}, fmt.Errorf("%w (its <%s:credential> element is empty)", ErrNoCredential, prefix)
	}
	if len(cred) > MaxCredentialBytes {
		return Extracted{}, fmt.Errorf("%w: the baked credential is %d bytes, the limit is %d", ErrTooLarge, len(cred), MaxCredentialBytes)
	}
	return Extracted{Credential: bytes.Clone(cred), Format: SVG, Version: v}, nil
}

// edit replaces data[pos:end] with text.
type edit struct {
	pos, end int
	text     string
}

// bakeSVG removes every OB 3.0 credential element, declares the namespace
// on the root if it is not, and inserts the new element "directly after
// the <svg> tag" (§5.3.2). The rest of the file is kept byte for byte.
func bakeSVG(data, cred []byte) ([]byte, error) {
	doc, err := scanSVG(data)
	if err != nil {
		return nil, err
	}
	if doc.hasNSDecl && doc.nsDecl != nsOB3 {
		return nil, fmt.Errorf("%w: the <svg> element already binds the %q prefix to %q (an Open Badges 2.0 baked image?); bake into the image without it",
			ErrBadCredential, prefix, doc.nsDecl)
	}
	el := credentialElement(cred)
	tagEnd := doc.rootEnd - 1 // the '>'
	if doc.selfClosing {
		tagEnd--
	}
	var edits []edit
	if !doc.hasNSDecl {
		edits = append(edits, edit{tagEnd, tagEnd, ` xmlns:` + prefix + `="` + nsOB3 + `"`})
	}
	if doc.selfClosing {
		edits = append(edits, edit{tagEnd, doc.rootEnd, ">" + el + "</" + doc.rootName + ">"})
	} else {
		edits = append(edits, edit{doc.rootEnd, doc.rootEnd, el})
	}
	// The old elements are children of the root, so they start at or
	// after rootEnd: the edits stay in order.
	for _, e := range doc.ob3 {
		edits = append(edits, edit{e.start, e.end, ""})
	}
	var out bytes.Buffer
	out.Grow(len(data) + len(el) + 64)
	cursor := 0
	for _, e := range edits {
		out.Write(data[cursor:e.pos])
		out.WriteString(e.text)
		cursor = e.end
	}
	out.Write(data[cursor:])
	return out.Bytes(), nil
}

// credentialElement writes the element for cred. A compact JWS goes in
// the verify attribute (its characters need no escaping). Anything else
// goes in CDATA, split where the text holds "]]>" (which would end the
// section) and around each CR, written as the reference &#13; because an
// XML parser turns a literal CR (even in CDATA) into LF (XML 1.0 §2.11):
// so extraction gives back every byte.
func credentialElement(cred []byte) string {
	open, end := "<"+prefix+":credential", "</"+prefix+":credential>"
	if input.IsCompactJWS(cred) {
		return open + ` verify="` + string(cred) + `">` + end
	}
	var b strings.Builder
	b.WriteString(open + "><![CDATA[")
	s := string(cred)
	for s != "" {
		i := strings.IndexAny(s, "]\r")
		if i < 0 {
			b.WriteString(s)
			break
		}
		switch {
		case s[i] == '\r':
			b.WriteString(s[:i])
			b.WriteString("]]>&#13;<![CDATA[")
			s = s[i+1:]
		case strings.HasPrefix(s[i:], "]]>"):
			b.WriteString(s[:i+2])
			b.WriteString("]]><![CDATA[")
			s = s[i+2:]
		default:
			b.WriteString(s[:i+1])
			s = s[i+1:]
		}
	}
	b.WriteString("]]>" + end)
	return b.String()
}

// Package input reads what a person gives as a badge, forgivingly: a file
// saved by a browser (UTF-8 byte order mark, CRLF line ends), a JWT copied
// from an e-mail with line breaks in it, a credential inside a saved HTML
// page, a baked PNG or SVG image. It returns the credential's bytes as
// signed (JSON text or a compact JWS) or ErrUnreadable: "could not read
// this" is never the same as "not verified".
package input

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"regexp"
)

// ErrUnreadable: the input holds no credential this package can find.
var ErrUnreadable = errors.New("could not read this: it is not a badge in a form Blason reads (JSON, JWT, or a baked PNG or SVG image)")

// Kind says where the credential was found.
type Kind string

const (
	JSON  Kind = "json"  // a JSON document (credential or presentation)
	JWT   Kind = "jwt"   // a compact JWS (VC-JWT, VP-JWT, signed OB 2.0)
	HTML  Kind = "html"  // JSON found in a saved web page
	Image Kind = "image" // extracted from a baked image
)

// Extractor finds a credential baked into an image; it reports ok=false
// when data is not an image it knows. Blason passes internal/bake's.
type Extractor func(data []byte) (credential []byte, ok bool, err error)

// Read finds the credential in data.
func Read(data []byte, extract Extractor) ([]byte, Kind, error) {
	if extract != nil {
		cred, ok, err := extract(data)
		if ok {
			if err != nil {
				return nil, Image, fmt.Errorf("%w (%v)", ErrUnreadable, err)
			}
			c, k, err := Read(cred, nil)
			if err != nil {
				return nil, Image, err
			}
			if k == HTML {
				return nil, Image, ErrUnreadable
			}
			return c, Image, nil
		}
	}
	s := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	s = bytes.TrimSpace(s)
	switch {
	case len(s) == 0:
		return nil, "", ErrUnreadable
	case s[0] == '{':
		// JSON allows CR and LF as whitespace: nothing to change, and the
		// bytes stay those that were given.
		return s, JSON, nil
	case s[0] == '<':
		if j := fromHTML(s); j != nil {
			return j, HTML, nil
		}
		return nil, "", ErrUnreadable
	}
	if j := compactJWS(s); j != nil {
		return j, JWT, nil
	}
	return nil, "", ErrUnreadable
}

// CompactJWS reports whether data, less surrounding white space, is a
// compact JWS (RFC 7515 §7.1: BASE64URL(header) "." BASE64URL(payload)
// "." BASE64URL(signature)), as VC-JWT files hold (OB 3.0 §5.1), and
// returns it trimmed. The header and payload must not be empty; the
// signature may be (an unsecured JWT's is), so that the verifier refuses
// such a token with its reason rather than as unreadable JSON. It is the
// one test of "is this a JWT" for Blason: Read (which also forgives line
// breaks inside), the verifier, the wallet and baking use it.
func CompactJWS(data []byte) (string, bool) {
	s := bytes.TrimSpace(data)
	if !IsCompactJWS(s) {
		return "", false
	}
	return string(s), true
}

// IsCompactJWS is CompactJWS for data exactly, white space not allowed:
// what may stand unescaped in an SVG verify attribute (OB 3.0 §5.3.2).
func IsCompactJWS(data []byte) bool {
	dots, segment := 0, 0
	for _, c := range data {
		switch {
		case c == '.':
			if segment == 0 && dots < 2 {
				return false // empty header or payload
			}
			dots, segment = dots+1, 0
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
			segment++
		default:
			return false
		}
	}
	return dots == 2
}

// compactJWS returns s without whitespace if what remains is three
// base64url segments separated by dots (a mail client's line breaks and a
// copied indentation are not part of a JWS).
func compactJWS(s []byte) []byte {
	out := make([]byte, 0, len(s))
	for _, c := range s {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			out = append(out, c)
		}
	}
	if !IsCompactJWS(out) {
		return nil
	}
	return out
}

var (
	scriptJSON = regexp.MustCompile(`(?is)<script[^>]*type\s*=\s*["']?application/(?:ld\+json|vc\+ld\+json|json)["']?[^>]*>(.*?)</script>`)
	preBlock   = regexp.MustCompile(`(?is)<pre[^>]*>(.*?)</pre>`)
	anyTag     = regexp.MustCompile(`(?s)<[^>]*>`)
)

// fromHTML finds a JSON credential in a saved web page: in a JSON script
// element, or in a <pre> block (how browsers show, and save, a JSON file).
func fromHTML(page []byte) []byte {
	if m := scriptJSON.FindSubmatch(page); m != nil {
		if j := bytes.TrimSpace(m[1]); len(j) > 0 && j[0] == '{' {
			return j
		}
	}
	for _, m := range preBlock.FindAllSubmatch(page, 4) {
		text := anyTag.ReplaceAll(m[1], nil) // highlighting spans
		j := bytes.TrimSpace([]byte(html.UnescapeString(string(text))))
		if len(j) > 0 && j[0] == '{' {
			return j
		}
		if jws := compactJWS(j); jws != nil {
			return jws
		}
	}
	return nil
}

// IsPresentation reports whether cred (as Read returns it) is a
// presentation, so that it goes to the presentation verifier: JSON whose
// type includes VerifiablePresentation, or a JWT whose payload is one
// (VC-JOSE-COSE) or carries a "vp" claim (VC 1.1 VP-JWT). It only routes:
// the verifier checks everything.
func IsPresentation(cred []byte) bool {
	var doc map[string]any
	switch {
	case len(cred) > 0 && cred[0] == '{':
		if !bytes.Contains(cred, []byte("VerifiablePresentation")) {
			return false // no need to decode a credential twice
		}
		if json.Unmarshal(cred, &doc) != nil {
			return false
		}
	default:
		parts := bytes.Split(bytes.TrimSpace(cred), []byte("."))
		if len(parts) != 3 {
			return false
		}
		payload, err := base64.RawURLEncoding.DecodeString(string(parts[1]))
		if err != nil || json.Unmarshal(payload, &doc) != nil {
			return false
		}
		if _, ok := doc["vp"]; ok {
			return true
		}
	}
	switch t := doc["type"].(type) {
	case string:
		return t == "VerifiablePresentation"
	case []any:
		for _, e := range t {
			if e == "VerifiablePresentation" {
				return true
			}
		}
	}
	return false
}

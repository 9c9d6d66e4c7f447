// Package bake puts an Open Badges credential into a PNG or SVG image and
// takes it out again ("baking", OB 3.0 §5.3), within fixed bounds on size
// and work (see limits.go). It is standard library only.
//
// PNG: the credential is the text of an uncompressed iTXt chunk with the
// keyword "openbadgecredential". SVG: an <openbadges:credential> element
// directly after the root <svg> start tag, the JSON inside CDATA or a
// compact JWS in its verify attribute.
//
// Extract also recognises Open Badges 2.0 (and 1.0) baked images: a PNG
// tEXt or iTXt chunk with the keyword "openbadges", an SVG
// <openbadges:assertion> element; it says so in Extracted.Version so that
// a verifier can name the older format instead of calling it a forgery.
package bake

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Errors. Every error Extract and Bake return wraps one of these.
var (
	// ErrNotImage: the data is neither a PNG nor an SVG image.
	ErrNotImage = errors.New("not a PNG or SVG image")
	// ErrNoCredential: a well-formed image that holds no badge.
	ErrNoCredential = errors.New("this image holds no badge")
	// ErrMalformed: a damaged or invalid PNG or SVG (bad CRC, truncated
	// chunk, XML syntax error, ...).
	ErrMalformed = errors.New("malformed image")
	// ErrTooLarge: a bound in limits.go was exceeded.
	ErrTooLarge = errors.New("too large")
	// ErrMultiple: more than one credential in one image, which the spec
	// forbids ("MUST NOT appear in a PNG more than once"; "There MUST be
	// only one <openbadges:credential> tag in an SVG"). Extract refuses to
	// choose: two tools reading the same file must not show two badges.
	ErrMultiple = errors.New("the image holds more than one badge")
	// ErrUnsafeXML: an SVG with a DTD internal subset or entity
	// declarations. These are never expanded; the file is refused.
	ErrUnsafeXML = errors.New("SVG declares a DTD internal subset or entities (refused: never expanded)")
	// ErrBadCredential: Bake was given text that cannot be baked (empty,
	// not UTF-8, or with characters an image text field cannot hold).
	ErrBadCredential = errors.New("cannot bake this credential")
)

// Format is the kind of image a byte string is.
type Format int

const (
	Unknown Format = iota // neither PNG nor SVG
	PNG
	SVG
)

func (f Format) String() string {
	switch f {
	case PNG:
		return "PNG"
	case SVG:
		return "SVG"
	}
	return "unknown"
}

// Version says which Open Badges baking a credential was found in.
type Version int

const (
	// OB3 is Open Badges 3.0 baking: PNG keyword "openbadgecredential",
	// SVG element <openbadges:credential> (https://purl.imsglobal.org/ob/v3p0).
	OB3 Version = 3
	// OB2 is Open Badges 2.0 (and 1.0) baking: PNG keyword "openbadges",
	// SVG element <openbadges:assertion> (http://openbadges.org). The
	// text is an OB 2.0 assertion (JSON, a signed JWS, or a URL), not an
	// OB 3.0 credential.
	OB2 Version = 2
)

// Extracted is what Extract found in an image.
type Extracted struct {
	// Credential is the baked text exactly as stored: credential JSON or a
	// compact JWS (for OB2, the assertion). It may carry whitespace
	// around it (SVG CDATA usually does).
	Credential []byte
	Format     Format
	Version    Version
}

// Kind sniffs data: PNG (the 8-byte PNG signature), SVG (an XML document
// whose root element is svg), or Unknown. It does not check that the rest
// of the image is well formed; Extract does.
func Kind(data []byte) Format {
	if len(data) >= len(pngSignature) && string(data[:len(pngSignature)]) == pngSignature {
		return PNG
	}
	if sniffSVG(data) {
		return SVG
	}
	return Unknown
}

// Extract returns the credential baked into a PNG or SVG image. An image
// without one gives ErrNoCredential; an OB 3.0 credential is preferred to
// an OB 2.0 assertion when a file holds both.
func Extract(image []byte) (Extracted, error) {
	if len(image) > MaxImageBytes {
		return Extracted{}, fmt.Errorf("%w: image is %d bytes, the limit is %d", ErrTooLarge, len(image), MaxImageBytes)
	}
	switch Kind(image) {
	case PNG:
		return extractPNG(image)
	case SVG:
		if len(image) > MaxSVGBytes {
			return Extracted{}, fmt.Errorf("%w: SVG is %d bytes, the limit is %d", ErrTooLarge, len(image), MaxSVGBytes)
		}
		return extractSVG(image)
	}
	return Extracted{}, ErrNotImage
}

// ExtractCredential is Extract in the form internal/input.Extractor takes
// (the /verify page's upload): ok is false when data is not a PNG or SVG
// at all; an image without a badge, or a damaged one, is ok with an error,
// so that it is reported unreadable rather than tried as JSON.
func ExtractCredential(data []byte) (credential []byte, ok bool, err error) {
	if Kind(data) == Unknown {
		return nil, false, nil
	}
	got, err := Extract(data)
	if err != nil {
		return nil, true, err
	}
	return got.Credential, true, nil
}

// Bake returns a copy of image with credential baked in, replacing any OB
// 3.0 credential already there (so a file never holds two). Everything else
// in the image is kept byte for byte. Extract(Bake(image, c)).Credential
// is c, byte for byte.
//
// credential is the credential JSON or a compact JWS; in an SVG a compact
// JWS (the whole of credential, without surrounding whitespace) goes in
// the verify attribute, anything else in CDATA. Bake does not check that
// it is a credential: callers trim and check it.
func Bake(image, credential []byte) ([]byte, error) {
	if len(image) > MaxImageBytes {
		return nil, fmt.Errorf("%w: image is %d bytes, the limit is %d", ErrTooLarge, len(image), MaxImageBytes)
	}
	if err := checkCredential(credential); err != nil {
		return nil, err
	}
	var out []byte
	var err error
	switch Kind(image) {
	case PNG:
		out, err = bakePNG(image, credential)
	case SVG:
		if len(image) > MaxSVGBytes {
			return nil, fmt.Errorf("%w: SVG is %d bytes, the limit is %d", ErrTooLarge, len(image), MaxSVGBytes)
		}
		out, err = bakeSVG(image, credential)
	default:
		return nil, ErrNotImage
	}
	if err != nil {
		return nil, err
	}
	if len(out) > MaxImageBytes || Kind(out) == SVG && len(out) > MaxSVGBytes {
		// Extract would refuse what we wrote.
		return nil, fmt.Errorf("%w: the baked image would be %d bytes, the limit is %d", ErrTooLarge, len(out), MaxImageBytes)
	}
	return out, nil
}

// checkCredential enforces what both formats can hold, so that any
// credential that bakes into one bakes into the other: UTF-8 (iTXt text
// and XML are UTF-8) and only characters XML 1.0 allows (§2.2 Char: no
// NUL or other C0 controls but tab, LF and CR; no U+FFFE, U+FFFF). JSON
// text never needs others: control characters in strings are escaped.
func checkCredential(c []byte) error {
	if isSpace(c) {
		return fmt.Errorf("%w: it is empty", ErrBadCredential)
	}
	if len(c) > MaxCredentialBytes {
		return fmt.Errorf("%w: credential is %d bytes, the limit is %d", ErrTooLarge, len(c), MaxCredentialBytes)
	}
	if !utf8.Valid(c) {
		return fmt.Errorf("%w: it is not UTF-8 text", ErrBadCredential)
	}
	for i, r := range string(c) {
		if !xmlChar(r) {
			return fmt.Errorf("%w: character %U at byte %d cannot be stored in an image", ErrBadCredential, r, i)
		}
	}
	return nil
}

func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

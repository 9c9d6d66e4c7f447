package workspace

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image/jpeg"
	"image/png"
	"io"
	"strings"
	"time"
)

// MaxImageBytes bounds an uploaded image: a badge image is a few hundred
// kilobytes at most; 50 MB files are refused before they are decoded.
const MaxImageBytes = 2 << 20

// MaxImagePixels bounds width×height, so that a small file declaring a
// huge canvas (a decompression bomb) is refused.
const MaxImagePixels = 4096 * 4096

// Image is a stored image.
type Image struct {
	ID        string
	MediaType string // image/png, image/svg+xml, image/jpeg
	Data      []byte
	CreatedAt time.Time
}

// ErrImage wraps every reason an upload is not accepted as an image.
var ErrImage = errors.New("not an accepted image")

// CheckImage says what data is by its content, never by its name or
// declared type: a PNG or JPEG whose header decodes with sane dimensions,
// or an SVG document that is well-formed XML without DTDs, scripts, event
// handlers or external references. Anything else is ErrImage.
func CheckImage(data []byte) (mediaType string, err error) {
	if len(data) == 0 {
		return "", fmt.Errorf("%w: the file is empty", ErrImage)
	}
	if len(data) > MaxImageBytes {
		return "", fmt.Errorf("%w: the file weighs %d bytes, more than the %d allowed", ErrImage, len(data), MaxImageBytes)
	}
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		cfg, err := png.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return "", fmt.Errorf("%w: a damaged PNG: %v", ErrImage, err)
		}
		if err := dims(cfg.Width, cfg.Height); err != nil {
			return "", err
		}
		// Decode it whole: a PNG with a valid header and broken data is
		// not an image people can see.
		if _, err := png.Decode(bytes.NewReader(data)); err != nil {
			return "", fmt.Errorf("%w: a damaged PNG: %v", ErrImage, err)
		}
		return "image/png", nil
	case bytes.HasPrefix(data, []byte{0xff, 0xd8, 0xff}):
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return "", fmt.Errorf("%w: a damaged JPEG: %v", ErrImage, err)
		}
		if err := dims(cfg.Width, cfg.Height); err != nil {
			return "", err
		}
		if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
			return "", fmt.Errorf("%w: a damaged JPEG: %v", ErrImage, err)
		}
		return "image/jpeg", nil
	}
	if err := checkSVG(data); err != nil {
		return "", err
	}
	return "image/svg+xml", nil
}

func dims(w, h int) error {
	if w <= 0 || h <= 0 || w*h > MaxImagePixels {
		return fmt.Errorf("%w: %d×%d pixels (at most %d pixels in all)", ErrImage, w, h, MaxImagePixels)
	}
	return nil
}

// checkSVG accepts an SVG that is safe to serve from our origin and to
// show in a page: it is parsed as XML (no DTD, so no entity expansion),
// its root is <svg>, and it has no <script>, <foreignObject>, event
// handler attributes (on*), or references to other documents (href
// other than a fragment or a data: image). It is still served with a CSP
// that forbids scripts (defence in depth).
func checkSVG(data []byte) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	root := true
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: neither PNG, JPEG nor SVG (%v)", ErrImage, err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return fmt.Errorf("%w: an SVG with a DTD (<!%s...>) is refused", ErrImage, firstWord(string(t)))
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			if root {
				if name != "svg" {
					return fmt.Errorf("%w: neither PNG, JPEG nor SVG (an XML document whose root is <%s>)", ErrImage, t.Name.Local)
				}
				root = false
			}
			if name == "script" || name == "foreignobject" {
				return fmt.Errorf("%w: an SVG with <%s> is refused", ErrImage, t.Name.Local)
			}
			for _, a := range t.Attr {
				an := strings.ToLower(a.Name.Local)
				if strings.HasPrefix(an, "on") {
					return fmt.Errorf("%w: an SVG with an event handler (%s) is refused", ErrImage, a.Name.Local)
				}
				if an == "href" {
					v := strings.TrimSpace(a.Value)
					if !strings.HasPrefix(v, "#") && !strings.HasPrefix(v, "data:image/png") && !strings.HasPrefix(v, "data:image/jpeg") {
						return fmt.Errorf("%w: an SVG that refers to another document (%s=%q) is refused", ErrImage, a.Name.Local, v)
					}
				}
			}
		}
	}
	if root {
		return fmt.Errorf("%w: neither PNG, JPEG nor SVG", ErrImage)
	}
	return nil
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

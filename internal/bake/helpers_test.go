package bake

import (
	"bytes"
	"compress/zlib"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// testPNG encodes a small real image with the standard encoder.
func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.NRGBA{uint8(x * 40), uint8(y * 40), 200, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// testSVGs are valid SVG documents in the shapes found in the wild.
var testSVGs = map[string]string{
	"minimal":     `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="4"/></svg>`,
	"self-closed": `<svg xmlns="http://www.w3.org/2000/svg"/>`,
	"prolog": "\ufeff<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- made by hand -->\n" +
		`<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">` + "\n" +
		"<svg\n  xmlns=\"http://www.w3.org/2000/svg\"\n  width='10' height=\"10\" >\r\n  <g><text>a &amp; b &#233;</text></g>\n</svg>\n",
	"prefixed":   `<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:rect width="1" height="1"/></s:svg>`,
	"ns-already": `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><path d="M0 0"/></svg>`,
}

// chunkBytes builds one raw PNG chunk with a correct CRC.
func chunkBytes(typ string, data []byte) []byte { return appendChunk(nil, typ, data) }

// withChunks inserts raw chunks before IEND of a PNG made by testPNG.
func withChunks(t testing.TB, png []byte, chunks ...[]byte) []byte {
	t.Helper()
	iend := len(png) - 12
	if string(png[iend+4:iend+8]) != "IEND" {
		t.Fatal("test PNG does not end with IEND")
	}
	out := append([]byte(nil), png[:iend]...)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return append(out, png[iend:]...)
}

// itxt builds an iTXt chunk's data.
func itxt(keyword string, compressed bool, text []byte) []byte {
	d := append([]byte(keyword), 0)
	if compressed {
		var b bytes.Buffer
		w := zlib.NewWriter(&b)
		w.Write(text)
		w.Close()
		d = append(d, 1, 0, 0, 0)
		return append(d, b.Bytes()...)
	}
	d = append(d, 0, 0, 0, 0)
	return append(d, text...)
}

// ob3Count counts the OB 3.0 credentials in an image, independently of
// Extract's refusal of two.
func ob3Count(t testing.TB, img []byte) int {
	t.Helper()
	switch Kind(img) {
	case PNG:
		chunks, _, err := readPNG(img)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range chunks {
			if c.typ == "iTXt" && keyword(c) == keywordOB3 {
				n++
			}
		}
		return n
	case SVG:
		doc, err := scanSVG(img)
		if err != nil {
			t.Fatal(err)
		}
		return len(doc.ob3)
	}
	t.Fatal("not an image")
	return 0
}

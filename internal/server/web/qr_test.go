package web

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"image/png"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
)

// decodeQR reads a QR code image back with an independent decoder (ZXing's
// port), as a phone's camera app would.
func decodeQR(t *testing.T, b []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// The image is the code alone, with its quiet zone (the page's <img>,
	// or its screenshot): read it as such first. ZXing's finder-pattern
	// search fails on about 2 % of valid codes (measured on 500 random
	// share links, whose every matrix decodes); trying harder with that
	// search comes second.
	res, err := zxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		var err2 error
		if res, err2 = zxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}); err2 != nil {
			t.Fatalf("decode QR: %v; trying harder: %v", err, err2)
		}
	}
	return res.GetText()
}

func TestQRCodeDecodesToTheLink(t *testing.T) {
	t.Parallel()
	for _, link := range []string{
		"https://badges.example.org/s/" + strings.Repeat("A", 43),
		"http://127.0.0.1:8080/s/Zm9vYmFyLWJhei0xMjM0NTY3ODkwLV9fX19fX19fX19fX19fX18",
	} {
		b, err := qrPNG(link)
		if err != nil {
			t.Fatal(err)
		}
		if got := decodeQR(t, b); got != link {
			t.Fatalf("QR decodes to %q, want %q", got, link)
		}
	}
}

// TestQRCodeOfEveryShareLinkDecodes: share links carry random tokens, so
// each draws a different code (data and mask); every one of them, at the
// size the page shows it (the image's own: whole pixels per module),
// reads back as its link. The page used to scale it into a fixed
// 180-pixel box, modules of 4 and 5 pixels on screen, and the browser
// test's reading of the screenshot failed now and then.
func TestQRCodeOfEveryShareLinkDecodes(t *testing.T) {
	t.Parallel()
	for i := range 200 {
		tok := make([]byte, 32)
		rand.Read(tok)
		link := "http://127.0.0.1:" + strconv.Itoa(30000+i) + "/s/" + base64.RawURLEncoding.EncodeToString(tok)
		uri, size, err := qrDataURI(link)
		if err != nil {
			t.Fatal(err)
		}
		b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(uri, "data:image/png;base64,"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w != size || h != size || size%qrScale != 0 {
			t.Fatalf("image %dx%d, shown at %d", w, h, size)
		}
		if got := decodeQR(t, b); got != link {
			t.Fatalf("QR decodes to %q, want %q", got, link)
		}
	}
}

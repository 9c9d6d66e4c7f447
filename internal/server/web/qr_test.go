package web

import (
	"bytes"
	"image/png"
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
	// A code scaled on screen has uneven modules: try harder, as a phone would.
	res, err := zxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("decode QR: %v", err)
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

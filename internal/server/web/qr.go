package web

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// qrScale is the pixels per module of a QR code image, qrQuiet the quiet
// zone in modules (ISO/IEC 18004 asks for 4). The page shows the image at
// its own size (qrDataURI's size), so that every module is the same whole
// number of pixels on screen: a code scaled to a fixed box had modules of
// 4 and 5 pixels, which readers sometimes failed to decode.
const (
	qrScale = 4
	qrQuiet = 4
)

// matrixWriter receives the code's modules (yeqown/go-qrcode's Writer):
// the image is drawn here with the standard library only, so no image
// library or font comes with it.
type matrixWriter struct{ bits [][]bool }

func (m *matrixWriter) Write(mat qrcode.Matrix) error { m.bits = mat.Bitmap(); return nil }
func (m *matrixWriter) Close() error                  { return nil }

// qrPNG draws text (a share link) as a black-on-white QR code PNG, error
// correction level M (15 %: a printed code survives a smudge).
func qrPNG(text string) ([]byte, error) {
	code, err := qrcode.NewWith(text, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	var mw matrixWriter
	if err := code.Save(&mw); err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	n := len(mw.bits)
	size := (n + 2*qrQuiet) * qrScale
	img := image.NewGray(image.Rect(0, 0, size, size))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y, row := range mw.bits {
		for x, dark := range row {
			if !dark {
				continue
			}
			for dy := range qrScale {
				for dx := range qrScale {
					img.SetGray((x+qrQuiet)*qrScale+dx, (y+qrQuiet)*qrScale+dy, color.Gray{})
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// qrDataURI is qrPNG as a data: URI for an <img> (the pages' CSP allows
// data: images; nothing is fetched from elsewhere), with the image's width
// and height in pixels, to show it at.
func qrDataURI(text string) (uri string, size int, err error) {
	b, err := qrPNG(text)
	if err != nil {
		return "", 0, err
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return "", 0, fmt.Errorf("qr code: %w", err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b), cfg.Width, nil
}

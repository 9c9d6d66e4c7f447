package did

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"fmt"

	"filippo.io/edwards25519"
)

// compressPoint returns the SEC 1 v2.0 §2.3.3 compressed encoding
// (0x02/0x03 ‖ X) of an ECDSA public key on P-256 or P-384.
func compressPoint(pub *ecdsa.PublicKey) ([]byte, error) {
	raw, err := pub.Bytes() // 0x04 ‖ X ‖ Y, fixed-length coordinates
	if err != nil {
		return nil, err
	}
	size := (len(raw) - 1) / 2
	out := make([]byte, 1+size)
	out[0] = 0x02 | raw[len(raw)-1]&1
	copy(out[1:], raw[1:1+size])
	return out, nil
}

// decompressPoint parses a SEC 1 v2.0 §2.3.4 compressed point on curve
// (P-256 or P-384), rejecting points not on the curve (crypto/elliptic's
// implementation checks that), then builds the key through
// ecdsa.ParseUncompressedPublicKey, which validates it again.
func decompressPoint(curve elliptic.Curve, b []byte) (*ecdsa.PublicKey, error) {
	params := curve.Params()
	size := (params.BitSize + 7) / 8
	if len(b) != 1+size {
		return nil, fmt.Errorf("compressed %s point must be %d bytes, got %d", params.Name, 1+size, len(b))
	}
	if b[0] != 0x02 && b[0] != 0x03 {
		return nil, fmt.Errorf("compressed point must start with 0x02 or 0x03, got 0x%02x", b[0])
	}
	x, y := elliptic.UnmarshalCompressed(curve, b)
	if x == nil {
		return nil, fmt.Errorf("point is not on the %s curve", params.Name)
	}
	buf := make([]byte, 1+2*size)
	buf[0] = 0x04
	x.FillBytes(buf[1 : 1+size])
	y.FillBytes(buf[1+size:])
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, buf)
	if err != nil {
		return nil, fmt.Errorf("point is not on the %s curve: %w", params.Name, err)
	}
	return pub, nil
}

// ed25519OnCurve reports whether the 32-byte encoding pub decodes to a
// point on edwards25519 (RFC 8032 §5.1.3). Like crypto/ed25519 (ZIP 215
// rules) it accepts non-canonical y encodings.
func ed25519OnCurve(pub []byte) bool {
	_, err := new(edwards25519.Point).SetBytes(pub)
	return err == nil
}

package dataintegrity

import (
	"context"
	"testing"
)

// BenchmarkVerifySuites measures one verification per suite added for
// issue 8, on the vectors.
func BenchmarkVerifySuites(b *testing.B) {
	for _, tc := range []struct{ name, file string }{
		{"eddsa-jcs-2022", "testdata/jcs/eddsa-jcs-2022/signedJCS.json"},
		{"ecdsa-jcs-2019-P256", "testdata/jcs/ecdsa-jcs-2019/signedJCSECDSAP256.json"},
		{"ecdsa-sd-2023-derived", "testdata/ecdsa-sd-2023/derivedRevealDocument.json"},
		{"ecdsa-sd-2023-base", "testdata/ecdsa-sd-2023/addSignedSDBase.json"},
		{"ecdsa-sd-2023-1edtech-badge", "testdata/ecdsa-sd-2023/1edtech-derivedcredential.json"},
	} {
		doc := readJSON(b, tc.file)
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := Verify(context.Background(), doc, VerifyOptions{Resolver: fragmentResolver{}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzDecodeCBOR: no input makes the CBOR decoder panic or loop, and what
// it accepts is within its limits.
func FuzzDecodeCBOR(f *testing.F) {
	f.Add([]byte{0x83, 0x01, 0x42, 0xaa, 0xbb, 0xa1, 0x00, 0xd8, 0x40, 0x41, 0xcc})
	f.Add([]byte{0x85, 0x58, 0x40})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = decodeCBOR(b)
	})
}

package multibase

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeVectors(t *testing.T) {
	tests := []struct {
		name, in, hex string
	}{
		// Multibase spec test vectors (multiformats/multibase test/basic.csv:
		// "yes mani !").
		{"base58btc spec", "z7paNL19xttacUY", "796573206d616e692021"},
		{"base64url spec", "ueWVzIG1hbmkgIQ", "796573206d616e692021"},
		// Leading zero bytes (multiformats/multibase leading_zero.csv).
		{"base58btc leading zero", "z17paNL19xttacUY", "00796573206d616e692021"},
		{"base58btc zeros only", "z111", "000000"},
		// Ed25519 multikey from the OB 3.0 implementation guide.
		{"ed25519 multikey", "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
			"ed014bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5"},
		{"base64url one byte", "u_w", "ff"},
		{"base64url two bytes", "u-_8", "fbff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := mustHex(t, tt.hex)
			got, err := Decode(tt.in)
			if err != nil {
				t.Fatalf("Decode(%q): %v", tt.in, err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("Decode(%q) = %x, want %x", tt.in, got, want)
			}
			var enc string
			switch tt.in[0] {
			case 'z':
				enc = EncodeBase58(want)
			case 'u':
				enc = EncodeBase64URL(want)
			}
			if enc != tt.in {
				t.Fatalf("encode(%x) = %q, want %q", want, enc, tt.in)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
		msg      string // substring expected in the error message
	}{
		{"empty", "", ErrEmpty, "empty"},
		{"z only", "z", ErrEmpty, "'z'"},
		{"u only", "u", ErrEmpty, "'u'"},
		{"base32 prefix", "bafkq", ErrUnsupported, "'b'"},
		{"identity prefix", "\x00abc", ErrUnsupported, `'\x00'`},
		{"base64 padded prefix", "MAQID", ErrUnsupported, "'M'"},
		{"non-ascii prefix", "é", ErrUnsupported, "prefix"},
		{"base58 zero digit", "z0abc", ErrInvalid, "'0'"},
		{"base58 capital O", "zabcO", ErrInvalid, "'O'"},
		{"base58 capital I", "zI", ErrInvalid, "'I'"},
		{"base58 lower l", "zl", ErrInvalid, "'l'"},
		{"base58 plus", "zab+c", ErrInvalid, "'+'"},
		{"base58 space", "z abc", ErrInvalid, "' '"},
		{"base58 non-ascii", "zabcé", ErrInvalid, "'é'"},
		{"base64 padding", "ueWVzIG1hbmkgIQ==", ErrInvalid, "base64url"},
		{"base64 std alphabet", "u+/8", ErrInvalid, "base64url"},
		{"base64 newline", "ueWVz\nIG1hbmkgIQ", ErrInvalid, "line break"},
		{"base64 CR", "ueWVzIG1hbmkgIQ\r", ErrInvalid, "line break"},
		{"base64 bad length", "uA", ErrInvalid, "base64url"},
		{"base64 non-zero trailing bits", "u_x", ErrInvalid, "base64url"},
		{"base58 too long", "z" + strings.Repeat("2", MaxBase58Len+1), ErrTooLong, "exceeds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.in)
			if err == nil {
				t.Fatalf("Decode(%q) = %x, want error", tt.in, got)
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode(%q) error = %v, want %v", tt.in, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("Decode(%q) error %q does not mention %q", tt.in, err, tt.msg)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	for n := 1; n < 80; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*37 + n)
		}
		if n%3 == 0 {
			b[0] = 0 // exercise leading zero handling
		}
		for _, enc := range []func([]byte) string{EncodeBase58, EncodeBase64URL} {
			s := enc(b)
			got, err := Decode(s)
			if err != nil {
				t.Fatalf("Decode(%q): %v", s, err)
			}
			if !bytes.Equal(got, b) {
				t.Fatalf("round trip of %x via %q gave %x", b, s, got)
			}
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{"z7paNL19xttacUY", "ueWVzIG1hbmkgIQ", "z111", "u_w", "", "z", "bafy", "u_x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := Decode(s)
		if err != nil {
			return
		}
		var again string
		switch s[0] {
		case 'z':
			again = EncodeBase58(b)
		case 'u':
			again = EncodeBase64URL(b)
		default:
			t.Fatalf("Decode(%q) accepted unknown prefix", s)
		}
		if again != s {
			t.Fatalf("Decode(%q) = %x re-encodes to %q", s, b, again)
		}
	})
}

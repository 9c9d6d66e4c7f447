package status

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"
)

// Bitstring Status List v1.0 (REC 2025-05-15) §2.2 Example 3: 16 KiB, all clear.
const specEncodedList = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"

// StatusList2021 example: the same GZIP bytes, base64url without the multibase prefix.
const sl2021EncodedList = "H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"

func mustNew(t testing.TB, n int) *Bitstring {
	t.Helper()
	b, err := New(n)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// gzipB64 returns base64url(GZIP(data)) with the given prefix.
func gzipB64(t testing.TB, prefix string, data []byte) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	return prefix + base64.RawURLEncoding.EncodeToString(buf.Bytes())
}

func TestNew(t *testing.T) {
	if _, err := New(MinBits - 1); !errors.Is(err, ErrTooShort) {
		t.Fatalf("New(MinBits-1) err = %v", err)
	}
	if _, err := New(DefaultMaxBytes*8 + 8); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("New(too big) err = %v", err)
	}
	b := mustNew(t, MinBits+3)
	if b.Len() != MinBits+8 {
		t.Fatalf("Len = %d, want rounded up to %d", b.Len(), MinBits+8)
	}
}

func TestBitOrderMSBFirst(t *testing.T) {
	for _, tc := range []struct {
		bit  int
		idx  int
		want byte
	}{{0, 0, 0x80}, {1, 0, 0x40}, {7, 0, 0x01}, {8, 1, 0x80}, {23, 2, 0x01}, {MinBits - 1, MinBytes - 1, 0x01}} {
		b := mustNew(t, MinBits)
		if err := b.Set(tc.bit, true); err != nil {
			t.Fatal(err)
		}
		raw := b.Bytes()
		if raw[tc.idx] != tc.want {
			t.Errorf("bit %d: byte %d = %#02x, want %#02x", tc.bit, tc.idx, raw[tc.idx], tc.want)
		}
		if n := bytes.Count(raw, []byte{0}); n != len(raw)-1 {
			t.Errorf("bit %d: %d non-zero bytes, want 1", tc.bit, len(raw)-n)
		}
		if v, _ := b.Get(tc.bit); !v {
			t.Errorf("Get(%d) = false", tc.bit)
		}
		b.Set(tc.bit, false)
		if v, _ := b.Get(tc.bit); v || !bytes.Equal(b.Bytes(), make([]byte, MinBytes)) {
			t.Errorf("clearing bit %d failed", tc.bit)
		}
	}
}

func TestGetSetRange(t *testing.T) {
	b := mustNew(t, MinBits)
	for _, i := range []int{-1, MinBits, 1 << 40} {
		if _, err := b.Get(i); !errors.Is(err, ErrIndexRange) {
			t.Errorf("Get(%d) err = %v", i, err)
		}
		if err := b.Set(i, true); !errors.Is(err, ErrIndexRange) {
			t.Errorf("Set(%d) err = %v", i, err)
		}
	}
	if _, err := b.GetValue(MinBits/2, 2); !errors.Is(err, ErrIndexRange) {
		t.Errorf("GetValue past end err = %v", err)
	}
	if _, err := b.GetValue(MinBits/3, 3); !errors.Is(err, ErrIndexRange) {
		t.Errorf("GetValue partial last entry err = %v", err)
	}
	if _, err := b.GetValue(0, 0); !errors.Is(err, ErrMalformedEntry) {
		t.Errorf("statusSize 0 err = %v", err)
	}
	if _, err := b.GetValue(0, MaxStatusSize+1); !errors.Is(err, ErrMalformedEntry) {
		t.Errorf("statusSize 9 err = %v", err)
	}
	if err := b.SetValue(0, 2, 4); !errors.Is(err, ErrMalformedEntry) {
		t.Errorf("SetValue overflow err = %v", err)
	}
}

func TestMultiBitValues(t *testing.T) {
	b := mustNew(t, MinBits)
	// statusSize 2: entry 0 = bits 0-1, entry 1 = bits 2-3, entry 3 = bits 6-7.
	for i, v := range []uint64{0b10, 0b01, 0b11, 0b01} {
		if err := b.SetValue(i, 2, v); err != nil {
			t.Fatal(err)
		}
	}
	if got := b.Bytes()[0]; got != 0b10_01_11_01 {
		t.Fatalf("byte 0 = %08b, want 10011101", got)
	}
	for i, want := range []uint64{2, 1, 3, 1, 0} {
		if v, err := b.GetValue(i, 2); err != nil || v != want {
			t.Errorf("GetValue(%d,2) = %d, %v; want %d", i, v, err, want)
		}
	}
	// statusSize 3 across a byte boundary: entry 2 = bits 6,7,8.
	c := mustNew(t, MinBits)
	c.SetValue(2, 3, 0b101)
	if raw := c.Bytes(); raw[0] != 0b0000_0010 || raw[1] != 0b1000_0000 {
		t.Fatalf("bytes = %08b %08b", raw[0], raw[1])
	}
	if v, _ := c.GetValue(2, 3); v != 5 {
		t.Fatalf("GetValue(2,3) = %d", v)
	}
	// statusSize 8 is a whole byte.
	c.SetValue(100, 8, 0xA5)
	if c.Bytes()[100] != 0xA5 {
		t.Fatal("statusSize 8 not byte-aligned")
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	b := mustNew(t, 4*MinBits)
	for _, i := range []int{0, 7, 23, 9999, 4*MinBits - 1} {
		b.Set(i, true)
	}
	enc, err := b.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if enc[0] != 'u' {
		t.Fatalf("encodedList %q lacks multibase u prefix", enc[:8])
	}
	again, _ := b.Encode()
	if again != enc {
		t.Fatal("Encode is not deterministic")
	}
	d, err := Decode(enc, DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(d.Bytes(), b.Bytes()) {
		t.Fatal("round trip changed the bitstring")
	}
	var empty Bitstring
	if _, err := empty.Encode(); !errors.Is(err, ErrTooShort) {
		t.Fatalf("encode empty err = %v", err)
	}
}

func TestDecodeSpecVectors(t *testing.T) {
	padded := base64.StdEncoding.EncodeToString(mustB64URL(t, sl2021EncodedList))
	for name, s := range map[string]string{
		"bitstring REC example 3":     specEncodedList,
		"StatusList2021 no prefix":    sl2021EncodedList,
		"std base64 padded":           padded,
		"base64url padded, no prefix": base64.URLEncoding.EncodeToString(mustB64URL(t, sl2021EncodedList)),
	} {
		b, err := Decode(s, DecodeOptions{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b.Len() != MinBits || !bytes.Equal(b.Bytes(), make([]byte, MinBytes)) {
			t.Fatalf("%s: want 16 KiB of zeros, got %d bits", name, b.Len())
		}
	}
}

func mustB64URL(t testing.TB, s string) []byte {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeBadInput(t *testing.T) {
	zeros := make([]byte, MinBytes)
	good := gzipB64(t, "u", zeros)
	raw := mustB64URL(t, good[1:])
	corruptCRC := bytes.Clone(raw)
	corruptCRC[len(corruptCRC)-5] ^= 0xff
	truncated := raw[:len(raw)-6]
	trailing := append(bytes.Clone(raw), "garbage"...)
	enc := func(b []byte) string { return "u" + base64.RawURLEncoding.EncodeToString(b) }

	for _, tc := range []struct {
		name string
		in   string
		opts DecodeOptions
		want error
	}{
		{"empty", "", DecodeOptions{}, ErrMalformedList},
		{"u only", "u", DecodeOptions{}, ErrNotGzip},
		{"bad multibase chars", "u!!!!", DecodeOptions{}, ErrMalformedList},
		{"u with padding", good + "==", DecodeOptions{}, ErrMalformedList},
		{"u with std alphabet", "u" + base64.RawStdEncoding.EncodeToString(raw), DecodeOptions{}, ErrMalformedList},
		{"mixed alphabets", "H4sI-_+/", DecodeOptions{}, ErrMalformedList},
		{"bad padding", "H4sI=====", DecodeOptions{}, ErrMalformedList},
		{"unknown multibase z", "z3yMApqCuCjXDWPrbjfR5mjCPTHqFG8Pux1TxQrEM35jj", DecodeOptions{}, ErrMalformedList},
		{"not gzip", enc([]byte("hello, world; this is not gzip")), DecodeOptions{}, ErrNotGzip},
		{"zlib not gzip", enc([]byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01}), DecodeOptions{}, ErrNotGzip},
		{"gzip magic only", enc([]byte{0x1f, 0x8b}), DecodeOptions{}, ErrNotGzip},
		{"bad CRC", enc(corruptCRC), DecodeOptions{}, ErrNotGzip},
		{"truncated", enc(truncated), DecodeOptions{}, ErrNotGzip},
		{"trailing garbage", enc(trailing), DecodeOptions{}, ErrNotGzip},
		{"too short", gzipB64(t, "u", make([]byte, MinBytes-1)), DecodeOptions{}, ErrTooShort},
		{"too short for custom min", good, DecodeOptions{MinBytes: MinBytes + 1}, ErrTooShort},
		{"too large for custom max", good, DecodeOptions{MaxBytes: MinBytes - 1, MinBytes: 1}, ErrTooLarge},
		{"encoded string too long", "u" + string(bytes.Repeat([]byte("A"), 4<<20)), DecodeOptions{MaxBytes: 1 << 20}, ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.in, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	// A smaller ecosystem minimum is honoured.
	if _, err := Decode(gzipB64(t, "u", []byte{0x80}), DecodeOptions{MinBytes: 1}); err != nil {
		t.Fatalf("MinBytes 1: %v", err)
	}
}

var (
	bombOnce sync.Once
	bombRaw  []byte
)

// gzipBomb returns GZIP(1 GiB of zeros), built by streaming 64 KiB writes
// (never holding the gigabyte in memory). About 1 MiB compressed.
func gzipBomb(t testing.TB) []byte {
	bombOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		chunk := make([]byte, 64<<10)
		for range (1 << 30) / len(chunk) {
			zw.Write(chunk)
		}
		zw.Close()
		bombRaw = buf.Bytes()
	})
	return bombRaw
}

func TestDecodeGzipBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 1 GiB stream")
	}
	bomb := gzipBomb(t)
	// Variant 2: a second tiny member makes the trailer's ISIZE (1 KiB) lie
	// about the total, exercising the hinted path before the counting pass.
	var tail bytes.Buffer
	zw := gzip.NewWriter(&tail)
	zw.Write(make([]byte, 1024))
	zw.Close()
	lying := append(bytes.Clone(bomb), tail.Bytes()...)

	for name, raw := range map[string][]byte{"1GiB": bomb, "1GiB+lying ISIZE": lying} {
		t.Run(name, func(t *testing.T) {
			in := "u" + base64.RawURLEncoding.EncodeToString(raw)
			const limit = DefaultMaxBytes
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := Decode(in, DecodeOptions{MaxBytes: limit})
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
			// TotalAlloc is cumulative, so it bounds the peak heap growth.
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("compressed %d bytes; failed in %v; allocated %d bytes", len(raw), elapsed, alloc)
			if alloc > uint64(len(raw))+4<<20 {
				t.Errorf("allocated %d bytes, want under input size + 4 MiB (cap %d)", alloc, limit)
			}
			if elapsed > 5*time.Second {
				t.Errorf("took %v, want a fast failure", elapsed)
			}
		})
	}
}

func TestFromBytes(t *testing.T) {
	b := make([]byte, MinBits/8)
	b[0] = 0x80
	s, err := FromBytes(b, MinBits)
	if err != nil {
		t.Fatal(err)
	}
	if set, _ := s.Get(0); !set {
		t.Fatal("bit 0 not set")
	}
	b[0] = 0 // a copy: later changes to b do not leak in
	if set, _ := s.Get(0); !set {
		t.Fatal("FromBytes did not copy")
	}
	if _, err := FromBytes(make([]byte, 16), 128); !errors.Is(err, ErrTooShort) {
		t.Fatalf("short: %v", err)
	}
	if _, err := FromBytes(make([]byte, MinBits/8), 8); !errors.Is(err, ErrMalformedList) {
		t.Fatalf("size mismatch: %v", err)
	}
}

// TestBitOrder: Bit and SetBit work on a bare byte slice of any length (an
// issuer's store keeps lists shorter than MinBits in tests), in the order
// of §4.1: bit 0 is the most significant bit of byte 0.
func TestBitOrder(t *testing.T) {
	t.Parallel()
	bits := make([]byte, 2)
	SetBit(bits, 0, true)
	SetBit(bits, 9, true)
	SetBit(bits, 15, true)
	if bits[0] != 0x80 || bits[1] != 0x41 {
		t.Fatalf("bits = %08b %08b, want 10000000 01000001", bits[0], bits[1])
	}
	if !Bit(bits, 0) || Bit(bits, 1) || !Bit(bits, 9) || !Bit(bits, 15) {
		t.Fatal("Bit disagrees with SetBit")
	}
	SetBit(bits, 9, false)
	if bits[1] != 0x01 {
		t.Fatalf("clear: %08b", bits[1])
	}
}

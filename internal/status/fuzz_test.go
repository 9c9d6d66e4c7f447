package status

import (
	"bytes"
	"encoding/json"
	"errors"
	"runtime"
	"testing"
)

// FuzzBitstringRoundTrip: Decode(Encode(b)) == b for arbitrary bit patterns
// of valid length (MinBits plus up to 64 KiB), and GetValue agrees with Get.
func FuzzBitstringRoundTrip(f *testing.F) {
	f.Add([]byte{0x80}, uint16(0), uint32(0))
	f.Add([]byte{0xff, 0x00, 0xa5}, uint16(1000), uint32(131071))
	f.Add(bytes.Repeat([]byte{0x5a}, 300), uint16(65535), uint32(12345))
	f.Fuzz(func(t *testing.T, pattern []byte, extra uint16, offset uint32) {
		b, err := New(MinBits + int(extra)*8)
		if err != nil {
			t.Fatal(err)
		}
		n := len(b.b)
		if len(pattern) > 0 {
			start := int(offset) % n
			for i, p := range pattern {
				b.b[(start+i)%n] = p
			}
		}
		enc, err := b.Encode()
		if err != nil {
			t.Fatal(err)
		}
		d, err := Decode(enc, DecodeOptions{MaxBytes: 1 << 20})
		if err != nil {
			t.Fatalf("decode own encoding: %v", err)
		}
		if !bytes.Equal(d.b, b.b) {
			t.Fatal("round trip changed the bitstring")
		}
		i := int(offset) % b.Len()
		bit, _ := d.Get(i)
		v, err := d.GetValue(i, 1)
		if err != nil || (v == 1) != bit {
			t.Fatalf("GetValue(%d,1) = %d, %v; Get = %v", i, v, err, bit)
		}
	})
}

// FuzzDecode: arbitrary encodedList strings never panic, fail only with the
// package's sentinels, never return more than MaxBytes, and never allocate
// much beyond the cap.
func FuzzDecode(f *testing.F) {
	f.Add(specEncodedList)
	f.Add(sl2021EncodedList)
	f.Add("uH4sIAAAAAAAA_-3BMQEAAAzDoMy_6cnoA9QFAAAAAAAAAAAAAAAAAAAAbD3uPa2cAEAAAA")
	f.Add("u")
	f.Add("")
	f.Add("H4sI")
	f.Add("uH4sIAAAAAAAA_2NgGAWjYBSMgmEJAAAA__8")
	const limit = 1 << 20
	f.Fuzz(func(t *testing.T, s string) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		b, err := Decode(s, DecodeOptions{MaxBytes: limit, MinBytes: 1})
		runtime.ReadMemStats(&after)
		if err != nil {
			if !errors.Is(err, ErrMalformedList) && !errors.Is(err, ErrNotGzip) &&
				!errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrTooShort) {
				t.Fatalf("unexpected error class: %v", err)
			}
		} else if len(b.b) == 0 || len(b.b) > limit {
			t.Fatalf("decoded %d bytes with cap %d", len(b.b), limit)
		}
		// Output ≤ cap, input copy ≤ len(s), plus gzip/flate state.
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(limit+2*len(s)+1<<20) {
			t.Fatalf("allocated %d bytes for a %d-byte input (cap %d)", alloc, len(s), limit)
		}
	})
}

// FuzzParseEntries: arbitrary JSON never panics; accepted entries satisfy
// the invariants Status relies on.
func FuzzParseEntries(f *testing.F) {
	f.Add([]byte(`{"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"94567","statusListCredential":"https://example.com/s/3"}`))
	f.Add([]byte(`[{"type":"1EdTechRevocationList","id":"https://example.com/r"},{"type":"X"}]`))
	f.Add([]byte(`{"type":"StatusList2021Entry","statusPurpose":"message","statusListIndex":"1","statusSize":2,"statusListCredential":"https://e.com/s","statusMessage":[{"status":"0x0","message":"a"},{"status":"0x1","message":"b"},{"status":"0x2","message":"c"},{"status":"0x3","message":"d"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		for _, numeric := range []bool{false, true} {
			es, err := ParseEntriesWith(v, ParseOptions{AllowNumericIndex: numeric})
			if err != nil {
				if !errors.Is(err, ErrMalformedEntry) && !errors.Is(err, ErrIndex) {
					t.Fatalf("unexpected error class: %v", err)
				}
				continue
			}
			for _, e := range es {
				if e.Type == "" {
					t.Fatal("entry without type accepted")
				}
				if e.isList() && (e.Index < 0 || e.Index > MaxIndex || e.Size < 1 || e.Size > MaxStatusSize ||
					(e.Size > 1 && len(e.Messages) != 1<<e.Size) || e.Purpose == "" || e.ListCredential == "") {
					t.Fatalf("invalid list entry accepted: %+v", e)
				}
			}
		}
	})
}

package status

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	"github.com/blason-badges/blason/internal/limits"
)

const (
	// MinBits is the smallest bitstring New accepts and the default minimum
	// Decode enforces: 131,072 bits = 16 KiB. Bitstring Status List §2.2:
	// "The uncompressed bitstring MUST be at least 16KB in size", and §3.2
	// step 2: "Let minimumNumberOfEntries be 131,072 unless a different
	// lower bound is established by a specific ecosystem specification".
	// StatusList2021 has the same 16KB rule. The minimum gives herd privacy:
	// a list of at least 131,072 entries hides which credential a verifier
	// is checking and how many credentials the issuer has issued.
	MinBits = 131072
	// MinBytes is MinBits in bytes.
	MinBytes = MinBits / 8
	// DefaultMaxBytes is the default cap on the decompressed size of an
	// encodedList (16 MiB = 134,217,728 entries of one bit).
	DefaultMaxBytes = limits.StatusListDecompressedBytes
	// MaxStatusSize is the largest statusSize this package handles. The
	// specification only says statusSize "MUST be an integer greater than
	// zero"; since statusMessage must then list 2^statusSize values, 8 bits
	// (256 messages) is an implementation limit, not a spec rule.
	MaxStatusSize = 8
)

// Bitstring is an uncompressed status list. Bit 0 is the most significant
// bit of the first byte (§2.2: "the first index, with a value of zero (0),
// is located at the left-most bit in the bitstring"). The zero value is an
// empty bitstring; a Bitstring is not safe for concurrent mutation.
type Bitstring struct {
	b []byte
}

// New returns a zeroed bitstring of nbits bits, rounded up to whole bytes.
// nbits must be at least MinBits (ErrTooShort) and at most
// DefaultMaxBytes*8 (ErrTooLarge): a list this package publishes must be
// one that it, and other verifiers with the same cap, will read back.
func New(nbits int) (*Bitstring, error) {
	if nbits < MinBits {
		return nil, fmt.Errorf("new bitstring of %d bits (minimum %d): %w", nbits, MinBits, ErrTooShort)
	}
	if nbits > DefaultMaxBytes*8 {
		return nil, fmt.Errorf("new bitstring of %d bits (maximum %d): %w", nbits, DefaultMaxBytes*8, ErrTooLarge)
	}
	return &Bitstring{b: make([]byte, (nbits+7)/8)}, nil
}

// FromBytes returns a bitstring holding a copy of b, an uncompressed list
// as stored by an issuer. It must hold at least MinBits bits (ErrTooShort)
// and nbits, when positive, must equal len(b)*8 (ErrMalformedList).
func FromBytes(b []byte, nbits int) (*Bitstring, error) {
	if nbits > 0 && nbits != len(b)*8 {
		return nil, fmt.Errorf("bitstring of %d bytes for %d bits: %w", len(b), nbits, ErrMalformedList)
	}
	if len(b)*8 < MinBits {
		return nil, fmt.Errorf("bitstring of %d bits (minimum %d): %w", len(b)*8, MinBits, ErrTooShort)
	}
	if len(b) > DefaultMaxBytes {
		return nil, fmt.Errorf("bitstring of %d bytes (maximum %d): %w", len(b), DefaultMaxBytes, ErrTooLarge)
	}
	return &Bitstring{b: bytes.Clone(b)}, nil
}

// Len returns the number of bits (always a multiple of 8).
func (s *Bitstring) Len() int { return len(s.b) * 8 }

// Bytes returns a copy of the uncompressed bitstring.
func (s *Bitstring) Bytes() []byte { return bytes.Clone(s.b) }

// Get reports whether bit i is set; ErrIndexRange if i is outside [0, Len).
func (s *Bitstring) Get(i int) (bool, error) {
	if i < 0 || i >= s.Len() {
		return false, fmt.Errorf("bit %d of %d: %w", i, s.Len(), ErrIndexRange)
	}
	return Bit(s.b, i), nil
}

// Set sets or clears bit i; ErrIndexRange if i is outside [0, Len).
func (s *Bitstring) Set(i int, v bool) error {
	if i < 0 || i >= s.Len() {
		return fmt.Errorf("bit %d of %d: %w", i, s.Len(), ErrIndexRange)
	}
	SetBit(s.b, i, v)
	return nil
}

// Bit reports bit i of the uncompressed bitstring b: bit 0 is the most
// significant bit of byte 0 ("the first index... is the left-most bit",
// Bitstring Status List §4.1). i must be in [0, len(b)*8); an issuer's
// store uses it on lists of any size, Get on lists it reads.
func Bit(b []byte, i int) bool { return b[i>>3]&(0x80>>(i&7)) != 0 }

// SetBit sets (v) or clears bit i of b in place, in Bit's order.
func SetBit(b []byte, i int, v bool) {
	if v {
		b[i>>3] |= 0x80 >> (i & 7)
	} else {
		b[i>>3] &^= 0x80 >> (i & 7)
	}
}

// Entries returns how many entries of statusSize bits the bitstring holds
// (0 if statusSize is not in 1..MaxStatusSize).
func (s *Bitstring) Entries(statusSize int) int {
	if statusSize < 1 || statusSize > MaxStatusSize {
		return 0
	}
	return s.Len() / statusSize
}

// span checks entry index of statusSize bits and returns its first bit.
func (s *Bitstring) span(index, statusSize int) (int, error) {
	if statusSize < 1 || statusSize > MaxStatusSize {
		return 0, fmt.Errorf("statusSize %d (allowed 1..%d): %w", statusSize, MaxStatusSize, ErrMalformedEntry)
	}
	// §3.2 step 10: "If the credentialIndex multiplied by the size is a
	// value outside of the range of the bitstring, a RANGE_ERROR MUST be
	// raised." The whole entry must fit, not only its first bit.
	if index < 0 || index >= s.Entries(statusSize) {
		return 0, fmt.Errorf("entry %d of %d (statusSize %d): %w", index, s.Entries(statusSize), statusSize, ErrIndexRange)
	}
	return index * statusSize, nil
}

// GetValue returns entry index of a list whose entries are statusSize bits
// wide: bits [index*statusSize, (index+1)*statusSize), most significant
// bit first (§3.2 step 10: "the position indicated by the credentialIndex
// multiplied by the size").
func (s *Bitstring) GetValue(index, statusSize int) (uint64, error) {
	first, err := s.span(index, statusSize)
	if err != nil {
		return 0, err
	}
	var v uint64
	for i := first; i < first+statusSize; i++ {
		v = v<<1 | uint64(s.b[i>>3]>>(7-i&7)&1)
	}
	return v, nil
}

// SetValue stores v in entry index (see GetValue). v must fit in statusSize
// bits (ErrMalformedEntry otherwise).
func (s *Bitstring) SetValue(index, statusSize int, v uint64) error {
	first, err := s.span(index, statusSize)
	if err != nil {
		return err
	}
	if v>>statusSize != 0 {
		return fmt.Errorf("value %#x does not fit in %d bits: %w", v, statusSize, ErrMalformedEntry)
	}
	for k := range statusSize {
		i := first + k
		mask := byte(0x80) >> (i & 7)
		if v>>(statusSize-1-k)&1 != 0 {
			s.b[i>>3] |= mask
		} else {
			s.b[i>>3] &^= mask
		}
	}
	return nil
}

// Encode returns the encodedList value: multibase "u" followed by
// base64url without padding of the GZIP-compressed bitstring (§2.2: "MUST
// be a Multibase-encoded base64url (with no padding) [RFC4648]
// representation of the GZIP-compressed [RFC1952] bitstring"). The GZIP
// header carries no name and no modification time, so the output is
// deterministic for a given bitstring.
func (s *Bitstring) Encode() (string, error) {
	if s.Len() < MinBits {
		return "", fmt.Errorf("encode %d bits (minimum %d): %w", s.Len(), MinBits, ErrTooShort)
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if err != nil {
		return "", fmt.Errorf("encode: %w", err)
	}
	if _, err := zw.Write(s.b); err != nil {
		return "", fmt.Errorf("encode: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("encode: %w", err)
	}
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}

// DecodeOptions limits Decode. The zero value applies the specification's
// minimum and a 16 MiB cap.
type DecodeOptions struct {
	// MaxBytes caps the decompressed bitstring, in bytes. Zero means
	// DefaultMaxBytes (16 MiB). Decompression stops, with ErrTooLarge, as
	// soon as more than MaxBytes bytes come out, so a GZIP bomb costs at
	// most about MaxBytes of memory and the time to inflate MaxBytes.
	// The compressed input is also refused when it is longer than MaxBytes
	// plus the worst-case GZIP overhead.
	MaxBytes int
	// MinBytes is the smallest accepted decompressed bitstring, in bytes.
	// Zero means MinBytes (16 KiB, the 16KB minimum of both Bitstring Status
	// List and StatusList2021). A positive value sets a different
	// ecosystem lower bound (§3.2 step 2); use 1 to accept any non-empty
	// list, e.g. in tests.
	MinBytes int
}

func (o DecodeOptions) maxBytes() int {
	if o.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return o.MaxBytes
}

func (o DecodeOptions) minBytes() int {
	if o.MinBytes <= 0 {
		return MinBytes
	}
	return o.MinBytes
}

// decodeBase64 undoes the text encoding of an encodedList.
//
// Bitstring Status List requires multibase base64url without padding, i.e.
// a leading "u" (§2.2); that form is decoded strictly. StatusList2021 says
// only "base-64 encoded [RFC4648]" and its own examples (and most
// deployments) use base64url without padding and without a multibase
// prefix, while others use standard base64 with padding; without the "u"
// prefix both alphabets are accepted, with or without padding, but not
// mixed. A GZIP stream always encodes to a string that starts with "H4sI",
// so an unprefixed value can never be mistaken for a multibase one.
func decodeBase64(s string) ([]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("empty encodedList: %w", ErrMalformedList)
	}
	if s[0] == 'u' {
		b, err := base64.RawURLEncoding.Strict().DecodeString(s[1:])
		if err != nil {
			return nil, fmt.Errorf("multibase base64url encodedList: %v: %w", err, ErrMalformedList)
		}
		return b, nil
	}
	body := strings.TrimRight(s, "=")
	url := strings.ContainsAny(body, "-_")
	std := strings.ContainsAny(body, "+/")
	if url && std {
		return nil, fmt.Errorf("encodedList mixes base64 and base64url alphabets: %w", ErrMalformedList)
	}
	if len(s)-len(body) > 2 || (len(s) != len(body) && len(s)%4 != 0) {
		return nil, fmt.Errorf("encodedList has bad base64 padding: %w", ErrMalformedList)
	}
	enc := base64.RawStdEncoding
	if url {
		enc = base64.RawURLEncoding
	}
	b, err := enc.DecodeString(body)
	if err != nil {
		return nil, fmt.Errorf("base64 encodedList (multibase prefix %q unsupported?): %v: %w", s[:1], err, ErrMalformedList)
	}
	return b, nil
}

// Decode expands an encodedList (§3.4 Bitstring Expansion Algorithm:
// "Multibase-decode ... and then expanding the output using the GZIP
// decompression algorithm") and checks its length (§2.2: "The uncompressed
// bitstring MUST be at least 16KB in size").
//
// Errors: ErrMalformedList (bad multibase/base64), ErrNotGzip, ErrTooLarge
// (more than opts.MaxBytes once inflated; memory stays bounded by the cap),
// ErrTooShort (fewer than opts.MinBytes).
func Decode(encodedList string, opts DecodeOptions) (*Bitstring, error) {
	maxBytes, minBytes := opts.maxBytes(), opts.minBytes()
	// Deflate never needs more than ~0.1% plus a few bytes over its input
	// (stored blocks); anything longer cannot be a list within the cap.
	maxCompressed := maxBytes + maxBytes/64 + 1024
	if len(encodedList)/4*3 > maxCompressed {
		return nil, fmt.Errorf("decode: encodedList of %d characters exceeds the %d-byte cap: %w", len(encodedList), maxBytes, ErrTooLarge)
	}
	raw, err := decodeBase64(encodedList)
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if len(raw) < 2 || raw[0] != 0x1f || raw[1] != 0x8b {
		return nil, fmt.Errorf("decode: missing GZIP magic bytes: %w", ErrNotGzip)
	}
	out, err := inflate(raw, maxBytes)
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if len(out) < minBytes {
		return nil, fmt.Errorf("decode: uncompressed bitstring is %d bytes (minimum %d): %w", len(out), minBytes, ErrTooShort)
	}
	return &Bitstring{b: out}, nil
}

// inflate decompresses a GZIP stream of at most limit bytes.
//
// The GZIP trailer's ISIZE (uncompressed size mod 2^32) is used as a hint:
// an honest single-member stream is inflated once into a buffer of exactly
// that size. When the hint is absent, above the limit or wrong, a first
// pass counts the output into io.Discard (constant memory, stopping at
// limit+1 bytes) and a second pass fills a buffer of the counted size. So a
// GZIP bomb never costs more than a few tens of KiB of heap, and an honest
// list costs its own size.
func inflate(raw []byte, limit int) ([]byte, error) {
	if len(raw) >= 18 {
		if hint := int64(binary.LittleEndian.Uint32(raw[len(raw)-4:])); hint > 0 && hint <= int64(limit) {
			out, ok, err := readExact(raw, int(hint))
			if err != nil || ok {
				return out, err
			}
		}
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%v: %w", err, ErrNotGzip)
	}
	n, err := io.Copy(io.Discard, io.LimitReader(zr, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("inflate: %v: %w", err, ErrNotGzip)
	}
	if n > int64(limit) {
		return nil, fmt.Errorf("uncompressed bitstring exceeds %d bytes: %w", limit, ErrTooLarge)
	}
	out, ok, err := readExact(raw, int(n))
	if err == nil && !ok {
		// Unreachable for a deterministic decoder; fail closed.
		err = fmt.Errorf("inflate: inconsistent output length: %w", ErrNotGzip)
	}
	return out, err
}

// readExact inflates raw into a buffer of n bytes. ok is false (with a nil
// error) when the stream is longer or shorter than n.
func readExact(raw []byte, n int) (out []byte, ok bool, err error) {
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, false, fmt.Errorf("%v: %w", err, ErrNotGzip)
	}
	out = make([]byte, n)
	if _, err := io.ReadFull(zr, out); err != nil {
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("inflate: %v: %w", err, ErrNotGzip)
	}
	// The stream must end here; reading to EOF also checks CRC-32 and
	// ISIZE in the trailer.
	var one [1]byte
	m, err := io.ReadFull(zr, one[:])
	switch {
	case m > 0:
		return nil, false, nil
	case err == io.EOF:
		return out, true, nil
	default:
		return nil, false, fmt.Errorf("inflate: %v: %w", err, ErrNotGzip)
	}
}

package dataintegrity

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// errCBOR: a proofValue whose CBOR is malformed or outside what ecdsa-sd-2023
// uses.
var errCBOR = errors.New("malformed CBOR")

// cborLimits bound a decoded ecdsa-sd-2023 proof value: it holds one
// signature per disclosed statement, so its size follows the credential's.
const (
	cborMaxDepth = 4
	cborMaxItems = 1 << 16
)

// decodeCBOR decodes the subset of CBOR (RFC 8949) that ecdsa-sd-2023 proof
// values use: unsigned integers, byte strings, text strings, arrays, maps
// and tags (tag 64, a byte array, wraps byte strings in older encoders).
// Values are uint64, []byte, string, []any, map[uint64]any. Indefinite
// lengths, negative integers, floats and simple values are refused, as is
// anything after the top-level value.
func decodeCBOR(b []byte) (any, error) {
	d := cborDecoder{b: b}
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if d.pos != len(b) {
		return nil, fmt.Errorf("%w: %d bytes after the value", errCBOR, len(b)-d.pos)
	}
	return v, nil
}

type cborDecoder struct {
	b     []byte
	pos   int
	items int
}

func (d *cborDecoder) head() (major byte, arg uint64, err error) {
	if d.pos >= len(d.b) {
		return 0, 0, fmt.Errorf("%w: truncated", errCBOR)
	}
	ib := d.b[d.pos]
	d.pos++
	major, info := ib>>5, ib&0x1f
	n := 0
	switch {
	case info < 24:
		return major, uint64(info), nil
	case info == 24:
		n = 1
	case info == 25:
		n = 2
	case info == 26:
		n = 4
	case info == 27:
		n = 8
	default:
		return 0, 0, fmt.Errorf("%w: indefinite or reserved length", errCBOR)
	}
	if len(d.b)-d.pos < n {
		return 0, 0, fmt.Errorf("%w: truncated", errCBOR)
	}
	var buf [8]byte
	copy(buf[8-n:], d.b[d.pos:d.pos+n])
	d.pos += n
	return major, binary.BigEndian.Uint64(buf[:]), nil
}

func (d *cborDecoder) value(depth int) (any, error) {
	if depth > cborMaxDepth {
		return nil, fmt.Errorf("%w: nested too deeply", errCBOR)
	}
	if d.items++; d.items > cborMaxItems {
		return nil, fmt.Errorf("%w: too many items", errCBOR)
	}
	major, arg, err := d.head()
	if err != nil {
		return nil, err
	}
	switch major {
	case 0:
		return arg, nil
	case 2, 3:
		if arg > uint64(len(d.b)-d.pos) {
			return nil, fmt.Errorf("%w: truncated string", errCBOR)
		}
		s := d.b[d.pos : d.pos+int(arg)]
		d.pos += int(arg)
		if major == 3 {
			return string(s), nil
		}
		return s, nil
	case 4:
		if arg > uint64(len(d.b)-d.pos) { // every item takes at least one byte
			return nil, fmt.Errorf("%w: truncated array", errCBOR)
		}
		out := make([]any, 0, arg)
		for i := uint64(0); i < arg; i++ {
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case 5:
		if arg > uint64(len(d.b)-d.pos)/2 {
			return nil, fmt.Errorf("%w: truncated map", errCBOR)
		}
		out := make(map[uint64]any, arg)
		for i := uint64(0); i < arg; i++ {
			k, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			ku, ok := k.(uint64)
			if !ok {
				return nil, fmt.Errorf("%w: map key is not an unsigned integer", errCBOR)
			}
			if _, dup := out[ku]; dup {
				return nil, fmt.Errorf("%w: duplicate map key %d", errCBOR, ku)
			}
			if out[ku], err = d.value(depth + 1); err != nil {
				return nil, err
			}
		}
		return out, nil
	case 6:
		if arg != 64 {
			return nil, fmt.Errorf("%w: tag %d", errCBOR, arg)
		}
		v, err := d.value(depth) // the tag does not nest
		if _, ok := v.([]byte); err == nil && !ok {
			return nil, fmt.Errorf("%w: tag 64 on a value that is not a byte string", errCBOR)
		}
		return v, err
	}
	return nil, fmt.Errorf("%w: major type %d", errCBOR, major)
}

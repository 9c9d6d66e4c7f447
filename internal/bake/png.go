package bake

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"unicode/utf8"
)

const (
	pngSignature = "\x89PNG\r\n\x1a\n"
	// keywordOB3 is the iTXt keyword of OB 3.0 §5.3.1 ("An iTXt chunk should
	// be inserted into the PNG with keyword openbadgecredential").
	keywordOB3 = "openbadgecredential"
	// keywordOB2 is the keyword OB 2.0 (iTXt) and OB 1.0 (tEXt) used.
	keywordOB2 = "openbadges"
)

// chunk is one PNG chunk: raw covers length, type, data and CRC.
type chunk struct {
	typ  string
	data []byte
	raw  []byte
}

// readPNG splits a PNG datastream into its chunks, up to and including
// IEND, checking every CRC (PNG §5.3), and returns the bytes after IEND.
func readPNG(b []byte) ([]chunk, []byte, error) {
	if len(b) < len(pngSignature) || string(b[:len(pngSignature)]) != pngSignature {
		return nil, nil, fmt.Errorf("%w: no PNG signature", ErrMalformed)
	}
	var chunks []chunk
	rest := b[len(pngSignature):]
	for {
		if len(chunks) == MaxPNGChunks {
			return nil, nil, fmt.Errorf("%w: more than %d PNG chunks", ErrTooLarge, MaxPNGChunks)
		}
		if len(rest) < 12 {
			return nil, nil, fmt.Errorf("%w: PNG truncated (no IEND chunk)", ErrMalformed)
		}
		n := binary.BigEndian.Uint32(rest)
		// PNG §5.3: "a 4-byte unsigned integer ... limited to 2^31-1 bytes".
		if n > 1<<31-1 || uint64(n) > uint64(len(rest)-12) {
			return nil, nil, fmt.Errorf("%w: PNG chunk %d is truncated", ErrMalformed, len(chunks))
		}
		raw := rest[:12+n]
		typ := raw[4:8]
		for _, c := range typ {
			if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
				return nil, nil, fmt.Errorf("%w: PNG chunk %d has an invalid type %q", ErrMalformed, len(chunks), typ)
			}
		}
		if crc32.ChecksumIEEE(raw[4:8+n]) != binary.BigEndian.Uint32(raw[8+n:]) {
			return nil, nil, fmt.Errorf("%w: PNG chunk %s has a bad CRC (the file is damaged)", ErrMalformed, typ)
		}
		if len(chunks) == 0 && string(typ) != "IHDR" {
			return nil, nil, fmt.Errorf("%w: PNG does not start with IHDR", ErrMalformed)
		}
		chunks = append(chunks, chunk{typ: string(typ), data: raw[8 : 8+n], raw: raw})
		rest = rest[12+n:]
		if string(typ) == "IEND" {
			return chunks, rest, nil
		}
	}
}

// keyword returns the keyword of a tEXt, zTXt or iTXt chunk (the bytes
// before the first NUL), or "" if it has none.
func keyword(c chunk) string {
	if i := bytes.IndexByte(c.data, 0); i > 0 {
		return string(c.data[:i])
	}
	return ""
}

func extractPNG(b []byte) (Extracted, error) {
	chunks, _, err := readPNG(b)
	if err != nil {
		return Extracted{}, err
	}
	var ob3, ob2 []chunk
	for _, c := range chunks {
		switch {
		case c.typ == "iTXt" && keyword(c) == keywordOB3:
			ob3 = append(ob3, c)
		case (c.typ == "iTXt" || c.typ == "tEXt") && keyword(c) == keywordOB2:
			ob2 = append(ob2, c)
		}
	}
	switch {
	case len(ob3) > 1:
		return Extracted{}, fmt.Errorf("%w: %d %q chunks", ErrMultiple, len(ob3), keywordOB3)
	case len(ob3) == 1:
		text, err := itxtText(ob3[0])
		if err != nil {
			return Extracted{}, err
		}
		if isSpace(text) {
			return Extracted{}, fmt.Errorf("%w (its %q chunk is empty)", ErrNoCredential, keywordOB3)
		}
		return Extracted{Credential: text, Format: PNG, Version: OB3}, nil
	case len(ob2) > 0:
		// OB 2.0 did not forbid repeats; take the first, as its baking
		// spec says.
		var text []byte
		if ob2[0].typ == "iTXt" {
			text, err = itxtText(ob2[0])
		} else {
			text, err = textText(ob2[0])
		}
		if err != nil {
			return Extracted{}, err
		}
		return Extracted{Credential: text, Format: PNG, Version: OB2}, nil
	}
	return Extracted{}, fmt.Errorf("%w (no %q chunk in this PNG)", ErrNoCredential, keywordOB3)
}

// itxtText returns the text of an iTXt chunk (PNG §11.3.4.5): keyword,
// NUL, compression flag, compression method, language tag, NUL,
// translated keyword, NUL, text. OB 3.0 says "Compression MUST NOT be
// used", but a compressed one is read (inflated within the bound): the
// signature, not the packing, decides whether the badge is genuine.
func itxtText(c chunk) ([]byte, error) {
	d := c.data
	i := bytes.IndexByte(d, 0)
	if i < 0 || len(d) < i+3 {
		return nil, fmt.Errorf("%w: iTXt chunk is truncated", ErrMalformed)
	}
	flag, method := d[i+1], d[i+2]
	d = d[i+3:]
	for _, field := range []string{"language tag", "translated keyword"} {
		j := bytes.IndexByte(d, 0)
		if j < 0 {
			return nil, fmt.Errorf("%w: iTXt chunk has no end to its %s", ErrMalformed, field)
		}
		d = d[j+1:]
	}
	var text []byte
	switch {
	case flag == 0:
		text = d
	case flag == 1 && method == 0:
		var err error
		if text, err = inflate(d); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: iTXt chunk has compression flag %d, method %d", ErrMalformed, flag, method)
	}
	if len(text) > MaxCredentialBytes {
		return nil, fmt.Errorf("%w: the baked credential is %d bytes, the limit is %d", ErrTooLarge, len(text), MaxCredentialBytes)
	}
	if !utf8.Valid(text) {
		return nil, fmt.Errorf("%w: the baked text is not UTF-8", ErrMalformed)
	}
	return bytes.Clone(text), nil
}

// inflate decompresses zlib data, refusing more than MaxCredentialBytes of
// output (a small chunk can inflate a thousandfold).
func inflate(d []byte) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(d))
	if err != nil {
		return nil, fmt.Errorf("%w: compressed iTXt: %v", ErrMalformed, err)
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, MaxCredentialBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: compressed iTXt: %v", ErrMalformed, err)
	}
	if len(out) > MaxCredentialBytes {
		return nil, fmt.Errorf("%w: compressed iTXt inflates to more than %d bytes", ErrTooLarge, MaxCredentialBytes)
	}
	// Read to the end so the checksum is verified.
	if _, err := zr.Read(make([]byte, 1)); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: compressed iTXt: %v", ErrMalformed, err)
	}
	return out, nil
}

// textText returns the text of a tEXt chunk (keyword, NUL, Latin-1 text),
// converted to UTF-8.
func textText(c chunk) ([]byte, error) {
	i := bytes.IndexByte(c.data, 0)
	text := c.data[i+1:]
	if len(text) > MaxCredentialBytes {
		return nil, fmt.Errorf("%w: the baked text is %d bytes, the limit is %d", ErrTooLarge, len(text), MaxCredentialBytes)
	}
	out := make([]byte, 0, len(text))
	for _, b := range text {
		out = utf8.AppendRune(out, rune(b))
	}
	return out, nil
}

// bakePNG copies every chunk but the old openbadgecredential iTXt chunks,
// byte for byte, and inserts the new chunk before IEND (where the 1EdTech
// validator's fixtures have it). Bytes after IEND are kept too.
func bakePNG(b, cred []byte) ([]byte, error) {
	chunks, trailer, err := readPNG(b)
	if err != nil {
		return nil, err
	}
	// keyword, NUL, compression flag 0 and method 0 ("Compression MUST NOT
	// be used"), empty language tag, NUL, empty translated keyword, NUL.
	data := make([]byte, 0, len(keywordOB3)+5+len(cred))
	data = append(data, keywordOB3...)
	data = append(data, 0, 0, 0, 0, 0)
	data = append(data, cred...)

	out := make([]byte, 0, len(b)+len(data)+12)
	out = append(out, pngSignature...)
	for _, c := range chunks {
		if c.typ == "iTXt" && keyword(c) == keywordOB3 {
			continue
		}
		if c.typ == "IEND" {
			out = appendChunk(out, "iTXt", data)
		}
		out = append(out, c.raw...)
	}
	return append(out, trailer...), nil
}

func appendChunk(out []byte, typ string, data []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
	start := len(out)
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
}

package vcjwt

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// refCheckAndDecode is what verifyJWS did before checkAndDecode: checkCompact
// over all three segments, then a strict decode of payload and signature.
func refCheckAndDecode(tok string, maxBytes int) (payload, sig []byte, err error) {
	seg, err := checkCompact(tok, maxBytes)
	if err != nil {
		return nil, nil, err
	}
	enc := base64.RawURLEncoding.Strict()
	if payload, err = enc.DecodeString(seg[1]); err != nil {
		return nil, nil, err
	}
	if sig, err = enc.DecodeString(seg[2]); err != nil {
		return nil, nil, err
	}
	return payload, sig, nil
}

// sameAsCheckCompact fails t unless checkAndDecode refuses tok exactly when
// the reference does, with the same message, and otherwise decodes the same
// signing input, payload and signature.
func sameAsCheckCompact(t *testing.T, tok string, maxBytes int) {
	t.Helper()
	wantPayload, wantSig, wantErr := refCheckAndDecode(tok, maxBytes)
	seg, p, err := checkAndDecode(tok, maxBytes)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("%q: checkAndDecode error %v, checkCompact %v", tok, err, wantErr)
	}
	if err != nil {
		if p.bufp != nil || p.payload != nil {
			t.Fatalf("%q: parts returned with error %v", tok, err)
		}
		if err.Error() != wantErr.Error() {
			t.Fatalf("%q: error %q, checkCompact %q", tok, err, wantErr)
		}
		return
	}
	defer p.release()
	if string(p.input) != seg[0]+"."+seg[1] || !bytes.Equal(p.payload, wantPayload) || !bytes.Equal(p.sig, wantSig) {
		t.Fatalf("%q: decoded %q %q %q", tok, p.input, p.payload, p.sig)
	}
}

// TestCheckAndDecodeMatchesCheckCompact: the payload and signature are no
// longer run through checkB64 before being decoded, yet every token is
// refused as before and with the same message: bad bytes anywhere, CR and
// LF (which the decoder alone would skip), padding, impossible lengths,
// non-canonical trailing bits, empty segments, and their combinations,
// where the first defect in the old order must still be the one named.
func TestCheckAndDecodeMatchesCheckCompact(t *testing.T) {
	t.Parallel()
	toks := append([]string{}, fuzzSeeds(t)...)
	good := toks[0]
	parts := strings.Split(good, ".")
	bad := []string{"", "=", "==", "+", "/", "\n", "\r", "\r\n", " ", "!", "\x00", "\xff", "é", "A", "AB", "ABC", "ABCDE", "AB==", "Ag", "AAB", "AAE"}
	for i := range parts {
		for _, b := range bad {
			for _, at := range []int{0, 1, len(parts[i]) / 2, len(parts[i]) - 1, len(parts[i])} {
				p := append([]string{}, parts...)
				p[i] = p[i][:at] + b + p[i][at:]
				toks = append(toks, strings.Join(p, "."))
				p[i] = b
				toks = append(toks, strings.Join(p, "."))
				// Defects in two segments at once: the earlier one is named.
				for j := i + 1; j < 3; j++ {
					q := append([]string{}, p...)
					q[j] = q[j][:len(q[j])/2] + "\n" + q[j][len(q[j])/2:]
					toks = append(toks, strings.Join(q, "."))
					q[j] = ""
					toks = append(toks, strings.Join(q, "."))
				}
			}
		}
	}
	toks = append(toks, "", ".", "..", "...", "a.b", "a.b.c.d", "e30.e30.AA", "e30.e30.AB", "e30.e30.A", "e30..AA", "e30.e30.")
	for _, tok := range toks {
		sameAsCheckCompact(t, tok, 0)
		sameAsCheckCompact(t, tok, len(good)-1)
	}
}

// TestSegmentCheckAgreesWithStrictDecode is the claim checkAndDecode rests
// on, over every string of up to three bytes from an alphabet of the
// interesting bytes: checkB64 accepts exactly what the strict decoder
// decodes without skipping a CR or LF.
func TestSegmentCheckAgreesWithStrictDecode(t *testing.T) {
	t.Parallel()
	alpha := []byte("AEQBgw_-9=+/\n\r .\x00\xff")
	var rec func(s []byte)
	rec = func(s []byte) {
		if len(s) > 0 {
			segmentAgrees(t, string(s))
		}
		if len(s) == 3 {
			return
		}
		for _, c := range alpha {
			rec(append(s, c))
		}
	}
	rec(nil)
}

func segmentAgrees(t *testing.T, s string) {
	t.Helper()
	_, decErr := base64.RawURLEncoding.Strict().DecodeString(s)
	byDecode := decErr == nil && !hasCRLF(s)
	byCheck := checkB64(s) == nil
	if byDecode != byCheck {
		t.Fatalf("%q: strict decode (and no CR/LF) %v, checkB64 %v", s, byDecode, byCheck)
	}
}

// FuzzSegmentCheck: the same claim on any string, and any token goes through
// checkAndDecode as it went through checkCompact.
func FuzzSegmentCheck(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Add("e30.e30\n.AA")
	f.Add("e30.e30.AB")
	f.Fuzz(func(t *testing.T, s string) {
		if s != "" {
			segmentAgrees(t, s)
		}
		sameAsCheckCompact(t, s, 0)
	})
}

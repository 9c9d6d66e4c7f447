package bake

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"strings"
	"testing"
	"time"
)

const (
	jsonCred = `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","OpenBadgeCredential"],"name":"Café ✓"}`
	jwsCred  = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6ZXhhbXBsZTphIn0.c2lnbmF0dXJl"
)

// creds exercise every escape the SVG form needs.
var creds = map[string]string{
	"json":        jsonCred,
	"jws":         jwsCred,
	"jws+newline": jwsCred + "\n", // not exactly a JWS: goes in CDATA, still exact
	"crlf":        "{\r\n  \"a\": 1\r\n}\r\n",
	"lone cr":     "{\r\"a\":\r1}",
	"cdata end":   `{"a":"]]>","b":"]]]]>>","c":"]"}`,
	"trailing ]":  `{"a":["x"]]`,
	"ends ]]":     `x]]`,
	"only ]]>":    `]]>`,
	"markup":      `{"a":"<svg></svg> &amp; <![CDATA[ x"}`,
	"astral":      "\U0001F3C5 medal",
}

func images(t testing.TB) map[string][]byte {
	m := map[string][]byte{"png": testPNG(t, 3, 2)}
	for name, s := range testSVGs {
		m["svg "+name] = []byte(s)
	}
	return m
}

func TestKind(t *testing.T) {
	t.Parallel()
	cases := []struct {
		data string
		want Format
	}{
		{string(testPNG(t, 1, 1)), PNG},
		{pngSignature, PNG}, // sniffing only; Extract checks the rest
		{testSVGs["prolog"], SVG},
		{testSVGs["prefixed"], SVG},
		{"  \n<svg>", SVG},
		{`<!DOCTYPE svg [<!ENTITY a "b">]><svg>&a;</svg>`, SVG}, // so that Extract says why it refuses it
		{"<svg\n>", SVG},
		{`<svgfoo/>`, Unknown},
		{`<!-- unterminated <svg>`, Unknown},
		{`<svg`, Unknown},
		{jsonCred, Unknown},
		{jwsCred, Unknown},
		{"", Unknown},
		{"\x89PNG", Unknown},
		{`<html><svg></svg></html>`, Unknown},
		{`<?xml version="1.0"?><rss/>`, Unknown},
		{`text <svg/>`, Unknown},
		{strings.Repeat("<!-- -->", sniffTokens+1) + "<svg/>", Unknown},
	}
	for _, c := range cases {
		if got := Kind([]byte(c.data)); got != c.want {
			t.Errorf("Kind(%.40q) = %v, want %v", c.data, got, c.want)
		}
	}
}

// TestRoundTrip: Extract(Bake(img, c)) == c byte for byte, the image stays
// an image of the same kind, and for a PNG the pixels are untouched.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for iname, img := range images(t) {
		for cname, c := range creds {
			out, err := Bake(img, []byte(c))
			if err != nil {
				t.Fatalf("%s/%s: Bake: %v", iname, cname, err)
			}
			got, err := Extract(out)
			if err != nil {
				t.Fatalf("%s/%s: Extract: %v\n%s", iname, cname, err, out)
			}
			if string(got.Credential) != c || got.Version != OB3 || got.Format != Kind(img) {
				t.Fatalf("%s/%s: got %q %v %v", iname, cname, got.Credential, got.Version, got.Format)
			}
			switch Kind(img) {
			case PNG:
				a, _ := png.Decode(bytes.NewReader(img))
				b, err := png.Decode(bytes.NewReader(out))
				if err != nil || a.Bounds() != b.Bounds() || a.At(2, 1) != b.At(2, 1) {
					t.Fatalf("%s/%s: baked PNG no longer decodes the same: %v", iname, cname, err)
				}
			case SVG:
				d := xml.NewDecoder(bytes.NewReader(out))
				for {
					if _, err := d.Token(); err != nil {
						if err.Error() != "EOF" {
							t.Fatalf("%s/%s: baked SVG is not XML: %v\n%s", iname, cname, err, out)
						}
						break
					}
				}
			}
		}
	}
}

// TestBakeSVGForm checks the exact form of §5.3.2: the namespace on <svg>,
// the element directly after the start tag, verify= for a JWS, CDATA for
// JSON; and that nothing else in the file changed.
func TestBakeSVGForm(t *testing.T) {
	t.Parallel()
	src := testSVGs["prolog"]
	out, err := Bake([]byte(src), []byte(jwsCred))
	if err != nil {
		t.Fatal(err)
	}
	decl := ` xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`
	el := `<openbadges:credential verify="` + jwsCred + `"></openbadges:credential>`
	want := strings.Replace(src, `height="10" >`, `height="10" `+decl+`>`+el, 1)
	if string(out) != want {
		t.Fatalf("baked JWS:\n%s\nwant\n%s", out, want)
	}
	out, err = Bake([]byte(testSVGs["minimal"]), []byte(`{"a":"]]>"}`))
	if err != nil {
		t.Fatal(err)
	}
	want = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"` + decl +
		`><openbadges:credential><![CDATA[{"a":"]]]]><![CDATA[>"}]]></openbadges:credential><circle r="4"/></svg>`
	if string(out) != want {
		t.Fatalf("baked JSON:\n%s\nwant\n%s", out, want)
	}
	out, err = Bake([]byte(testSVGs["self-closed"]), []byte(jwsCred))
	if err != nil {
		t.Fatal(err)
	}
	want = `<svg xmlns="http://www.w3.org/2000/svg"` + decl + `>` + el + `</svg>`
	if string(out) != want {
		t.Fatalf("baked self-closed:\n%s\nwant\n%s", out, want)
	}
	for in, want := range map[string]string{
		testSVGs["prefixed"]:                             `<s:svg xmlns:s="http://www.w3.org/2000/svg"` + decl + `>` + el + `<s:rect width="1" height="1"/></s:svg>`,
		`<s:svg xmlns:s="http://www.w3.org/2000/svg" />`: `<s:svg xmlns:s="http://www.w3.org/2000/svg" ` + decl + `>` + el + `</s:svg>`,
	} {
		if out, err := Bake([]byte(in), []byte(jwsCred)); err != nil || string(out) != want {
			t.Fatalf("prefixed root: %v\n%s\nwant\n%s", err, out, want)
		}
	}
}

// TestBakePNGForm: the new chunk is an uncompressed iTXt with empty
// language tag and translated keyword, just before IEND; every other byte
// is the input's.
func TestBakePNGForm(t *testing.T) {
	t.Parallel()
	src := testPNG(t, 2, 2)
	out, err := Bake(src, []byte(jsonCred))
	if err != nil {
		t.Fatal(err)
	}
	chunk := chunkBytes("iTXt", append([]byte("openbadgecredential\x00\x00\x00\x00\x00"), jsonCred...))
	want := append(append(append([]byte(nil), src[:len(src)-12]...), chunk...), src[len(src)-12:]...)
	if !bytes.Equal(out, want) {
		t.Fatalf("baked PNG differs from input + chunk before IEND")
	}
}

// TestRebake: baking twice leaves exactly one credential, the second;
// other chunks (tEXt, an OB 2.0 assertion, bytes after IEND) stay.
func TestRebake(t *testing.T) {
	t.Parallel()
	other := chunkBytes("tEXt", []byte("Software\x00blason test"))
	ob2 := chunkBytes("iTXt", itxt("openbadges", false, []byte(`{"old":true}`)))
	// An old OB 3.0 chunk in the middle, compressed, as a careless baker
	// might leave it.
	old := chunkBytes("iTXt", itxt("openbadgecredential", true, []byte(`{"first":1}`)))
	src := append(withChunks(t, testPNG(t, 2, 2), other, old, ob2), "trailing"...)
	imgs := images(t)
	imgs["png with extras"] = src
	for name, img := range imgs {
		once, err := Bake(img, []byte(jwsCred))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		twice, err := Bake(once, []byte(jsonCred))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n := ob3Count(t, twice); n != 1 {
			t.Fatalf("%s: %d credentials after baking twice", name, n)
		}
		got, err := Extract(twice)
		if err != nil || string(got.Credential) != jsonCred {
			t.Fatalf("%s: %q %v", name, got.Credential, err)
		}
		// Baking the same credential again changes nothing.
		again, _ := Bake(twice, []byte(jsonCred))
		if !bytes.Equal(again, twice) {
			t.Fatalf("%s: re-baking the same credential changed the file", name)
		}
	}
	out, _ := Bake(src, []byte(jsonCred))
	for _, keep := range [][]byte{other, ob2, []byte("trailing")} {
		if !bytes.Contains(out, keep) {
			t.Fatalf("lost %q", keep)
		}
	}
	if bytes.Contains(out, old) {
		t.Fatal("old credential chunk kept")
	}
}

func TestExtractPNG(t *testing.T) {
	t.Parallel()
	base := testPNG(t, 2, 2)
	bomb := bytes.Repeat([]byte("{"), MaxCredentialBytes+1)
	badCRC := withChunks(t, base, chunkBytes("iTXt", itxt(keywordOB3, false, []byte(jsonCred))))
	badCRC[len(badCRC)-13] ^= 1 // last byte of the iTXt CRC
	manyChunks := append([]byte(nil), base[:len(base)-12]...)
	for range MaxPNGChunks {
		manyChunks = append(manyChunks, chunkBytes("teSt", nil)...)
	}
	manyChunks = append(manyChunks, base[len(base)-12:]...)
	cases := []struct {
		name    string
		img     []byte
		want    string
		version Version
		err     error
	}{
		{"ob3", withChunks(t, base, chunkBytes("iTXt", itxt(keywordOB3, false, []byte(jsonCred)))), jsonCred, OB3, nil},
		{"ob3 compressed", withChunks(t, base, chunkBytes("iTXt", itxt(keywordOB3, true, []byte(jsonCred)))), jsonCred, OB3, nil},
		{"ob2 iTXt", withChunks(t, base, chunkBytes("iTXt", itxt("openbadges", false, []byte(jwsCred)))), jwsCred, OB2, nil},
		{"ob1 tEXt latin-1", withChunks(t, base, chunkBytes("tEXt", []byte("openbadges\x00caf\xe9"))), "café", OB2, nil},
		{"ob3 wins over ob2", withChunks(t, base,
			chunkBytes("tEXt", []byte("openbadges\x00https://old.example/a")),
			chunkBytes("iTXt", itxt(keywordOB3, false, []byte(jwsCred)))), jwsCred, OB3, nil},
		{"tEXt with ob3 keyword is not ob3", withChunks(t, base, chunkBytes("tEXt", []byte("openbadgecredential\x00x"))), "", 0, ErrNoCredential},
		{"none", base, "", 0, ErrNoCredential},
		{"blank", withChunks(t, base, chunkBytes("iTXt", itxt(keywordOB3, false, []byte(" \n")))), "", 0, ErrNoCredential},
		{"two", withChunks(t, base,
			chunkBytes("iTXt", itxt(keywordOB3, false, []byte(jsonCred))),
			chunkBytes("iTXt", itxt(keywordOB3, false, []byte(jwsCred)))), "", 0, ErrMultiple},
		{"bad crc", badCRC, "", 0, ErrMalformed},
		{"truncated", base[:len(base)-5], "", 0, ErrMalformed},
		{"no IEND", base[:len(base)-12], "", 0, ErrMalformed},
		{"huge length", append(base[:33:33], 0x7f, 0xff, 0xff, 0xff, 'I', 'D', 'A', 'T'), "", 0, ErrMalformed},
		{"bad type", withChunks(t, base, chunkBytes("i1Xt", nil)), "", 0, ErrMalformed},
		{"IHDR not first", append([]byte(pngSignature), base[33:]...), "", 0, ErrMalformed},
		{"too many chunks", manyChunks, "", 0, ErrTooLarge},
		{"decompression bomb", withChunks(t, base, chunkBytes("iTXt", itxt(keywordOB3, true, bomb))), "", 0, ErrTooLarge},
		{"too long", withChunks(t, base, chunkBytes("iTXt", itxt(keywordOB3, false, bomb))), "", 0, ErrTooLarge},
		{"bad method", withChunks(t, base, chunkBytes("iTXt", []byte("openbadgecredential\x00\x01\x07\x00\x00x"))), "", 0, ErrMalformed},
		{"bad zlib", withChunks(t, base, chunkBytes("iTXt", []byte("openbadgecredential\x00\x01\x00\x00\x00garbage"))), "", 0, ErrMalformed},
		{"no translated keyword end", withChunks(t, base, chunkBytes("iTXt", []byte("openbadgecredential\x00\x00\x00\x00x"))), "", 0, ErrMalformed},
		{"not utf-8", withChunks(t, base, chunkBytes("iTXt", itxt(keywordOB3, false, []byte{0xff, 0xfe}))), "", 0, ErrMalformed},
		{"image too large", append(append([]byte(nil), base...), make([]byte, MaxImageBytes)...), "", 0, ErrTooLarge},
		{"not an image", []byte(jsonCred), "", 0, ErrNotImage},
	}
	for _, c := range cases {
		got, err := Extract(c.img)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("%s: err %v, want %v", c.name, err, c.err)
			}
			continue
		}
		if err != nil || string(got.Credential) != c.want || got.Version != c.version || got.Format != PNG {
			t.Errorf("%s: %q %v %v %v", c.name, got.Credential, got.Version, got.Format, err)
		}
	}
}

func TestExtractSVG(t *testing.T) {
	t.Parallel()
	const ns = `xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">` +
		`<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
		`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>` +
		`<svg ` + ns + `><openbadges:credential>&lol3;</openbadges:credential></svg>`
	cases := []struct {
		name, svg, want string
		version         Version
		err             error
	}{
		{"cdata", `<svg ` + ns + `><openbadges:credential><![CDATA[` + jsonCred + `]]></openbadges:credential></svg>`, jsonCred, OB3, nil},
		{"verify", `<svg ` + ns + `><openbadges:credential verify="` + jwsCred + `"/></svg>`, jwsCred, OB3, nil},
		{"empty verify, body", `<svg ` + ns + `><openbadges:credential verify=""><![CDATA[{}]]></openbadges:credential></svg>`, `{}`, OB3, nil},
		{"escaped text", `<svg ` + ns + `><openbadges:credential>{"a":"&lt;&amp;"}</openbadges:credential></svg>`, `{"a":"<&"}`, OB3, nil},
		{"other prefix", `<svg xmlns:ob="https://purl.imsglobal.org/ob/v3p0"><g><ob:credential>{}</ob:credential></g></svg>`, `{}`, OB3, nil},
		{"undeclared prefix", `<svg><openbadges:credential>{}</openbadges:credential></svg>`, `{}`, OB3, nil},
		{"ob2 assertion", `<svg xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="` + jwsCred + `"></openbadges:assertion></svg>`, jwsCred, OB2, nil},
		{"ob3 wins", `<svg ` + ns + `><openbadges:credential>{}</openbadges:credential><ob2:assertion xmlns:ob2="http://openbadges.org">x</ob2:assertion></svg>`, `{}`, OB3, nil},
		{"wrong namespace", `<svg xmlns:openbadges="http://example.org/x"><openbadges:credential>{}</openbadges:credential></svg>`, "", 0, ErrNoCredential},
		{"none", testSVGs["prolog"], "", 0, ErrNoCredential},
		{"empty element", `<svg ` + ns + `><openbadges:credential>  </openbadges:credential></svg>`, "", 0, ErrNoCredential},
		{"two", `<svg ` + ns + `><openbadges:credential>{}</openbadges:credential><g><openbadges:credential>{}</openbadges:credential></g></svg>`, "", 0, ErrMultiple},
		{"billion laughs", laughs, "", 0, ErrUnsafeXML},
		{"internal subset", `<!DOCTYPE svg [<!ELEMENT svg ANY>]><svg/>`, "", 0, ErrUnsafeXML},
		{"external entity", `<!DOCTYPE svg SYSTEM "file:///etc/passwd"><svg>&xxe;</svg>`, "", 0, ErrMalformed},
		{"doctype after root", `<svg></svg><!DOCTYPE svg>`, "", 0, ErrUnsafeXML},
		{"undeclared entity", `<svg ` + ns + `><openbadges:credential>&x;</openbadges:credential></svg>`, "", 0, ErrMalformed},
		{"latin-1", `<?xml version="1.0" encoding="ISO-8859-1"?><svg/>`, "", 0, ErrMalformed},
		{"unclosed", `<svg ` + ns + `><openbadges:credential>{}</openbadges:credential>`, "", 0, ErrMalformed},
		{"mismatched", `<svg><g></svg>`, "", 0, ErrMalformed},
		{"second root", `<svg></svg><svg/>`, "", 0, ErrMalformed},
		{"text after root", `<svg></svg>junk`, "", 0, ErrMalformed},
		{"element inside credential", `<svg ` + ns + `><openbadges:credential><x/></openbadges:credential></svg>`, "", 0, ErrMalformed},
		{"too deep", `<svg>` + strings.Repeat("<g>", MaxXMLDepth) + strings.Repeat("</g>", MaxXMLDepth) + `</svg>`, "", 0, ErrTooLarge},
		{"too many tokens", `<svg>` + strings.Repeat("<g/>", MaxXMLTokens/2+1) + `</svg>`, "", 0, ErrTooLarge},
		{"svg too large", `<svg>` + strings.Repeat(" ", MaxSVGBytes) + `</svg>`, "", 0, ErrTooLarge},
		{"credential too long", `<svg ` + ns + `><openbadges:credential>` + strings.Repeat("a", MaxCredentialBytes+1) + `</openbadges:credential></svg>`, "", 0, ErrTooLarge},
	}
	for _, c := range cases {
		start := time.Now()
		got, err := Extract([]byte(c.svg))
		// The refusals and bounds keep every case fast; the clock is only
		// a backstop against a hang (generous: the machine may be loaded).
		if d := time.Since(start); d > 30*time.Second {
			t.Errorf("%s: took %v", c.name, d)
		}
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("%s: err %v, want %v", c.name, err, c.err)
			}
			continue
		}
		if err != nil || string(got.Credential) != c.want || got.Version != c.version || got.Format != SVG {
			t.Errorf("%s: %q %v %v %v", c.name, got.Credential, got.Version, got.Format, err)
		}
	}
}

func TestBakeRefuses(t *testing.T) {
	t.Parallel()
	img := testPNG(t, 1, 1)
	big := append([]byte(nil), img[:len(img)-12]...)
	big = append(big, chunkBytes("teXt", make([]byte, MaxImageBytes-len(img)-12))...)
	big = append(big, img[len(img)-12:]...)
	cases := []struct {
		name      string
		img, cred []byte
		err       error
	}{
		{"empty", img, nil, ErrBadCredential},
		{"blank", img, []byte(" \r\n"), ErrBadCredential},
		{"nul", img, []byte("{\x00}"), ErrBadCredential},
		{"control", []byte(testSVGs["minimal"]), []byte("{\x1b}"), ErrBadCredential},
		{"not utf-8", img, []byte{'{', 0xc3, '}'}, ErrBadCredential},
		{"U+FFFE", img, []byte("\uFFFE"), ErrBadCredential},
		{"too long", img, bytes.Repeat([]byte("a"), MaxCredentialBytes+1), ErrTooLarge},
		{"result too large", big, []byte(jsonCred), ErrTooLarge},
		{"not an image", []byte(jsonCred), []byte(jsonCred), ErrNotImage},
		{"svg too large", []byte(`<svg>` + strings.Repeat(" ", MaxSVGBytes) + `</svg>`), []byte(jsonCred), ErrTooLarge},
		{"baked svg too large", []byte(`<svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">` + strings.Repeat(" ", MaxSVGBytes-100) + `</svg>`), []byte(jsonCred), ErrTooLarge},
		{"damaged png", img[:len(img)-1], []byte(jsonCred), ErrMalformed},
		{"ob2 svg namespace", []byte(`<svg xmlns:openbadges="http://openbadges.org"/>`), []byte(jsonCred), ErrBadCredential},
		{"entities", []byte(`<!DOCTYPE svg [<!ENTITY a "b">]><svg/>`), []byte(jsonCred), ErrUnsafeXML},
	}
	for _, c := range cases {
		if _, err := Bake(c.img, c.cred); !errors.Is(err, c.err) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.err)
		}
	}
}

// TestExtractCredential: the input.Extractor form.
func TestExtractCredential(t *testing.T) {
	t.Parallel()
	baked, _ := Bake(testPNG(t, 1, 1), []byte(jwsCred))
	if c, ok, err := ExtractCredential(baked); string(c) != jwsCred || !ok || err != nil {
		t.Fatalf("baked: %q %v %v", c, ok, err)
	}
	if _, ok, err := ExtractCredential(testPNG(t, 1, 1)); !ok || !errors.Is(err, ErrNoCredential) {
		t.Fatalf("no badge: %v %v", ok, err)
	}
	if _, ok, err := ExtractCredential([]byte("\x89PNG\r\n\x1a\n garbage")); !ok || !errors.Is(err, ErrMalformed) {
		t.Fatalf("damaged: %v %v", ok, err)
	}
	if c, ok, err := ExtractCredential([]byte(jsonCred)); c != nil || ok || err != nil {
		t.Fatalf("JSON: %q %v %v", c, ok, err)
	}
}

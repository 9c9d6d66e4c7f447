package main

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/bake"
	"github.com/blason-badges/blason/internal/server/web"
	"github.com/blason-badges/blason/verifier"
)

// smallPNG is a 4x4 image from the standard encoder.
func smallPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for i := range 16 {
		img.Set(i%4, i/4, color.NRGBA{uint8(i * 16), 80, 160, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const smallSVG = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="#c33"/></svg>
`

// TestBakeExtractVerify: a badge issued with a fresh key (JSON and VC-JWT)
// baked into a PNG and an SVG extracts byte for byte and verifies from
// the image; a tampered badge baked the same way does not.
func TestBakeExtractVerify(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "issuer.key")
	if code, _, errs := runCLI(t, "", "key", "new", "--out", key); code != 0 {
		t.Fatalf("key new: %s", errs)
	}
	images := map[string][]byte{"png": smallPNG(t), "svg": []byte(smallSVG)}
	for name, img := range images {
		os.WriteFile(filepath.Join(dir, "plain."+name), img, 0o600)
	}
	for _, format := range []string{"json", "jwt"} {
		code, badge, errs := runCLI(t, "", "issue", "--format", format, "--key", key, "--achievement", "../../docs/examples/achievement.json",
			"--recipient-email", "learner@example.org")
		if code != 0 {
			t.Fatalf("issue %s: %s", format, errs)
		}
		credPath := filepath.Join(dir, "badge."+format)
		os.WriteFile(credPath, []byte(badge), 0o600)
		for name := range images {
			out := filepath.Join(dir, format+"-baked."+name)
			if code, _, errs := runCLI(t, "", "bake", "--credential", credPath, "--image", filepath.Join(dir, "plain."+name), "--out", out); code != 0 {
				t.Fatalf("bake %s into %s: %d %s", format, name, code, errs)
			}
			// extract prints what issue printed, byte for byte.
			code, got, errs := runCLI(t, "", "extract", out)
			if code != 0 || got != badge {
				t.Fatalf("extract %s from %s: %d %s\n%q\nwant\n%q", format, name, code, errs, got, badge)
			}
			code, report, errs := runCLI(t, "", "verify", "--recipient-email", "learner@example.org", out)
			if code != 0 || !strings.Contains(report, "VERIFIED") || strings.Contains(report, "NOT VERIFIED") {
				t.Fatalf("verify %s baked in %s: %d %s\n%s", format, name, code, errs, report)
			}
			// From standard input too.
			raw, _ := os.ReadFile(out)
			if code, _, errs := runCLI(t, string(raw), "verify", "-"); code != 0 {
				t.Fatalf("verify - (%s in %s): %d %s", format, name, code, errs)
			}
		}
	}
	// A tampered badge baked into an image is caught, like any other.
	badge, _ := os.ReadFile(filepath.Join(dir, "badge.json"))
	forged := filepath.Join(dir, "forged.json")
	os.WriteFile(forged, bytes.Replace(badge, []byte("Public engagement"), []byte("Nobel Prize"), 1), 0o600)
	out := filepath.Join(dir, "forged.png")
	if code, _, errs := runCLI(t, "", "bake", "--credential", forged, "--image", filepath.Join(dir, "plain.png"), "--out", out); code != 0 {
		t.Fatalf("bake forged: %s", errs)
	}
	if code, report, _ := runCLI(t, "", "verify", out); code != 1 || !strings.Contains(report, "signature does not match") {
		t.Fatalf("forged baked badge: %d\n%s", code, report)
	}
}

// TestBakeOverwrite: --out is never overwritten without --force; with it,
// the new badge replaces the old one (the image holds one badge).
func TestBakeOverwrite(t *testing.T) {
	dir := t.TempDir()
	img, out := filepath.Join(dir, "plain.png"), filepath.Join(dir, "baked.png")
	os.WriteFile(img, smallPNG(t), 0o600)
	first, second := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.jwt")
	os.WriteFile(first, []byte("\ufeff{\"name\": \"first\"}\r\n"), 0o600)
	os.WriteFile(second, []byte(" eyJhbGciOiJFZERTQSJ9.eyJhIjoxfQ.c2ln\n"), 0o600)
	if code, _, errs := runCLI(t, "", "bake", "--credential", first, "--image", img, "--out", out); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := runCLI(t, "", "bake", "--credential", second, "--image", img, "--out", out); code != 2 || !strings.Contains(errs, "refusing to overwrite") {
		t.Fatalf("overwrite without --force: %d %s", code, errs)
	}
	if _, got, _ := runCLI(t, "", "extract", out); got != "{\"name\": \"first\"}\n" {
		t.Fatalf("the refused bake changed the file: %q", got)
	}
	// Re-bake the baked file itself, in place.
	if code, _, errs := runCLI(t, "", "bake", "--force", "--credential", second, "--image", out, "--out", out); code != 0 {
		t.Fatalf("--force: %d %s", code, errs)
	}
	if _, got, _ := runCLI(t, "", "extract", out); got != "eyJhbGciOiJFZERTQSJ9.eyJhIjoxfQ.c2ln\n" {
		t.Fatalf("after --force: %q", got)
	}
	baked, _ := os.ReadFile(out)
	if n := bytes.Count(baked, []byte("openbadgecredential")); n != 1 {
		t.Fatalf("%d credential chunks", n)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".blason-bake-*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// TestBakeErrors: images without a badge, damaged images and bad
// arguments exit 2 with a message that says what is wrong, never "not
// verified".
func TestBakeErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o600)
		return p
	}
	plainPNG := write("plain.png", smallPNG(t))
	plainSVG := write("plain.svg", []byte(smallSVG))
	damaged := smallPNG(t)
	damaged[20] ^= 0xff // inside IHDR: its CRC no longer matches
	damagedPNG := write("damaged.png", damaged)
	laughs := write("laughs.svg", []byte(`<!DOCTYPE svg [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><svg>&b;</svg>`))
	cred := write("badge.json", []byte(`{"type":["VerifiableCredential"]}`))
	notCred := write("notes.txt", []byte("hello"))
	// An OB 2.0 baked PNG: iTXt "openbadges".
	p := smallPNG(t)
	data := []byte("openbadges\x00\x00\x00\x00\x00{\"type\":\"Assertion\"}")
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, "iTXt"...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	ob2 := write("ob2.png", append(append(append([]byte(nil), p[:len(p)-12]...), chunk...), p[len(p)-12:]...))

	// Text a terminal would obey: an escape sequence outside JSON, a bidi
	// override inside a JSON string.
	escapes := write("escapes.png", bakeRaw(t, "\x1b[2J VERIFIED"))
	bidi := write("bidi.png", bakeRaw(t, "{\"name\":\"\u202eevil\"}"))

	cases := []struct {
		args      []string
		code      int
		out, errs string
	}{
		{[]string{"verify", plainPNG}, 2, "", "this image holds no badge"},
		{[]string{"verify", plainSVG}, 2, "", "this image holds no badge"},
		{[]string{"extract", plainPNG}, 2, "", "this image holds no badge"},
		{[]string{"verify", damagedPNG}, 2, "", "could not read this image"},
		{[]string{"extract", damagedPNG}, 2, "", "bad CRC"},
		{[]string{"verify", laughs}, 2, "", "never expanded"},
		{[]string{"extract", ob2}, 0, "{\"type\":\"Assertion\"}\n", "Open Badges 2.0 badge (the older format)"},
		{[]string{"extract", escapes}, 2, "", "not a credential (it holds the control character U+001B)"},
		{[]string{"extract", bidi}, 0, "{\"name\":\"\\u202eevil\"}\n", ""},
		{[]string{"extract", cred}, 2, "", "not a PNG or SVG image"},
		{[]string{"extract"}, 2, "", "usage"},
		{[]string{"bake", "--credential", cred}, 2, "", "usage"},
		{[]string{"bake", "--credential", notCred, "--image", plainPNG, "--out", filepath.Join(dir, "x.png")}, 2, "", "neither credential JSON nor a VC-JWT"},
		{[]string{"bake", "--credential", plainPNG, "--image", plainPNG, "--out", filepath.Join(dir, "x.png")}, 2, "", "neither credential JSON nor a VC-JWT"},
		{[]string{"bake", "--credential", cred, "--image", cred, "--out", filepath.Join(dir, "x.png")}, 2, "", "not a PNG or SVG image"},
		{[]string{"bake", "--credential", cred, "--image", damagedPNG, "--out", filepath.Join(dir, "x.png")}, 2, "", "bad CRC"},
		{[]string{"bake", "--credential", cred, "--image", filepath.Join(dir, "missing.png"), "--out", filepath.Join(dir, "x.png")}, 2, "", "no such file"},
		{[]string{"bake", "--credential", cred, "--image", plainPNG, "--out", filepath.Join(dir, "no", "such", "dir.png")}, 2, "", "no such file"},
		{[]string{"bake", "--force", "--credential", cred, "--image", plainPNG, "--out", filepath.Join(dir, "no", "such", "dir.png")}, 2, "", "no such file"},
	}
	for _, c := range cases {
		code, out, errs := runCLI(t, "", c.args...)
		if code != c.code || out != c.out || !strings.Contains(errs, c.errs) {
			t.Errorf("%v: exit %d (want %d), stdout %q, stderr %q (want %q)", c.args, code, c.code, out, errs, c.errs)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.png")); err == nil {
		t.Error("a failed bake left its output file")
	}
}

// bakeRaw bakes text into a small PNG as a careless or hostile tool could:
// an iTXt chunk written by hand, without Bake's checks.
func bakeRaw(t *testing.T, text string) []byte { return bakeKeyword(t, "openbadgecredential", text) }

func bakeKeyword(t *testing.T, keyword, text string) []byte {
	t.Helper()
	p := smallPNG(t)
	data := append([]byte(keyword+"\x00\x00\x00\x00\x00"), text...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, "iTXt"...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	return append(append(append([]byte(nil), p[:len(p)-12]...), chunk...), p[len(p)-12:]...)
}

// TestVerifyLargeImage: a baked image may be larger than a credential
// file (up to bake.MaxImageBytes); anything else keeps the 1 MiB bound.
func TestVerifyLargeImage(t *testing.T) {
	dir := t.TempDir()
	p := smallPNG(t)
	padded := func(n int) []byte { // smallPNG with an n-byte private chunk
		chunk := binary.BigEndian.AppendUint32(nil, uint32(n))
		chunk = append(chunk, "teXt"...)
		chunk = append(chunk, make([]byte, n)...)
		chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
		return append(append(append([]byte(nil), p[:len(p)-12]...), chunk...), p[len(p)-12:]...)
	}
	img, cred, out := filepath.Join(dir, "img.png"), filepath.Join(dir, "c.json"), filepath.Join(dir, "baked.png")
	os.WriteFile(img, padded(3<<20), 0o600)
	os.WriteFile(cred, []byte(`{"a":1}`), 0o600)
	if code, _, errs := runCLI(t, "", "bake", "--credential", cred, "--image", img, "--out", out); code != 0 {
		t.Fatalf("bake: %s", errs)
	}
	big, _ := os.ReadFile(out)
	// Read and extracted (then not verified: {"a":1} is no badge).
	if code, report, errs := runCLI(t, string(big), "verify", "-"); code != 1 || !strings.Contains(report, "NOT VERIFIED") {
		t.Fatalf("3 MiB baked PNG: %d %s %s", code, report, errs)
	}
	if code, _, errs := runCLI(t, string(padded(17<<20)), "verify", "-"); code != 2 || !strings.Contains(errs, "standard input is larger than 16777216 bytes") {
		t.Fatalf("17 MiB PNG: %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, `{"a":"`+strings.Repeat("x", 1<<20)+`"}`, "verify", "-"); code != 2 || !strings.Contains(errs, "standard input is larger than 1048576 bytes") {
		t.Fatalf("1 MiB JSON: %d %s", code, errs)
	}
}

// TestVerifyPageBakedImage: the /verify page, wired as serve wires it,
// reads an uploaded baked PNG and SVG; an image without a badge is
// "could not read this", not "not genuine".
func TestVerifyPageBakedImage(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "issuer.key")
	runCLI(t, "", "key", "new", "--out", key)
	_, badge, errs := runCLI(t, "", "issue", "--key", key, "--achievement", "../../docs/examples/achievement.json", "--recipient-email", "learner@example.org")
	if badge == "" {
		t.Fatal(errs)
	}
	baked := map[string][]byte{}
	for name, img := range map[string][]byte{"png": smallPNG(t), "svg": []byte(smallSVG)} {
		b, err := bake.Bake(img, []byte(strings.TrimSpace(badge)))
		if err != nil {
			t.Fatal(err)
		}
		baked[name] = b
	}
	h := web.New(web.Config{Verifier: verifier.New(verifier.Options{}), Extract: extractBaked})
	for _, c := range []struct {
		name string
		file []byte
		want string
	}{
		{"baked png", baked["png"], "Genuine and valid"},
		{"baked svg", baked["svg"], "Genuine and valid"},
		{"plain png", smallPNG(t), "Could not read this"},
	} {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "badge."+c.name[len(c.name)-3:])
		fw.Write(c.file)
		mw.Close()
		r := httptest.NewRequest("POST", "/verify?lang=en", &body)
		r.Header.Set("Content-Type", mw.FormDataContentType())
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if !strings.Contains(w.Body.String(), c.want) {
			t.Errorf("%s: %d, page does not say %q", c.name, w.Code, c.want)
		}
	}
}

// TestVerifyBakedOB2: an Open Badges 2.0 baked PNG (keyword "openbadges")
// reaches the verifier, which names the older format.
func TestVerifyBakedOB2(t *testing.T) {
	const assertion = `{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"https://lab.example/assertions/1",` +
		`"recipient":{"type":"email","hashed":false,"identity":"a@example.org"},"badge":"https://lab.example/badges/1",` +
		`"verification":{"type":"hosted"},"issuedOn":"2024-01-01T00:00:00Z"}`
	path := filepath.Join(t.TempDir(), "ob2.png")
	os.WriteFile(path, bakeKeyword(t, "openbadges", assertion), 0o600)
	code, out, errs := runCLI(t, "", "verify", "--offline", path)
	if code != 1 || !strings.Contains(out, "Open Badges 2.0 (older format)") || !strings.Contains(errs, "holds an Open Badges 2.0 badge") {
		t.Fatalf("OB 2.0 baked PNG: %d\n%s\n%s", code, out, errs)
	}
}

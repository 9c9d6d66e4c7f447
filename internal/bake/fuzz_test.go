package bake

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// fuzzImages are the valid image seeds FuzzBake picks from: generated
// PNGs and SVGs, and the validator's fixtures (already baked).
func fuzzImages(t testing.TB) [][]byte {
	imgs := [][]byte{testPNG(t, 1, 1), testPNG(t, 5, 3)}
	names := make([]string, 0, len(testSVGs))
	for n := range testSVGs {
		names = append(names, n)
	}
	sort.Strings(names) // a stable index for the fuzzer's seed byte
	for _, n := range names {
		imgs = append(imgs, []byte(testSVGs[n]))
	}
	files, _ := filepath.Glob("testdata/*.png")
	svgs, _ := filepath.Glob("testdata/*.svg")
	for _, f := range append(files, svgs...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		imgs = append(imgs, b)
	}
	return imgs
}

// FuzzExtract: Extract never panics on any input; what it returns stays
// within the bounds and says what it is; and whatever it accepts, Bake
// accepts and round-trips.
func FuzzExtract(f *testing.F) {
	for _, img := range fuzzImages(f) {
		f.Add(img)
	}
	base := testPNG(f, 1, 1)
	f.Add(withChunks(f, base, chunkBytes("iTXt", itxt(keywordOB3, true, []byte(jsonCred)))))
	f.Add(withChunks(f, base, chunkBytes("tEXt", []byte("openbadges\x00x"))))
	f.Add([]byte(`<svg xmlns:openbadges="http://openbadges.org"><openbadges:assertion>{}</openbadges:assertion></svg>`))
	f.Add([]byte(`<!DOCTYPE svg [<!ENTITY a "b">]><svg>&a;</svg>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Extract(data)
		if err != nil {
			for _, sentinel := range []error{ErrNotImage, ErrNoCredential, ErrMalformed, ErrTooLarge, ErrMultiple, ErrUnsafeXML} {
				if errors.Is(err, sentinel) {
					return
				}
			}
			t.Fatalf("error wraps no sentinel: %v", err)
		}
		if len(got.Credential) == 0 || len(got.Credential) > MaxCredentialBytes || got.Format != Kind(data) ||
			(got.Version != OB3 && got.Version != OB2) || isSpace(got.Credential) {
			t.Fatalf("Extract returned %d bytes, format %v (Kind %v), version %v", len(got.Credential), got.Format, Kind(data), got.Version)
		}
		if got.Version == OB3 {
			// An extracted OB 3.0 credential bakes back into its own image.
			out, err := Bake(data, got.Credential)
			if errors.Is(err, ErrBadCredential) || errors.Is(err, ErrTooLarge) {
				return // e.g. a control character only a PNG could carry
			}
			if err != nil {
				t.Fatalf("Bake refused an image Extract read: %v", err)
			}
			again, err := Extract(out)
			if err != nil || !bytes.Equal(again.Credential, got.Credential) {
				t.Fatalf("re-baked: %v", err)
			}
		}
	})
}

// FuzzBake: for any credential text and any valid image seed,
// Extract(Bake(img, c)) == c byte for byte; baking a second credential
// leaves exactly one, the second.
func FuzzBake(f *testing.F) {
	imgs := fuzzImages(f)
	for i := range imgs {
		for _, c := range creds {
			f.Add(uint8(i), c, jsonCred)
		}
	}
	f.Fuzz(func(t *testing.T, seed uint8, c1, c2 string) {
		img := imgs[int(seed)%len(imgs)]
		out, err := Bake(img, []byte(c1))
		if checkCredential([]byte(c1)) != nil {
			if err == nil {
				t.Fatalf("Bake accepted a credential checkCredential refuses: %q", c1)
			}
			return
		}
		if err != nil {
			t.Fatalf("Bake(%q): %v", c1, err)
		}
		if Kind(out) != Kind(img) {
			t.Fatalf("Kind changed from %v to %v", Kind(img), Kind(out))
		}
		got, err := Extract(out)
		if err != nil || string(got.Credential) != c1 || got.Version != OB3 {
			t.Fatalf("Extract(Bake(%q)) = %q, %v", c1, got.Credential, err)
		}
		if checkCredential([]byte(c2)) != nil {
			return
		}
		twice, err := Bake(out, []byte(c2))
		if err != nil {
			t.Fatalf("second Bake(%q): %v", c2, err)
		}
		if n := ob3Count(t, twice); n != 1 {
			t.Fatalf("%d credentials after baking twice", n)
		}
		if got, err := Extract(twice); err != nil || string(got.Credential) != c2 {
			t.Fatalf("after baking twice: %q, %v", got.Credential, err)
		}
	})
}

// FuzzBakeImage: Bake on any input never panics, and when it succeeds the
// result is an image of the same kind from which the credential extracts
// exactly.
func FuzzBakeImage(f *testing.F) {
	for _, img := range fuzzImages(f) {
		f.Add(img)
	}
	f.Add([]byte(`<svg><openbadges:credential/><g><openbadges:credential>x</openbadges:credential></g></svg>`))
	f.Add([]byte(`<a:svg xmlns:a="http://www.w3.org/2000/svg"  xmlns:openbadges = 'https://purl.imsglobal.org/ob/v3p0'/>`))
	f.Fuzz(func(t *testing.T, img []byte) {
		for _, c := range []string{jsonCred, jwsCred, "{\r\n\"]]>\"}"} {
			out, err := Bake(img, []byte(c))
			if err != nil {
				continue
			}
			if Kind(out) != Kind(img) {
				t.Fatalf("Kind changed from %v to %v", Kind(img), Kind(out))
			}
			got, err := Extract(out)
			if err != nil || string(got.Credential) != c || got.Version != OB3 || ob3Count(t, out) != 1 {
				t.Fatalf("Extract(Bake(%q)) = %q, %v\n%q", c, got.Credential, err, out)
			}
		}
	})
}

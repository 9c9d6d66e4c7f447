package dataintegrity

import (
	"context"
	"errors"
	"strings"
	"testing"
)

const sdDir = "testdata/ecdsa-sd-2023/"

// TestECDSASDVectors verifies the W3C vc-di-ecdsa ecdsa-sd-2023 vectors (a
// base proof, as the holder receives it, and a proof derived from it, as a
// verifier does) and the 1EdTech validator's sd/ fixture (a derived proof
// on an Open Badge).
func TestECDSASDVectors(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"derivedRevealDocument.json", "addSignedSDBase.json", "1edtech-derivedcredential.json"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			doc := readJSON(t, sdDir+name)
			res, err := Verify(context.Background(), doc, VerifyOptions{Resolver: fragmentResolver{}})
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if res[0].Cryptosuite != SuiteECDSASD || res[0].Key == nil {
				t.Fatalf("result %+v", res[0])
			}
		})
	}
}

// TestECDSASDRejects: any change to a disclosed statement, to the proof
// options or to the proof value fails.
func TestECDSASDRejects(t *testing.T) {
	t.Parallel()
	edit := func(name string, f func(doc, subject, proof map[string]any)) map[string]any {
		doc := readJSON(t, sdDir+name)
		proof, ok := doc["proof"].(map[string]any)
		if !ok {
			proof = doc["proof"].([]any)[0].(map[string]any)
		}
		f(doc, doc["credentialSubject"].(map[string]any), proof)
		return doc
	}
	cases := []struct {
		name string
		doc  map[string]any
		want error
	}{
		{"derived: non-mandatory value changed", edit("derivedRevealDocument.json", func(_, s, _ map[string]any) {
			s["boards"].([]any)[1].(map[string]any)["brand"] = "Naish"
		}), ErrSignature},
		{"derived: mandatory value changed", edit("derivedRevealDocument.json", func(_, s, _ map[string]any) { s["sailNumber"] = "Mars101" }), ErrSignature},
		{"derived: statement added", edit("derivedRevealDocument.json", func(_, s, _ map[string]any) { s["extra"] = "x" }), ErrProofValue},
		{"derived: statement removed", edit("derivedRevealDocument.json", func(_, s, _ map[string]any) { delete(s["boards"].([]any)[1].(map[string]any), "year") }), ErrProofValue},
		{"derived: created changed", edit("derivedRevealDocument.json", func(_, _, p map[string]any) { p["created"] = "2023-08-15T23:36:39Z" }), ErrSignature},
		{"derived: not base64url", edit("derivedRevealDocument.json", func(_, _, p map[string]any) { p["proofValue"] = "z" + p["proofValue"].(string)[1:] }), ErrProofValue},
		{"derived: truncated", edit("derivedRevealDocument.json", func(_, _, p map[string]any) { p["proofValue"] = p["proofValue"].(string)[:200] }), ErrProofValue},
		{"base: hidden sail changed", edit("addSignedSDBase.json", func(_, s, _ map[string]any) {
			s["sails"].([]any)[0].(map[string]any)["sailName"] = "Kanaha"
		}), ErrSignature},
		{"base: mandatory issuer changed", edit("addSignedSDBase.json", func(d, _, _ map[string]any) { d["issuer"] = "https://vc.example/other" }), ErrSignature},
		{"1EdTech: achievement renamed", edit("1edtech-derivedcredential.json", func(_, s, _ map[string]any) {
			s["achievement"].(map[string]any)["name"] = "Leadership"
		}), ErrSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Verify(context.Background(), tc.doc, VerifyOptions{Resolver: fragmentResolver{}})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
}

func TestCBOR(t *testing.T) {
	t.Parallel()
	good := []byte{0x83, 0x01, 0x42, 0xaa, 0xbb, 0xa1, 0x00, 0xd8, 0x40, 0x41, 0xcc}
	v, err := decodeCBOR(good)
	if err != nil {
		t.Fatal(err)
	}
	arr := v.([]any)
	if arr[0] != uint64(1) || string(arr[1].([]byte)) != "\xaa\xbb" || string(arr[2].(map[uint64]any)[0].([]byte)) != "\xcc" {
		t.Fatalf("%#v", v)
	}
	for name, b := range map[string][]byte{
		"trailing":            append(append([]byte{}, good...), 0),
		"truncated":           good[:len(good)-1],
		"indefinite":          {0x9f, 0x01, 0xff},
		"negative":            {0x20},
		"float":               {0xf9, 0x3c, 0x00},
		"huge array":          {0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		"duplicate key":       {0xa2, 0x00, 0x01, 0x00, 0x02},
		"text key":            {0xa1, 0x61, 0x61, 0x01},
		"other tag":           {0xc1, 0x01},
		"tag 64 on a number":  {0xd8, 0x40, 0x01},
		"too deep":            {0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x01},
		"string past the end": {0x5a, 0x7f, 0xff, 0xff, 0xff},
	} {
		if _, err := decodeCBOR(b); !errors.Is(err, errCBOR) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestParsePointer(t *testing.T) {
	t.Parallel()
	got, err := parsePointer("/a~1b/c~0d/0")
	if err != nil || strings.Join(got, "|") != "a/b|c~d|0" {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := parsePointer("a"); err == nil {
		t.Fatal("a pointer must start with /")
	}
}

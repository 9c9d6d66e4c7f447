package bake

import (
	"os"
	"testing"
)

func BenchmarkExtract(b *testing.B) {
	for _, f := range []string{"simple-jwt.png", "simple-jwt.svg", "simple-json.svg"} {
		img, err := os.ReadFile("testdata/" + f)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(f, func(b *testing.B) {
			b.SetBytes(int64(len(img)))
			for b.Loop() {
				if _, err := Extract(img); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkBake(b *testing.B) {
	for _, f := range []string{"simple-jwt.png", "simple-json.svg"} {
		img, err := os.ReadFile("testdata/" + f)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(f, func(b *testing.B) {
			b.SetBytes(int64(len(img)))
			for b.Loop() {
				if _, err := Bake(img, []byte(jsonCred)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

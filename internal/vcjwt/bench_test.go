package vcjwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/benchratio"
)

// Verify of a typical OB 3.0 credential next to the bare signature check of
// the same key over the same signing input.

func benchToken(b *testing.B, k testKey) (string, []byte, []byte) {
	b.Helper()
	tok, err := Sign(credV2(k.did), k.signer, SignOptions{KeyID: k.vm})
	if err != nil {
		b.Fatal(err)
	}
	i := strings.LastIndexByte(tok, '.')
	sig, err := b64.DecodeString(tok[i+1:])
	if err != nil {
		b.Fatal(err)
	}
	return tok, []byte(tok[:i]), sig
}

func benchVerify(b *testing.B, k testKey) {
	tok, _, _ := benchToken(b, k)
	opts := verifyOpts()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Verify(bg, tok, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyEdDSA(b *testing.B) { ed, _, _ := keys(b); benchVerify(b, ed) }
func BenchmarkVerifyES256(b *testing.B) { _, p, _ := keys(b); benchVerify(b, p) }
func BenchmarkVerifyRS256(b *testing.B) { _, _, r := keys(b); benchVerify(b, r) }

func BenchmarkRawEd25519Verify(b *testing.B) {
	ed, _, _ := keys(b)
	_, in, sig := benchToken(b, ed)
	pub := ed.signer.Public().(ed25519.PublicKey)
	b.ReportAllocs()
	for b.Loop() {
		if !ed25519.Verify(pub, in, sig) {
			b.Fatal("bad")
		}
	}
}

func BenchmarkRawES256Verify(b *testing.B) {
	_, p, _ := keys(b)
	_, in, sig := benchToken(b, p)
	pub := p.signer.Public().(*ecdsa.PublicKey)
	b.ReportAllocs()
	for b.Loop() {
		d := sha256.Sum256(in)
		if !ecdsaVerifyRaw(pub, d[:], sig) {
			b.Fatal("bad")
		}
	}
}

func BenchmarkRawRS256Verify(b *testing.B) {
	_, _, r := keys(b)
	_, in, sig := benchToken(b, r)
	pub := r.signer.Public().(*rsa.PublicKey)
	b.ReportAllocs()
	for b.Loop() {
		d := sha256.Sum256(in)
		if rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig) != nil {
			b.Fatal("bad")
		}
	}
}

func BenchmarkSignEdDSA(b *testing.B) {
	ed, _, _ := keys(b)
	c := credV2(ed.did)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(c, ed.signer, SignOptions{KeyID: ed.vm}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyVsRaw is issue 14's VC-JWT goal in one run: Verify of a
// typical OB 3.0 credential against the bare signature check of the same key
// over the same signing input (the Raw benchmarks above), interleaved so both
// see the same load. x-floor is the ratio; the goal is at most 1.5 for each
// algorithm.
func BenchmarkVerifyVsRaw(b *testing.B) {
	ed, p, r := keys(b)
	for _, k := range []testKey{ed, p, r} {
		b.Run(string(k.alg), func(b *testing.B) {
			tok, in, sig := benchToken(b, k)
			opts := verifyOpts()
			var raw func() bool
			switch pub := k.signer.Public().(type) {
			case ed25519.PublicKey:
				raw = func() bool { return ed25519.Verify(pub, in, sig) }
			case *ecdsa.PublicKey:
				raw = func() bool { d := sha256.Sum256(in); return ecdsaVerifyRaw(pub, d[:], sig) }
			case *rsa.PublicKey:
				raw = func() bool { d := sha256.Sum256(in); return rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig) == nil }
			}
			b.ReportAllocs()
			benchratio.Run(b, func() {
				if _, err := Verify(bg, tok, opts); err != nil {
					b.Fatal(err)
				}
			}, func() {
				if !raw() {
					b.Fatal("raw check failed")
				}
			})
		})
	}
}

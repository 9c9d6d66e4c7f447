package sealed

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func TestSealOpenRoundTrip(t *testing.T) {
	t.Parallel()
	for _, pt := range [][]byte{nil, {}, []byte("x"), bytes.Repeat([]byte("secret"), 1000)} {
		s, err := Seal(testKey(1), pt, []byte("did:key:z6Mk"))
		if err != nil {
			t.Fatal(err)
		}
		if len(s) != len(pt)+Overhead || s[0] != version1 {
			t.Fatalf("sealed length %d / version %d", len(s), s[0])
		}
		got, err := Open(testKey(1), s, []byte("did:key:z6Mk"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, pt) {
			t.Fatalf("round trip: got %q", got)
		}
	}
}

func TestSealIsRandomised(t *testing.T) {
	t.Parallel()
	a, _ := Seal(testKey(1), []byte("k"), nil)
	b, _ := Seal(testKey(1), []byte("k"), nil)
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext are equal: nonce not random")
	}
}

func TestOpenRejects(t *testing.T) {
	t.Parallel()
	key, aad := testKey(7), []byte("issuer-1")
	s, err := Seal(key, []byte("the private key"), aad)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		c := bytes.Clone(s)
		c[i] ^= 0x01
		return c
	}
	cases := map[string]struct {
		key, sealed, aad []byte
	}{
		"wrong key":          {testKey(8), s, aad},
		"wrong aad":          {key, s, []byte("issuer-2")},
		"missing aad":        {key, s, nil},
		"tampered version":   {key, flip(0), aad},
		"tampered nonce":     {key, flip(1), aad},
		"tampered body":      {key, flip(Overhead - tagSize), aad},
		"tampered tag":       {key, flip(len(s) - 1), aad},
		"truncated":          {key, s[:len(s)-1], aad},
		"too short":          {key, s[:Overhead-1], aad},
		"empty":              {key, nil, aad},
		"appended":           {key, append(bytes.Clone(s), 0), aad},
		"other version byte": {key, append([]byte{2}, s[1:]...), aad},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			pt, err := Open(c.key, c.sealed, c.aad)
			if !errors.Is(err, ErrDecrypt) || pt != nil {
				t.Fatalf("Open = %q, %v; want nil, ErrDecrypt", pt, err)
			}
		})
	}
}

func TestBadMasterKeyLength(t *testing.T) {
	t.Parallel()
	if _, err := Seal(make([]byte, 16), []byte("x"), nil); !errors.Is(err, ErrMasterKey) {
		t.Fatalf("Seal with 16-byte key: %v", err)
	}
	if _, err := Open(make([]byte, 31), make([]byte, 64), nil); !errors.Is(err, ErrMasterKey) {
		t.Fatalf("Open with 31-byte key: %v", err)
	}
}

func TestLoadOrCreateMasterKey(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "master.key")
	k1, created, err := LoadOrCreateMasterKey(path)
	if err != nil || !created || len(k1) != KeySize {
		t.Fatalf("create: %d bytes, created=%v, err=%v", len(k1), created, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %04o, want 0600", st.Mode().Perm())
	}
	k2, created, err := LoadOrCreateMasterKey(path)
	if err != nil || created || !bytes.Equal(k1, k2) {
		t.Fatalf("reload: created=%v err=%v equal=%v", created, err, bytes.Equal(k1, k2))
	}
	// A sealed value survives the reload.
	s, _ := Seal(k1, []byte("x"), nil)
	if _, err := Open(k2, s, nil); err != nil {
		t.Fatal(err)
	}
}

func TestMasterKeyFileTooOpen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "master.key")
	if _, _, err := LoadOrCreateMasterKey(path); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o660, 0o644, 0o602} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, _, err := LoadOrCreateMasterKey(path)
		if !errors.Is(err, ErrMasterKey) || !strings.Contains(err.Error(), "too open") {
			t.Fatalf("mode %04o: err = %v, want ErrMasterKey 'too open'", mode, err)
		}
	}
}

func TestMasterKeyFileMalformed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, content := range map[string]string{
		"short":  base64.StdEncoding.EncodeToString(make([]byte, 16)),
		"notb64": "this is not base64!!",
		"empty":  "",
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, err := LoadOrCreateMasterKey(path); !errors.Is(err, ErrMasterKey) && content != "" {
			t.Fatalf("%s: err = %v, want ErrMasterKey", name, err)
		} else if err == nil {
			t.Fatalf("%s: accepted", name)
		}
		// Never overwritten.
		if b, _ := os.ReadFile(path); string(b) != content {
			t.Fatalf("%s: file was modified", name)
		}
	}
}

func TestMasterKeyDirectoryRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateMasterKey(dir); err == nil {
		t.Fatal("a directory was accepted as a master key")
	}
}

func TestMasterKeyFromEnv(t *testing.T) {
	t.Parallel()
	raw := bytes.Repeat([]byte{0xab}, KeySize)
	for _, v := range []string{
		base64.StdEncoding.EncodeToString(raw),
		base64.RawStdEncoding.EncodeToString(raw),
		" " + base64.StdEncoding.EncodeToString(raw) + "\n",
	} {
		k, err := MasterKeyFromEnv(v)
		if err != nil || !bytes.Equal(k, raw) {
			t.Fatalf("%q: %x, %v", v, k, err)
		}
	}
	for _, v := range []string{"", "   ", "not base64 !", base64.StdEncoding.EncodeToString(make([]byte, 31)),
		base64.StdEncoding.EncodeToString(make([]byte, 33)), strings.Repeat("00", 32)} {
		if _, err := MasterKeyFromEnv(v); !errors.Is(err, ErrMasterKey) {
			t.Fatalf("%q: err = %v, want ErrMasterKey", v, err)
		}
	}
}

// FuzzOpen: Open never panics, and never returns a plaintext for bytes that
// Seal did not produce under that key and additional data.
func FuzzOpen(f *testing.F) {
	key := testKey(3)
	aad := []byte("aad")
	// A fixed nonce: fuzz workers re-run this setup and must agree on good.
	good, err := seal(key, [nonceSize]byte{9}, []byte("hello"), aad)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, aad)
	f.Add(good[:Overhead], aad)
	f.Add([]byte{}, []byte{})
	f.Add([]byte{1, 2, 3}, aad)
	f.Add(append([]byte{2}, good[1:]...), aad)
	f.Fuzz(func(t *testing.T, sealed, ad []byte) {
		pt, err := Open(key, sealed, ad)
		if err != nil {
			if !errors.Is(err, ErrDecrypt) || pt != nil {
				t.Fatalf("Open failed with %v and plaintext %q", err, pt)
			}
			return
		}
		// Accepted: it must be exactly the one value we sealed.
		if !bytes.Equal(sealed, good) || !bytes.Equal(ad, aad) || string(pt) != "hello" {
			t.Fatalf("Open accepted bytes Seal did not produce: %x / %q -> %q", sealed, ad, pt)
		}
	})
}

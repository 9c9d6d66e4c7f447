package account

import (
	"errors"
	"strings"
	"testing"
)

var testArgon = Argon2Params{Memory: 64, Time: 1, Threads: 1}

func TestPasswordHashRoundTrip(t *testing.T) {
	t.Parallel()
	h, err := HashPassword("correct horse", testArgon)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q does not record its parameters", h)
	}
	h2, _ := HashPassword("correct horse", testArgon)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no fresh salt")
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{"correct horse", true}, {"correct hors", false}, {"Correct horse", false}, {"", false}} {
		ok, err := CheckPassword(h, tc.pw)
		if err != nil || ok != tc.want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", tc.pw, ok, err, tc.want)
		}
	}
	if NeedsRehash(h, testArgon) {
		t.Error("NeedsRehash with the same parameters")
	}
	if !NeedsRehash(h, DefaultArgon2) {
		t.Error("NeedsRehash false with stronger parameters")
	}
}

// A hash made with older parameters still verifies with them: the
// parameters come from the string, not from the current setting.
func TestPasswordOldParametersStillVerify(t *testing.T) {
	t.Parallel()
	old := Argon2Params{Memory: 32, Time: 2, Threads: 2}
	h, err := HashPassword("pw-of-2019!", old)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := CheckPassword(h, "pw-of-2019!"); !ok || err != nil {
		t.Fatalf("old hash: %v %v", ok, err)
	}
}

func TestPasswordHashRefusesHostileStrings(t *testing.T) {
	t.Parallel()
	good, _ := HashPassword("x", testArgon)
	parts := strings.Split(good, "$")
	for name, h := range map[string]string{
		"empty":          "",
		"bcrypt":         "$2a$10$abcdefghijklmnopqrstuuS7tXDUFwyPfIhbbEuyH.Lx3uGZ0nq7y",
		"argon2i":        strings.Replace(good, "argon2id", "argon2i", 1),
		"version 16":     strings.Replace(good, "v=19", "v=16", 1),
		"huge memory":    strings.Replace(good, "m=64", "m=4294967295", 1),
		"huge time":      strings.Replace(good, "t=1", "t=1000", 1),
		"zero threads":   strings.Replace(good, "p=1", "p=0", 1),
		"unknown param":  strings.Replace(good, "p=1", "p=1,x=2", 1),
		"bad salt":       strings.Join([]string{"", parts[1], parts[2], parts[3], "!!", parts[5]}, "$"),
		"short key":      strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], "AAAA"}, "$"),
		"extra sections": good + "$x",
	} {
		if ok, err := CheckPassword(h, "x"); ok || !errors.Is(err, ErrHashFormat) {
			t.Errorf("%s: CheckPassword = %v, %v; want ErrHashFormat", name, ok, err)
		}
	}
	if _, err := HashPassword("x", Argon2Params{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("zero parameters: %v", err)
	}
}

func TestNewPasswordRules(t *testing.T) {
	t.Parallel()
	for pw, ok := range map[string]bool{
		"":                             false,
		"1234567":                      false,
		"12345678":                     true,
		"éèàùçôîï":                     true, // 8 characters, 16 bytes
		strings.Repeat("a", 256):       true,
		strings.Repeat("a", 257):       false,
		strings.Repeat("é", 129):       false, // 258 bytes
		"correct horse battery staple": true,
	} {
		err := CheckNewPassword(pw)
		if (err == nil) != ok || (err != nil && !errors.Is(err, ErrWeakPassword)) {
			t.Errorf("CheckNewPassword(%d bytes) = %v, want ok=%v", len(pw), err, ok)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"  Ada@Example.ORG ": "ada@example.org",
		"a.b+c@d.fr":         "a.b+c@d.fr",
		"":                   "",
		"ada":                "",
		"@example.org":       "",
		"ada@localhost":      "",
		"ada@ex@ample.org":   "",
		"ada lovelace@x.org": "",
		"ada@x.org\n":        "ada@x.org",
		"ada@x.org\r\nBcc:":  "",
		"<ada@x.org>":        "",
		"ada@.org":           "",
	} {
		got, err := NormalizeEmail(in)
		if got != want || (want == "") != errors.Is(err, ErrBadEmail) {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

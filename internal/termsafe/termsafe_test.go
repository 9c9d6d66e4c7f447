package termsafe

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"Public engagement", "Public engagement"},
		{"Ünïcödé — 徽章 🎓", "Ünïcödé — 徽章 🎓"},
		{"\x1b[2J\x1b[H VERIFIED", `\x1b[2J\x1b[H VERIFIED`},
		{"a\tb\nc\rd\x00e\x7f", `a\x09b\x0ac\x0dd\x00e\x7f`},
		{"x\u009b31mred", `x\u009b31mred`},
		{"\u202eDEKOVER\u202c", `\u202eDEKOVER\u202c`},
		{"\u2066a\u2067b\u2068c\u2069\u200e\u200f\u061c", `\u2066a\u2067b\u2068c\u2069\u200e\u200f\u061c`},
		{"line\u2028sep\u2029", `line\u2028sep\u2029`},
		{"bad \xff byte", `bad \xff byte`},
		{"", ""},
	}
	for _, c := range cases {
		if got := String(c.in); got != c.want {
			t.Errorf("String(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestClip(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		max  int
		want string
	}{
		{"abcdef", 6, "abcdef"},
		{"abcdefg", 6, "abcde…"},
		{"徽章徽章徽章徽", 3, "徽章…"},
		// The escape counts: ESC becomes 4 runes.
		{"ab\x1bcd", 6, `ab\x1…`},
		{"abc", 1, "…"},
	}
	for _, c := range cases {
		got := Clip(c.in, c.max)
		if got != c.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
		if n := utf8.RuneCountInString(got); n > c.max {
			t.Errorf("Clip(%q, %d) has %d runes", c.in, c.max, n)
		}
	}
	long := strings.Repeat("a", 10000)
	if got := String(long); utf8.RuneCountInString(got) != 512 || !strings.HasSuffix(got, Ellipsis) {
		t.Errorf("String of 10000 runes: %d runes", utf8.RuneCountInString(got))
	}
}

// TestEscapeJSON: the bytes carry no raw control or bidi code point, and
// decode to exactly the original string.
func TestEscapeJSON(t *testing.T) {
	t.Parallel()
	orig := "\x1b[2J\x1b[H VERIFIED \u202eDEKOVER\u202c \u0085\u009b\x7f é 🎓 \u2028"
	raw, err := json.Marshal(map[string]string{"name": orig})
	if err != nil {
		t.Fatal(err)
	}
	esc := EscapeJSON(raw)
	for _, r := range string(esc) {
		if Unsafe(r) {
			t.Fatalf("raw %U in %s", r, esc)
		}
	}
	var back map[string]string
	if err := json.Unmarshal(esc, &back); err != nil || back["name"] != orig {
		t.Fatalf("round trip: %v %q", err, back["name"])
	}
	plain := []byte(`{"a":"plain é"}`)
	if got := EscapeJSON(plain); string(got) != string(plain) {
		t.Fatalf("changed safe JSON: %s", got)
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"", "abc", "\x1b[2J\x1b[H VERIFIED", "\u202eabc", "\xff\xfe", "\u009b", strings.Repeat("é\x1b", 400)} {
		f.Add(s, 512)
	}
	f.Add("abcdef", 3)
	f.Fuzz(func(t *testing.T, s string, max int) {
		max = max%1000 + 1
		if max < 1 {
			max = -max + 1
		}
		out := Clip(s, max)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8: %q", out)
		}
		for _, r := range out {
			// Spelled out again, not through Unsafe: C0, DEL, C1, bidi.
			if r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) ||
				r == 0x200e || r == 0x200f || r == 0x061c {
				t.Fatalf("Clip(%q) = %q keeps %U", s, out, r)
			}
		}
		if n := utf8.RuneCountInString(out); n > max {
			t.Fatalf("Clip(%q, %d) has %d runes", s, max, n)
		}
		if again := Clip(out, max); again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, out, again)
		}
		if isSafe(s, max) && out != s {
			t.Fatalf("changed a safe string: %q -> %q", s, out)
		}
	})
}

func BenchmarkString(b *testing.B) {
	for _, c := range []struct{ name, s string }{
		{"safe", "Public engagement — Science & Society Lab"},
		{"hostile", "\x1b[2J\x1b[H VERIFIED \u202eDEKOVER\u202c"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				String(c.s)
			}
		})
	}
}

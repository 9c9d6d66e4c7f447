package input

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

const cred = `{"@context": ["https://www.w3.org/ns/credentials/v2"], "name": "Café <b> & co"}`
const jws = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"

func TestRead(t *testing.T) {
	cases := []struct {
		name, in, want string
		kind           Kind
	}{
		{"plain JSON", cred, cred, JSON},
		{"byte order mark and CRLF", "\xef\xbb\xbf" + strings.ReplaceAll(cred, " ", "\r\n") + "\r\n", strings.ReplaceAll(cred, " ", "\r\n"), JSON},
		{"JWT", jws, jws, JWT},
		{"JWT with line breaks and indentation", "  eyJhbGciOiJFZERTQSJ9.\r\n  eyJzdWIiOiJ4In0.c2ln\nbmF0dXJl\n", jws, JWT},
		{"JSON in a saved page", `<html><body><pre style="x">{"@context": ["https://www.w3.org/ns/credentials/v2"], "name": "Café &lt;b&gt; &amp; co"}</pre></body></html>`, cred, HTML},
		{"JSON-LD script", `<!DOCTYPE html><html><head><script type="application/ld+json">` + cred + `</script></head></html>`, cred, HTML},
		{"JWT in a saved page", `<html><body><pre>` + jws + `</pre></body></html>`, jws, HTML},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, kind, err := Read([]byte(c.in), nil)
			if err != nil || string(got) != c.want || kind != c.kind {
				t.Fatalf("Read = %q, %s, %v; want %q, %s", got, kind, err, c.want, c.kind)
			}
		})
	}
	for _, bad := range []string{"", "   \r\n", "hello", "a.b", "a.b.c.d", "\x89PNG\r\n\x1a\n", "<html><body>nothing</body></html>", "[1,2]", ".a.b"} {
		if _, _, err := Read([]byte(bad), nil); !errors.Is(err, ErrUnreadable) {
			t.Errorf("Read(%q): %v, want ErrUnreadable", bad, err)
		}
	}
}

func TestReadImage(t *testing.T) {
	extract := func(data []byte) ([]byte, bool, error) {
		switch string(data) {
		case "PNG with badge":
			return []byte("\n" + jws + "\n"), true, nil
		case "PNG without badge":
			return nil, true, errors.New("no credential in this image")
		}
		return nil, false, nil
	}
	if got, kind, err := Read([]byte("PNG with badge"), extract); err != nil || string(got) != jws || kind != Image {
		t.Fatalf("baked: %q %s %v", got, kind, err)
	}
	if _, _, err := Read([]byte("PNG without badge"), extract); !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), "no credential") {
		t.Fatalf("empty image: %v", err)
	}
	if got, _, err := Read([]byte(cred), extract); err != nil || string(got) != cred {
		t.Fatalf("not an image: %q %v", got, err)
	}
}

// FuzzRead: Read never panics, and whatever it returns is non-empty and
// starts as JSON or is a compact JWS without whitespace.
func FuzzRead(f *testing.F) {
	for _, s := range []string{cred, jws, "<pre>" + cred + "</pre>", "\xef\xbb\xbf" + cred} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, kind, err := Read(data, nil)
		if err != nil {
			if !errors.Is(err, ErrUnreadable) {
				t.Fatalf("error %v is not ErrUnreadable", err)
			}
			return
		}
		if len(got) == 0 {
			t.Fatal("empty credential")
		}
		if kind == JWT && (strings.ContainsAny(string(got), " \r\n\t") || strings.Count(string(got), ".") != 2) {
			t.Fatalf("JWT %q", got)
		}
		if kind == JSON && got[0] != '{' {
			t.Fatalf("JSON %q", got)
		}
	})
}

// TestIsPresentation: presentations in every form go to the presentation
// verifier; credentials do not.
func TestIsPresentation(t *testing.T) {
	jwt := func(payload string) string {
		return "eyJhbGciOiJFZERTQSJ9." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".c2ln"
	}
	for _, c := range []struct {
		in   string
		want bool
	}{
		{`{"type": ["VerifiablePresentation"], "holder": "did:example:1"}`, true},
		{`{"type": "VerifiablePresentation"}`, true},
		{`{"type": ["VerifiableCredential"], "name": "not a VerifiablePresentation"}`, false},
		{cred, false},
		{jwt(`{"vp": {"type": ["VerifiablePresentation"]}}`), true},                        // VC 1.1 VP-JWT
		{jwt(`{"@context": [], "type": ["VerifiablePresentation"]}`), true},                // VC-JOSE-COSE
		{jwt(`{"vc": {"type": ["VerifiableCredential"]}, "iss": "did:example:1"}`), false}, // VC-JWT
		{"a.b.c", false},
		{"", false},
	} {
		if got := IsPresentation([]byte(c.in)); got != c.want {
			t.Errorf("IsPresentation(%.60q) = %v", c.in, got)
		}
	}
}

// TestCompactJWS: the one JWT sniffer. Three base64url segments, header
// and payload not empty (an unsecured JWT's empty signature is still a JWS
// to route to the verifier, which refuses it with its reason); white space
// around is trimmed by CompactJWS and refused by IsCompactJWS, and inside
// by both (Read alone forgives line breaks inside).
func TestCompactJWS(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		trimmed bool // CompactJWS
		exact   bool // IsCompactJWS
	}{
		{"eyJh.eyJi.c2ln", true, true},
		{"a-_0.B.", true, true},
		{"  eyJh.eyJi.c2ln\r\n", true, false},
		{"eyJh.eyJi", false, false},
		{"eyJh.eyJi.c2ln.ZXh0", false, false},
		{".eyJi.c2ln", false, false},
		{"eyJh..c2ln", false, false},
		{"eyJh.ey Ji.c2ln", false, false},
		{"eyJh.eyJi.c2ln=", false, false},
		{`{"a":"b.c.d"}`, false, false},
		{"", false, false},
		{"..", false, false},
	}
	for _, c := range cases {
		s, ok := CompactJWS([]byte(c.in))
		if ok != c.trimmed || ok && s != strings.TrimSpace(c.in) {
			t.Errorf("CompactJWS(%q) = %q, %v; want %v", c.in, s, ok, c.trimmed)
		}
		if got := IsCompactJWS([]byte(c.in)); got != c.exact {
			t.Errorf("IsCompactJWS(%q) = %v, want %v", c.in, got, c.exact)
		}
	}
}

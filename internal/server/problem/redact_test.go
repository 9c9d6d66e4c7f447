package problem

import (
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/fetch"
)

// redactByRegexp is redact without its prefilters (mayHoldAddress,
// mayHoldPath): what redact must always equal.
func redactByRegexp(s string) (string, bool) {
	changed := false
	out := ipLiteral.ReplaceAllStringFunc(s, func(m string) string {
		a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(m, "["), "]"))
		if err != nil || fetch.IsPublic(a) {
			return m
		}
		changed = true
		return internalAddress
	})
	out = filePath.ReplaceAllStringFunc(out, func(m string) string {
		i := strings.IndexByte(m, '/')
		changed = true
		return m[:i] + serverPath
	})
	return out, changed
}

var redactSeeds = []string{
	`get "https://status.example/l": dial tcp 10.1.2.3:443: connect: connection refused`,
	`dial tcp [fd00::1]:443: i/o timeout`, `dial tcp [::1]:8080: refused`, `fe80::1%eth0 and ::1 and 1::`,
	`read tcp 192.168.1.5:8080->172.16.0.9:4431: reset`, `open /var/lib/blason/blason.db: permission denied`,
	`the list is issued by did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK, not by did:web:lab.example`,
	`not revoked (revocation entry 5 of https://b.example/status/abc)`, `at 10:30:00 version 1.2.3`,
	`urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33`, `::ffff:10.0.0.1`, `a:b:c`, `(/tmp)`, `x=/private/etc`,
	`valid from 2026-01-01T00:00:00Z until 2027-06-30T23:59:59.5+02:00`, `fd00:0:0:0:0:0:0:1 and 2001:db8:1:2:3:4:5:6`,
	`dial tcp fd00:0:0:0:0:0:10.0.0.1`, `aa:bb:cc:dd:ee:ff`,
}

// TestAddressPrefilter: the address prefilter lets through what may be an
// address and, what makes it worth having, stops the times of day that
// every validity detail holds.
func TestAddressPrefilter(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		s    string
		want bool
	}{
		{"valid from 2026-01-01T00:00:00Z until 2027-06-30T23:59:59Z", false},
		{"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6Mk", false},
		{"urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33", false},
		{"aa:bb:cc:dd:ee:ff", false},
		{"::1", true},
		{"dial fe80::1%eth0", true},
		{"fd00:0:0:0:0:0:0:1", true},
		{"10.0.0.1", true},
		{"[fd00::1]:443", true},
	} {
		if got := mayHoldAddress(c.s); got != c.want {
			t.Errorf("mayHoldAddress(%q) = %v, want %v", c.s, got, c.want)
		}
	}
}

// TestRedactPrefilter: the prefilters only skip the regexps where they
// cannot match: redact equals the regexps alone on the seeds and on
// random strings over the characters that matter.
func TestRedactPrefilter(t *testing.T) {
	t.Parallel()
	check := func(s string) {
		got, gc := Redact(s)
		want, wc := redactByRegexp(s)
		if got != want || gc != wc {
			t.Fatalf("Redact(%q) = %q %v, the regexps say %q %v", s, got, gc, want, wc)
		}
	}
	for _, s := range redactSeeds {
		check(s)
	}
	r := rand.New(rand.NewPCG(14, 2026))
	pieces := []string{"0", "1", "9", "10", "127", "192.168", "a", "f", "F", "g", "z", ":", "::", ".", "[", "]", "%", "/", " ",
		"\"", "(", "=", "/tmp", "/var/x", "/home", "did:key:", "https:", "fd00", "ffff", "1.2.3.4", "10.0.0.1", "-", ">", "T00:00:00Z", "0:0:0:0:0:0:"}
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		for n := r.IntN(12); n >= 0; n-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		check(b.String())
	}
}

// FuzzRedactPrefilter: go test -run=^$ -fuzz=FuzzRedactPrefilter ./internal/server/
func FuzzRedactPrefilter(f *testing.F) {
	for _, s := range redactSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, gc := Redact(s)
		want, wc := redactByRegexp(s)
		if got != want || gc != wc {
			t.Fatalf("Redact(%q) = %q %v, the regexps say %q %v", s, got, gc, want, wc)
		}
	})
}

func TestRedact(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{`get "https://status.example/l": dial tcp 10.1.2.3:443: connect: connection refused`,
			`get "https://status.example/l": dial tcp [internal address]:443: connect: connection refused`},
		{`fetch: address is not public: "evil.example" resolves to 127.0.0.1, a loopback address`,
			`fetch: address is not public: "evil.example" resolves to [internal address], a loopback address`},
		{`dial tcp [fd00::1]:443: i/o timeout`, `dial tcp [internal address]:443: i/o timeout`},
		{`dial tcp [::1]:8080: refused`, `dial tcp [internal address]:8080: refused`},
		{`read tcp 192.168.1.5:8080->172.16.0.9:4431: reset`, `read tcp [internal address]:8080->[internal address]:4431: reset`},
		{`169.254.169.254 is a cloud metadata address`, `[internal address] is a cloud metadata address`},
		{`open /var/lib/blason/blason.db: permission denied`, `open [server path]: permission denied`},
		{`loading "/home/lab/contexts/x.jsonld" failed`, `loading "[server path]" failed`},
		// Left alone: public addresses, JSON pointers, URL paths, versions.
		{`dial tcp 93.184.216.34:443: refused`, `dial tcp 93.184.216.34:443: refused`},
		{`/credentialSubject/achievement/criteria: missing`, `/credentialSubject/achievement/criteria: missing`},
		{`get https://example.org/var/tmp/list: 404`, `get https://example.org/var/tmp/list: 404`},
		{`at 10:30:00 version 1.2.3`, `at 10:30:00 version 1.2.3`},
	} {
		got, changed := Redact(c.in)
		if got != c.want || changed != (c.in != c.want) {
			t.Errorf("redact(%q)\n = %q (%v)\nwant %q", c.in, got, changed, c.want)
		}
	}
}

// BenchmarkRedactValidity: Redact of a validity detail, which every
// verification report holds (times of day used to send it through the
// regexps).
// Run: go test -run=^$ -bench=RedactValidity -cpu 1 -benchmem ./internal/server/problem/
func BenchmarkRedactValidity(b *testing.B) {
	const detail = "valid from 2026-01-01T00:00:00Z (now 2026-11-30T07:48:46Z), no validUntil"
	b.ReportAllocs()
	for b.Loop() {
		if _, changed := Redact(detail); changed {
			b.Fatal("changed")
		}
	}
}

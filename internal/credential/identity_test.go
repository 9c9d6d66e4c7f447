package credential

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestIdentityHashVectors(t *testing.T) {
	tests := []struct{ alg, id, salt, want string }{
		// OB 3.0 App. B.1 IdentityHash example.
		{"sha256", "a@example.com", "Kosher", "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"},
		// Implementation Guide quickstart credential.
		{"sha256", "jjefferson18@example.com", "FleurDeSel", "sha256$658625b25ab3d75d613ca97d9a5a77f70e2192feca5557f4ad09a4d4f121f5fc"},
		{"md5", "", "", "md5$d41d8cd98f00b204e9800998ecf8427e"},
	}
	for _, tc := range tests {
		got, err := IdentityHash(tc.alg, tc.id, tc.salt)
		if err != nil || got != tc.want {
			t.Errorf("IdentityHash(%s, %q, %q) = %q, %v; want %q", tc.alg, tc.id, tc.salt, got, err, tc.want)
		}
	}
	for _, alg := range []string{"sha1", "SHA256", "sha512", ""} {
		if _, err := IdentityHash(alg, "a", "b"); !errors.Is(err, ErrIdentityHash) {
			t.Errorf("alg %q: %v", alg, err)
		}
	}
}

func TestNewSalt(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		s, err := NewSalt()
		if err != nil {
			t.Fatal(err)
		}
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil || len(b) < 16 || strings.ContainsAny(s, "+/=") {
			t.Fatalf("salt %q: %v", s, err)
		}
		if seen[s] {
			t.Fatal("repeated salt")
		}
		seen[s] = true
	}
}

func TestMatchIdentifier(t *testing.T) {
	hashed := map[string]any{"type": "IdentityObject", "hashed": true, "identityType": "emailAddress",
		"identityHash": "sha256$B5809D8A92F8858436D7E6B87C12EBC0AE1EAC4BAECC2C0B913AEE2C922EF399", "salt": "Kosher"}
	plain := map[string]any{"type": "IdentityObject", "hashed": false, "identityType": "name", "identityHash": "Ada Lovelace"}
	md5NoSalt := map[string]any{"type": "IdentityObject", "hashed": true, "identityType": "userName", "identityHash": "md5$d41d8cd98f00b204e9800998ecf8427e"}
	subject := map[string]any{"identifier": []any{plain, hashed, md5NoSalt, "junk"}}

	tests := []struct {
		typ, known string
		want       bool
	}{
		{"emailAddress", "a@example.com", true}, // upper-case hex compared case-insensitively
		{"emailAddress", "b@example.com", false},
		{"name", "a@example.com", false}, // other identityType entries are skipped
		{"name", "Ada Lovelace", true},
		{"name", "ada lovelace", false},
		{"userName", "", true},
		{"sisSourcedId", "a@example.com", false},
	}
	for _, tc := range tests {
		got, err := MatchIdentifier(subject, tc.typ, tc.known)
		if err != nil || got != tc.want {
			t.Errorf("MatchIdentifier(%s, %q) = %v, %v; want %v", tc.typ, tc.known, got, err, tc.want)
		}
	}

	// The quickstart credential's subject has a single identifier object.
	c, err := Parse(readFixture(t, "examples/impl-quickstart-signed-credential-hashed-email.json"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Subject()
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := MatchIdentifier(s, "email", "jjefferson18@example.com"); !ok || err != nil {
		t.Errorf("quickstart: %v %v", ok, err)
	}

	bad := []map[string]any{
		{"identityType": "emailAddress", "hashed": true, "identityHash": "sha1$00"},
		{"identityType": "emailAddress", "hashed": true, "identityHash": "nodollar"},
		{"identityType": "emailAddress", "hashed": true, "identityHash": "sha256$zz"},
		{"identityType": "emailAddress", "hashed": "yes", "identityHash": "x"},
		{"identityType": "emailAddress", "hashed": true, "identityHash": 5.0},
		{"identityType": "emailAddress", "hashed": true, "identityHash": "md5$00", "salt": 1.0},
	}
	for _, id := range bad {
		ok, err := MatchIdentifier(map[string]any{"identifier": id}, "emailAddress", "a@example.com")
		if ok || !errors.Is(err, ErrIdentityHash) {
			t.Errorf("%v: %v %v", id, ok, err)
		}
	}
	// A malformed entry does not hide a matching one.
	ok, err := MatchIdentifier(map[string]any{"identifier": []any{bad[0], hashed}}, "emailAddress", "a@example.com")
	if !ok || err != nil {
		t.Errorf("bad then good: %v %v", ok, err)
	}
	if ok, err := MatchIdentifier(map[string]any{}, "emailAddress", "x"); ok || err != nil {
		t.Errorf("no identifier: %v %v", ok, err)
	}
}

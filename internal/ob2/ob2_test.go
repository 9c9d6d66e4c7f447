package ob2

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"testing"
	"time"
)

func TestIsAssertion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		doc  map[string]any
		want bool
	}{
		{"string context", map[string]any{"@context": Context, "type": "Assertion"}, true},
		{"context array", map[string]any{"@context": []any{Context, map[string]any{"x": "https://e.org/x"}}, "type": []any{"Assertion", "extensions:Foo"}}, true},
		{"badge class", map[string]any{"@context": Context, "type": "BadgeClass"}, false},
		{"OB 3.0", map[string]any{"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "type": []any{"VerifiableCredential", "OpenBadgeCredential"}}, false},
		{"v1 context", map[string]any{"@context": "https://w3id.org/openbadges/v1", "type": "Assertion"}, false},
		{"no context", map[string]any{"type": "Assertion"}, false},
	}
	for _, c := range cases {
		if got := IsAssertion(c.doc); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestMatchIdentity(t *testing.T) {
	t.Parallel()
	// Digests computed with coreutils sha256sum / md5sum.
	const (
		saltedSHA = "sha256$d36f500af0ac09f3426274bcc244956379790bfd99c47dc11190cb53c4ecf81d" // "learner@example.org"+"pepper"
		plainMD5  = "md5$6eb7a64f0f47664b2c0e72ee05a07513"                                    // "learner@example.org"
	)
	cases := []struct {
		name    string
		id      IdentityObject
		value   string
		want    bool
		wantErr bool
	}{
		{"salted sha256", IdentityObject{Type: "email", Identity: saltedSHA, Hashed: true, Salt: "pepper"}, "learner@example.org", true, false},
		{"salted sha256, upper-case hex and algorithm", IdentityObject{Type: "email", Identity: "SHA256$D36F500AF0AC09F3426274BCC244956379790BFD99C47DC11190CB53C4ECF81D", Hashed: true, Salt: "pepper"}, "learner@example.org", true, false},
		{"wrong salt", IdentityObject{Type: "email", Identity: saltedSHA, Hashed: true, Salt: "salt"}, "learner@example.org", false, false},
		{"other address", IdentityObject{Type: "email", Identity: saltedSHA, Hashed: true, Salt: "pepper"}, "other@example.org", false, false},
		{"unsalted md5", IdentityObject{Type: "email", Identity: plainMD5, Hashed: true}, "learner@example.org", true, false},
		{"plain", IdentityObject{Type: "email", Identity: "learner@example.org"}, "learner@example.org", true, false},
		{"plain, other", IdentityObject{Type: "email", Identity: "learner@example.org"}, "learner@example.com", false, false},
		{"short digest (the spec's own example is 40 hex digits)", IdentityObject{Type: "email", Identity: "sha256$28d50415252ab6c689a54413da15b083034b66e5", Hashed: true}, "mayze", false, true},
		{"unknown algorithm", IdentityObject{Type: "email", Identity: "sha1$28d50415252ab6c689a54413da15b083034b66e5", Hashed: true}, "mayze", false, true},
	}
	for _, c := range cases {
		got, err := MatchIdentity(c.id, c.value)
		if got != c.want || (err != nil) != c.wantErr {
			t.Errorf("%s: %v %v, want %v (error %v)", c.name, got, err, c.want, c.wantErr)
		}
	}
}

func TestParseAssertion(t *testing.T) {
	t.Parallel()
	base := func() map[string]any {
		return map[string]any{"@context": Context, "type": "Assertion", "id": "https://lab.example/a/1",
			"recipient": map[string]any{"type": "email", "identity": "a@example.org", "hashed": false},
			"badge":     "https://lab.example/b/1", "issuedOn": "2026-01-15T10:00:00+01:00",
			"verify": map[string]any{"type": "HostedBadge"}}
	}
	a, err := ParseAssertion(base())
	if err != nil || a.Verification != Hosted || !a.IssuedOn.Equal(time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)) || a.BadgeID() != "https://lab.example/b/1" {
		t.Fatalf("%+v %v", a, err)
	}
	for name, patch := range map[string]func(m map[string]any){
		"no id":              func(m map[string]any) { delete(m, "id") },
		"no recipient":       func(m map[string]any) { delete(m, "recipient") },
		"hashed as a string": func(m map[string]any) { m["recipient"].(map[string]any)["hashed"] = "true" },
		"no badge":           func(m map[string]any) { delete(m, "badge") },
		"unknown verify":     func(m map[string]any) { m["verify"] = map[string]any{"type": "blockchain"} },
		"no verification":    func(m map[string]any) { delete(m, "verify") },
		"date without zone":  func(m map[string]any) { m["issuedOn"] = "2026-01-15T10:00:00" },
		"unix date":          func(m map[string]any) { m["issuedOn"] = 1767225600.0 },
		"bad expires":        func(m map[string]any) { m["expires"] = "soon" },
		"creator not an IRI": func(m map[string]any) { m["verify"] = map[string]any{"type": "signed", "creator": 5.0} },
	} {
		m := base()
		patch(m)
		if _, err := ParseAssertion(m); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	// A revoked hosted assertion needs only id and revoked.
	a, err = ParseAssertion(map[string]any{"id": "https://lab.example/a/1", "revoked": true, "revocationReason": "error"})
	if err != nil || !a.Revoked || a.RevocationReason != "error" {
		t.Fatalf("revoked: %+v %v", a, err)
	}
}

func TestInScope(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		issuer string
		policy *Policy
		id     string
		ok     bool
	}{
		{"default: same host", "https://lab.example/issuer", nil, "https://lab.example/a/1", true},
		{"default: other host", "https://lab.example/issuer", nil, "https://evil.example/a/1", false},
		{"default: subdomain is another origin", "https://lab.example/issuer", nil, "https://x.lab.example/a/1", false},
		{"default: port is part of the origin", "https://lab.example/issuer", nil, "https://lab.example:8443/a/1", false},
		{"default: host case", "https://lab.example/issuer", nil, "https://LAB.example/a/1", true},
		{"allowedOrigins", "https://lab.example/issuer", &Policy{AllowedOrigins: []string{"badges.example"}}, "https://badges.example/a/1", true},
		{"allowedOrigins replaces the default", "https://lab.example/issuer", &Policy{AllowedOrigins: []string{"badges.example"}}, "https://lab.example/a/1", false},
		{"startsWith in", "https://lab.example/issuer", &Policy{StartsWith: []string{"https://lab.example/badges/"}}, "https://lab.example/badges/1", true},
		{"startsWith out", "https://lab.example/issuer", &Policy{StartsWith: []string{"https://lab.example/badges/"}}, "https://lab.example/other/1", false},
		{"startsWith still needs the origin", "https://lab.example/issuer", &Policy{StartsWith: []string{"https://evil.example/"}}, "https://evil.example/1", false},
		{"not a URL", "https://lab.example/issuer", nil, "urn:uuid:1", false},
		{"issuer without web origin", "urn:uuid:2", nil, "https://lab.example/a/1", false},
	}
	for _, c := range cases {
		p := &Profile{ID: c.issuer, Policy: c.policy}
		if err := p.InScope(c.id); (err == nil) != c.ok {
			t.Errorf("%s: %v, want ok=%v", c.name, err, c.ok)
		}
	}
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pkix, _ := x509.MarshalPKIXPublicKey(&ek.PublicKey)
	cases := []struct {
		name string
		pem  string
		ok   bool
	}{
		{"PKCS#1 RSA", string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&rk.PublicKey)})), true},
		{"PKIX EC", string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})), true},
		{"private key block", string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk)})), false},
		{"two blocks", string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})) + string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})), false},
		{"not PEM", "MIIBIjANBg", false},
	}
	for _, c := range cases {
		k, err := ParseKey(map[string]any{"type": "CryptographicKey", "id": "https://lab.example/k", "owner": "https://lab.example/i", "publicKeyPem": c.pem})
		if (err == nil) != c.ok || (c.ok && k.Public == nil) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if _, err := ParseKey(map[string]any{"id": "https://lab.example/k", "publicKeyPem": ""}); !errors.Is(err, ErrInvalid) {
		t.Errorf("no owner, no pem: %v", err)
	}
}

func TestRevocationList(t *testing.T) {
	t.Parallel()
	l, err := ParseRevocationList(map[string]any{"type": "RevocationList", "id": "https://lab.example/r", "issuer": "https://lab.example/i",
		"revokedAssertions": []any{"https://lab.example/a/1", map[string]any{"id": "urn:uuid:2", "revocationReason": "cheated"},
			map[string]any{"uid": "abc"}, map[string]any{"id": "https://lab.example/a/4", "revoked": false}}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		id, uid, reason string
		revoked         bool
	}{
		{"https://lab.example/a/1", "", "", true},
		{"urn:uuid:2", "", "cheated", true},
		{"", "abc", "", true},
		{"https://lab.example/a/4", "", "", false},
		{"https://lab.example/a/5", "", "", false},
		{"", "", "", false},
	}
	for _, c := range cases {
		if revoked, reason := l.Revoked(c.id, c.uid); revoked != c.revoked || reason != c.reason {
			t.Errorf("%q/%q: %v %q", c.id, c.uid, revoked, reason)
		}
	}
	if _, err := ParseRevocationList(map[string]any{"type": "Issuer", "revokedAssertions": []any{}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("wrong type: %v", err)
	}
}

func TestDifferences(t *testing.T) {
	t.Parallel()
	a := &Assertion{ID: "https://x/1", Badge: "https://x/b", Verification: Hosted, IssuedOn: time.Unix(100, 0),
		Recipient: IdentityObject{Type: "email", Identity: "a@x"}}
	b := *a
	b.Badge = map[string]any{"id": "https://x/b"} // embedded or not: the same badge
	b.IssuedOn = time.Unix(100, 0).In(time.FixedZone("x", 3600))
	if d := Differences(a, &b); len(d) != 0 {
		t.Fatalf("equal assertions differ in %v", d)
	}
	b.Recipient.Salt = "s"
	b.Expires = time.Unix(200, 0)
	if d := Differences(a, &b); len(d) != 2 || d[0] != "recipient" || d[1] != "expires" {
		t.Fatalf("differences %v", d)
	}
}

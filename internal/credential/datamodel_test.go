package credential

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/multibase"
)

func vc2(patch func(m map[string]any)) *Credential {
	m := map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"},
		"id":                "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
		"type":              []any{"VerifiableCredential", "ExampleAlumniCredential"},
		"issuer":            "did:example:issuer",
		"validFrom":         "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
	}
	if patch != nil {
		patch(m)
	}
	return FromMap(m)
}

func sri(alg string, body []byte) string {
	switch alg {
	case "sha256":
		s := sha256.Sum256(body)
		return "sha256-" + base64.StdEncoding.EncodeToString(s[:])
	case "sha384":
		s := sha512.Sum384(body)
		return "sha384-" + base64.StdEncoding.EncodeToString(s[:])
	}
	s := sha512.Sum512(body)
	return "sha512-" + base64.StdEncoding.EncodeToString(s[:])
}

func mbDigest(body []byte) string {
	s := sha256.Sum256(body)
	return multibase.EncodeBase58(append([]byte{0x12, 32}, s[:]...))
}

// TestCheckDataModel: each VC Data Model 2.0 rule, broken and kept; every
// violation names its rule (docs/vc-2.0-rules.md lists them).
func TestCheckDataModel(t *testing.T) {
	t.Parallel()
	typed := func(key string, v any) func(m map[string]any) { return func(m map[string]any) { m[key] = v } }
	cases := []struct {
		name  string
		patch func(m map[string]any)
		rules []string // broken rules, in order; none = valid
	}{
		{"valid", nil, nil},
		{"type without VerifiableCredential", typed("type", []any{"ExampleAlumniCredential"}), []string{"credential-type"}},
		{"id not a URL", typed("id", "credential-1"), []string{"id-url"}},
		{"id an array", typed("id", []any{"urn:a", "urn:b"}), []string{"id-url"}},
		{"issuer missing", func(m map[string]any) { delete(m, "issuer") }, []string{"issuer-url"}},
		{"issuer not a URL", typed("issuer", "Example University"), []string{"issuer-url"}},
		{"issuer object without id", typed("issuer", map[string]any{"name": "Example University"}), []string{"issuer-url"}},
		{"issuer object with id", typed("issuer", map[string]any{"id": "https://example.edu", "name": "Example University"}), nil},
		{"name a language value object", typed("name", map[string]any{"@value": "Alumni", "@language": "en", "@direction": "ltr"}), nil},
		{"name in two languages", typed("name", []any{map[string]any{"@value": "Alumni", "@language": "en"}, map[string]any{"@value": "Anciens", "@language": "fr"}}), nil},
		{"name an object", typed("name", map[string]any{"text": "Alumni"}), []string{"name-value"}},
		{"name value object with an extra member", typed("name", map[string]any{"@value": "Alumni", "extra": "x"}), []string{"name-value"}},
		{"description a bad direction", typed("description", map[string]any{"@value": "x", "@direction": "up"}), []string{"name-value"}},
		{"issuer name a number", typed("issuer", map[string]any{"id": "https://example.edu", "name": 3.0}), []string{"name-value"}},
		{"subject missing", func(m map[string]any) { delete(m, "credentialSubject") }, []string{"credentialSubject"}},
		{"subject empty object", typed("credentialSubject", map[string]any{}), []string{"credentialSubject"}},
		{"subject one empty of two", typed("credentialSubject", []any{map[string]any{"id": "did:example:1"}, map[string]any{}}), []string{"credentialSubject"}},
		{"subject empty array", typed("credentialSubject", []any{}), []string{"credentialSubject"}},
		{"subject a string", typed("credentialSubject", "did:example:1"), []string{"credentialSubject"}},
		{"two subjects", typed("credentialSubject", []any{map[string]any{"id": "did:example:1"}, map[string]any{"name": "x"}}), nil},
		{"evidence without type", typed("evidence", map[string]any{"id": "https://example.edu/evidence/1"}), []string{"evidence-type"}},
		{"evidence list, second untyped", typed("evidence", []any{map[string]any{"type": "Evidence"}, map[string]any{"name": "x"}}), []string{"evidence-type"}},
		{"evidence with type", typed("evidence", []any{map[string]any{"type": []any{"Evidence"}}}), nil},
		{"evidence empty type array", typed("evidence", map[string]any{"type": []any{}}), []string{"evidence-type"}},
		{"evidence a string", typed("evidence", "https://example.edu/evidence/1"), []string{"evidence-type"}},
		{"termsOfUse without type", typed("termsOfUse", map[string]any{"id": "https://example.edu/policies/1"}), []string{"termsOfUse-type"}},
		{"termsOfUse with type", typed("termsOfUse", map[string]any{"type": "IssuerPolicy"}), nil},
		{"refreshService without type", typed("refreshService", map[string]any{"id": "https://example.edu/refresh/1"}), []string{"refreshService-type"}},
		{"refreshService with type", typed("refreshService", map[string]any{"id": "https://example.edu/refresh/1", "type": "VerifiableCredentialRefreshService2021"}), nil},
		{"credentialStatus without type", typed("credentialStatus", map[string]any{"id": "https://example.edu/status/1#3"}), []string{"credentialStatus-type"}},
		{"credentialSchema without type", typed("credentialSchema", map[string]any{"id": "https://example.org/schema.json"}), []string{"credentialSchema-type"}},
		{"credentialSchema without id", typed("credentialSchema", map[string]any{"type": "JsonSchema"}), []string{"credentialSchema-id"}},
		{"credentialSchema id a number", typed("credentialSchema", map[string]any{"type": "JsonSchema", "id": 123}), []string{"credentialSchema-id"}},
		{"credentialSchema id not a URL", typed("credentialSchema", map[string]any{"type": "JsonSchema", "id": "schema.json"}), []string{"credentialSchema-id"}},
		{"credentialSchema ok", typed("credentialSchema", []any{map[string]any{"type": "JsonSchema", "id": "https://example.org/schema.json"}}), nil},
		{"validFrom without zone", typed("validFrom", "2026-01-01T00:00:00"), []string{"validFrom-dateTimeStamp"}},
		{"validFrom a date", typed("validFrom", "2026-01-01"), []string{"validFrom-dateTimeStamp"}},
		{"validFrom a number", typed("validFrom", 1767225600.0), []string{"validFrom-dateTimeStamp"}},
		{"validFrom with offset and ms", typed("validFrom", "2026-01-01T00:00:00.123-08:00"), nil},
		{"validUntil without zone", typed("validUntil", "2027-01-01T00:00:00"), []string{"validUntil-dateTimeStamp"}},
		{"validUntil before validFrom", typed("validUntil", "2025-01-01T00:00:00Z"), []string{"validity-order"}},
		{"validUntil equal to validFrom", typed("validUntil", "2026-01-01T00:00:00Z"), nil},
		{"relatedResource ok", typed("relatedResource", []any{
			map[string]any{"id": "https://example.org/a.png", "digestSRI": sri("sha384", []byte("a"))},
			map[string]any{"id": "https://example.org/b.json", "digestMultibase": mbDigest([]byte("b"))},
		}), nil},
		{"relatedResource not objects", typed("relatedResource", []any{"https://example.org/a.png"}), []string{"relatedResource"}},
		{"relatedResource no id", typed("relatedResource", map[string]any{"digestSRI": sri("sha256", nil)}), []string{"relatedResource-id"}},
		{"relatedResource repeated id", typed("relatedResource", []any{
			map[string]any{"id": "https://example.org/a", "digestSRI": sri("sha256", nil)},
			map[string]any{"id": "https://example.org/a", "digestSRI": sri("sha512", nil)},
		}), []string{"relatedResource-id-unique"}},
		{"relatedResource no digest", typed("relatedResource", map[string]any{"id": "https://example.org/a", "mediaType": "image/png"}), []string{"relatedResource-digest"}},
		{"relatedResource bad SRI", typed("relatedResource", map[string]any{"id": "https://example.org/a", "digestSRI": "md5-abc"}), []string{"relatedResource-digest"}},
		{"relatedResource bad multibase", typed("relatedResource", map[string]any{"id": "https://example.org/a", "digestMultibase": "zzz"}), []string{"relatedResource-digest"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			errs := vc2(tc.patch).CheckDataModel()
			var got []string
			for _, err := range errs {
				var re *RuleError
				if !errors.As(err, &re) || !errors.Is(err, ErrDataModel) || !strings.Contains(err.Error(), re.Rule) {
					t.Fatalf("error %v is not a RuleError naming its rule", err)
				}
				got = append(got, re.Rule)
			}
			if strings.Join(got, ",") != strings.Join(tc.rules, ",") {
				t.Fatalf("rules %v, want %v (%v)", got, tc.rules, errs)
			}
		})
	}
}

// TestCheckDataModelV1: a VC 1.1 credential gets the rules VC 1.1 shares;
// its dates are not held to dateTimeStamp (VC 1.1 uses xsd:dateTime).
func TestCheckDataModelV1(t *testing.T) {
	t.Parallel()
	c := FromMap(map[string]any{
		"@context": []any{"https://www.w3.org/2018/credentials/v1"}, "type": []any{"VerifiableCredential"},
		"issuer": "did:example:1", "issuanceDate": "2026-01-01T00:00:00Z", "validFrom": "not checked in 1.1",
		"credentialSubject": map[string]any{"id": "did:example:2"},
		"evidence":          map[string]any{"id": "https://example.org/e"},
	})
	errs := c.CheckDataModel()
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "evidence-type") {
		t.Fatalf("%v", errs)
	}
}

func TestIsDateTimeStamp(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"2010-01-01T19:23:24Z":          true,
		"2010-01-01T19:23:24.123456Z":   true,
		"2010-01-01T19:23:24+14:00":     true,
		"2010-01-01T19:23:24-05:30":     true,
		"2010-01-01T24:00:00Z":          true,
		"-0044-03-15T12:00:00Z":         false, // Go's parser does not take years before 0
		"12010-01-01T19:23:24Z":         false, // likewise five-digit years
		"2010-01-01T19:23:24":           false,
		"2010-01-01T19:23Z":             false,
		"2010-01-01 19:23:24Z":          false,
		"2010-02-30T19:23:24Z":          false,
		"2010-01-01T19:23:24+15:00":     false,
		"2010-01-01T19:23:24z":          false,
		"2010-01-01T25:00:00Z":          false,
		"2010-01-01T19:23:24.Z":         false,
		"2010-01-01T19:23:24Z\n":        false,
		"2010-01-01T19:23:24.000+00:00": true,
	} {
		if got := IsDateTimeStamp(s); got != want {
			t.Errorf("IsDateTimeStamp(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestDigests(t *testing.T) {
	t.Parallel()
	body := []byte(`{"hello":"world"}`)
	o := map[string]any{"digestSRI": sri("sha256", body) + " " + sri("sha512", body), "digestMultibase": []any{mbDigest(body)}}
	ds, err := ParseDigests(o)
	if err != nil || len(ds) != 3 {
		t.Fatalf("%v %v", ds, err)
	}
	for _, d := range ds {
		if !d.Matches(body) || d.Matches([]byte(`{"hello":"World"}`)) {
			t.Fatalf("%s %s", d.Source, d.Algorithm)
		}
	}
	u := sha512.Sum384(body)
	if ds, err := ParseDigests(map[string]any{"digestMultibase": "u" + base64.RawURLEncoding.EncodeToString(append([]byte{0x20, 48}, u[:]...))}); err != nil || !ds[0].Matches(body) {
		t.Fatalf("base64url sha2-384 multihash: %v", err)
	}
	for _, bad := range []map[string]any{
		{"digestSRI": "sha1-" + base64.StdEncoding.EncodeToString(make([]byte, 20))},
		{"digestSRI": "sha256-" + base64.StdEncoding.EncodeToString(make([]byte, 31))},
		{"digestSRI": ""},
		{"digestSRI": 3.0},
		{"digestMultibase": multibase.EncodeBase58([]byte{0x11, 20, 1})},
		{"digestMultibase": multibase.EncodeBase58([]byte{0x12, 32, 1, 2})},
	} {
		if _, err := ParseDigests(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

package status

import (
	"errors"
	"testing"
)

func TestParseRevocationListMalformed(t *testing.T) {
	for _, in := range []string{
		``, `[]`, `null`, `"x"`, `{"revokedCredential": {}}`, `{"revokedCredential": [1]}`,
		`{"revokedCredential": [{"revoked": true}]}`, `{"revokedCredential": [{"id": 5}]}`,
		`{"revokedCredential": [{"id": "a", "revoked": "yes"}]}`,
		`{"revokedCredential": [{"id": "a", "revocationReason": 3}]}`,
	} {
		if _, err := ParseRevocationList([]byte(in)); !errors.Is(err, ErrMalformedList) {
			t.Errorf("%s: err = %v, want ErrMalformedList", in, err)
		}
	}
}

func TestRevocationListMatching(t *testing.T) {
	rl, err := ParseRevocationList([]byte(`{
	  "revokedCredential": [
	    {"id": "urn:uuid:a", "revoked": false},
	    {"id": "https://example.com/credentials/%7Ealice", "revocationReason": "r1"},
	    {"id": "  urn:uuid:b  "}
	  ],
	  "revokedCredentials": [{"id": "urn:uuid:legacy"}]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]bool{
		"urn:uuid:a": false,
		"https://example.com/credentials/%7Ealice": true,
		"https://example.com/credentials/~alice":   true, // §10: percent-decoded
		"urn:uuid:b":                               true, // §10: trimmed
		"urn:uuid:legacy":                          true, // older validator property name
		"urn:uuid:c":                               false,
		"":                                         false,
	} {
		if got, _ := rl.Revoked(id); got != want {
			t.Errorf("Revoked(%q) = %v, want %v", id, got, want)
		}
	}
	if _, reason := rl.Revoked("https://example.com/credentials/~alice"); reason != "r1" {
		t.Errorf("reason = %q", reason)
	}
	empty, err := ParseRevocationList([]byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := empty.Revoked("urn:uuid:a"); ok {
		t.Error("empty list revoked something")
	}
	var nilList *RevocationList
	if ok, _ := nilList.Revoked("x"); ok {
		t.Error("nil list revoked something")
	}
}

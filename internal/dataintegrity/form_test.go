package dataintegrity

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestFormRule: documents in the compact form of the pinned contexts are
// read; each other spelling of the same RDF is refused with ErrForm, and the
// refusal names what was wrong.
func TestFormRule(t *testing.T) {
	const base = `{"@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
	  "id": "urn:uuid:1", "type": ["VerifiableCredential", "OpenBadgeCredential"], "issuer": {"id": "did:example:lab", "type": ["Profile"], "name": "Lab"},
	  "validFrom": "2026-01-01T00:00:00Z", "name": "Teamwork",
	  "credentialStatus": {"id": "https://lab.example/status/1#42", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
	    "statusListIndex": "42", "statusListCredential": "https://lab.example/status/1"},
	  "credentialSubject": {"type": ["AchievementSubject"], "id": "did:example:learner",
	    "achievement": {"id": "https://lab.example/a/1", "type": ["Achievement"], "name": "Teamwork", "criteria": {"narrative": "Done."}}}}`
	cases := []struct {
		name, replace, with string
		refused             string // substring of the error; "" means read
	}{
		{"compact form", "", "", ""},
		{"one type, not in an array", `"type": ["Achievement"]`, `"type": "Achievement"`, ""},
		{"subject given by its id alone", "", "", "generic"},
		{"issuer as an object with only its id", `"issuer": {"id": "did:example:lab", "type": ["Profile"], "name": "Lab"}`, `"issuer": {"id": "did:example:lab"}`, ""},
		{"a language-tagged name", `"name": "Teamwork",`, `"name": {"@value": "Travail d'équipe", "@language": "fr"},`, ""},
		{"IRI key", `"validFrom": "2026-01-01T00:00:00Z"`, `"https://www.w3.org/2018/credentials#validFrom": {"@value": "2026-01-01T00:00:00Z", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}`, `written for "validFrom"`},
		{"raw @id", `"id": "urn:uuid:1"`, `"@id": "urn:uuid:1"`, `"@id" is written for "id"`},
		{"raw @type", `"type": ["VerifiableCredential", "OpenBadgeCredential"]`, `"@type": ["VerifiableCredential", "OpenBadgeCredential"]`, `written for "type"`},
		{"type as IRI", `"OpenBadgeCredential"]`, `"https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"]`, `written for "OpenBadgeCredential"`},
		{"plain value object", `"statusListIndex": "42"`, `"statusListIndex": {"@value": "42"}`, "value object"},
		{"string-typed value object", `"statusListIndex": "42"`, `"statusListIndex": {"@value": "42", "@type": "http://www.w3.org/2001/XMLSchema#string"}`, "value object"},
		{"one-element array of a string", `"statusListIndex": "42"`, `"statusListIndex": ["42"]`, "one-element array"},
		{"identifier wrapped in an object", `"statusListCredential": "https://lab.example/status/1"`, `"statusListCredential": {"id": "https://lab.example/status/1"}`, "wrapped in an object"},
		{"@index on a node", `"statusPurpose": "revocation",`, `"statusPurpose": "revocation", "@index": "x",`, `keyword "@index"`},
		{"alias from an inline context", `"validFrom": "2026-01-01T00:00:00Z"`, `"since": "2026-01-01T00:00:00Z"`, `written for "validFrom"`},
		{"prefixed identifier", `"statusListCredential": "https://lab.example/status/1"`, `"@context": {"st": "https://lab.example/status/"}, "statusListCredential": "st:1"`, `stands for`},
		{"prefixed node id", `"id": "urn:uuid:1"`, `"id": "u:1"`, `stands for`},
		{"keyword alias from an inline context", `"id": "urn:uuid:1"`, `"ident": "urn:uuid:1"`, `written for "id"`},
	}
	inline := map[string]string{
		"alias from an inline context":         `{"since": {"@id": "https://www.w3.org/2018/credentials#validFrom", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}}`,
		"prefixed node id":                     `{"u": "urn:uuid:"}`,
		"keyword alias from an inline context": `{"ident": "@id"}`,
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := base
			if c.refused == "generic" {
				// A generic VC whose subject is only an identifier.
				src = `{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
				  "issuer": "did:example:lab", "credentialSubject": {"id": "did:example:learner"}}`
				c.refused = ""
			} else if ctx, ok := inline[c.name]; ok {
				src = strings.Replace(src, `context-3.0.3.json"]`, `context-3.0.3.json", `+ctx+`]`, 1)
			}
			if c.replace != "" {
				if !strings.Contains(src, c.replace) {
					t.Fatalf("%q not in the base document", c.replace)
				}
				src = strings.Replace(src, c.replace, c.with, 1)
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(src), &doc); err != nil {
				t.Fatal(err)
			}
			_, err := canonicalizeRead(doc)
			switch {
			case c.refused == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.refused != "" && !errors.Is(err, ErrForm):
				t.Fatalf("err = %v, want ErrForm", err)
			case c.refused != "" && !strings.Contains(err.Error(), c.refused):
				t.Fatalf("err = %v, want it to say %q", err, c.refused)
			}
			// Signing is not held to the form: only what verification reads is.
			if _, err := Canonicalize(doc); err != nil && c.refused != "" && errors.Is(err, ErrForm) {
				t.Fatalf("Canonicalize applies the form rule: %v", err)
			}
		})
	}
}

// TestPinnedVocabulary: the vocabulary the form rule compares with is built
// from every pinned context, scoped contexts included.
func TestPinnedVocabulary(t *testing.T) {
	v, err := pinned()
	if err != nil {
		t.Fatal(err)
	}
	for iri, term := range map[string]string{
		"@id": "id", "@type": "type",
		"https://www.w3.org/2018/credentials#validUntil":               "validUntil",
		"https://www.w3.org/ns/credentials/status#statusListIndex":     "statusListIndex",
		"https://w3id.org/security#expiration":                         "expires",
		"https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement": "achievement",
		"https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement": "Achievement",
	} {
		if !v.termsOf[iri][term] {
			t.Errorf("%s: terms %v, want %q among them", iri, v.termsOf[iri], term)
		}
	}
}

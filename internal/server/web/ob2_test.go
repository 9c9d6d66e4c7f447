package web

import (
	"strings"
	"testing"
)

// TestVerifyPageOB2: an Open Badges 2.0 badge reaches the page labelled as
// the older format; checked offline (its original is on the issuer's web
// site) it reads "could not be checked", never "not genuine".
// ob2Assertion is a hosted Open Badges 2.0 assertion; offline, it can
// only be "could not check".
const ob2Assertion = `{"@context": "https://w3id.org/openbadges/v2", "id": "https://lab.example/assertions/1",
  "type": "Assertion", "recipient": {"type": "email", "hashed": false, "identity": "alice@example.org"},
  "issuedOn": "2025-12-31T23:59:59+00:00", "verification": {"type": "hosted"},
  "badge": {"type": "BadgeClass", "id": "https://lab.example/badges/5", "name": "3-D Printmaster",
    "description": "Passed the 3-D printing safety test.", "image": "https://lab.example/badges/5.png",
    "criteria": {"narrative": "A paper test and a supervised evaluation."}, "issuer": "https://lab.example/issuer"}}`

func TestVerifyPageOB2(t *testing.T) {
	assertion := ob2Assertion
	h := newHandler(nil, nil)
	cases := []struct {
		lang string
		says []string
	}{
		{"en", []string{"Could not be checked", "3-D Printmaster", "This is an Open Badges 2.0 badge (the older format)"}},
		{"fr", []string{"Vérification impossible", "C'est un badge Open Badges 2.0 (l'ancien format)"}},
	}
	for _, c := range cases {
		w := post(h, c.lang, map[string]string{"credential": assertion}, nil)
		text := visibleText(w.Body.String())
		for _, s := range c.says {
			if !strings.Contains(text, s) {
				t.Errorf("%s: the page does not say %q:\n%s", c.lang, s, text)
			}
		}
		for _, bad := range []string{"Not genuine", "Non authentique", "anyone could have written it"} {
			if strings.Contains(text, bad) {
				t.Errorf("%s: an unchecked OB 2.0 badge reads %q", c.lang, bad)
			}
		}
		if k := rawKey.FindString(text); k != "" {
			t.Errorf("%s: the text key %q reached the page", c.lang, k)
		}
	}
}

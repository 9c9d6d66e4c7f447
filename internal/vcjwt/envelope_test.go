package vcjwt

import (
	"testing"
)

func TestParseEnveloped(t *testing.T) {
	tok, _ := goodToken(t)
	v2 := "https://www.w3.org/ns/credentials/v2"
	ok := []struct {
		doc map[string]any
		mt  string
	}{
		{Envelope(tok), MediaTypeVCJWT},
		{map[string]any{"@context": []any{v2, "https://www.w3.org/ns/credentials/examples/v2"}, "type": "EnvelopedVerifiableCredential", "id": "data:application/jwt," + tok}, MediaTypeJWT},
		{map[string]any{"@context": v2, "type": []any{"EnvelopedVerifiablePresentation"}, "id": "data:application/vp+jwt," + tok}, MediaTypeVPJWT},
		{map[string]any{"@context": v2, "type": "EnvelopedVerifiablePresentation", "id": "data:application/jwt," + tok}, MediaTypeJWT},
	}
	for i, c := range ok {
		got, mt, err := ParseEnveloped(c.doc)
		if err != nil || got != tok || mt != c.mt {
			t.Errorf("case %d: %q %q %v", i, got, mt, err)
		}
	}
	bad := map[string]map[string]any{
		"empty context":   {"@context": []any{}, "type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt," + tok},
		"v1 context":      {"@context": "https://www.w3.org/2018/credentials/v1", "type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt," + tok},
		"context second":  {"@context": []any{"https://example.org/ctx", v2}, "type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt," + tok},
		"no context":      {"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt," + tok},
		"no data prefix":  {"@context": v2, "type": "EnvelopedVerifiableCredential", "id": tok},
		"http id":         {"@context": v2, "type": "EnvelopedVerifiableCredential", "id": "https://example.org/" + tok},
		"vp media for vc": {"@context": v2, "type": "EnvelopedVerifiableCredential", "id": "data:application/vp+jwt," + tok},
		"vc media for vp": {"@context": v2, "type": "EnvelopedVerifiablePresentation", "id": "data:application/vc+jwt," + tok},
		"ld+json media":   {"@context": v2, "type": "EnvelopedVerifiableCredential", "id": "data:application/vc+ld+json," + tok},
		"base64 param":    {"@context": v2, "type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt;base64," + tok},
		"no comma":        {"@context": v2, "type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt"},
		"not a jws":       {"@context": v2, "type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,hello"},
		"json body":       {"@context": v2, "type": "EnvelopedVerifiableCredential", "id": `data:application/vc+jwt,{"a":1}`},
		"wrong type":      {"@context": v2, "type": "VerifiableCredential", "id": "data:application/vc+jwt," + tok},
		"two types":       {"@context": v2, "type": []any{"EnvelopedVerifiableCredential", "VerifiableCredential"}, "id": "data:application/vc+jwt," + tok},
		"id not string":   {"@context": v2, "type": "EnvelopedVerifiableCredential", "id": 3.0},
		"nil":             nil,
	}
	for name, d := range bad {
		t.Run(name, func(t *testing.T) {
			_, _, err := ParseEnveloped(d)
			wantErr(t, err, ErrEnvelope)
		})
	}
}

package status

import (
	"errors"
	"testing"
	"time"
)

func listDoc(t testing.TB, encoded string, mod func(doc, subj map[string]any)) map[string]any {
	subj := map[string]any{
		"id":            "https://example.com/status/3#list",
		"type":          "BitstringStatusList",
		"statusPurpose": "revocation",
		"encodedList":   encoded,
	}
	doc := map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2"},
		"id":                "https://example.com/credentials/status/3",
		"type":              []any{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":            "did:example:12345",
		"validFrom":         "2021-04-05T14:27:40Z",
		"credentialSubject": subj,
	}
	if mod != nil {
		mod(doc, subj)
	}
	return doc
}

func encoded(t testing.TB, b *Bitstring) string {
	t.Helper()
	s, err := b.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParseListCredential(t *testing.T) {
	l, err := ParseListCredential(listDoc(t, specEncodedList, func(doc, subj map[string]any) {
		doc["issuer"] = map[string]any{"id": "did:example:issuer", "name": "x"}
		doc["validUntil"] = "2031-04-05T14:27:40Z"
		subj["statusPurpose"] = []any{"revocation", "suspension"}
		subj["ttl"] = 300000.0
	}))
	if err != nil {
		t.Fatal(err)
	}
	if l.Issuer != "did:example:issuer" || l.TTL != 5*time.Minute || len(l.Purposes) != 2 ||
		l.ValidUntil.Year() != 2031 || l.ValidFrom.Year() != 2021 || l.ID != "https://example.com/credentials/status/3" {
		t.Fatalf("list = %+v", l)
	}

	// StatusList2021 (VC 1.1 dates, base64url without prefix).
	sl, err := ParseListCredential(listDoc(t, sl2021EncodedList, func(doc, subj map[string]any) {
		doc["type"] = []any{"VerifiableCredential", "StatusList2021Credential"}
		delete(doc, "validFrom")
		doc["issuanceDate"] = "2021-04-05T14:27:40Z"
		subj["type"] = "StatusList2021"
	}))
	if err != nil {
		t.Fatal(err)
	}
	if sl.Type != TypeStatusList2021List || sl.ValidFrom.IsZero() {
		t.Fatalf("SL2021 list = %+v", sl)
	}
}

func TestParseListCredentialMalformed(t *testing.T) {
	for name, mod := range map[string]func(doc, subj map[string]any){
		"wrong type":           func(doc, _ map[string]any) { doc["type"] = []any{"VerifiableCredential"} },
		"no type":              func(doc, _ map[string]any) { delete(doc, "type") },
		"subject type":         func(_, subj map[string]any) { subj["type"] = "StatusList2021" },
		"no subject":           func(doc, _ map[string]any) { delete(doc, "credentialSubject") },
		"no purpose":           func(_, subj map[string]any) { delete(subj, "statusPurpose") },
		"empty purpose array":  func(_, subj map[string]any) { subj["statusPurpose"] = []any{} },
		"purpose number":       func(_, subj map[string]any) { subj["statusPurpose"] = 1.0 },
		"no encodedList":       func(_, subj map[string]any) { delete(subj, "encodedList") },
		"ttl negative":         func(_, subj map[string]any) { subj["ttl"] = -1.0 },
		"ttl string":           func(_, subj map[string]any) { subj["ttl"] = "1000" },
		"no issuer":            func(doc, _ map[string]any) { delete(doc, "issuer") },
		"issuer object w/o id": func(doc, _ map[string]any) { doc["issuer"] = map[string]any{"name": "x"} },
		"bad validFrom":        func(doc, _ map[string]any) { doc["validFrom"] = "yesterday" },
		"SL2021 two purposes": func(doc, subj map[string]any) {
			doc["type"] = []any{"VerifiableCredential", "StatusList2021Credential"}
			subj["type"] = "StatusList2021"
			subj["statusPurpose"] = []any{"revocation", "suspension"}
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseListCredential(listDoc(t, specEncodedList, mod))
			if !errors.Is(err, ErrMalformedList) {
				t.Fatalf("err = %v, want ErrMalformedList", err)
			}
		})
	}
	_, err := ParseListCredential(listDoc(t, gzipB64(t, "u", make([]byte, 100)), nil))
	if !errors.Is(err, ErrTooShort) {
		t.Fatalf("short list err = %v", err)
	}
}

func TestListStatus(t *testing.T) {
	b := mustNew(t, MinBits)
	b.Set(94567, true)
	l, err := ParseListCredential(listDoc(t, encoded(t, b), func(_, subj map[string]any) {
		subj["statusPurpose"] = []any{"revocation", "suspension"}
	}))
	if err != nil {
		t.Fatal(err)
	}
	parse := func(mod func(m map[string]any)) Entry {
		es, err := ParseEntries(entryDoc(mod))
		if err != nil {
			t.Fatal(err)
		}
		return es[0]
	}
	r, err := l.Status(parse(nil))
	if err != nil || !Revoked(r) || r.Valid || r.Index != 94567 {
		t.Fatalf("revoked: %+v %v", r, err)
	}
	r, err = l.Status(parse(func(m map[string]any) { m["statusPurpose"] = "suspension" }))
	if err != nil || !Suspended(r) || Revoked(r) {
		t.Fatalf("suspended: %+v %v", r, err)
	}
	r, err = l.Status(parse(func(m map[string]any) { m["statusListIndex"] = "94566" }))
	if err != nil || Revoked(r) || !r.Valid {
		t.Fatalf("valid: %+v %v", r, err)
	}
	if _, err := l.Status(parse(func(m map[string]any) { m["statusPurpose"] = "message" })); !errors.Is(err, ErrPurposeMismatch) {
		t.Fatalf("purpose mismatch err = %v", err)
	}
	if _, err := l.Status(parse(func(m map[string]any) { m["statusListIndex"] = "131072" })); !errors.Is(err, ErrIndexRange) {
		t.Fatalf("out of range err = %v", err)
	}
	if _, err := l.Status(parse(func(m map[string]any) { m["type"] = "StatusList2021Entry" })); !errors.Is(err, ErrMalformedEntry) {
		t.Fatalf("type mismatch err = %v", err)
	}
	// statusSize 2 on a 16 KiB list holds only 65,536 entries: STATUS_LIST_LENGTH_ERROR.
	two := parse(func(m map[string]any) {
		m["statusSize"] = 2.0
		m["statusMessage"] = messages(4)
		m["statusListIndex"] = "1"
	})
	if _, err := l.Status(two); !errors.Is(err, ErrTooShort) {
		t.Fatalf("statusSize 2 on 16 KiB list err = %v", err)
	}
}

func TestListStatusMessages(t *testing.T) {
	b := mustNew(t, 8*MinBits) // 524,288 two-bit entries
	b.SetValue(492847, 2, 2)
	l, err := ParseListCredential(listDoc(t, encoded(t, b), func(_, subj map[string]any) { subj["statusPurpose"] = "message" }))
	if err != nil {
		t.Fatal(err)
	}
	es, err := ParseEntries(entryDoc(func(m map[string]any) {
		m["statusPurpose"] = "message"
		m["statusListIndex"] = "492847"
		m["statusSize"] = 2.0
		m["statusMessage"] = []any{
			map[string]any{"status": "0x0", "message": "pending_review"},
			map[string]any{"status": "0x1", "message": "accepted"},
			map[string]any{"status": "0x2", "message": "rejected"},
			map[string]any{"status": "0x3", "message": "undefined"},
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	r, err := l.Status(es[0])
	if err != nil {
		t.Fatal(err)
	}
	if r.Value != 2 || r.Valid || r.Message.Message != "rejected" || r.Message.StatusHex != "0x2" || Revoked(r) || Suspended(r) {
		t.Fatalf("result = %+v", r)
	}
}

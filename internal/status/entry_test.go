package status

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func entryDoc(mod func(m map[string]any)) map[string]any {
	m := map[string]any{
		"id":                   "https://example.com/credentials/status/3#94567",
		"type":                 "BitstringStatusListEntry",
		"statusPurpose":        "revocation",
		"statusListIndex":      "94567",
		"statusListCredential": "https://example.com/credentials/status/3",
	}
	if mod != nil {
		mod(m)
	}
	return m
}

func messages(n int) []any {
	out := make([]any, n)
	for i := range n {
		out[i] = map[string]any{"status": "0x" + strings.ToLower(string("0123456789abcdef"[i%16])), "message": "m"}
	}
	return out
}

func TestParseEntriesSpecExamples(t *testing.T) {
	// Bitstring Status List §2.1 Example 1: an array of two entries.
	var ex1 any
	json.Unmarshal([]byte(`[{
	    "id": "https://example.com/credentials/status/3#94567",
	    "type": "BitstringStatusListEntry",
	    "statusPurpose": "revocation",
	    "statusListIndex": "94567",
	    "statusListCredential": "https://example.com/credentials/status/3"
	  }, {
	    "id": "https://example.com/credentials/status/4#23452",
	    "type": "BitstringStatusListEntry",
	    "statusPurpose": "suspension",
	    "statusListIndex": "23452",
	    "statusListCredential": "https://example.com/credentials/status/4"
	  }]`), &ex1)
	es, err := ParseEntries(ex1)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0].Index != 94567 || es[1].Index != 23452 || es[1].Purpose != PurposeSuspension || es[0].Size != 1 {
		t.Fatalf("entries = %+v", es)
	}
	// §2.1 Example 2 (its "..." completed with a fourth message).
	var ex2 any
	json.Unmarshal([]byte(`{
	    "id": "https://example.com/credentials/status/8#492847",
	    "type": "BitstringStatusListEntry",
	    "statusPurpose": "message",
	    "statusListIndex": "492847",
	    "statusSize": 2,
	    "statusListCredential": "https://example.com/credentials/status/8",
	    "statusMessage": [
	        {"status":"0x0", "message":"pending_review"},
	        {"status":"0x1", "message":"accepted"},
	        {"status":"0x2", "message":"rejected"},
	        {"status":"0x3", "message":"undefined"}
	    ],
	    "statusReference": "https://example.org/status-dictionary/"
	  }`), &ex2)
	es, err = ParseEntries(ex2)
	if err != nil {
		t.Fatal(err)
	}
	e := es[0]
	if e.Size != 2 || len(e.Messages) != 4 || e.Messages[2].Message != "rejected" || e.Messages[2].Status != 2 ||
		len(e.Reference) != 1 || e.Purpose != PurposeMessage {
		t.Fatalf("entry = %+v", e)
	}
}

func TestParseIndex(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want int
		err  bool
	}{
		{"0", 0, false},
		{"94567", 94567, false},
		{"007", 7, false},
		{"9007199254740991", MaxIndex, false},
		{"9007199254740992", 0, true},
		{"12345678901234567890", 0, true},
		{"000000000000000000000000001", 1, false},
		{23.0, 0, true},
		{true, 0, true},
		{nil, 0, true},
		{"", 0, true},
		{"-1", 0, true},
		{"+1", 0, true},
		{" 1", 0, true},
		{"1 ", 0, true},
		{"1e3", 0, true},
		{"0x10", 0, true},
		{"1.0", 0, true},
		{"١", 0, true}, // Arabic-Indic digit one
		{[]any{"1"}, 0, true},
	} {
		e := entryDoc(func(m map[string]any) { m["statusListIndex"] = tc.v })
		es, err := ParseEntries(e)
		if tc.err {
			if !errors.Is(err, ErrIndex) {
				t.Errorf("index %#v: err = %v, want ErrIndex", tc.v, err)
			} else if s, ok := tc.v.(string); ok && s != "" && !strings.Contains(err.Error(), s) {
				t.Errorf("index %#v: message %q does not name the value", tc.v, err)
			}
			continue
		}
		if err != nil || es[0].Index != tc.want {
			t.Errorf("index %#v: got %v, %v; want %d", tc.v, es, err, tc.want)
		}
	}
	// Numbers only with AllowNumericIndex, and only non-negative integers.
	for v, ok := range map[any]bool{23.0: true, 0.0: true, -1.0: false, 1.5: false, 1e300: false, json.Number("42"): true} {
		_, err := ParseEntriesWith(entryDoc(func(m map[string]any) { m["statusListIndex"] = v }), ParseOptions{AllowNumericIndex: true})
		if (err == nil) != ok || (err != nil && !errors.Is(err, ErrIndex)) {
			t.Errorf("numeric index %v: err = %v", v, err)
		}
	}
}

func TestParseEntriesMalformed(t *testing.T) {
	for name, tc := range map[string]struct {
		in   any
		want error
	}{
		"not object":               {in: "x", want: ErrMalformedEntry},
		"null":                     {in: nil, want: ErrMalformedEntry},
		"empty array":              {in: []any{}, want: ErrMalformedEntry},
		"array of string":          {in: []any{"x"}, want: ErrMalformedEntry},
		"no type":                  {in: entryDoc(func(m map[string]any) { delete(m, "type") }), want: ErrMalformedEntry},
		"numeric type":             {in: entryDoc(func(m map[string]any) { m["type"] = 1.0 }), want: ErrMalformedEntry},
		"no purpose":               {in: entryDoc(func(m map[string]any) { delete(m, "statusPurpose") }), want: ErrMalformedEntry},
		"purpose array":            {in: entryDoc(func(m map[string]any) { m["statusPurpose"] = []any{"revocation"} }), want: ErrMalformedEntry},
		"no index":                 {in: entryDoc(func(m map[string]any) { delete(m, "statusListIndex") }), want: ErrIndex},
		"no list credential":       {in: entryDoc(func(m map[string]any) { delete(m, "statusListCredential") }), want: ErrMalformedEntry},
		"relative list credential": {in: entryDoc(func(m map[string]any) { m["statusListCredential"] = "/status/3" }), want: ErrMalformedEntry},
		"id is the list URL": {in: entryDoc(func(m map[string]any) {
			m["id"] = m["statusListCredential"]
		}), want: ErrMalformedEntry},
		"statusSize 0":              {in: entryDoc(func(m map[string]any) { m["statusSize"] = 0.0 }), want: ErrMalformedEntry},
		"statusSize 1.5":            {in: entryDoc(func(m map[string]any) { m["statusSize"] = 1.5 }), want: ErrMalformedEntry},
		"statusSize string":         {in: entryDoc(func(m map[string]any) { m["statusSize"] = "2" }), want: ErrMalformedEntry},
		"statusSize 9":              {in: entryDoc(func(m map[string]any) { m["statusSize"] = 9.0; m["statusMessage"] = messages(512) }), want: ErrMalformedEntry},
		"statusSize 2 w/o messages": {in: entryDoc(func(m map[string]any) { m["statusSize"] = 2.0 }), want: ErrMalformedEntry},
		"statusSize 2, 3 messages": {in: entryDoc(func(m map[string]any) {
			m["statusSize"] = 2.0
			m["statusMessage"] = messages(3)
		}), want: ErrMalformedEntry},
		"size 1, 3 messages": {in: entryDoc(func(m map[string]any) { m["statusMessage"] = messages(3) }), want: ErrMalformedEntry},
		"message status no 0x": {in: entryDoc(func(m map[string]any) {
			m["statusMessage"] = []any{map[string]any{"status": "0", "message": "a"}, map[string]any{"status": "0x1", "message": "b"}}
		}), want: ErrMalformedEntry},
		"message status dup": {in: entryDoc(func(m map[string]any) {
			m["statusMessage"] = []any{map[string]any{"status": "0x1", "message": "a"}, map[string]any{"status": "0x1", "message": "b"}}
		}), want: ErrMalformedEntry},
		"message status out of range": {in: entryDoc(func(m map[string]any) {
			m["statusMessage"] = []any{map[string]any{"status": "0x0", "message": "a"}, map[string]any{"status": "0x2", "message": "b"}}
		}), want: ErrMalformedEntry},
		"message without message": {in: entryDoc(func(m map[string]any) {
			m["statusMessage"] = []any{map[string]any{"status": "0x0"}, map[string]any{"status": "0x1", "message": "b"}}
		}), want: ErrMalformedEntry},
		"statusReference number": {in: entryDoc(func(m map[string]any) { m["statusReference"] = 1.0 }), want: ErrMalformedEntry},
		"1EdTech without id":     {in: map[string]any{"type": "1EdTechRevocationList"}, want: ErrMalformedEntry},
		"second entry bad":       {in: []any{entryDoc(nil), entryDoc(func(m map[string]any) { m["statusListIndex"] = "-1" })}, want: ErrIndex},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseEntries(tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestParseEntriesUnknownAndTypes(t *testing.T) {
	es, err := ParseEntries([]any{
		map[string]any{"type": "CredentialStatusList2017", "id": "https://example.com/status"},
		map[string]any{"type": []any{"Whatever", "StatusList2021Entry"}, "statusPurpose": "suspension",
			"statusListIndex": "5", "statusListCredential": "https://example.com/sl"},
		map[string]any{"type": "1EdTechRevocationList", "id": "https://example.com/revocations/1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if es[0].Known() || es[0].Type != "CredentialStatusList2017" || es[0].ID == "" {
		t.Errorf("unknown entry = %+v", es[0])
	}
	if !es[1].Known() || es[1].Type != TypeStatusList2021 || es[1].Index != 5 {
		t.Errorf("SL2021 entry = %+v", es[1])
	}
	if !es[2].Known() || es[2].Type != Type1EdTechRevocation {
		t.Errorf("1EdTech entry = %+v", es[2])
	}
}

package credential

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// mutate parses simple.json, applies f to its document and re-encodes it.
func mutate(t *testing.T, f func(m map[string]any)) *Credential {
	t.Helper()
	c, err := Parse(readFixture(t, "validator-fixtures/simple.json"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	f(c.Doc)
	data, err := json.Marshal(c.Doc)
	if err != nil {
		t.Fatal(err)
	}
	c, err = Parse(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestParseNotObject(t *testing.T) {
	simple := readFixture(t, "validator-fixtures/simple.json")
	quoted, _ := json.Marshal(string(simple))
	tests := []struct {
		in, msg string
	}{
		{string(quoted), "credential must be a JSON object, got a string"},
		{`[{}]`, "got an array"},
		{`null`, "got null"},
		{`42`, "got a number"},
		{`true`, "got a boolean"},
	}
	for _, tc := range tests {
		_, err := Parse([]byte(tc.in), Limits{})
		if !errors.Is(err, ErrNotObject) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("Parse(%.20s) = %v, want ErrNotObject %q", tc.in, err, tc.msg)
		}
	}
	if _, err := Parse([]byte(`{"a":1,"a":2}`), Limits{}); !errors.Is(err, ErrDuplicateKey) {
		t.Errorf("duplicate: %v", err)
	}
}

func TestAccessorsSimple(t *testing.T) {
	c, err := Parse(readFixture(t, "validator-fixtures/simple.json"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := c.Version(); v != V2 || err != nil {
		t.Errorf("Version = %v, %v", v, err)
	}
	for got, want := range map[string]string{
		c.ID():          "http://example.com/credentials/3527",
		c.IssuerID():    "https://example.com/issuers/876543",
		c.IssuerName():  "Example Corp",
		c.Name():        "Teamwork Badge",
		c.Description(): "",
		c.SubjectID():   "did:example:ebfeb1f712ebc6f1c276e12ec21",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	if got := c.Types(); len(got) != 2 || got[1] != "OpenBadgeCredential" {
		t.Errorf("Types = %q", got)
	}
	if !c.HasType("VerifiableCredential") || c.HasType("Profile") {
		t.Error("HasType")
	}
	from, ok, err := c.ValidFrom()
	if err != nil || !ok || !from.Equal(time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("ValidFrom = %v %v %v", from, ok, err)
	}
	if _, ok, err := c.ValidUntil(); ok || err != nil {
		t.Errorf("ValidUntil ok=%v err=%v", ok, err)
	}
	proofs, err := c.Proofs()
	if err != nil || len(proofs) != 1 || proofs[0]["cryptosuite"] != "eddsa-rdfc-2022" {
		t.Errorf("Proofs = %v, %v", proofs, err)
	}
	if len(c.Subjects()) != 1 || c.Endorsements() != nil {
		t.Error("Subjects/Endorsements")
	}
}

func TestAccessorsV1Dates(t *testing.T) {
	c, err := Parse(readFixture(t, "validator-fixtures/endorsement-err-schema-status-refresh.json"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	from, ok, err := c.ValidFrom()
	if err != nil || !ok || from.Year() != 2010 {
		t.Errorf("ValidFrom (issuanceDate) = %v %v %v", from, ok, err)
	}
	until, ok, err := c.ValidUntil()
	if err != nil || !ok || until.Year() != 2030 {
		t.Errorf("ValidUntil (expirationDate) = %v %v %v", until, ok, err)
	}
	if c.Kind() != Endorsement || c.IssuerName() != "State Department of Education" {
		t.Error("kind/issuer")
	}
}

func TestEndorsementsOfComplete(t *testing.T) {
	c, err := Parse(readFixture(t, "validator-fixtures/complete.json"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	ends := c.Endorsements()
	if len(ends) == 0 {
		t.Fatal("no endorsements in complete.json")
	}
	for i, e := range ends {
		ec := FromMap(e)
		if ec.Kind() != Endorsement {
			t.Errorf("endorsement %d: kind %v", i, ec.Kind())
		}
		if err := ec.CheckContext(); err != nil {
			t.Errorf("endorsement %d: %v", i, err)
		}
		if err := ec.CheckSubject(); err != nil {
			t.Errorf("endorsement %d: %v", i, err)
		}
		if err := ValidateSchema(e, Endorsement, Compaction); err != nil {
			t.Errorf("endorsement %d: %v", i, err)
		}
	}
}

func TestParseDateTimeZ(t *testing.T) {
	good := map[string]time.Time{
		"2010-01-01T00:00:00Z":             time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC),
		"2022-11-10T07:38:00-08:00":        time.Date(2022, 11, 10, 15, 38, 0, 0, time.UTC),
		"2022-11-10T07:38:00.123456+01:00": time.Date(2022, 11, 10, 6, 38, 0, 123456000, time.UTC),
		"2010-01-01T00:00:00.5Z":           time.Date(2010, 1, 1, 0, 0, 0, 500000000, time.UTC),
	}
	for in, want := range good {
		got, err := ParseDateTimeZ(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseDateTimeZ(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	bad := map[string]string{
		"2010-01-01T00:00:00":      "has no time zone",
		"2010-01-01T00:00:00.123":  "has no time zone",
		"2010-01-01":               "not an XSD dateTime",
		"2010-13-01T00:00:00Z":     "not an XSD dateTime",
		"2010-01-01 00:00:00Z":     "not an XSD dateTime",
		"":                         "not an XSD dateTime",
		"2010-01-01T00:00:00+0100": "not an XSD dateTime",
	}
	for in, msg := range bad {
		_, err := ParseDateTimeZ(in)
		if !errors.Is(err, ErrDate) || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseDateTimeZ(%q) = %v, want ErrDate %q", in, err, msg)
		}
	}
}

func TestValidFromMissingZone(t *testing.T) {
	c := mutate(t, func(m map[string]any) { m["validFrom"] = "2010-01-01T00:00:00" })
	_, ok, err := c.ValidFrom()
	if ok || !errors.Is(err, ErrDate) || !strings.Contains(err.Error(), "validFrom") || !strings.Contains(err.Error(), "no time zone") {
		t.Errorf("ValidFrom = %v, %v", ok, err)
	}
	if err := ValidateSchema(c.Doc, OpenBadge, Compaction); !errors.Is(err, ErrSchema) || !strings.Contains(err.Error(), "/validFrom") {
		t.Errorf("schema (format date-time): %v", err)
	}
	c = mutate(t, func(m map[string]any) { m["validFrom"] = 12 })
	if _, _, err := c.ValidFrom(); !errors.Is(err, ErrDate) {
		t.Errorf("numeric validFrom: %v", err)
	}
	c = mutate(t, func(m map[string]any) { delete(m, "@context") })
	if _, _, err := c.ValidFrom(); !errors.Is(err, ErrContext) {
		t.Errorf("no context: %v", err)
	}
}

func TestProofs(t *testing.T) {
	c := mutate(t, func(m map[string]any) { m["proof"] = nil })
	if _, err := c.Proofs(); !errors.Is(err, ErrNullProof) {
		t.Errorf("null proof: %v", err)
	}
	c = mutate(t, func(m map[string]any) { delete(m, "proof") })
	if p, err := c.Proofs(); p != nil || err != nil {
		t.Errorf("missing proof: %v %v", p, err)
	}
	c = mutate(t, func(m map[string]any) { m["proof"] = map[string]any{"type": "X"} })
	if p, err := c.Proofs(); len(p) != 1 || err != nil {
		t.Errorf("object proof: %v %v", p, err)
	}
	for _, bad := range []any{"z123", 1.0, []any{map[string]any{}, nil}, []any{"x"}} {
		c = mutate(t, func(m map[string]any) { m["proof"] = bad })
		if _, err := c.Proofs(); !errors.Is(err, ErrProof) {
			t.Errorf("proof %v: %v", bad, err)
		}
	}
	c = mutate(t, func(m map[string]any) { m["proof"] = []any{} })
	if p, err := c.Proofs(); len(p) != 0 || err != nil {
		t.Errorf("empty proof array: %v %v", p, err)
	}
}

func TestCheckContext(t *testing.T) {
	v2, ob := ContextV2, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	tests := []struct {
		ctx any
		msg string // "" = valid
	}{
		{[]any{v2, ob}, ""},
		{[]any{ContextV1, "https://purl.imsglobal.org/spec/ob/v3p0/context.json"}, ""},
		{[]any{v2, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json", "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json", map[string]any{"x": "urn:x"}}, ""},
		{nil, "got null"},
		{v2, "got a single string"},
		{map[string]any{}, "must be an array, got an object"},
		{[]any{}, "is empty"},
		{[]any{v2}, "at least 2 entries"},
		{[]any{ob, v2}, "@context[0] must be"},
		{[]any{v2, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.jsonld"}, "@context[1] must be an Open Badges 3.0 context"},
		{[]any{v2, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.json"}, "@context[1]"},
		{[]any{v2, "http://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"}, "@context[1]"},
		{[]any{v2, map[string]any{}}, "@context[1]"},
		{[]any{v2, ob, 3.0}, "@context[2] must be a URL or an object"},
		{[]any{v2, ob, "not a url"}, "@context[2] must be an absolute URL"},
		{[]any{v2, ob, ""}, "@context[2] must be an absolute URL"},
	}
	for _, tc := range tests {
		c := mutate(t, func(m map[string]any) { m["@context"] = tc.ctx })
		err := c.CheckContext()
		if tc.msg == "" {
			if err != nil {
				t.Errorf("%v: %v", tc.ctx, err)
			}
			continue
		}
		if !errors.Is(err, ErrContext) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%v: got %v, want %q", tc.ctx, err, tc.msg)
		}
	}
	c := mutate(t, func(m map[string]any) { delete(m, "@context") })
	if err := c.CheckContext(); !errors.Is(err, ErrContext) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing: %v", err)
	}
}

func TestCheckType(t *testing.T) {
	tests := []struct {
		typ  any
		kind Kind
		msg  string
	}{
		{[]any{"VerifiableCredential", "AchievementCredential"}, OpenBadge, ""},
		{[]any{"OpenBadgeCredential", "VerifiableCredential"}, OpenBadge, ""},
		{[]any{"VerifiableCredential", "EndorsementCredential"}, Endorsement, ""},
		{"OpenBadgeCredential", OpenBadge, "must include VerifiableCredential"},
		{[]any{"VerifiableCredential"}, KindUnknown, "must include OpenBadgeCredential"},
		{42.0, KindUnknown, "string or an array"},
	}
	for _, tc := range tests {
		c := mutate(t, func(m map[string]any) { m["type"] = tc.typ })
		if c.Kind() != tc.kind {
			t.Errorf("%v: kind %v", tc.typ, c.Kind())
		}
		err := c.CheckType()
		if (tc.msg == "") != (err == nil) || (err != nil && (!errors.Is(err, ErrType) || !strings.Contains(err.Error(), tc.msg))) {
			t.Errorf("%v: got %v, want %q", tc.typ, err, tc.msg)
		}
	}
	c := mutate(t, func(m map[string]any) { delete(m, "type") })
	if err := c.CheckType(); !errors.Is(err, ErrType) {
		t.Errorf("missing type: %v", err)
	}
}

func TestCheckSubject(t *testing.T) {
	achievement := map[string]any{"id": "urn:a", "type": "Achievement", "name": "n", "description": "d", "criteria": map[string]any{}}
	identifier := map[string]any{"type": "IdentityObject", "hashed": false, "identityHash": "a@example.com", "identityType": "emailAddress"}
	tests := []struct {
		name string
		cs   any
		msg  string
	}{
		{"compacted types", map[string]any{"id": "did:x", "type": "AchievementSubject", "achievement": achievement}, ""},
		{"identifier only", map[string]any{"type": []any{"AchievementSubject"}, "identifier": []any{identifier}, "achievement": achievement}, ""},
		{"single identifier object", map[string]any{"type": []any{"AchievementSubject"}, "identifier": identifier, "achievement": achievement}, ""},
		{"array of one", []any{map[string]any{"id": "did:x", "type": "AchievementSubject", "achievement": achievement}}, ""},
		{"array of two", []any{map[string]any{"id": "did:x"}, map[string]any{"id": "did:y"}}, "exactly one subject, got an array of 2"},
		{"string", "did:x", "must be an object, got a string"},
		{"array of string", []any{"did:x"}, "credentialSubject[0] must be an object"},
		{"no id nor identifier", map[string]any{"type": "AchievementSubject", "achievement": achievement}, "id or at least one identifier"},
		{"empty id", map[string]any{"id": "", "identifier": []any{}, "type": "AchievementSubject", "achievement": achievement}, "id or at least one identifier"},
		{"wrong type", map[string]any{"id": "did:x", "type": "Profile", "achievement": achievement}, "must include AchievementSubject"},
		{"no type", map[string]any{"id": "did:x", "achievement": achievement}, "got none"},
		{"no achievement", map[string]any{"id": "did:x", "type": "AchievementSubject"}, "achievement is missing"},
		{"achievement string", map[string]any{"id": "did:x", "type": "AchievementSubject", "achievement": "urn:a"}, "must be an object, got a string"},
		{"achievement wrong type", map[string]any{"id": "did:x", "type": "AchievementSubject", "achievement": map[string]any{"type": []any{"Badge"}}}, "must include Achievement"},
	}
	for _, tc := range tests {
		c := mutate(t, func(m map[string]any) { m["credentialSubject"] = tc.cs })
		err := c.CheckSubject()
		if tc.msg == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrSubject) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.msg)
		}
	}
	c := mutate(t, func(m map[string]any) { delete(m, "credentialSubject") })
	if err := c.CheckSubject(); !errors.Is(err, ErrSubject) {
		t.Errorf("missing: %v", err)
	}
	if c.SubjectID() != "" || c.Subjects() != nil {
		t.Error("SubjectID/Subjects of missing subject")
	}

	// OB requires exactly one subject: an array of two also fails the schema.
	two := mutate(t, func(m map[string]any) {
		s := m["credentialSubject"]
		m["credentialSubject"] = []any{s, s}
	})
	if len(two.Subjects()) != 2 || two.SubjectID() != "" {
		t.Error("Subjects of two")
	}
	if err := ValidateSchema(two.Doc, OpenBadge, Compaction); !errors.Is(err, ErrSchema) {
		t.Errorf("schema of two subjects: %v", err)
	}

	// Endorsement subjects.
	end, err := Parse(readFixture(t, "validator-fixtures/endorsement-valid.json"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if err := end.CheckSubject(); err != nil {
		t.Error(err)
	}
	delete(end.Subjects()[0], "id")
	if err := end.CheckSubject(); !errors.Is(err, ErrSubject) || !strings.Contains(err.Error(), "id is required") {
		t.Errorf("endorsement without id: %v", err)
	}
	end.Subjects()[0]["id"] = "https://x"
	end.Subjects()[0]["type"] = "AchievementSubject"
	if err := end.CheckSubject(); !errors.Is(err, ErrSubject) || !strings.Contains(err.Error(), "EndorsementSubject") {
		t.Errorf("endorsement wrong type: %v", err)
	}
}

func TestIssuerForms(t *testing.T) {
	c := mutate(t, func(m map[string]any) { m["issuer"] = "did:web:example.com" })
	if c.IssuerID() != "did:web:example.com" || c.IssuerName() != "" {
		t.Errorf("string issuer: %q %q", c.IssuerID(), c.IssuerName())
	}
	if err := ValidateSchema(c.Doc, OpenBadge, Strict); err != nil {
		t.Errorf("ProfileRef string: %v", err)
	}
	c = mutate(t, func(m map[string]any) { m["issuer"] = []any{"x"} })
	if c.IssuerID() != "" {
		t.Error("array issuer")
	}
}

func TestAccessorsOnOddDocuments(t *testing.T) {
	// Accessors never panic, whatever the shape.
	docs := []string{`{}`, `{"@context":null,"type":null,"credentialSubject":null,"issuer":null,"proof":{},"endorsement":[1,null,{}]}`,
		`{"@context":[1,2],"type":[1,{}],"credentialSubject":[[]],"issuer":{"id":1,"name":[]},"validFrom":{}}`}
	for _, d := range docs {
		c, err := Parse([]byte(d), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		exerciseAccessors(c)
	}
}

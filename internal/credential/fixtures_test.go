package credential

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Verifier check names (ARCHITECTURE.md §3) used in the fixture table.
const (
	checkContext  = "context"  // Credential.CheckContext
	checkType     = "type"     // Credential.CheckType
	checkSchema   = "schema"   // ValidateSchema(doc, Kind(), Compaction) for V2; ErrNoSchemaForV1 for V1
	checkSubject  = "subject"  // Credential.CheckSubject
	checkProof    = "proof"    // not this package: verifier (Data Integrity / VC-JWT)
	checkValidity = "validity" // not this package: verifier compares ValidFrom/ValidUntil with now
	checkStatus   = "status"   // not this package: verifier (status list / 1EdTech revocation list)
	checkRefresh  = "refresh"  // not this package: verifier (1EdTechCredentialRefresh)
)

// fixtureCase documents, for one file under testdata/, what each check of
// this package returns and which check is meant to catch the fixture's
// defect. The verifier reuses this table for its own end-to-end expectations.
type fixtureCase struct {
	file    string // relative to testdata/
	version Version
	kind    Kind

	// Expected sentinel from each check (nil = passes).
	context, typ, compaction, strict, subject error
	// For a compaction schema failure: a substring of the SchemaError that
	// shows it failed for the fixture's defect (usually a JSON pointer).
	schemaAt string

	// defectCheck is the check that must reject the fixture: one of this
	// package's (context, type, schema, subject) or a later verifier check
	// (proof, validity, status, refresh). "" for a fixture that must verify.
	defectCheck string
	note        string
}

// Abbreviations for the table.
var (
	errSch = ErrSchema
	errV1  = ErrNoSchemaForV1
)

var fixtureTable = []fixtureCase{
	// Positive validator fixtures: must pass every check of this package.
	// Several carry "proof" as a single object, which only the compaction
	// schema accepts (App. A.2.1); the strict schema rejects them.
	{file: "validator-fixtures/simple.json", version: V2, kind: OpenBadge},
	{file: "validator-fixtures/complete.json", version: V2, kind: OpenBadge},
	{file: "validator-fixtures/simple-context-alias.json", version: V2, kind: OpenBadge},
	{file: "validator-fixtures/simple-context-version.json", version: V2, kind: OpenBadge, note: "context-3.0.2.json in @context[1]"},
	{file: "validator-fixtures/simple-did-key-method.json", version: V2, kind: OpenBadge, note: "AchievementCredential alias, validFrom with -08:00 offset"},
	{file: "validator-fixtures/simple-did-web-method.json", version: V2, kind: OpenBadge, strict: errSch, note: "proof is a single object"},
	{file: "validator-fixtures/simple-multiple-proofs.json", version: V2, kind: OpenBadge},
	{file: "validator-fixtures/endorsement-valid.json", version: V2, kind: Endorsement},
	{file: "validator-fixtures/simple_v1.json", version: V1, kind: OpenBadge, compaction: errV1, strict: errV1},
	{file: "validator-fixtures/complete_v1.json", version: V1, kind: OpenBadge, compaction: errV1, strict: errV1},
	{file: "validator-fixtures/simple-eddsa-2022.json", version: V1, kind: OpenBadge, compaction: errV1, strict: errV1, note: "VC 1.1 with legacy eddsa-2022 Data Integrity proof"},

	// Revoked credentials: well-formed, rejected later by the status check.
	{file: "validator-fixtures/credential-status-revoked.json", version: V1, kind: OpenBadge, compaction: errV1, strict: errV1,
		defectCheck: checkStatus, note: "1EdTechRevocationList says revoked"},
	{file: "validator-fixtures/bit-string-list/credential-status-revoked.json", version: V2, kind: OpenBadge, strict: errSch,
		defectCheck: checkStatus, note: "BitstringStatusListEntry index 23 is set; proof is a single object"},
	{file: "validator-fixtures/bit-string-list/credential-status-revoked-blank-nodes.json", version: V2, kind: OpenBadge, strict: errSch,
		defectCheck: checkStatus, note: "as above, Address without id (blank node)"},

	// Negative fixtures whose defect this package catches.
	{file: "validator-fixtures/simple-err-context.json", version: VersionUnknown, kind: OpenBadge,
		context: ErrContext, compaction: errSch, strict: errSch, subject: ErrSubject, schemaAt: "/@context/0",
		defectCheck: checkContext, note: "@context lacks the VC context; subject also lacks achievement"},
	{file: "validator-fixtures/simple-err-type.json", version: V2, kind: KindUnknown,
		typ: ErrType, compaction: ErrUnknownKind, strict: ErrUnknownKind, subject: ErrType,
		defectCheck: checkType, note: "type is [VerifiableCredential, OtherCredential]"},
	{file: "validator-fixtures/simple-err-credential-subject-type.json", version: V2, kind: OpenBadge,
		compaction: errSch, strict: errSch, subject: ErrSubject, schemaAt: "/credentialSubject/type",
		defectCheck: checkSchema, note: "InvalidAchievementSubject; CheckSubject catches it too"},
	{file: "validator-fixtures/simple-err-credential-subject-identifier-type.json", version: V2, kind: OpenBadge,
		compaction: errSch, strict: errSch, schemaAt: "/credentialSubject/identifier/0/type",
		defectCheck: checkSchema, note: "InvalidIdentityObject"},
	{file: "validator-fixtures/simple-err-credential-subject-profile-type.json", version: V2, kind: OpenBadge,
		compaction: errSch, strict: errSch, schemaAt: "/credentialSubject/source/type",
		defectCheck: checkSchema, note: "single-string type InvalidProfile: only the class-type check catches it under the compaction schema"},
	{file: "validator-fixtures/simple-err-credential-subject-result-type.json", version: V2, kind: OpenBadge,
		compaction: errSch, strict: errSch, schemaAt: "/credentialSubject/result/1/type",
		defectCheck: checkSchema, note: "InvalidResult"},
	{file: "validator-fixtures/simple-err-credential-subject-achievement-result-description-type.json", version: V2, kind: OpenBadge,
		compaction: errSch, strict: errSch, schemaAt: "/credentialSubject/achievement/resultDescription/2/type",
		defectCheck: checkSchema, note: "single-string type InvalidResultDescription: only the class-type check catches it under the compaction schema"},
	{file: "validator-fixtures/simple-err-evidence-type.json", version: V2, kind: OpenBadge,
		compaction: errSch, strict: errSch, schemaAt: "/evidence/1/type",
		defectCheck: checkSchema, note: "single-string type InvalidEvidence: only the class-type check catches it under the compaction schema"},
	{file: "validator-fixtures/simple-err-issuer-type.json", version: V2, kind: OpenBadge,
		compaction: errSch, strict: errSch, schemaAt: "/issuer/type",
		defectCheck: checkSchema, note: "issuer type InvalidProfile"},
	{file: "validator-fixtures/simple-err-issuer-parentorg-type.json", version: V2, kind: OpenBadge,
		compaction: errSch, strict: errSch, schemaAt: "/issuer/parentOrg/type",
		defectCheck: checkSchema, note: "parentOrg type InvalidProfile"},
	{file: "validator-fixtures/simple-err-issuer-otheridentifier-type.json", version: V2, kind: OpenBadge,
		compaction: errSch, strict: errSch, schemaAt: "/issuer/otherIdentifier/1/type",
		defectCheck: checkSchema, note: "InvalidIdentifierEntry"},
	{file: "validator-fixtures/simple-err-issuer.json", version: V2, kind: OpenBadge,
		compaction: errSch, strict: errSch, subject: ErrSubject, schemaAt: "missing property 'issuer'",
		defectCheck: checkSchema, note: "no issuer (IssuerID is empty); subject also lacks achievement"},

	// Negative fixtures whose defect lies with a later verifier check. This
	// package passes them unless noted.
	{file: "validator-fixtures/simple-err-expired.json", version: V2, kind: OpenBadge,
		defectCheck: checkValidity, note: "validUntil 2010-01-01 is past"},
	{file: "validator-fixtures/simple-err-issued.json", version: V2, kind: OpenBadge,
		compaction: errSch, strict: errSch, subject: ErrSubject, schemaAt: "missing property 'achievement'",
		defectCheck: checkValidity, note: "validFrom 2040 is in the future; but its subject also lacks achievement, so schema and subject reject it first"},
	{file: "validator-fixtures/simple-err-proof-method.json", version: V2, kind: OpenBadge, strict: errSch,
		defectCheck: checkProof, note: "verificationMethod key does not decode"},
	{file: "validator-fixtures/simple-err-proof-method-no-scheme.json", version: V2, kind: OpenBadge,
		defectCheck: checkProof, note: "verificationMethod has no URI scheme"},
	{file: "validator-fixtures/simple-err-proof-method-unknown-scheme.json", version: V2, kind: OpenBadge,
		defectCheck: checkProof, note: "verificationMethod scheme xxx:"},
	{file: "validator-fixtures/simple-err-proof-method-unknown-did-method.json", version: V2, kind: OpenBadge,
		defectCheck: checkProof, note: "did:example"},
	{file: "validator-fixtures/simple-err-proof-value.json", version: V2, kind: OpenBadge,
		defectCheck: checkProof, note: "proofValue altered"},
	{file: "validator-fixtures/simple-noproof.json", version: V1, kind: OpenBadge,
		compaction: errV1, strict: errV1, subject: ErrSubject,
		defectCheck: checkProof, note: "no proof (Proofs is empty); subject also lacks achievement"},
	{file: "validator-fixtures/endorsement-err-schema-status-refresh.json", version: V1, kind: Endorsement,
		compaction: errV1, strict: errV1,
		defectCheck: checkStatus, note: "VC 1.1; its second credentialSchema, revocation list and refresh service are unreachable (schema/status/refresh in the verifier)"},

	// Spec and Implementation Guide examples (unsigned unless noted).
	{file: "examples/spec-D1-basic-openbadgecredential.json", version: V2, kind: OpenBadge},
	{file: "examples/spec-D2-complete-openbadgecredential.json", version: V2, kind: OpenBadge},
	{file: "examples/spec-D3-endorsementcredential.json", version: V2, kind: Endorsement},
	{file: "examples/spec-D4-achievement-alignment-case.json", version: V2, kind: OpenBadge},
	{file: "examples/spec-D5-achievement-alignment-credential-engine.json", version: V2, kind: OpenBadge},
	{file: "examples/spec-D6-skill-assertion-case.json", version: V2, kind: OpenBadge},
	{file: "examples/spec-D7-skill-assertion-credential-engine.json", version: V2, kind: OpenBadge},
	{file: "examples/spec-5-sample-openbadgecredential-file.json", version: V2, kind: OpenBadge},
	{file: "examples/impl-testvector-eddsa-rdfc-2022-unsigned.json", version: V2, kind: OpenBadge},
	{file: "examples/impl-testvector-eddsa-rdfc-2022-signed.json", version: V2, kind: OpenBadge, strict: errSch,
		note: "proof is a single object"},
	{file: "examples/impl-quickstart-signed-credential-hashed-email.json", version: V2, kind: OpenBadge,
		compaction: errSch, strict: errSch, subject: ErrSubject, schemaAt: "/credentialSubject/identifier/identityType",
		defectCheck: checkSchema, note: `digest §10 item 10: identityType "email" (not emailAddress) and achievement type ""`},
}

// readFixture reads a file under testdata/ (never /work/shared).
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func checkErr(t *testing.T, what string, got, want error) {
	t.Helper()
	switch {
	case want == nil && got != nil:
		t.Errorf("%s: unexpected error: %v", what, got)
	case want != nil && !errors.Is(got, want):
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func TestFixtureTable(t *testing.T) {
	for _, tc := range fixtureTable {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			c, err := Parse(readFixture(t, tc.file), Limits{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			ver, verr := c.Version()
			if ver != tc.version {
				t.Errorf("Version = %v (%v), want %v", ver, verr, tc.version)
			}
			if k := c.Kind(); k != tc.kind {
				t.Errorf("Kind = %v, want %v", k, tc.kind)
			}
			checkErr(t, "CheckContext", c.CheckContext(), tc.context)
			checkErr(t, "CheckType", c.CheckType(), tc.typ)
			checkErr(t, "CheckSubject", c.CheckSubject(), tc.subject)
			compErr := ValidateSchema(c.Doc, c.Kind(), Compaction)
			checkErr(t, "ValidateSchema(Compaction)", compErr, tc.compaction)
			checkErr(t, "ValidateSchema(Strict)", ValidateSchema(c.Doc, c.Kind(), Strict), tc.strict)
			if tc.schemaAt != "" && (compErr == nil || !strings.Contains(compErr.Error(), tc.schemaAt)) {
				t.Errorf("compaction schema error %v does not mention %q", compErr, tc.schemaAt)
			}
			// The defect must be caught by the check the table names, when
			// that check belongs to this package.
			var defectErr error
			switch tc.defectCheck {
			case checkContext:
				defectErr = c.CheckContext()
			case checkType:
				defectErr = c.CheckType()
			case checkSchema:
				defectErr = compErr
			case checkSubject:
				defectErr = c.CheckSubject()
			}
			if strings.Contains("context type schema subject", tc.defectCheck) && tc.defectCheck != "" && defectErr == nil {
				t.Errorf("defect check %q passed", tc.defectCheck)
			}
			// Accessors that a verifier runs on any parsed credential.
			if ver != VersionUnknown {
				if _, ok, err := c.ValidFrom(); err != nil || !ok {
					t.Errorf("ValidFrom: ok=%v err=%v", ok, err)
				}
				if _, _, err := c.ValidUntil(); err != nil {
					t.Errorf("ValidUntil: %v", err)
				}
			}
			if _, err := c.Proofs(); err != nil {
				t.Errorf("Proofs: %v", err)
			}
		})
	}
}

// TestFixtureTableComplete fails when a fixture in testdata/ is missing from
// the table (or the glob finds nothing).
func TestFixtureTableComplete(t *testing.T) {
	inTable := map[string]bool{}
	for _, tc := range fixtureTable {
		inTable[tc.file] = true
	}
	var files []string
	for _, g := range []string{"validator-fixtures/*.json", "validator-fixtures/*/*.json", "examples/spec-D*.json", "examples/spec-5-*.json", "examples/impl-*credential*.json", "examples/impl-testvector-*-signed.json", "examples/impl-testvector-*-unsigned.json"} {
		m, err := filepath.Glob(filepath.Join("testdata", filepath.FromSlash(g)))
		if err != nil || len(m) == 0 {
			t.Fatalf("glob %s found nothing (%v)", g, err)
		}
		files = append(files, m...)
	}
	for _, f := range files {
		rel := filepath.ToSlash(strings.TrimPrefix(f, "testdata"+string(filepath.Separator)))
		if !inTable[rel] {
			t.Errorf("%s is not in fixtureTable", rel)
		}
	}
	if len(files) < 45 {
		t.Errorf("found only %d fixture files", len(files))
	}
}

// TestSimpleErrFixturesClassified makes sure every simple-err-* fixture has a
// defect check.
func TestSimpleErrFixturesClassified(t *testing.T) {
	for _, tc := range fixtureTable {
		if strings.Contains(tc.file, "-err-") && tc.defectCheck == "" {
			t.Errorf("%s: no defect check", tc.file)
		}
	}
}

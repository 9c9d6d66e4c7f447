package verifier

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/dataintegrity"
	"github.com/blason-badges/blason/internal/did"
)

// fixedNow is the test clock: after every fixture's validFrom except
// simple-err-issued (2040), before complete.json's validUntil (2030).
var fixedNow = func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }

// virtualWeb stands in for the network in tests, in the manner of
// sigstore-go's VirtualSigstore: it serves the controller documents of the
// validator fixtures' example issuers (https://example.com/issuers/876543,
// did:web:dc.1edtech.org:..., ...), each listing the verification methods
// those issuers sign with, authorised for assertionMethod. In production
// these documents are fetched (issuer profiles over HTTPS, did:web); the
// keys come from the fixtures' own verification method ids, whose fragment
// is the public Multikey.
type virtualWeb struct {
	methods map[string]*dataintegrity.VerificationKey // verification method id -> key
	dids    Resolver
}

var multikeyFragment = regexp.MustCompile(`^((?:https://|did:web:)[^#]+)#((?:z6Mk|zDna)[1-9A-HJ-NP-Za-km-z]+)$`)

func newVirtualWeb(t testing.TB, docs ...map[string]any) *virtualWeb {
	w := &virtualWeb{methods: map[string]*dataintegrity.VerificationKey{}, dids: DIDResolver(did.Offline)}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if vm, ok := x["verificationMethod"].(string); ok {
				if m := multikeyFragment.FindStringSubmatch(vm); m != nil {
					pub, err := did.DecodePublicMultikey(m[2])
					if err == nil {
						w.methods[vm] = &dataintegrity.VerificationKey{ID: vm, Controller: m[1], Public: pub}
					}
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	for _, d := range docs {
		walk(d)
	}
	return w
}

func (w *virtualWeb) ResolveKey(ctx context.Context, vm, purpose string) (*dataintegrity.VerificationKey, error) {
	if strings.HasPrefix(vm, "did:key:") || strings.HasPrefix(vm, "did:jwk:") {
		return w.dids.ResolveKey(ctx, vm, purpose)
	}
	if k, ok := w.methods[vm]; ok && purpose == dataintegrity.PurposeAssertion {
		return k, nil
	}
	return nil, fmt.Errorf("virtual web: no document lists %q", vm)
}

// testFetcher serves fixed documents by URL, standing in for the network.
type testFetcher map[string]string // URL -> file

func (f testFetcher) GetJSON(_ context.Context, url string, _ ...string) ([]byte, error) {
	path, ok := f[url]
	if !ok {
		return nil, fmt.Errorf("test fetcher: 404 for %s", url)
	}
	return os.ReadFile(path)
}

// fixtureWeb serves the documents the validator fixtures point to.
var fixtureWeb = testFetcher{
	"https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/main/inspector-vc/src/test/resources/ob30/bit-string-list/testlist": "testdata/validator-fixtures/bit-string-list/testlist",
	"https://dc.1edtech.org/wellspring2022/wellspring-portal/api/revocations/da1e96e9-afcc-4eed-b9a2-2ddf7353214c":                                                 "testdata/1edtech-revocation-list.json",
}

func loadFixture(t testing.TB, name string) ([]byte, map[string]any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata/validator-fixtures", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return b, m
}

// fixtureExpectations classifies the 1EdTech validator's fixtures. "" means
// verified; otherwise the check that must fail (or, for status, not pass).
// Where Blason's answer differs from the validator's, the reason is given.
var fixtureExpectations = map[string]struct {
	fails  string
	reason string
}{
	"simple.json": {"", ""},
	"complete.json": {"", "status is reported as unknown until status lists are checked; its 3 embedded endorsements " +
		"(cryptosuite typo eddsa-rdf-2022, expired 2020) are reported as not verified, with a warning"},
	"simple-context-alias.json":   {"", ""},
	"simple-context-version.json": {"", ""},
	"simple-did-web-method.json":  {"", ""},
	"simple-eddsa-2022.json":      {"", ""},
	"simple-multiple-proofs.json": {"", "the unknown SomeProofType proof is reported, the eddsa-rdfc-2022 proof verifies"},
	"endorsement-valid.json":      {"", ""},
	"simple_v1.json":              {"", ""},
	"simple-did-key-method.json": {CheckIssuerKey, "DIVERGES from the validator: the did:key that signed is not the issuer " +
		"(urn:uuid:...), so key provenance fails; the validator does not enforce it here"},
	"complete_v1.json": {CheckProof, "DIVERGES from the validator: its refreshService type 1EdTechCredentialRefresh is not defined by " +
		"its contexts (no extensions.json); JSON-LD safe mode refuses to drop it from the signed data (it is also expired since 2020)"},
	"credential-status-revoked.json":                                         {CheckStatus, "revoked in its 1EdTechRevocationList (a list written for the tests: none is archived)"},
	"endorsement-err-schema-status-refresh.json":                             {CheckProof, "its refreshService type is not defined by its contexts"},
	"simple-err-context.json":                                                {CheckContext, ""},
	"simple-err-type.json":                                                   {CheckType, ""},
	"simple-err-credential-subject-type.json":                                {CheckSchema, ""},
	"simple-err-credential-subject-identifier-type.json":                     {CheckSchema, ""},
	"simple-err-credential-subject-profile-type.json":                        {CheckSchema, ""},
	"simple-err-credential-subject-result-type.json":                         {CheckSchema, ""},
	"simple-err-credential-subject-achievement-result-description-type.json": {CheckSchema, ""},
	"simple-err-evidence-type.json":                                          {CheckSchema, ""},
	"simple-err-issuer-type.json":                                            {CheckSchema, ""},
	"simple-err-issuer-parentorg-type.json":                                  {CheckSchema, ""},
	"simple-err-issuer-otheridentifier-type.json":                            {CheckSchema, ""},
	"simple-err-issuer.json":                                                 {CheckSchema, ""},
	"simple-err-expired.json":                                                {CheckValidity, ""},
	"simple-err-issued.json":                                                 {CheckValidity, ""},
	"simple-err-proof-method.json":                                           {CheckProof, ""},
	"simple-err-proof-method-no-scheme.json":                                 {CheckProof, ""},
	"simple-err-proof-method-unknown-scheme.json":                            {CheckProof, ""},
	"simple-err-proof-method-unknown-did-method.json":                        {CheckProof, ""},
	"simple-err-proof-value.json":                                            {CheckProof, ""},
	"simple-noproof.json":                                                    {CheckProof, ""},
	"bit-string-list/credential-status-revoked.json":                         {CheckStatus, "revoked: bit 23 of bit-string-list/testlist"},
	"bit-string-list/credential-status-revoked-blank-nodes.json":             {CheckStatus, "revoked: bit 23 of bit-string-list/testlist"},
	"sd/derivedcredential.json":                                              {"", "an ecdsa-sd-2023 derived proof (selective disclosure), P-256 key of its https issuer"},
	"simple.jwt":                                                             {CheckProof, "RS256 VC-JWT with neither kid nor jwk: no key exists (the validator also fails it: \"Key must present in either jwk or kid value\")"},
	"velocity.jwt":                                                           {CheckProof, "kid is a did:velocity key held in Velocity's registry: could not check (unknown), as offline"},
}

func TestValidatorFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/validator-fixtures/*.json")
	more, _ := filepath.Glob("testdata/validator-fixtures/*/*.json")
	jwts, _ := filepath.Glob("testdata/validator-fixtures/*.jwt")
	files = append(append(files, more...), jwts...)
	if len(files) != len(fixtureExpectations) {
		t.Fatalf("%d fixture files, %d expectations: classify every fixture", len(files), len(fixtureExpectations))
	}
	sort.Strings(files)
	var docs []map[string]any
	for _, f := range files {
		if strings.HasSuffix(f, ".json") {
			_, d := loadFixture(t, strings.TrimPrefix(f, "testdata/validator-fixtures/"))
			docs = append(docs, d)
		}
	}
	// The status list is signed by the same issuer key as the fixtures.
	testlist, _ := loadFixture(t, "bit-string-list/testlist")
	var tl map[string]any
	json.Unmarshal(testlist, &tl)
	docs = append(docs, tl)
	v := New(Options{Resolver: newVirtualWeb(t, docs...), Now: fixedNow, Fetcher: fixtureWeb})
	for _, f := range files {
		name := strings.TrimPrefix(f, "testdata/validator-fixtures/")
		t.Run(name, func(t *testing.T) {
			want, ok := fixtureExpectations[name]
			if !ok {
				t.Fatalf("no expectation for %s", name)
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			r, err := v.Verify(context.Background(), data)
			if (err == nil) != r.Verified {
				t.Fatalf("error %v disagrees with Verified=%v", err, r.Verified)
			}
			if want.fails == "" {
				if !r.Verified {
					t.Fatalf("want verified, got %v\n%s", err, dump(r))
				}
				return
			}
			c := r.Check(want.fails)
			wantOutcome := Failed
			if name == "velocity.jwt" {
				wantOutcome = Unknown
			}
			if c.Outcome != wantOutcome {
				t.Fatalf("check %s is %s, want %s\n%s", want.fails, c.Outcome, wantOutcome, dump(r))
			}
			if r.Verified {
				t.Fatalf("want not verified (%s), got verified\n%s", want.fails, dump(r))
			}
		})
	}
}

func dump(r *Report) string {
	b, _ := json.MarshalIndent(r.Checks, "", " ")
	return string(b)
}

// TestFixtureDetails pins what a person sees for the fixtures whose report
// carries more than a yes or no.
func TestFixtureDetails(t *testing.T) {
	files, _ := filepath.Glob("testdata/validator-fixtures/*.json")
	var docs []map[string]any
	for _, f := range files {
		_, d := loadFixture(t, filepath.Base(f))
		docs = append(docs, d)
	}
	v := New(Options{Resolver: newVirtualWeb(t, docs...), Now: fixedNow})
	verify := func(name string) *Report {
		data, _ := loadFixture(t, name)
		r, _ := v.Verify(context.Background(), data)
		return r
	}
	r := verify("complete.json")
	if c := r.Check(CheckEndorsements); c.Outcome != Warning || len(r.Endorsements) != 3 {
		t.Fatalf("complete.json endorsements: %s with %d reports", c.Outcome, len(r.Endorsements))
	}
	for _, e := range r.Endorsements {
		if e.Verified || e.Check(CheckProof).Outcome != Failed {
			t.Fatalf("an endorsement with cryptosuite eddsa-rdf-2022 must not verify: %s", dump(e))
		}
	}
	if c := r.Check(CheckStatus); c.Outcome != Unknown || c.Message != "status.offline" {
		t.Fatalf("complete.json status %s (%s), want unknown: offline", c.Outcome, c.Message)
	}
	if r.Credential.IssuerID != "https://1edtech.edu/issuers/565049" || r.Credential.Version != "2.0" {
		t.Fatalf("summary %+v", r.Credential)
	}
	r = verify("simple-multiple-proofs.json")
	if d := r.Check(CheckProof).Detail; !strings.Contains(d, "SomeProofType") || !strings.Contains(d, "eddsa-rdfc-2022") {
		t.Fatalf("multiple proofs detail %q", d)
	}
	r = verify("simple_v1.json")
	if c := r.Check(CheckSchema); c.Outcome != Skipped || r.Credential.Version != "1.1" {
		t.Fatalf("VC 1.1 schema check %s", c.Outcome)
	}
	r = verify("simple-err-expired.json")
	if c := r.Check(CheckValidity); c.Message != "validity.expired" {
		t.Fatalf("expired: %+v", c)
	}
	r = verify("simple-err-issued.json")
	if c := r.Check(CheckValidity); c.Message != "validity.not-yet-valid" {
		t.Fatalf("not yet valid: %+v", c)
	}
	r = verify("simple-did-key-method.json")
	if c := r.Check(CheckIssuerKey); !strings.Contains(c.Detail, "not by the issuer") {
		t.Fatalf("provenance detail %q", c.Detail)
	}
}

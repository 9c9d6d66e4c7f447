// Package testissuer is the one shared test fixture: deterministic keys, a
// virtual web of DID documents, controller documents, JWKS and status
// lists, a ready verifier and the issuer's preflight. Tests of the server,
// the command line, the issuer and the wallet use it instead of their own
// copies. It may import the roles (TestImportRules allows it); the parts
// that import none live in testkit, for the roles' own internal tests.
//
// It is imported by tests only.
package testissuer

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/dataintegrity"
	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/status"
	"github.com/blason-badges/blason/internal/testissuer/testkit"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

// Now is the fixture's clock: after UnsignedBadge's validFrom.
func Now() time.Time { return time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) }

// IssuerKey is the issuer's Ed25519 key made from seed (testkit.Key),
// identified by its did:key: the same issuer on every run.
func IssuerKey(t testing.TB, seed byte) *issuer.Key {
	t.Helper()
	s := testkit.Ed25519(t, seed)
	return &issuer.Key{Signer: s.Key, DID: s.DID, VerificationMethod: s.VM, Type: did.Ed25519}
}

// Sign signs doc (which it does not modify) with s, eddsa-rdfc-2022, as of
// created, and returns the JSON.
func Sign(t testing.TB, s testkit.Signer, doc map[string]any, created time.Time) []byte {
	t.Helper()
	signed, err := dataintegrity.Sign(doc, s.Key, dataintegrity.SignOptions{VerificationMethod: s.VM, Created: created})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(signed)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Badge is testkit.Badge issued by s, after patch, signed as of Now.
func Badge(t testing.TB, s testkit.Signer, patch func(map[string]any)) []byte {
	t.Helper()
	return Sign(t, s, testkit.Badge(s.DID, patch), Now())
}

// StatusList is a BitstringStatusListCredential published at url by s,
// for purpose ("revocation", "suspension"), with the given indices set.
func StatusList(t testing.TB, s testkit.Signer, url, purpose string, set ...int) []byte {
	t.Helper()
	return Sign(t, s, testkit.StatusList(t, url, s.DID, purpose, set...), Now())
}

// Verifier is a verifier reading the given web (nil: offline) as of Now,
// accepting generic W3C credentials as the server does.
func Verifier(web verifier.Fetcher) *verifier.Verifier {
	return verifier.New(verifier.Options{Now: Now, Fetcher: web, AcceptGeneric: true})
}

// Preflight is the issuer's preflight as blason serve sets it: our
// verifier, offline, as of now (nil: Now), generic credentials accepted.
func Preflight(now func() time.Time) issuer.Preflight {
	if now == nil {
		now = Now
	}
	return verifier.New(verifier.Options{Now: now, AcceptGeneric: true}).Preflight()
}

// Lists serves a Service's own status lists by URL, signed only: the
// verifier parses them and checks their proof every time (issuer.OwnLists
// without its TrustedList). It is a verifier.LocalFetcher (never cached);
// any other URL fails.
type Lists struct{ Service *issuer.Service }

var (
	_ verifier.LocalFetcher       = Lists{}
	_ verifier.TrustedListFetcher = DecodedLists{}
	_ verifier.TrustedListFetcher = OnlyDecoded{}
)

func (l Lists) own() issuer.OwnLists { return issuer.OwnLists{Service: l.Service} }

// IsLocal implements verifier.LocalFetcher.
func (l Lists) IsLocal(url string) bool { return l.own().IsLocal(url) }

// GetJSON returns the signed list credential at url.
func (l Lists) GetJSON(ctx context.Context, url string, accept ...string) ([]byte, error) {
	return l.own().GetJSON(ctx, url, accept...)
}

// DecodedLists also hands the lists over decoded from memory
// (verifier.TrustedListFetcher): issuer.OwnLists, as blason serve uses it.
type DecodedLists struct{ Lists }

// TrustedList implements verifier.TrustedListFetcher.
func (l DecodedLists) TrustedList(ctx context.Context, url string) (*status.List, bool, error) {
	return l.own().TrustedList(ctx, url)
}

// OnlyDecoded is DecodedLists whose GetJSON always fails, so that a
// verification that passes proves it went through TrustedList.
type OnlyDecoded struct{ DecodedLists }

// NewOnlyDecoded serves svc's lists decoded only.
func NewOnlyDecoded(svc *issuer.Service) OnlyDecoded {
	return OnlyDecoded{DecodedLists{Lists{svc}}}
}

func (OnlyDecoded) GetJSON(_ context.Context, url string, _ ...string) ([]byte, error) {
	return nil, fmt.Errorf("fetched %s: the trusted list was not used", url)
}

// IsLocal: nothing is fetched, so nothing is cached either way.
func (OnlyDecoded) IsLocal(string) bool { return false }

// Package contexts holds the pinned JSON-LD context documents that Blason
// signs and verifies with, and a JSON-LD document loader that serves only
// them.
//
// Contexts are never fetched at run time. The VC 2.0 context "is a static
// document that is never updated and can therefore be downloaded and cached"
// (OB 3.0 App. A.2); the OB contexts are versioned files that never change
// once published (OB 3.0 errata, "Context file"). Serving pinned copies makes
// canonicalisation deterministic and removes a network dependency (and an
// attack surface: a context swapped on the wire changes what a signature
// covers). Each file's SHA-256 is pinned in contexts_test.go.
package contexts

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/blason-badges/blason/internal/jsongold/ld"
)

// Context URLs that callers refer to by name.
const (
	CredentialsV1   = "https://www.w3.org/2018/credentials/v1"
	CredentialsV2   = "https://www.w3.org/ns/credentials/v2"
	DataIntegrityV1 = "https://w3id.org/security/data-integrity/v1"
	DataIntegrityV2 = "https://w3id.org/security/data-integrity/v2"
	MultikeyV1      = "https://w3id.org/security/multikey/v1"
	Ed25519V1       = "https://w3id.org/security/suites/ed25519-2020/v1"
	Ed25519_2018V1  = "https://w3id.org/security/suites/ed25519-2018/v1"
	StatusV1        = "https://www.w3.org/ns/credentials/status/v1"
	DIDV1           = "https://www.w3.org/ns/did/v1"
	StatusList2021  = "https://w3id.org/vc/status-list/2021/v1"
	ExamplesV2      = "https://www.w3.org/ns/credentials/examples/v2"
	OB303           = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	OB302           = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
	OB301           = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json"
	OB300           = "https://purl.imsglobal.org/spec/ob/v3p0/context.json"
	OBExtensions    = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
)

// ErrUnknownContext is returned for any context URL that is not pinned here.
var ErrUnknownContext = errors.New("unknown JSON-LD context")

//go:embed *.jsonld ob3/*.json
var files embed.FS

// byURL maps each context URL to its embedded file.
var byURL = map[string]string{
	CredentialsV1:   "credentials-v1.jsonld",
	CredentialsV2:   "credentials-v2.jsonld",
	DataIntegrityV1: "data-integrity-v1.jsonld",
	DataIntegrityV2: "data-integrity-v2.jsonld",
	MultikeyV1:      "multikey-v1.jsonld",
	Ed25519V1:       "ed25519-signature-2020-v1.jsonld",
	Ed25519_2018V1:  "ed25519-signature-2018-v1.jsonld",
	StatusV1:        "credentials-status-v1.jsonld",
	DIDV1:           "did-v1.jsonld",
	StatusList2021:  "vc-status-list-2021-v1.jsonld",
	ExamplesV2:      "credentials-examples-v2.jsonld",
	OB303:           "ob3/context-3.0.3.json",
	OB302:           "ob3/context-3.0.2.json",
	OB301:           "ob3/context-3.0.1.json",
	OB300:           "ob3/context.json",
	// The 1EdTech validator also answers this legacy alias of the 3.0.0 context.
	"https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld": "ob3/context.json",
	OBExtensions: "ob3/extensions.json",
}

// URLs returns every context URL the loader serves, sorted.
func URLs() []string {
	out := make([]string, 0, len(byURL))
	for u := range byURL {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

// Bytes returns the pinned bytes of the context at url.
func Bytes(url string) ([]byte, error) {
	name, ok := byURL[url]
	if !ok {
		return nil, fmt.Errorf("load %q: %w", truncate(url), ErrUnknownContext)
	}
	return files.ReadFile(name)
}

// Known reports whether url names a pinned context.
func Known(url string) bool {
	_, ok := byURL[url]
	return ok
}

// parsed caches each context decoded once. json-gold treats loaded documents
// as read-only, so one decoded value is shared by every caller.
var parsed sync.Map // url -> *ld.RemoteDocument

// Loader is a json-gold DocumentLoader that serves only the pinned contexts:
// never the network, never the file system. It is safe for concurrent use
// and its zero value is ready to use.
type Loader struct{}

var _ ld.DocumentLoader = Loader{}

// LoadDocument implements ld.DocumentLoader.
func (Loader) LoadDocument(url string) (*ld.RemoteDocument, error) {
	if d, ok := parsed.Load(url); ok {
		return d.(*ld.RemoteDocument), nil
	}
	b, err := Bytes(url)
	if err != nil {
		return nil, err
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("decode pinned context %s: %w", url, err)
	}
	// Shared and never modified: lets json-gold memoise the processing of
	// these contexts by identity.
	ld.MarkImmutable(doc)
	rd := &ld.RemoteDocument{DocumentURL: url, Document: doc}
	actual, _ := parsed.LoadOrStore(url, rd)
	return actual.(*ld.RemoteDocument), nil
}

func truncate(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

package contexts

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
	"testing"
)

// pinned is the SHA-256 of every context file, so that an accidental edit (or
// a "helpful" reformat) is caught: changing one byte of a context can change
// what every signature covers.
var pinned = map[string]string{
	CredentialsV1:   "00d7dd6d3ad8b920e3e550dd3a3d9090bffcac84cdbf943da6924b3e0a5c8bb8",
	CredentialsV2:   "8a9f494a89ecc51db093e90e84713e07e84d6d9204364a9b3c7868b21751236f",
	DataIntegrityV1: "b5d829bd09aa7c42abc6efa0c8ed7635313b5487f37ccfce3ecd149ca9418554",
	DataIntegrityV2: "0f77743daf5b4e8fc067fc5ba5b21044283053aa717fc6b0219843bed3b00363",
	MultikeyV1:      "c5f3806f8286920573221938917988a18a4cc5a09e968d29649613c7a1c2b1f6",
	Ed25519V1:       "b9e1ab971fd8bf2c7553e0c4a9438e0b9450afde1ea1ca5b2492368b9f549588",
	Ed25519_2018V1:  "166c6abb9e08176cee5f6c87c9c1bbfefa5717da391bcac525e5437f93eab809",
	StatusV1:        "fd08cbf28ddd829ab2f1978c48f43ab07a112c1c90245a0cfac7ba721c65170c",
	DIDV1:           "62c1054bf404d6dd3a4b26b64f830fd72095f6a26edc4469908c94351352ce5f",
	StatusList2021:  "634d71c159289f068c96012e4511c657fdf82ac4231900081bda3ba24e2e1160",
	ExamplesV2:      "57393fbc69d6efb9b9b5dc9cb6b9880b0944360abfe2eaf459c9e58cf2279d7c",
	OB303:           "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761",
	OB302:           "00666ad080ba407687ed1846b7f5e7495f5019042b202a727de47c48a1755c53",
	OB301:           "d582f3564282fb3b709136d28412e78e70b678b4dbc2f0221f67d84932748355",
	OB300:           "b077fa134d909d92c1dcd1c153f2af1b244aeb415967fdc1467d7fc5dd48ac10",
	OBExtensions:    "146f85aa16effd7ca1da8056eb443f53ce1eca8a34186cb062832c0a97d889c3",
	"https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld": "b077fa134d909d92c1dcd1c153f2af1b244aeb415967fdc1467d7fc5dd48ac10",
}

func TestPinnedHashes(t *testing.T) {
	urls := URLs()
	if len(urls) != len(pinned) {
		t.Fatalf("loader serves %d contexts, %d are pinned: every served context needs a pinned hash", len(urls), len(pinned))
	}
	for _, u := range urls {
		want, ok := pinned[u]
		if !ok {
			t.Errorf("%s is served but not pinned", u)
			continue
		}
		b, err := Bytes(u)
		if err != nil {
			t.Fatalf("Bytes(%s): %v", u, err)
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Errorf("%s: sha256 %s, pinned %s", u, got, want)
		}
	}
}

func TestLoaderServesOnlyPinned(t *testing.T) {
	for _, u := range []string{
		"https://example.com/evil-context.jsonld",
		"file:///etc/passwd",
		"http://www.w3.org/ns/credentials/v2", // http, not https: a different document
		"https://www.w3.org/ns/credentials/v2/",
		"",
	} {
		if _, err := (Loader{}).LoadDocument(u); !errors.Is(err, ErrUnknownContext) {
			t.Errorf("LoadDocument(%q) = %v, want ErrUnknownContext", u, err)
		}
	}
}

func TestLoaderDocumentsAreContexts(t *testing.T) {
	for _, u := range URLs() {
		rd, err := (Loader{}).LoadDocument(u)
		if err != nil {
			t.Fatalf("LoadDocument(%s): %v", u, err)
		}
		m, ok := rd.Document.(map[string]any)
		if !ok {
			t.Fatalf("%s: document is %T, want an object", u, rd.Document)
		}
		if _, ok := m["@context"]; !ok {
			t.Errorf("%s: no @context member", u)
		}
	}
}

func TestLoaderConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, u := range URLs() {
				if _, err := (Loader{}).LoadDocument(u); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
}

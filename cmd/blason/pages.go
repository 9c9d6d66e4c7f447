package main

import (
	"os"

	"encoding/json"
	"fmt"
	"github.com/blason-badges/blason/internal/i18n"
	"strings"

	"github.com/blason-badges/blason/internal/bake"
	"github.com/blason-badges/blason/internal/limits"
)

// readTrustList reads the operator's list of known issuers:
// [{"id": "did:web:lab.example", "name": "Science & Society Lab"}, ...].
// An empty path is an empty list.
func readTrustList(path string) (map[string]string, error) {
	known := map[string]string{}
	if path == "" {
		return known, nil
	}
	b, err := limits.ReadFile(path, limits.CredentialBytes)
	if err != nil {
		return nil, err
	}
	var list []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("%s: not a JSON list of {\"id\", \"name\"}: %w", path, err)
	}
	for i, e := range list {
		if !strings.Contains(e.ID, ":") {
			return nil, fmt.Errorf("%s: entry %d: %q is not an issuer id (a DID or a URL)", path, i+1, e.ID)
		}
		known[e.ID] = e.Name
	}
	return known, nil
}

// extractBaked finds a credential baked into an image (internal/bake): not
// an image is ok=false; an image without a badge, or a damaged one, is an
// error, shown as unreadable.
func extractBaked(data []byte) ([]byte, bool, error) {
	return bake.ExtractCredential(data)
}

// cliLang is the language of what the command line prints for a person:
// --lang, else the locale (LC_ALL, LC_MESSAGES, LANG), else English.
func cliLang(flag string) (i18n.Lang, bool) {
	if flag != "" {
		return i18n.Parse(flag)
	}
	return i18n.FromEnv(os.Getenv), true
}

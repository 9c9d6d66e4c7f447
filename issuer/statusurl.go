package issuer

import (
	"context"
	"fmt"
	"strings"

	"github.com/blason-badges/blason/internal/status"
)

// The one status-list URL scheme: a Service publishes list ID at
// BASE/status/ID as a BitstringStatusListCredential (VC 2.0) and at
// BASE/status/ID/2021 as a StatusList2021Credential (VC 1.1). The server
// mounts its routes at these paths, the issuer writes them into
// credentialStatus entries, and the command line reads them back to serve
// a local issuer's lists from its data directory.
const (
	// StatusListPath is the path segment before a list's ID.
	StatusListPath = "/status/"
	// StatusList2021Suffix follows the ID for the StatusList2021 form.
	StatusList2021Suffix = "/2021"
)

// StatusListURL is where the list listID of the Service at base (no
// trailing slash) is published in format f.
func StatusListURL(base, listID string, f ListFormat) string {
	u := base + StatusListPath + listID
	if f == FormatStatusList2021 {
		u += StatusList2021Suffix
	}
	return u
}

// ParseStatusListURL is StatusListURL's inverse: the base, list ID and
// format of a URL of the scheme, ok false for any other URL (an empty ID,
// or one with a path, query or fragment of its own).
func ParseStatusListURL(u string) (base, listID string, f ListFormat, ok bool) {
	i := strings.LastIndex(u, StatusListPath)
	if i < 0 {
		return "", "", 0, false
	}
	base, rest := u[:i], u[i+len(StatusListPath):]
	f = FormatBitstring
	if id, cut := strings.CutSuffix(rest, StatusList2021Suffix); cut {
		rest, f = id, FormatStatusList2021
	}
	if rest == "" || strings.ContainsAny(rest, "/?#") {
		return "", "", 0, false
	}
	return base, rest, f, true
}

// OwnLists hands a verifier in the same process the Service's own status
// lists, by URL, as blason serve publishes them: GetJSON returns the signed
// list credential, TrustedList the decoded list (the verifier's
// TrustedListFetcher: we signed it, so its proof need not be checked
// again), and IsLocal says which URLs are ours (the verifier's
// LocalFetcher: never cached). Both read the store's list version on every
// call, so they are never stale, even with several processes on one
// database. Any other URL goes to Next; with Next nil it fails.
type OwnLists struct {
	Service *Service
	Next    interface {
		GetJSON(ctx context.Context, url string, accept ...string) ([]byte, error)
	}
}

// own returns the list ID and format of one of the Service's list URLs.
func (o OwnLists) own(url string) (string, ListFormat, bool) {
	base, id, f, ok := ParseStatusListURL(url)
	if !ok || o.Service.BaseURL == "" || base != o.Service.BaseURL {
		return "", 0, false
	}
	return id, f, true
}

// IsLocal reports whether url is one of the Service's lists.
func (o OwnLists) IsLocal(url string) bool {
	_, _, ok := o.own(url)
	return ok
}

// TrustedList returns one of the Service's lists decoded (ok true), or ok
// false for any other URL.
func (o OwnLists) TrustedList(ctx context.Context, url string) (list *status.List, ok bool, err error) {
	id, f, ok := o.own(url)
	if !ok {
		return nil, false, nil
	}
	list, err = o.Service.DecodedStatusList(ctx, id, f)
	return list, true, err
}

// GetJSON returns one of the Service's lists signed, or what Next returns.
func (o OwnLists) GetJSON(ctx context.Context, url string, accept ...string) ([]byte, error) {
	if id, f, ok := o.own(url); ok {
		doc, _, err := o.Service.StatusList(ctx, id, f)
		return doc, err
	}
	if o.Next == nil {
		return nil, fmt.Errorf("%w: %s is not one of this issuer's status lists", ErrNotFound, url)
	}
	return o.Next.GetJSON(ctx, url, accept...)
}

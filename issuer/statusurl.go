package issuer

import "strings"

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

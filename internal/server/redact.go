package server

import (
	"net/netip"
	"regexp"
	"strings"

	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/verifier"
)

// Error text sent to clients must not map the inside of the network: a dial
// error names the internal address a host name resolved to ("dial tcp
// 10.1.2.3:443: connection refused"), a socket error the server's own
// address, a file error a path on the server. Such details are replaced by
// a placeholder in responses and logged in full (issue 7). Public addresses
// are left alone: they are the caller's own input or the Internet's.
var (
	// IPv4 literals, and IPv6 literals (bracketed, or bare with at least two
	// colons) optionally followed by a port. Candidates are parsed before
	// anything is replaced.
	ipLiteral = regexp.MustCompile(`\[[0-9A-Fa-f:.%a-zA-Z]+\]|\b(?:\d{1,3}\.){3}\d{1,3}\b|\b[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}\b`)
	// Absolute paths under the usual roots of a Unix server. JSON pointers
	// ("/credentialSubject/id") and URL paths are not matched.
	filePath = regexp.MustCompile(`(?:^|[\s"'(=])(/(?:home|root|tmp|var|etc|usr|opt|srv|run|proc|dev|mnt|data|work|Users|private)(?:/[^\s"'():,;]*)?)`)
)

const (
	internalAddress = "[internal address]"
	serverPath      = "[server path]"
)

// redact returns s without internal addresses and server paths, and
// whether it changed anything.
func redact(s string) (string, bool) {
	if s == "" {
		return s, false
	}
	changed := false
	out := ipLiteral.ReplaceAllStringFunc(s, func(m string) string {
		a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(m, "["), "]"))
		if err != nil || fetch.IsPublic(a) {
			return m
		}
		changed = true
		return internalAddress
	})
	out = filePath.ReplaceAllStringFunc(out, func(m string) string {
		i := strings.IndexByte(m, '/')
		changed = true
		return m[:i] + serverPath
	})
	return out, changed
}

// redactChecks returns a copy of checks with redacted details, and the
// original details it changed, for the log.
func redactChecks(checks []verifier.Check) ([]verifier.Check, []string) {
	out := make([]verifier.Check, len(checks))
	var orig []string
	for i, ch := range checks {
		if d, changed := redact(ch.Detail); changed {
			orig = append(orig, ch.ID+": "+ch.Detail)
			ch.Detail = d
		}
		out[i] = ch
	}
	return out, orig
}

// redactReport returns a copy of r whose check details are redacted (the
// verifier's report travels to the client whole), endorsements included,
// and the original details it changed.
func redactReport(r *verifier.Report) (*verifier.Report, []string) {
	if r == nil {
		return nil, nil
	}
	out := *r
	var orig []string
	out.Checks, orig = redactChecks(r.Checks)
	if r.Endorsements != nil {
		out.Endorsements = make([]*verifier.Report, len(r.Endorsements))
		for i, e := range r.Endorsements {
			var o []string
			out.Endorsements[i], o = redactReport(e)
			orig = append(orig, o...)
		}
	}
	return &out, orig
}

// redactPresentation is redactReport for a presentation and the
// credentials in it.
func redactPresentation(r *verifier.PresentationReport) (*verifier.PresentationReport, []string) {
	if r == nil {
		return nil, nil
	}
	out := *r
	var orig []string
	out.Checks, orig = redactChecks(r.Checks)
	out.Credentials = make([]*verifier.Report, len(r.Credentials))
	for i, c := range r.Credentials {
		var o []string
		out.Credentials[i], o = redactReport(c)
		orig = append(orig, o...)
	}
	return &out, orig
}

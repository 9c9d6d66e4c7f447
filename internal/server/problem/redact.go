package problem

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

// pathRoots are filePath's roots: a string holds a server path only if it
// holds one of them.
var pathRoots = []string{"/home", "/root", "/tmp", "/var", "/etc", "/usr", "/opt", "/srv", "/run", "/proc", "/dev", "/mnt", "/data", "/work", "/Users", "/private"}

// mayHoldAddress is a necessary condition for Redact to replace an
// address, checked in one pass because the regexp costs far more (it was a
// sixth of the server's time verifying a badge whose details all name DIDs
// and URLs, and still 5 % while every time of day, "00:00:00", passed this
// filter): a '[' (bracketed literal); three dots each between two digits
// (IPv4: (\d{1,3}\.){3}\d{1,3}); or, for a bare IPv6 literal, a run of hex
// digits and colons holding "::" or at least seven colons. A bare literal
// the regexp finds is such a run, and netip.ParseAddr accepts one only
// with "::" or eight groups (an embedded IPv4 part has the dots above).
// "did:key:", "urn:uuid:", "https:" and "10:30:00" have none of these.
func mayHoldAddress(s string) bool {
	dots, colons, afterColon := 0, 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '[':
			return true
		case c == ':':
			if afterColon {
				return true // "::"
			}
			if colons++; colons == 7 {
				return true
			}
			afterColon = true
		case isHex(c):
			afterColon = false
		default:
			if c == '.' && i > 0 && i+1 < len(s) && isDigit(s[i-1]) && isDigit(s[i+1]) {
				if dots++; dots == 3 {
					return true
				}
			}
			colons, afterColon = 0, false
		}
	}
	return false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// mayHoldPath is a necessary condition for filePath to match.
func mayHoldPath(s string) bool {
	if !strings.Contains(s, "/") {
		return false
	}
	for _, r := range pathRoots {
		if strings.Contains(s, r) {
			return true
		}
	}
	return false
}

const (
	internalAddress = "[internal address]"
	serverPath      = "[server path]"
)

// Redact returns s without internal addresses and server paths, and
// whether it changed anything.
func Redact(s string) (string, bool) {
	if s == "" {
		return s, false
	}
	changed := false
	out := s
	if mayHoldAddress(out) {
		out = ipLiteral.ReplaceAllStringFunc(out, func(m string) string {
			a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(m, "["), "]"))
			if err != nil || fetch.IsPublic(a) {
				return m
			}
			changed = true
			return internalAddress
		})
	}
	// The placeholder holds no root: checked on what is left.
	if mayHoldPath(out) {
		out = filePath.ReplaceAllStringFunc(out, func(m string) string {
			i := strings.IndexByte(m, '/')
			changed = true
			return m[:i] + serverPath
		})
	}
	return out, changed
}

// RedactChecks returns a copy of checks with redacted details, and the
// original details it changed, for the log.
func RedactChecks(checks []verifier.Check) ([]verifier.Check, []string) {
	out := make([]verifier.Check, len(checks))
	var orig []string
	for i, ch := range checks {
		if d, changed := Redact(ch.Detail); changed {
			orig = append(orig, ch.ID+": "+ch.Detail)
			ch.Detail = d
		}
		out[i] = ch
	}
	return out, orig
}

// RedactReport returns a copy of r whose check details are redacted (the
// verifier's report travels to the client whole), endorsements included,
// and the original details it changed.
func RedactReport(r *verifier.Report) (*verifier.Report, []string) {
	if r == nil {
		return nil, nil
	}
	out := *r
	var orig []string
	out.Checks, orig = RedactChecks(r.Checks)
	if r.Endorsements != nil {
		out.Endorsements = make([]*verifier.Report, len(r.Endorsements))
		for i, e := range r.Endorsements {
			var o []string
			out.Endorsements[i], o = RedactReport(e)
			orig = append(orig, o...)
		}
	}
	return &out, orig
}

// RedactPresentation is RedactReport for a presentation and the
// credentials in it.
func RedactPresentation(r *verifier.PresentationReport) (*verifier.PresentationReport, []string) {
	if r == nil {
		return nil, nil
	}
	out := *r
	var orig []string
	out.Checks, orig = RedactChecks(r.Checks)
	out.Credentials = make([]*verifier.Report, len(r.Credentials))
	for i, c := range r.Credentials {
		var o []string
		out.Credentials[i], o = RedactReport(c)
		orig = append(orig, o...)
	}
	return &out, orig
}

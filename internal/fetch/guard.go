package fetch

import (
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/blason-badges/blason/internal/limits"
)

// MaxURLLength is the longest URL (in bytes) a Client will fetch.
const MaxURLLength = limits.URLLength

// blockedPrefixes lists the non-public address ranges refused unless
// Options.AllowPrivate, with the reason named in errors. Order matters only
// for the reason reported (the metadata address comes before link-local).
// Sources: RFC 6890 and the IANA IPv4/IPv6 Special-Purpose Address
// Registries ("Globally Reachable" = False), restricted to ranges an
// attacker could use to reach something inside a network. Documentation
// ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) are
// not routed anywhere and are left alone.
var blockedPrefixes = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("169.254.169.254/32"), "cloud metadata address"},
	{netip.MustParsePrefix("0.0.0.0/8"), "\"this network\" address"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private address (RFC 1918)"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared address (CGNAT, RFC 6598)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback address"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local address"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private address (RFC 1918)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignment"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private address (RFC 1918)"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking address"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved or broadcast address"},
	{netip.MustParsePrefix("::/128"), "unspecified address"},
	{netip.MustParsePrefix("::1/128"), "loopback address"},
	{netip.MustParsePrefix("::/96"), "IPv4-compatible address (deprecated)"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local-use NAT64 address"},
	{netip.MustParsePrefix("100::/64"), "discard-only address"},
	{netip.MustParsePrefix("2001::/32"), "Teredo address"},
	{netip.MustParsePrefix("fc00::/7"), "unique local address"},
	{netip.MustParsePrefix("fe80::/10"), "link-local address"},
	{netip.MustParsePrefix("fec0::/10"), "site-local address (deprecated)"},
	{netip.MustParsePrefix("ff00::/8"), "multicast address"},
}

var (
	mappedV4 = netip.MustParsePrefix("::ffff:0:0/96")
	nat64    = netip.MustParsePrefix("64:ff9b::/96")
	sixToFou = netip.MustParsePrefix("2002::/16")
)

// nonPublicReason returns why ip must not be connected to while
// Options.AllowPrivate is false, or "" when ip is public. IPv4 addresses
// embedded in IPv6 (IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, 6to4
// 2002::/16) are judged by the IPv4 address they carry.
func nonPublicReason(ip netip.Addr) string {
	if !ip.IsValid() {
		return "invalid address"
	}
	ip = ip.WithZone("")
	switch {
	case ip.Is4In6() || mappedV4.Contains(ip):
		if r := nonPublicReason(ip.Unmap()); r != "" {
			return r + " (IPv4-mapped)"
		}
		return ""
	case nat64.Contains(ip):
		b := ip.As16()
		if r := nonPublicReason(netip.AddrFrom4([4]byte(b[12:16]))); r != "" {
			return r + " (NAT64)"
		}
		return ""
	case sixToFou.Contains(ip):
		b := ip.As16()
		if r := nonPublicReason(netip.AddrFrom4([4]byte(b[2:6]))); r != "" {
			return r + " (6to4)"
		}
		return ""
	}
	for _, p := range blockedPrefixes {
		if p.prefix.Contains(ip) {
			return p.reason
		}
	}
	return ""
}

// checkIP returns an error wrapping ErrPrivateAddress when ip is not public
// and private addresses are not allowed. host names where ip came from.
func checkIP(ip netip.Addr, host string, allowPrivate bool) error {
	if allowPrivate {
		return nil
	}
	if r := nonPublicReason(ip); r != "" {
		if host != "" && host != ip.String() {
			return fmt.Errorf("%w: %s resolves to %s, a %s", ErrPrivateAddress, strconv.Quote(short(host)), ip, r)
		}
		return fmt.Errorf("%w: %s is a %s", ErrPrivateAddress, ip, r)
	}
	return nil
}

// policy holds the URL rules a Client enforces on every URL it fetches,
// including each redirect target.
type policy struct {
	allowHTTP    bool
	allowPrivate bool
}

// checkURL parses raw and applies the policy:
//
//   - the URL parses, is at most MaxURLLength bytes and is absolute;
//   - its scheme is https, or http when allowHTTP (else ErrInsecureURL);
//     any other scheme (file:, gopher:, data:, …) is ErrInvalidURL;
//   - it has a host, no userinfo, and a port, if any, in 1–65535;
//   - a host written as an IP literal must be public unless allowPrivate
//     (names are checked later, at dial time, on the resolved address).
//
// Error messages never echo a password.
func (p policy) checkURL(raw string) (*url.URL, error) {
	if len(raw) > MaxURLLength {
		return nil, fmt.Errorf("%w: URL is %d bytes, longer than the %d-byte limit", ErrInvalidURL, len(raw), MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot parse %s", ErrInvalidURL, quoted(redactRaw(raw)))
	}
	return u, p.checkParsed(u)
}

// checkParsed applies the policy of checkURL to an already parsed URL.
func (p policy) checkParsed(u *url.URL) error {
	shown := quoted(u.Redacted())
	if u.User != nil {
		return fmt.Errorf("%w: %s carries userinfo", ErrInvalidURL, shown)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !p.allowHTTP {
			return fmt.Errorf("%w: %s uses http", ErrInsecureURL, shown)
		}
	case "":
		return fmt.Errorf("%w: %s is not absolute", ErrInvalidURL, shown)
	default:
		return fmt.Errorf("%w: %s has unsupported scheme %s", ErrInvalidURL, shown, strconv.Quote(short(u.Scheme)))
	}
	if u.Opaque != "" {
		return fmt.Errorf("%w: %s is opaque", ErrInvalidURL, shown)
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("%w: %s has no host", ErrInvalidURL, shown)
	}
	if port := u.Port(); port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%w: %s has invalid port %s", ErrInvalidURL, shown, strconv.Quote(short(port)))
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return fmt.Errorf("%w: %s has an empty port", ErrInvalidURL, shown)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if err := checkIP(ip, "", p.allowPrivate); err != nil {
			return fmt.Errorf("%w (in %s)", err, shown)
		}
	} else if strings.Contains(host, "%") {
		// A zone or an escape in a name: nothing a public fetch needs.
		return fmt.Errorf("%w: %s has an invalid host", ErrInvalidURL, shown)
	}
	return nil
}

// redactRaw removes anything between "//" and "@" in an unparsable URL so
// that error messages never echo a password.
func redactRaw(raw string) string {
	_, rest, ok := strings.Cut(raw, "//")
	if !ok {
		return raw
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		if slash := strings.IndexAny(rest, "/?#"); slash < 0 || at < slash {
			return raw[:len(raw)-len(rest)] + "xxxxx@" + rest[at+1:]
		}
	}
	return raw
}

// IsPublic reports whether ip is a public address: one the client refuses
// to connect to unless Options.AllowPrivate (the ranges above) is not.
// Servers use it to keep internal addresses out of error text.
func IsPublic(ip netip.Addr) bool { return nonPublicReason(ip) == "" }

package fetch

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// EnvAllow is the environment variable AllowListFromEnv reads.
const EnvAllow = "SCEAU_FETCH_ALLOW"

// AllowList names the hosts and address ranges an operator lets Sceau reach
// even though they are private, and over plain HTTP: a test server on
// 127.0.0.1, an issuer on the intranet. The zero value allows nothing extra.
type AllowList struct {
	hosts    []hostEntry
	prefixes []netip.Prefix
}

// hostEntry is an allow-listed host name or IP literal, with an optional port.
type hostEntry struct {
	name string // lower case, no trailing dot; IPs in canonical form
	port string // "" for any port
}

// The narrowest ranges an allow-list accepts: "0.0.0.0/0" would switch the
// protection off altogether, which is never what an operator means.
const (
	minBits4 = 8
	minBits6 = 7 // fc00::/7, all unique local addresses
)

// ParseAllowList reads a comma-separated list of entries:
//
//	badges.intranet.example       a host name, any port
//	badges.intranet.example:8443  a host name on one port
//	127.0.0.1:8080, [::1]:8080    an IP literal on one port
//	10.1.0.0/16, fd00::/8         a CIDR range
//	127.0.0.1, ::1                a single address (same as /32, /128)
//
// Allow-listed host names may resolve to any address and be fetched over
// http. An address inside an allow-listed range may be dialled whatever the
// name, and an IP literal inside a range may be fetched over http; a host
// name that merely resolves into a range still needs https. Spaces around
// entries and empty entries are ignored.
func ParseAllowList(s string) (AllowList, error) {
	var a AllowList
	for raw := range strings.SplitSeq(s, ",") {
		e := strings.TrimSpace(raw)
		if e == "" {
			continue
		}
		if err := a.add(e); err != nil {
			return AllowList{}, fmt.Errorf("%s entry %q: %w", EnvAllow, clip(e), err)
		}
	}
	return a, nil
}

// AllowListFromEnv parses the SCEAU_FETCH_ALLOW environment variable.
func AllowListFromEnv() (AllowList, error) {
	return ParseAllowList(os.Getenv(EnvAllow))
}

func (a *AllowList) add(e string) error {
	if strings.Contains(e, "/") {
		p, err := netip.ParsePrefix(e)
		if err != nil {
			return fmt.Errorf("not a CIDR range: %v", err)
		}
		if p.Addr().Zone() != "" {
			return fmt.Errorf("zones are not supported")
		}
		p = p.Masked()
		if p.Addr().Is4In6() {
			return fmt.Errorf("write IPv4 ranges in dotted form, not as IPv4-mapped IPv6")
		}
		if (p.Addr().Is4() && p.Bits() < minBits4) || (p.Addr().Is6() && p.Bits() < minBits6) {
			return fmt.Errorf("range /%d is too wide (the widest allowed is /%d for IPv4, /%d for IPv6)", p.Bits(), minBits4, minBits6)
		}
		a.prefixes = append(a.prefixes, p)
		return nil
	}
	// A trailing dot makes a name absolute; "10.0.0.1." is still an address.
	if ip, err := netip.ParseAddr(strings.TrimSuffix(e, ".")); err == nil {
		if ip.Zone() != "" {
			return fmt.Errorf("zones are not supported")
		}
		ip = ip.Unmap()
		a.prefixes = append(a.prefixes, netip.PrefixFrom(ip, ip.BitLen()))
		return nil
	}
	name, port := e, ""
	if strings.HasPrefix(e, "[") || strings.Contains(e, ":") {
		h, p, err := net.SplitHostPort(e)
		if err != nil {
			return fmt.Errorf("not a host, host:port or CIDR range: %v", err)
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 || p != strconv.Itoa(n) {
			return fmt.Errorf("port %q is not a number from 1 to 65535", p)
		}
		name, port = h, p
	}
	if ip, err := netip.ParseAddr(strings.TrimSuffix(name, ".")); err == nil {
		if ip.Zone() != "" {
			return fmt.Errorf("zones are not supported")
		}
		a.hosts = append(a.hosts, hostEntry{name: ip.Unmap().String(), port: port})
		return nil
	}
	if strings.HasPrefix(e, "[") {
		return fmt.Errorf("%q is not an IPv6 address", name)
	}
	name, err := checkHostName(name)
	if err != nil {
		return err
	}
	a.hosts = append(a.hosts, hostEntry{name: name, port: port})
	return nil
}

// checkHostName validates a DNS name and returns it in matching form.
func checkHostName(name string) (string, error) {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	if strings.Contains(name, "*") {
		return "", fmt.Errorf("wildcards are not supported; list each host")
	}
	if name == "" || len(name) > 253 {
		return "", fmt.Errorf("host name must have 1 to 253 characters")
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || len(label) > 63 {
			return "", fmt.Errorf("host name label %q must have 1 to 63 characters", clip(label))
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return "", fmt.Errorf("host name has character %q (use the ASCII/punycode form)", r)
			}
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return "", fmt.Errorf("host name label %q starts or ends with '-'", clip(label))
		}
	}
	return name, nil
}

// String lists the entries in a form ParseAllowList reads back.
func (a AllowList) String() string {
	var parts []string
	for _, h := range a.hosts {
		switch {
		case h.port == "":
			parts = append(parts, h.name)
		default:
			parts = append(parts, net.JoinHostPort(h.name, h.port))
		}
	}
	for _, p := range a.prefixes {
		parts = append(parts, p.String())
	}
	return strings.Join(parts, ",")
}

// IsZero reports whether the list allows nothing extra.
func (a AllowList) IsZero() bool { return len(a.hosts) == 0 && len(a.prefixes) == 0 }

// normHost puts a URL host name in the form allow-list entries use.
func normHost(host string) string {
	if ip, err := netip.ParseAddr(host); err == nil && ip.Zone() == "" {
		return ip.Unmap().String()
	}
	return strings.TrimSuffix(strings.ToLower(host), ".")
}

// hostAllowed reports whether host (from a URL, normalised) on port is
// listed by name.
func (a AllowList) hostAllowed(host, port string) bool {
	for _, h := range a.hosts {
		if h.name == host && (h.port == "" || h.port == port) {
			return true
		}
	}
	return false
}

// addrAllowed reports whether ip lies in an allow-listed range.
func (a AllowList) addrAllowed(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range a.prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// plainHTTPAllowed reports whether http (not https) may be used for host.
func (a AllowList) plainHTTPAllowed(host, port string) bool {
	if a.hostAllowed(host, port) {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && a.addrAllowed(ip)
}

// Special-purpose ranges (IANA registries, RFC 6890 and successors) that a
// public badge host never uses. Order matters only for the reason shown.
var blockedRanges = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "in 0.0.0.0/8 (this network)"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared address space (CGNAT)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local (cloud metadata)"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.0.0.0/24"), "reserved for IETF protocol assignments"},
	{netip.MustParsePrefix("192.0.2.0/24"), "reserved for documentation"},
	{netip.MustParsePrefix("192.88.99.0/24"), "6to4 relay anycast"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("198.18.0.0/15"), "reserved for benchmarking"},
	{netip.MustParsePrefix("198.51.100.0/24"), "reserved for documentation"},
	{netip.MustParsePrefix("203.0.113.0/24"), "reserved for documentation"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved (or broadcast)"},

	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("fc00::/7"), "private (unique local)"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local-use NAT64"},
	{netip.MustParsePrefix("2001::/23"), "reserved for IETF protocol assignments"},
	{netip.MustParsePrefix("2001:db8::/32"), "reserved for documentation"},
	{netip.MustParsePrefix("3fff::/20"), "reserved for documentation"},
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
	global6   = netip.MustParsePrefix("2000::/3")
)

// blockedReason returns why ip must not be dialled, or "" if it is a
// public unicast address. Forms that embed an IPv4 address (IPv4-mapped,
// NAT64, 6to4) are judged by the IPv4 address they reach.
func blockedReason(ip netip.Addr) string {
	if ip.Zone() != "" {
		return "scoped (has a zone)"
	}
	ip = ip.Unmap()
	if ip.Is6() {
		switch {
		case nat64.Contains(ip):
			b := ip.As16()
			if r := blockedReason(netip.AddrFrom4([4]byte(b[12:16]))); r != "" {
				return r + " (through NAT64)"
			}
			return ""
		case sixToFour.Contains(ip):
			b := ip.As16()
			if r := blockedReason(netip.AddrFrom4([4]byte(b[2:6]))); r != "" {
				return r + " (through 6to4)"
			}
			return ""
		}
	}
	for _, r := range blockedRanges {
		if r.prefix.Contains(ip) {
			return r.reason
		}
	}
	if ip.Is6() && !global6.Contains(ip) {
		// Outside 2000::/3 nothing is assigned as global unicast; this
		// also covers the deprecated IPv4-compatible ::a.b.c.d form.
		return "not global unicast"
	}
	return ""
}

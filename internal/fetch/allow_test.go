package fetch

import (
	"net/netip"
	"strings"
	"testing"
)

func TestParseAllowList(t *testing.T) {
	cases := []struct {
		name   string
		in     string
		want   string // String() of the result
		errSay string // part of the error message, when an error is expected
	}{
		{"empty", "", "", ""},
		{"blanks", " , ,", "", ""},
		{"host", "badges.intranet.example", "badges.intranet.example", ""},
		{"host normalised", " Badges.Intranet.Example. ", "badges.intranet.example", ""},
		{"host and port", "localhost:8080", "localhost:8080", ""},
		{"IPv4 and port", "127.0.0.1:8080", "127.0.0.1:8080", ""},
		{"IPv6 and port", "[::1]:8443", "[::1]:8443", ""},
		{"bare IPv4 is a /32", "127.0.0.1", "127.0.0.1/32", ""},
		{"bare IPv6 is a /128", "::1", "::1/128", ""},
		{"bare mapped IPv4 unmapped", "::ffff:10.0.0.1", "10.0.0.1/32", ""},
		{"absolute IPv4", "10.0.0.1.", "10.0.0.1/32", ""},
		{"absolute IPv4 and port", "10.0.0.1.:80", "10.0.0.1:80", ""},
		{"CIDR masked", "10.1.2.3/16", "10.1.0.0/16", ""},
		{"IPv6 CIDR", "fd00::/8", "fd00::/8", ""},
		{"all unique local", "fc00::/7", "fc00::/7", ""},
		{"several", "a.example,10.0.0.0/8, b.example:81", "a.example,b.example:81,10.0.0.0/8", ""},
		{"bad CIDR", "10.0.0.0/33", "", "not a CIDR range"},
		{"too wide IPv4", "0.0.0.0/0", "", "too wide"},
		{"too wide IPv6", "::/6", "", "too wide"},
		{"mapped CIDR", "::ffff:0:0/96", "", "dotted form"},
		{"zone", "fe80::1%eth0", "", "zones"},
		{"zone in CIDR", "fe80::%eth0/64", "", "zones"},
		{"wildcard", "*.example.com", "", "wildcards"},
		{"port zero", "host:0", "", "port"},
		{"port too big", "host:65536", "", "port"},
		{"port not a number", "host:http", "", "port"},
		{"port with sign", "host:+80", "", "port"},
		{"empty port", "host:", "", "port"},
		{"unclosed bracket", "[::1", "", "not a host"},
		{"bracketed name", "[example.com]:80", "", "not an IPv6 address"},
		{"empty label", "a..b", "", "label"},
		{"long label", strings.Repeat("a", 64) + ".example", "", "label"},
		{"bad character", "exa mple.com", "", "character"},
		{"unicode", "exämple.com", "", "punycode"},
		{"leading hyphen", "-a.example", "", "'-'"},
		{"URL instead of host", "https://example.com", "", "CIDR"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseAllowList(tc.in)
			if tc.errSay != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errSay) || !strings.Contains(err.Error(), EnvAllow) {
					t.Fatalf("got %v (%s), want an error saying %q", err, a, tc.errSay)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := a.String(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if a.IsZero() != (tc.want == "") {
				t.Errorf("IsZero = %v", a.IsZero())
			}
		})
	}
}

func TestAllowListMatching(t *testing.T) {
	a := mustAllow(t, "badges.example, api.example:8443, 127.0.0.1:9000, 10.1.0.0/16, fd00::/8")
	hosts := []struct {
		host, port string
		byName     bool
		plainHTTP  bool
	}{
		{"badges.example", "80", true, true},
		{"badges.example", "8443", true, true},
		{"api.example", "8443", true, true},
		{"api.example", "443", false, false},
		{"127.0.0.1", "9000", true, true},
		{"127.0.0.1", "9001", false, false},
		{"10.1.2.3", "80", false, true}, // literal in a range
		{"10.2.0.1", "80", false, false},
		{"fd00::5", "80", false, true},
		{"other.example", "443", false, false},
		{"sub.badges.example", "443", false, false},
	}
	for _, h := range hosts {
		if got := a.hostAllowed(normHost(h.host), h.port); got != h.byName {
			t.Errorf("hostAllowed(%s, %s) = %v", h.host, h.port, got)
		}
		if got := a.plainHTTPAllowed(normHost(h.host), h.port); got != h.plainHTTP {
			t.Errorf("plainHTTPAllowed(%s, %s) = %v", h.host, h.port, got)
		}
	}
	addrs := map[string]bool{
		"10.1.255.255": true, "10.2.0.0": false, "::ffff:10.1.0.1": true,
		"fd00::1": true, "fe80::1": false, "127.0.0.1": false, "fe80::1%eth0": false,
	}
	for s, want := range addrs {
		if got := a.addrAllowed(netip.MustParseAddr(s)); got != want {
			t.Errorf("addrAllowed(%s) = %v", s, got)
		}
	}
}

func TestBlockedReason(t *testing.T) {
	cases := map[string]string{
		// public
		"8.8.8.8": "", "1.1.1.1": "", "93.184.216.34": "", "2606:4700::1111": "",
		"::ffff:8.8.8.8": "", "64:ff9b::808:808": "", "2002:808:808::1": "",
		"100.63.255.255": "", "100.128.0.0": "", "172.15.255.255": "", "172.32.0.0": "",
		"11.0.0.0": "", "223.255.255.255": "",
		// not public
		"0.0.0.0": "in 0.0.0.0/8 (this network)", "0.1.2.3": "in 0.0.0.0/8 (this network)",
		"10.0.0.1": "private", "172.16.0.1": "private", "172.31.255.255": "private", "192.168.1.1": "private",
		"100.64.0.0": "shared address space (CGNAT)", "100.127.255.255": "shared address space (CGNAT)",
		"127.0.0.1": "loopback", "127.255.255.254": "loopback",
		"169.254.169.254": "link-local (cloud metadata)", "169.254.0.1": "link-local (cloud metadata)",
		"192.0.0.170": "reserved for IETF protocol assignments", "192.0.2.1": "reserved for documentation",
		"198.18.0.1": "reserved for benchmarking", "198.51.100.1": "reserved for documentation",
		"203.0.113.1": "reserved for documentation", "192.88.99.1": "6to4 relay anycast",
		"224.0.0.1": "multicast", "239.255.255.250": "multicast",
		"240.0.0.1": "reserved (or broadcast)", "255.255.255.255": "reserved (or broadcast)",
		"::": "unspecified", "::1": "loopback", "::ffff:127.0.0.1": "loopback",
		"::ffff:169.254.169.254": "link-local (cloud metadata)", "::ffff:0.0.0.0": "in 0.0.0.0/8 (this network)",
		"::127.0.0.1": "not global unicast", "fc00::1": "private (unique local)", "fdff::1": "private (unique local)",
		"fe80::1": "link-local", "fe80::1%eth0": "scoped (has a zone)", "fec0::1": "not global unicast",
		"ff02::1": "multicast", "100::1": "not global unicast", "2001:db8::1": "reserved for documentation",
		"2001::1": "reserved for IETF protocol assignments", "3fff::1": "reserved for documentation",
		"64:ff9b::7f00:1": "loopback (through NAT64)", "64:ff9b:1::1": "local-use NAT64",
		"2002:a00:1::": "private (through 6to4)", "2002:a9fe:a9fe::1": "link-local (cloud metadata) (through 6to4)",
		"4000::1": "not global unicast",
	}
	for s, want := range cases {
		if got := blockedReason(netip.MustParseAddr(s)); got != want {
			t.Errorf("blockedReason(%s) = %q, want %q", s, got, want)
		}
	}
}

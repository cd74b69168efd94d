package fetch

import (
	"bufio"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"
)

// seedLines adds the non-comment lines of a testdata file to the corpus.
func seedLines(f *testing.F, name string, add func(line string)) {
	file, err := os.Open("testdata/" + name)
	if err != nil {
		f.Fatal(err)
	}
	defer file.Close()
	s := bufio.NewScanner(file)
	for s.Scan() {
		if line := s.Text(); !strings.HasPrefix(line, "#") {
			add(line)
		}
	}
	if err := s.Err(); err != nil {
		f.Fatal(err)
	}
}

// FuzzParseAllowList: no panic; a parsed list prints in a form that parses
// back to the same list; no range wider than the minimum gets in.
func FuzzParseAllowList(f *testing.F) {
	seedLines(f, "allowlists.txt", func(l string) { f.Add(l) })
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAllowList(s)
		if err != nil {
			return
		}
		b, err := ParseAllowList(a.String())
		if err != nil {
			t.Fatalf("String() %q of %q does not parse: %v", a.String(), s, err)
		}
		if b.String() != a.String() {
			t.Fatalf("round trip %q -> %q -> %q", s, a.String(), b.String())
		}
		for _, p := range a.prefixes {
			if (p.Addr().Is4() && p.Bits() < minBits4) || (p.Addr().Is6() && p.Bits() < minBits6) {
				t.Fatalf("range %s accepted", p)
			}
		}
		// Loopback stays blocked unless the list names it.
		if !strings.Contains(s, "127.") && !strings.Contains(s, "::ffff") && !strings.Contains(s, "7f") &&
			a.addrAllowed(netip.MustParseAddr("127.0.0.1")) {
			t.Fatalf("%q allows 127.0.0.1", s)
		}
	})
}

// FuzzCachePolicy: no panic on any header values; freshness is never
// negative nor above the cap; no-store is always honoured.
func FuzzCachePolicy(f *testing.F) {
	seedLines(f, "cache-control.txt", func(l string) {
		p := strings.SplitN(l+"|||", "|", 5)
		f.Add(p[0], p[1], p[2], p[3])
	})
	const maxFresh = time.Hour
	f.Fuzz(func(t *testing.T, cc, expires, date, age string) {
		h := http.Header{}
		for k, v := range map[string]string{"Cache-Control": cc, "Expires": expires, "Date": date, "Age": age} {
			if v != "" {
				h.Set(k, v)
			}
		}
		p := cachePolicy(h, maxFresh)
		if p.fresh < 0 || p.fresh > maxFresh {
			t.Fatalf("freshness %s out of range for %q", p.fresh, h)
		}
		if p.fresh > 0 && !p.store {
			t.Fatalf("fresh but not stored for %q", h)
		}
		parsed := parseCacheControl([]string{cc})
		if parsed.noStore && p.store {
			t.Fatalf("no-store stored for %q", cc)
		}
		if parsed.maxAge < 0 || parsed.maxAge > maxDeltaSeconds {
			t.Fatalf("max-age %d for %q", parsed.maxAge, cc)
		}
	})
}

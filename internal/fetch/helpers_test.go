package fetch

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// resolver answers from a fixed table and never touches real DNS; an
// unknown name is an error, so a test cannot reach the internet by mistake.
type resolver struct {
	mu    sync.Mutex
	names map[string][]string
	asked []string
}

func (r *resolver) resolve(_ context.Context, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked = append(r.asked, host)
	var out []netip.Addr
	for _, s := range r.names[host] {
		out = append(out, netip.MustParseAddr(s))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("test resolver: no such host %q", host)
	}
	return out, nil
}

func (r *resolver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.asked)
}

// testResolver maps the names the tests use. The httptest certificate
// covers example.com, so TLS tests use that name.
func testResolver() *resolver {
	return &resolver{names: map[string][]string{
		"example.com":       {"127.0.0.1"},
		"evil.example":      {"127.0.0.1"},
		"metadata.example":  {"169.254.169.254"},
		"loop6.example":     {"::1"},
		"mapped.example":    {"::ffff:127.0.0.1"},
		"private.example":   {"10.0.0.5"},
		"cgnat.example":     {"100.64.1.1"},
		"zero.example":      {"0.0.0.0"},
		"ula.example":       {"fd12:3456::1"},
		"nat64.example":     {"64:ff9b::a9fe:a9fe"},
		"sixtofour.example": {"2002:7f00:1::1"},
		"mixed.example":     {"10.0.0.1", "127.0.0.1"},
	}}
}

// fakeClock is an injectable clock for the cache.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// mustAllow parses an allow-list or fails the test.
func mustAllow(t testing.TB, s string) AllowList {
	t.Helper()
	a, err := ParseAllowList(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// rootsOf trusts the certificate of a TLS test server.
func rootsOf(srv *httptest.Server) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(srv.Certificate())
	return p
}

// newClient builds a client for tests and closes its connections at the end.
func newClient(t testing.TB, opts Options) *Client {
	t.Helper()
	c := New(opts)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sceau/sceau/did"
)

// jsonHandler answers every request with a small JSON document.
func jsonHandler(body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/ld+json; charset=utf-8")
		io.WriteString(w, body)
	})
}

func TestGetPlainHTTPAllowListed(t *testing.T) {
	var gotUA, gotAccept string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA, gotAccept = r.Header.Get("User-Agent"), r.Header.Get("Accept")
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
	}))
	defer srv.Close()
	port := strings.TrimPrefix(srv.URL, "http://127.0.0.1:")

	cases := []struct {
		name  string
		allow string
		url   string
	}{
		{"single address", "127.0.0.1", srv.URL + "/a"},
		{"range", "127.0.0.0/8", srv.URL + "/a"},
		{"IP literal and port", "127.0.0.1:" + port, srv.URL + "/a"},
		{"host name", "example.com", "http://example.com:" + port + "/a"},
		{"host name and port", "example.com:" + port, "http://example.com:" + port + "/a"},
		{"host name, trailing dot, upper case", "example.com", "http://EXAMPLE.com.:" + port + "/a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := testResolver()
			res.names["example.com."] = res.names["example.com"]
			res.names["EXAMPLE.com."] = res.names["example.com"]
			c := newClient(t, Options{Allow: mustAllow(t, tc.allow), Resolver: res.resolve, UserAgent: "Sceau/test (+https://badges.example)"})
			r, err := c.Get(context.Background(), tc.url, Request{Accept: JSONTypes})
			if err != nil {
				t.Fatal(err)
			}
			if string(r.Body) != `{"ok":true}` || r.ContentType != "application/json" || r.Status != 200 || r.Cached {
				t.Errorf("got %+v", r)
			}
			if gotUA != "Sceau/test (+https://badges.example)" {
				t.Errorf("User-Agent %q", gotUA)
			}
			if !strings.HasPrefix(gotAccept, "application/ld+json, application/json") {
				t.Errorf("Accept %q", gotAccept)
			}
		})
	}
}

func TestURLRules(t *testing.T) {
	cases := []struct {
		name  string
		allow string
		url   string
		want  error
	}{
		{"http not allow-listed", "", "http://example.com/a", ErrScheme},
		{"http to another port of an allow-listed host", "example.com:8080", "http://example.com:8081/a", ErrScheme},
		{"http to an allow-listed range by name", "127.0.0.0/8", "http://example.com/a", ErrScheme},
		{"ftp", "example.com", "ftp://example.com/a", ErrScheme},
		{"file", "", "file:///etc/passwd", ErrScheme},
		{"gopher", "", "gopher://example.com/", ErrScheme},
		{"credentials", "", "https://user:pass@example.com/a", ErrBadURL},
		{"disguised host", "", "https://example.com@evil.example/a", ErrBadURL},
		{"relative", "", "/a/b", ErrBadURL},
		{"no host", "", "https:///a", ErrBadURL},
		{"opaque", "", "https:example.com", ErrBadURL},
		{"unparsable", "", "https://exa mple.com/%zz", ErrBadURL},
		{"too long", "", "https://example.com/" + strings.Repeat("a", maxURLLength), ErrBadURL},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := testResolver()
			c := newClient(t, Options{Allow: mustAllow(t, tc.allow), Resolver: res.resolve})
			_, err := c.Get(context.Background(), tc.url, Request{})
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if res.count() != 0 {
				t.Errorf("resolver asked %v before the URL was refused", res.asked)
			}
		})
	}
}

func TestBlockedAddresses(t *testing.T) {
	// A TLS server on 127.0.0.1: when the client wrongly dialled, the
	// request would succeed; the port is real so nothing else could answer.
	srv := httptest.NewTLSServer(jsonHandler(`{}`))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "https://"))

	cases := []struct {
		name    string
		host    string
		addr    string
		reason  string
		message string
	}{
		{"name to loopback", "evil.example", "127.0.0.1", "loopback", "evil.example resolves to address 127.0.0.1, which is loopback"},
		{"name to cloud metadata", "metadata.example", "169.254.169.254", "link-local (cloud metadata)", "169.254.169.254"},
		{"name to IPv6 loopback", "loop6.example", "::1", "loopback", "address ::1"},
		{"name to IPv4-mapped loopback", "mapped.example", "::ffff:127.0.0.1", "loopback", "loopback"},
		{"name to private", "private.example", "10.0.0.5", "private", "private"},
		{"name to CGNAT", "cgnat.example", "100.64.1.1", "shared address space (CGNAT)", "CGNAT"},
		{"name to 0.0.0.0", "zero.example", "0.0.0.0", "in 0.0.0.0/8 (this network)", "this network"},
		{"name to unique local", "ula.example", "fd12:3456::1", "private (unique local)", "unique local"},
		{"name to NAT64 metadata", "nat64.example", "64:ff9b::a9fe:a9fe", "link-local (cloud metadata) (through NAT64)", "NAT64"},
		{"name to 6to4 loopback", "sixtofour.example", "2002:7f00:1::1", "loopback (through 6to4)", "6to4"},
		{"IPv4 literal", "127.0.0.1", "127.0.0.1", "loopback", "address 127.0.0.1 is loopback"},
		{"metadata literal", "169.254.169.254", "169.254.169.254", "link-local (cloud metadata)", "address 169.254.169.254 is link-local"},
		{"IPv6 literal", "[::1]", "::1", "loopback", "address ::1 is loopback"},
		{"IPv4-mapped literal", "[::ffff:127.0.0.1]", "::ffff:127.0.0.1", "loopback", "loopback"},
		{"IPv4-compatible literal", "[::127.0.0.1]", "::7f00:1", "not global unicast", "not global unicast"},
		{"link-local with zone", "[fe80::1%25eth0]", "fe80::1%eth0", "scoped (has a zone)", "scoped"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, Options{Resolver: testResolver().resolve, RootCAs: rootsOf(srv)})
			_, err := c.Get(context.Background(), "https://"+tc.host+":"+port+"/latest/meta-data/", Request{})
			if !errors.Is(err, ErrBlocked) {
				t.Fatalf("got %v, want ErrBlocked", err)
			}
			var be *BlockedError
			if !errors.As(err, &be) {
				t.Fatalf("%v is not a *BlockedError", err)
			}
			if be.Addr.String() != tc.addr || be.Reason != tc.reason {
				t.Errorf("blocked %s for %q, want %s for %q", be.Addr, be.Reason, tc.addr, tc.reason)
			}
			if !strings.Contains(err.Error(), tc.message) {
				t.Errorf("message %q does not say %q", err, tc.message)
			}
		})
	}
}

func TestTLSAndAllowListedRange(t *testing.T) {
	srv := httptest.NewUnstartedServer(jsonHandler(`{"tls":1}`))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	srv.StartTLS()
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "https://"))
	cases := []struct {
		name  string
		allow string
		host  string
		ok    bool
	}{
		{"range lets a name through", "127.0.0.1/32", "example.com", true},
		{"name lets its address through", "example.com", "example.com", true},
		{"blocked addresses skipped, allowed one dialled", "127.0.0.1/32", "mixed.example", false}, // cert is for example.com: TLS error, not ErrBlocked
		{"no allow-list", "", "example.com", false},
		{"other name listed", "other.example", "example.com", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, Options{Allow: mustAllow(t, tc.allow), Resolver: testResolver().resolve, RootCAs: rootsOf(srv)})
			r, err := c.Get(context.Background(), "https://"+tc.host+":"+port+"/", Request{Accept: JSONTypes})
			if tc.ok {
				if err != nil || string(r.Body) != `{"tls":1}` {
					t.Fatalf("got %v, %v", r, err)
				}
				return
			}
			if err == nil {
				t.Fatal("fetched, want an error")
			}
			if tc.host == "mixed.example" {
				// 10.0.0.1 was skipped and 127.0.0.1 dialled: the error is
				// the certificate's, which proves the connection was made.
				if errors.Is(err, ErrBlocked) || !strings.Contains(err.Error(), "certificate") {
					t.Fatalf("got %v, want a certificate error", err)
				}
				return
			}
			if !errors.Is(err, ErrBlocked) {
				t.Fatalf("got %v, want ErrBlocked", err)
			}
		})
	}
}

func TestRedirects(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "https://"))
		switch {
		case r.URL.Path == "/to-evil":
			http.Redirect(w, r, "https://evil.example:"+port+"/doc", http.StatusFound)
		case r.URL.Path == "/to-metadata":
			http.Redirect(w, r, "https://169.254.169.254/latest/meta-data/", http.StatusMovedPermanently)
		case r.URL.Path == "/to-http":
			http.Redirect(w, r, "http://other.example/doc", http.StatusFound)
		case r.URL.Path == "/to-file":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		case strings.HasPrefix(r.URL.Path, "/chain/"):
			n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/chain/"))
			if n == 0 {
				jsonHandler(`{"end":1}`).ServeHTTP(w, r)
				return
			}
			http.Redirect(w, r, fmt.Sprintf("/chain/%d", n-1), http.StatusTemporaryRedirect)
		default:
			jsonHandler(`{"doc":1}`).ServeHTTP(w, r)
		}
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "https://"))
	base := "https://example.com:" + port

	cases := []struct {
		name string
		path string
		want error  // nil: success
		body string // on success
		says string // in the error message
	}{
		{"redirect to a name resolving to loopback", "/to-evil", ErrBlocked, "", "redirected to https://evil.example:" + port + "/doc"},
		{"redirect to cloud metadata", "/to-metadata", ErrBlocked, "", "address 169.254.169.254 is link-local"},
		{"fragment is not a redirect", "/to-file#frag", ErrScheme, "", "redirected to file:///etc/passwd"},
		{"downgrade to http", "/to-http", ErrScheme, "", "plain http to other.example"},
		{"redirect to file", "/to-file", ErrScheme, "", `"file"`},
		{"five redirects", "/chain/5", nil, `{"end":1}`, ""},
		{"six redirects", "/chain/6", ErrRedirects, "", "more than 5"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// example.com is allow-listed by name (so it may be on
			// 127.0.0.1); nothing else is.
			c := newClient(t, Options{Allow: mustAllow(t, "example.com"), Resolver: testResolver().resolve, RootCAs: rootsOf(srv)})
			r, err := c.Get(context.Background(), base+tc.path, Request{Accept: JSONTypes})
			if tc.want == nil {
				if err != nil || string(r.Body) != tc.body {
					t.Fatalf("got %v, %v", r, err)
				}
				if r.URL != base+"/chain/0" {
					t.Errorf("final URL %s", r.URL)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("message %q does not say %q", err, tc.says)
			}
		})
	}
}

func TestTooLarge(t *testing.T) {
	const huge = 100 << 20
	var written atomic.Int64
	done := make(chan struct{}, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { done <- struct{}{} }()
		w.Header().Set("Content-Type", "image/png")
		if r.URL.Path == "/declared" {
			w.Header().Set("Content-Length", strconv.Itoa(huge))
		}
		if r.URL.Path == "/three-mib" {
			w.Write(make([]byte, 3<<20))
			return
		}
		chunk := make([]byte, 32<<10)
		for n := 0; n < huge; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			written.Add(int64(len(chunk)))
		}
	}))
	defer srv.Close()
	c := newClient(t, Options{Allow: mustAllow(t, "127.0.0.1")})

	cases := []struct {
		name     string
		path     string
		maxBytes int64
		want     error
		says     string
	}{
		{"streamed 100 MB", "/stream", 0, ErrTooLarge, "response larger than 2097152 bytes"},
		{"declared 100 MB", "/declared", 0, ErrTooLarge, "Content-Length 104857600"},
		{"3 MiB over the default", "/three-mib", 0, ErrTooLarge, "larger than 2097152"},
		{"3 MiB under a per-call limit", "/three-mib", 4 << 20, nil, ""},
		{"3 MiB over a smaller per-call limit", "/three-mib", 1 << 20, ErrTooLarge, "larger than 1048576"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			written.Store(0)
			start := time.Now()
			r, err := c.Get(context.Background(), srv.URL+tc.path, Request{Accept: ImageTypes, MaxBytes: tc.maxBytes})
			if tc.want == nil {
				if err != nil || len(r.Body) != 3<<20 {
					t.Fatalf("got %v", err)
				}
				<-done
				return
			}
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("got %v, want %v saying %q", err, tc.want, tc.says)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %s", d)
			}
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("server still writing: the client did not hang up")
			}
			// Socket buffers hold a few MB at most; the rest was never sent.
			t.Logf("server wrote %d bytes", written.Load())
			if n := written.Load(); n > 24<<20 {
				t.Errorf("server wrote %d bytes before the client hung up", n)
			}
		})
	}
}

func TestTimeouts(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/trickle":
			w.Header().Set("Content-Type", "application/json")
			for {
				if _, err := io.WriteString(w, " "); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-time.After(50 * time.Millisecond):
				case <-r.Context().Done():
					return
				case <-release:
					return
				}
			}
		default: // never answers
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}
	}))
	defer srv.Close()
	defer close(release)

	// A TCP listener that accepts and never speaks: TLS handshakes hang.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()

	const limit = 300 * time.Millisecond
	cases := []struct {
		name string
		url  string
	}{
		{"server never answers", srv.URL + "/silent"},
		{"body never ends", srv.URL + "/trickle"},
		{"TLS handshake never ends", "https://" + ln.Addr().String() + "/"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, Options{Allow: mustAllow(t, "127.0.0.1"), Timeout: limit})
			start := time.Now()
			_, err := c.Get(context.Background(), tc.url, Request{})
			d := time.Since(start)
			if !errors.Is(err, ErrTimeout) {
				t.Fatalf("got %v, want ErrTimeout", err)
			}
			if d < limit || d > limit+2*time.Second {
				t.Errorf("failed after %s, limit %s", d, limit)
			}
		})
	}
	t.Run("caller's cancellation is not a timeout", func(t *testing.T) {
		c := newClient(t, Options{Allow: mustAllow(t, "127.0.0.1"), Timeout: 5 * time.Second})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		_, err := c.Get(ctx, srv.URL+"/silent", Request{})
		if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	})
}

func TestContentTypes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ct := r.URL.Query().Get("ct"); ct != "none" {
			w.Header().Set("Content-Type", ct)
		} else {
			w.Header()["Content-Type"] = nil // no sniffing either
		}
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	c := newClient(t, Options{Allow: mustAllow(t, "127.0.0.1")})
	cases := []struct {
		name   string
		ct     string
		accept []string
		want   string // media type; "" for ErrContentType
	}{
		{"json", "application/json", JSONTypes, "application/json"},
		{"ld+json with charset", "application/ld+json; charset=utf-8", JSONTypes, "application/ld+json"},
		{"upper case", "Application/VC+LD+JSON", JSONTypes, "application/vc+ld+json"},
		{"did+json", "application/did+json", JSONTypes, "application/did+json"},
		{"jwt as text", "text/plain; charset=us-ascii", JSONTypes, "text/plain"},
		{"html for json", "text/html", JSONTypes, ""},
		{"no content type", "none", JSONTypes, ""},
		{"garbage", "???", JSONTypes, ""},
		{"png", "image/png", ImageTypes, "image/png"},
		{"svg", "image/svg+xml", ImageTypes, "image/svg+xml"},
		{"gif not accepted", "image/gif", ImageTypes, ""},
		{"wildcard", "image/gif", []string{"image/*"}, "image/gif"},
		{"wildcard is per type", "text/gif", []string{"image/*"}, ""},
		{"anything", "application/octet-stream", nil, "application/octet-stream"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := c.Get(context.Background(), srv.URL+"/?ct="+url.QueryEscape(tc.ct), Request{Accept: tc.accept})
			if tc.want == "" {
				if !errors.Is(err, ErrContentType) {
					t.Fatalf("got %v, want ErrContentType", err)
				}
				return
			}
			if err != nil || r.ContentType != tc.want {
				t.Fatalf("got %v, %v; want %s", r, err, tc.want)
			}
		})
	}
}

func TestStatusErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		if code == 0 {
			http.Redirect(w, r, "/410", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		io.WriteString(w, `{"revoked":true}`)
	}))
	defer srv.Close()
	c := newClient(t, Options{Allow: mustAllow(t, "127.0.0.1")})
	cases := []struct {
		name     string
		path     string
		status   int
		notFound bool
		url      string
	}{
		{"gone", "/410", 410, true, srv.URL + "/410"},
		{"gone after redirect", "/redirect", 410, true, srv.URL + "/410"},
		{"not found", "/404", 404, true, srv.URL + "/404"},
		{"server error", "/500", 500, false, srv.URL + "/500"},
		{"forbidden", "/403", 403, false, srv.URL + "/403"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Get(context.Background(), srv.URL+tc.path, Request{Accept: JSONTypes})
			// The ob2 verifier sees the status through this interface only.
			var hs interface{ HTTPStatus() int }
			if !errors.As(err, &hs) || hs.HTTPStatus() != tc.status {
				t.Fatalf("got %v, want HTTP %d", err, tc.status)
			}
			var se *StatusError
			if !errors.As(err, &se) || se.URL != tc.url {
				t.Errorf("StatusError %+v, want URL %s", se, tc.url)
			}
			if errors.Is(err, did.ErrNotFound) != tc.notFound {
				t.Errorf("errors.Is(did.ErrNotFound) = %v", !tc.notFound)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("HTTP %d", tc.status)) {
				t.Errorf("message %q", err)
			}
			// A 410 keeps its body (an OB 2.0 revocation reason), through
			// the interface the ob2 verifier reads; other errors do not.
			var hb interface{ HTTPBody() []byte }
			if errors.As(err, &hb) && (string(hb.HTTPBody()) == `{"revoked":true}`) != (tc.status == 410) {
				t.Errorf("body %q for HTTP %d", hb.HTTPBody(), tc.status)
			}
		})
	}
}

func TestFetchImplementsDIDFetcher(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path != "/.well-known/did.json" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/did+json")
		w.Header().Set("Cache-Control", "max-age=300")
		io.WriteString(w, `{"id":"did:web:example.com"}`)
	}))
	defer srv.Close()
	var f did.Fetcher = newClient(t, Options{Allow: mustAllow(t, "127.0.0.1")})
	for range 2 {
		b, err := f.Fetch(context.Background(), srv.URL+"/.well-known/did.json")
		if err != nil || string(b) != `{"id":"did:web:example.com"}` {
			t.Fatalf("got %q, %v", b, err)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("%d requests, want 1 (Fetch caches)", n)
	}
	if _, err := f.Fetch(context.Background(), srv.URL+"/missing"); !errors.Is(err, did.ErrNotFound) {
		t.Errorf("got %v, want did.ErrNotFound", err)
	}
}

package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/sceau/sceau/did"
)

// Defaults for the zero Options.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultMaxBytes     = 2 << 20
	DefaultMaxRedirects = 5
	DefaultUserAgent    = "Sceau"
	DefaultCacheEntries = 256
	DefaultCacheBytes   = 32 << 20
	DefaultCacheMaxAge  = time.Hour
	// maxURLLength bounds the URLs accepted; real document URLs are short.
	maxURLLength = 8 << 10
)

// Media types for Request.Accept.
var (
	// JSONTypes are the media types of the JSON documents Sceau reads
	// (credentials, assertions, profiles, DID documents, status lists),
	// including the VC-JWT forms a status list credential may take.
	JSONTypes = []string{
		"application/ld+json", "application/json", "application/vc+ld+json",
		"application/vc", "application/did+json", "application/did+ld+json",
		"application/vc+jwt", "application/jwt", "text/plain",
	}
	// ImageTypes are the badge image types that can be baked.
	ImageTypes = []string{"image/png", "image/svg+xml"}
)

// documentTypes is what Fetch accepts: a private copy of JSONTypes, so that
// a caller changing the exported slice does not change Fetch.
var documentTypes = append([]string(nil), JSONTypes...)

// Options configure a Client. The zero value is a safe production client.
type Options struct {
	// Allow lists hosts and ranges reachable despite private addresses, and
	// over plain http (see ParseAllowList).
	Allow AllowList
	// Timeout bounds a whole request: dial, TLS, headers, redirects and
	// body (default 10 s).
	Timeout time.Duration
	// MaxBytes bounds a response body unless a Request says otherwise
	// (default 2 MiB).
	MaxBytes int64
	// MaxRedirects is how many redirects are followed (default 5;
	// negative: none).
	MaxRedirects int
	// UserAgent is sent with every request, e.g.
	// "Sceau/1.2 (+https://badges.example.org)" (default "Sceau").
	UserAgent string
	// Resolver maps a host name to addresses (default: the system
	// resolver). Its answers are checked like any other, so tests use it
	// to point names at local servers or at forbidden addresses.
	Resolver func(ctx context.Context, host string) ([]netip.Addr, error)
	// RootCAs replaces the system roots for TLS (tests with
	// httptest.NewTLSServer, private PKIs).
	RootCAs *x509.CertPool
	// Now is the cache's clock (default time.Now).
	Now func() time.Time
	// CacheEntries and CacheBytes bound the response cache (defaults 256
	// and 32 MiB); CacheEntries < 0 disables caching.
	CacheEntries int
	CacheBytes   int64
	// CacheMaxAge caps how long a cached response is used without asking
	// the server again, whatever its headers say (default 1 h), so that a
	// revocation or key rotation is seen within that time.
	CacheMaxAge time.Duration
}

// Request says what a caller expects of one response.
type Request struct {
	// Accept lists the media types accepted ("image/*" form allowed); the
	// response Content-Type must be one of them. Empty accepts anything.
	Accept []string
	// MaxBytes overrides Options.MaxBytes for this request (e.g. images).
	MaxBytes int64
	// Cache lets the response come from, and go to, the in-memory cache.
	Cache bool
}

// Response is a successful (2xx) response read in full.
type Response struct {
	URL         string // final URL, after redirects
	Status      int
	ContentType string // media type, lower case, without parameters
	Header      http.Header
	Body        []byte
	Cached      bool // served from the cache (fresh, or revalidated by a 304)
}

// Client is the SSRF-safe HTTP client. It is safe for concurrent use.
type Client struct {
	hc           *http.Client
	allow        AllowList
	timeout      time.Duration
	maxBytes     int64
	maxRedirects int
	userAgent    string
	resolve      func(ctx context.Context, host string) ([]netip.Addr, error)
	now          func() time.Time
	cache        *cache // nil when disabled
	cacheMaxAge  time.Duration
}

// *Client serves did:web documents and status lists to the verifier.
var _ did.Fetcher = (*Client)(nil)

// New builds a Client.
func New(opts Options) *Client {
	c := &Client{
		allow:        opts.Allow,
		timeout:      opts.Timeout,
		maxBytes:     opts.MaxBytes,
		maxRedirects: opts.MaxRedirects,
		userAgent:    opts.UserAgent,
		resolve:      opts.Resolver,
		now:          opts.Now,
		cacheMaxAge:  opts.CacheMaxAge,
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.maxBytes <= 0 {
		c.maxBytes = DefaultMaxBytes
	}
	switch {
	case c.maxRedirects == 0:
		c.maxRedirects = DefaultMaxRedirects
	case c.maxRedirects < 0:
		c.maxRedirects = 0
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	if c.resolve == nil {
		c.resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.cacheMaxAge <= 0 {
		c.cacheMaxAge = DefaultCacheMaxAge
	}
	if opts.CacheEntries >= 0 {
		entries, bytes := opts.CacheEntries, opts.CacheBytes
		if entries == 0 {
			entries = DefaultCacheEntries
		}
		if bytes <= 0 {
			bytes = DefaultCacheBytes
		}
		c.cache = newCache(entries, bytes)
	}
	tr := &http.Transport{
		Proxy:                  nil, // never an environment proxy: we dial only checked addresses
		DialContext:            c.dialContext,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: opts.RootCAs},
		TLSHandshakeTimeout:    c.timeout,
		ResponseHeaderTimeout:  c.timeout,
		ExpectContinueTimeout:  time.Second,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           32,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	c.hc = &http.Client{Transport: tr, CheckRedirect: c.checkRedirect}
	return c
}

// CloseIdleConnections closes pooled connections (at shutdown, in tests).
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

// Fetch returns the body of a JSON-like document (JSONTypes), through the
// cache. It implements did.Fetcher: a 404 or 410 matches did.ErrNotFound.
func (c *Client) Fetch(ctx context.Context, rawURL string) ([]byte, error) {
	r, err := c.Get(ctx, rawURL, Request{Accept: documentTypes, Cache: true})
	if err != nil {
		return nil, err
	}
	return r.Body, nil
}

// Get fetches rawURL with GET. Errors match ErrBadURL, ErrScheme,
// ErrBlocked (*BlockedError), ErrRedirects, ErrTimeout, ErrContentType or
// ErrTooLarge, or are a *StatusError for a non-2xx answer.
func (c *Client) Get(ctx context.Context, rawURL string, r Request) (*Response, error) {
	u, err := c.checkURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", clip(rawURL), err)
	}
	max := r.MaxBytes
	if max <= 0 {
		max = c.maxBytes
	}
	accept := acceptHeader(r.Accept)

	var key string
	var stale *entry
	if r.Cache && c.cache != nil {
		key = accept + " " + u.String()
		if e, ok := c.cache.get(key); ok {
			if c.now().Before(e.expires) {
				return cachedResponse(e.resp, rawURL, max)
			}
			stale = &e
		}
	}

	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w: %v", clip(rawURL), ErrBadURL, err)
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", c.userAgent)
	if stale != nil {
		if v := stale.resp.Header.Get("ETag"); v != "" {
			req.Header.Set("If-None-Match", v)
		}
		if v := stale.resp.Header.Get("Last-Modified"); v != "" {
			req.Header.Set("If-Modified-Since", v)
		}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.wrapErr(ctx, rawURL, u.String(), err)
	}
	defer resp.Body.Close()
	final := resp.Request.URL.String()
	where := "fetch " + clip(rawURL)
	if final != u.String() {
		where += " (redirected to " + clip(final) + ")"
	}

	if resp.StatusCode == http.StatusNotModified && stale != nil {
		return c.revalidated(key, *stale, resp.Header, rawURL, max)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		if stale != nil {
			c.cache.remove(key)
		}
		se := &StatusError{URL: final, Status: resp.StatusCode}
		if resp.StatusCode == http.StatusGone {
			// Bounded like any body; a failed read only loses the reason.
			se.Body, _ = io.ReadAll(io.LimitReader(resp.Body, maxGoneBody))
		}
		return nil, fmt.Errorf("%s: %w", where, se)
	}
	mediaType, err := checkContentType(resp.Header.Get("Content-Type"), r.Accept)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if resp.ContentLength > max {
		return nil, fmt.Errorf("%s: %w: response larger than %d bytes (Content-Length %d)", where, ErrTooLarge, max, resp.ContentLength)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, c.wrapErr(ctx, rawURL, u.String(), err)
	}
	if int64(len(body)) > max {
		return nil, fmt.Errorf("%s: %w: response larger than %d bytes", where, ErrTooLarge, max)
	}
	out := &Response{URL: final, Status: resp.StatusCode, ContentType: mediaType, Header: resp.Header, Body: body}

	if key != "" {
		p := cachePolicy(resp.Header, c.cacheMaxAge)
		if p.store && resp.StatusCode == http.StatusOK {
			stored := *out
			stored.Body = append([]byte(nil), body...)
			stored.Header = resp.Header.Clone()
			c.cache.put(entry{key: key, resp: stored, expires: c.now().Add(p.fresh)})
		} else if stale != nil {
			c.cache.remove(key)
		}
	}
	return out, nil
}

// revalidated handles a 304 answer to a conditional request: the stored
// headers are updated from the 304's (RFC 9111 §4.3.4), freshness is
// computed anew, and the stored body is served.
func (c *Client) revalidated(key string, e entry, h304 http.Header, rawURL string, max int64) (*Response, error) {
	h := e.resp.Header.Clone()
	for k, v := range h304 {
		switch k {
		case "Content-Length", "Content-Type", "Content-Encoding", "Transfer-Encoding", "Content-Range":
			continue
		}
		h[k] = v
	}
	e.resp.Header = h
	p := cachePolicy(h, c.cacheMaxAge)
	if p.store {
		e.expires = c.now().Add(p.fresh)
		c.cache.put(e)
	} else {
		c.cache.remove(key)
	}
	return cachedResponse(e.resp, rawURL, max)
}

// cachedResponse copies a stored response for a caller.
func cachedResponse(r Response, rawURL string, max int64) (*Response, error) {
	if int64(len(r.Body)) > max {
		return nil, fmt.Errorf("fetch %s: %w: response larger than %d bytes", clip(rawURL), ErrTooLarge, max)
	}
	r.Body = append([]byte(nil), r.Body...)
	r.Header = r.Header.Clone()
	r.Cached = true
	return &r, nil
}

// checkURL parses rawURL and applies the scheme rules.
func (c *Client) checkURL(rawURL string) (*url.URL, error) {
	if len(rawURL) > maxURLLength {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrBadURL, maxURLLength)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	if err := c.checkParsed(u); err != nil {
		return nil, err
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// checkParsed applies the URL rules to the first request and every hop.
func (c *Client) checkParsed(u *url.URL) error {
	scheme := strings.ToLower(u.Scheme)
	switch {
	case !u.IsAbs() || u.Opaque != "":
		return fmt.Errorf("%w: not an absolute http(s) URL", ErrBadURL)
	case scheme != "https" && scheme != "http":
		return fmt.Errorf("%w: %q (only https)", ErrScheme, clip(u.Scheme))
	case u.User != nil:
		// Credentials would be sent to whatever host; and user@host
		// spellings are a classic way to disguise the real host.
		return fmt.Errorf("%w: credentials in URL", ErrBadURL)
	case u.Hostname() == "":
		return fmt.Errorf("%w: no host", ErrBadURL)
	}
	if scheme == "http" && !c.allow.plainHTTPAllowed(normHost(u.Hostname()), portOf(u)) {
		return fmt.Errorf("%w: plain http to %s (use https, or allow-list the host in %s)", ErrScheme, clip(u.Host), EnvAllow)
	}
	return nil
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "http") {
		return "80"
	}
	return "443"
}

// checkRedirect re-checks every hop; addresses are checked when dialled.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > c.maxRedirects {
		return fmt.Errorf("%w: more than %d", ErrRedirects, c.maxRedirects)
	}
	return c.checkParsed(req.URL)
}

// dialContext resolves the host, drops the addresses that must not be
// reached, and dials the remaining ones in turn: the address checked is the
// address connected to, so DNS rebinding cannot slip a private address in.
func (c *Client) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	byName := c.allow.hostAllowed(normHost(host), port)
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		ips, err = c.resolve(ctx, host)
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", clip(host), err)
		}
		if len(ips) == 0 {
			return nil, fmt.Errorf("resolve %s: no addresses", clip(host))
		}
	}
	var blocked, lastErr error
	for _, ip := range ips {
		if err := c.checkAddr(host, ip, byName); err != nil {
			if blocked == nil {
				blocked = err
			}
			continue
		}
		d := net.Dialer{Timeout: c.timeout, Control: c.control(host, byName)}
		conn, err := d.DialContext(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	if lastErr != nil {
		return nil, lastErr
	}
	return nil, blocked
}

// checkAddr returns a *BlockedError when ip must not be dialled for host.
func (c *Client) checkAddr(host string, ip netip.Addr, byName bool) error {
	if byName || c.allow.addrAllowed(ip) {
		return nil
	}
	if reason := blockedReason(ip); reason != "" {
		return &BlockedError{Host: host, Addr: ip, Reason: reason}
	}
	return nil
}

// control checks the socket's address once more just before connect: a
// second line of defence should a future change dial a name directly.
func (c *Client) control(host string, byName bool) func(network, address string, _ syscall.RawConn) error {
	return func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: cannot read dialled address %q", ErrBlocked, address)
		}
		return c.checkAddr(host, ap.Addr(), byName)
	}
}

// wrapErr turns a transport error into one of ours, naming the URL and, for
// an error on a redirect hop, the hop.
func (c *Client) wrapErr(ctx context.Context, rawURL, reqURL string, err error) error {
	where := "fetch " + clip(rawURL)
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.URL != reqURL {
			where += " (redirected to " + clip(ue.URL) + ")"
		}
		err = ue.Err
	}
	var be *BlockedError
	var ne net.Error
	switch {
	case errors.As(err, &be):
		return fmt.Errorf("%s: %w", where, be)
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return fmt.Errorf("%s: %w (limit %s): %v", where, ErrTimeout, c.timeout, err)
	}
	return fmt.Errorf("%s: %w", where, err)
}

// acceptHeader builds the Accept header for the accepted types.
func acceptHeader(types []string) string {
	if len(types) == 0 {
		return "*/*"
	}
	return strings.Join(types, ", ")
}

// checkContentType returns the response's media type if accepted.
func checkContentType(header string, accept []string) (string, error) {
	mt, _, err := mime.ParseMediaType(header)
	if err != nil {
		if len(accept) == 0 {
			return "", nil
		}
		if header == "" {
			return "", fmt.Errorf("%w: no Content-Type, want one of %s", ErrContentType, strings.Join(accept, ", "))
		}
		return "", fmt.Errorf("%w: unreadable Content-Type %q", ErrContentType, clip(header))
	}
	if len(accept) == 0 {
		return mt, nil
	}
	for _, a := range accept {
		a = strings.ToLower(a)
		if a == mt || a == "*/*" || (strings.HasSuffix(a, "/*") && strings.HasPrefix(mt, a[:len(a)-1])) {
			return mt, nil
		}
	}
	return "", fmt.Errorf("%w: %q, want one of %s", ErrContentType, clip(mt), strings.Join(accept, ", "))
}

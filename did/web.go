package did

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Fetcher reads a document over HTTPS. Implementations must refuse
// non-HTTPS URLs and private addresses (SSRF), follow redirects only to
// HTTPS, apply timeouts and stop reading after MaxDocumentSize+1 bytes; the
// resolver checks the size again. A missing document should give an error
// wrapping ErrNotFound.
type Fetcher interface {
	Fetch(ctx context.Context, url string) ([]byte, error)
}

// FetcherFunc adapts a function to the Fetcher interface.
type FetcherFunc func(ctx context.Context, url string) ([]byte, error)

// Fetch calls f.
func (f FetcherFunc) Fetch(ctx context.Context, url string) ([]byte, error) { return f(ctx, url) }

// StaticFetcher serves documents from memory, keyed by URL: for tests and
// for documents known in advance. Unknown URLs give ErrNotFound.
type StaticFetcher map[string][]byte

// Fetch returns the document stored under url.
func (s StaticFetcher) Fetch(_ context.Context, url string) ([]byte, error) {
	b, ok := s[url]
	if !ok {
		return nil, fmt.Errorf("fetch %s: %w", url, ErrNotFound)
	}
	return b, nil
}

// WebURL maps a did:web to the HTTPS URL of its DID document, as the did:web
// method specifies: colons separate path segments, "%3A" in the host is a
// port separator, a DID without path reads /.well-known/did.json and one
// with a path reads <path>/did.json.
//
//	did:web:example.com                 → https://example.com/.well-known/did.json
//	did:web:example.com%3A8443          → https://example.com:8443/.well-known/did.json
//	did:web:example.com:issuers:alice   → https://example.com/issuers/alice/did.json
func WebURL(did string) (string, error) {
	method, id, err := Parse(did)
	if err != nil {
		return "", err
	}
	if method != "web" {
		return "", fmt.Errorf("%w: %q is not a did:web", ErrInvalidDID, clip(did))
	}
	parts := strings.Split(id, ":")
	host, err := webHost(parts[0])
	if err != nil {
		return "", fmt.Errorf("%w: did:web host: %v", ErrInvalidDID, err)
	}
	path := "/.well-known"
	if len(parts) > 1 {
		var b strings.Builder
		for _, seg := range parts[1:] {
			dec, err := url.PathUnescape(seg)
			if err != nil || dec == "" || dec == "." || dec == ".." || strings.ContainsAny(dec, "/?#\\") {
				return "", fmt.Errorf("%w: did:web path segment %q", ErrInvalidDID, clip(seg))
			}
			b.WriteString("/")
			b.WriteString(seg)
		}
		path = b.String()
	}
	return "https://" + host + path + "/did.json", nil
}

// webHost decodes and checks the host (and optional port) of a did:web.
func webHost(raw string) (string, error) {
	host := strings.NewReplacer("%3A", ":", "%3a", ":").Replace(raw)
	name, port, hasPort := strings.Cut(host, ":")
	if name == "" || len(name) > 253 {
		return "", fmt.Errorf("empty or overlong host name %q", clip(raw))
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return "", fmt.Errorf("character %q not allowed in host %q", c, clip(raw))
		}
	}
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, "..") {
		return "", fmt.Errorf("malformed host name %q", clip(raw))
	}
	if hasPort {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port {
			return "", fmt.Errorf("bad port in %q", clip(raw))
		}
	}
	return strings.ToLower(name) + strings.TrimPrefix(host, name), nil
}

// ResolveWeb fetches and checks the DID document of a did:web: size limit,
// syntax, and an id equal to the DID (a document served for another DID is
// refused, since its keys would then speak for the wrong issuer).
func ResolveWeb(ctx context.Context, f Fetcher, did string) (*Document, error) {
	if f == nil {
		return nil, fmt.Errorf("resolve %s: %w", clip(did), ErrNoFetcher)
	}
	u, err := WebURL(did)
	if err != nil {
		return nil, err
	}
	data, err := f.Fetch(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", did, err)
	}
	doc, err := ParseDocument(data)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", did, err)
	}
	if doc.ID != did {
		return nil, fmt.Errorf("resolve %s: %w: document id is %q", did, ErrInvalidDocument, clip(doc.ID))
	}
	return doc, nil
}

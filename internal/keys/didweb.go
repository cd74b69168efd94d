package keys

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/sceau/sceau/did"
)

// ErrBaseURL: the base URL cannot carry a did:web (not absolute http(s),
// has a query, fragment or user info, or an IPv6 host, which did:web cannot
// express).
var ErrBaseURL = errors.New("base URL unusable for did:web")

// IssuersPath is the path, under the base URL, where issuers live:
// https://badges.example.org/issuers/<slug>/did.json.
const IssuersPath = "issuers"

// IssuerDID is the did:web of the issuer with the given slug:
// DIDWeb(baseURL, "issuers/"+slug).
func IssuerDID(baseURL, slug string) (string, error) {
	return DIDWeb(baseURL, IssuersPath+"/"+slug)
}

// DIDWeb returns the did:web whose DID document is served at
// baseURL/issuerPath/did.json, following the did:web method: the host
// (lower-cased) with its port, if any, written "%3A", then each path
// segment of the base URL and of issuerPath after a colon.
//
//	https://badges.example.org, issuers/cssdm   → did:web:badges.example.org:issuers:cssdm
//	https://example.org:8443/sceau, issuers/x   → did:web:example.org%3A8443:sceau:issuers:x
//
// Characters of a segment other than letters, digits, '.', '-' and '_' are
// percent-encoded. The scheme is not part of a did:web (resolution always
// uses https), so an http base URL, accepted in development, gives a DID
// that other machines cannot resolve.
func DIDWeb(baseURL, issuerPath string) (string, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBaseURL, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return "", fmt.Errorf("%w: %q is not an absolute http(s) URL", ErrBaseURL, baseURL)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.User != nil || u.Opaque != "" {
		return "", fmt.Errorf("%w: %q has a query, fragment or user info", ErrBaseURL, baseURL)
	}
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		return "", fmt.Errorf("%w: IPv6 host %q cannot be written in a did:web", ErrBaseURL, host)
	}
	if host == "" || net.ParseIP(host) == nil && !validHostname(host) {
		return "", fmt.Errorf("%w: host %q is not a valid host name", ErrBaseURL, host)
	}
	var b strings.Builder
	b.WriteString("did:web:")
	b.WriteString(host)
	if p := u.Port(); p != "" {
		b.WriteString("%3A")
		b.WriteString(p)
	}
	segs := splitPath(u.Path)
	extra := splitPath(issuerPath)
	if len(extra) == 0 {
		return "", fmt.Errorf("did:web: empty issuer path")
	}
	for _, seg := range append(segs, extra...) {
		if seg == "." || seg == ".." {
			return "", fmt.Errorf("did:web: path segment %q not allowed", seg)
		}
		b.WriteByte(':')
		b.WriteString(escapeSegment(seg))
	}
	d := b.String()
	// The DID must resolve back to where the server serves its document;
	// did.WebURL is the resolver's own reading.
	if _, err := did.WebURL(d); err != nil {
		return "", fmt.Errorf("did:web for %s/%s: %w", baseURL, issuerPath, err)
	}
	return d, nil
}

func splitPath(p string) []string {
	var out []string
	for s := range strings.SplitSeq(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func validHostname(h string) bool {
	if len(h) > 253 || strings.HasPrefix(h, ".") || strings.HasSuffix(h, ".") || strings.Contains(h, "..") {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// escapeSegment percent-encodes every byte that is not a DID idchar other
// than ':' and '%' (which separate segments and start escapes).
func escapeSegment(s string) string {
	const hexdig = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexdig[c>>4])
		b.WriteByte(hexdig[c&15])
	}
	return b.String()
}

// Document builds the DID document of an issuer: every key, current and
// retired, as a Multikey verification method "<did>#key-N", all of them
// under assertionMethod (credentials signed by a retired key must still
// verify) and the current key only under authentication (a retired key no
// longer proves control of the DID). keys is in key-set order.
func Document(issuerDID string, keys []PublicKey) *did.Document {
	doc := &did.Document{
		Context: []any{did.ContextDIDv1, did.ContextMultikey},
		ID:      issuerDID,
	}
	for _, k := range keys {
		id := k.MethodID(issuerDID)
		doc.VerificationMethod = append(doc.VerificationMethod, did.VerificationMethod{
			ID:                 id,
			Type:               "Multikey",
			Controller:         issuerDID,
			PublicKeyMultibase: k.Multikey,
		})
		doc.AssertionMethod = append(doc.AssertionMethod, did.MethodRef{Ref: id})
		if !k.IsRetired() {
			doc.Authentication = append(doc.Authentication, did.MethodRef{Ref: id})
		}
	}
	return doc
}

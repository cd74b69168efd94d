package did

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// MultiResolver resolves did:key and did:jwk locally, did:web through the
// Web fetcher, and any DID found in Static first (an issuer's own DID, test
// fixtures). Other methods give an error wrapping ErrUnsupportedMethod that
// names the method. It also dereferences HTTPS key URLs (KeyURLResolver).
type MultiResolver struct {
	// Web fetches did:web documents and HTTPS key documents; nil disables
	// both (ErrNoFetcher).
	Web Fetcher
	// Static holds documents by DID, consulted before any method.
	Static map[string]*Document
}

// KeyURLResolver dereferences a verification method given as an HTTPS URL,
// the form some Open Badges 3.0 issuers use instead of a DID URL.
type KeyURLResolver interface {
	ResolveKeyURL(ctx context.Context, url, relationship string) (*VerificationMethod, error)
}

// Resolve returns the DID document of did (a DID, not a DID URL).
func (r *MultiResolver) Resolve(ctx context.Context, did string) (*Document, error) {
	method, _, err := Parse(did)
	if err != nil {
		return nil, fmt.Errorf("resolve: %w", err)
	}
	if doc, ok := r.Static[did]; ok {
		return doc, nil
	}
	switch method {
	case "key":
		return ResolveKey(did)
	case "jwk":
		return ResolveJWK(did)
	case "web":
		return ResolveWeb(ctx, r.Web, did)
	default:
		return nil, fmt.Errorf("resolve %s: %w did:%s", clip(did), ErrUnsupportedMethod, method)
	}
}

// ResolveKeyURL fetches an HTTPS key URL through r.Web. The document there
// is either the verification method itself (a Multikey or JsonWebKey
// document whose id is the URL), a bare public JWK, or — when the URL has a
// fragment — a controller document (id = the URL without fragment) whose
// relationship lists the method. A stand-alone method or JWK cannot say what
// it is for, so relationship is only checked in the controller-document
// case; callers must still check the method's controller against the issuer.
func (r *MultiResolver) ResolveKeyURL(ctx context.Context, url, relationship string) (*VerificationMethod, error) {
	if !strings.HasPrefix(url, "https://") {
		return nil, fmt.Errorf("key URL %q: %w: only https key URLs are dereferenced", clip(url), ErrInvalidDID)
	}
	if len(url) > MaxDIDLength {
		return nil, fmt.Errorf("key URL: %w", ErrTooLarge)
	}
	if r.Web == nil {
		return nil, fmt.Errorf("key URL %s: %w", clip(url), ErrNoFetcher)
	}
	docURL, _, _ := strings.Cut(url, "#")
	data, err := r.Web.Fetch(ctx, docURL)
	if err != nil {
		return nil, fmt.Errorf("key URL %s: %w", clip(url), err)
	}
	m, err := parseKeyDocument(data, url, docURL, relationship)
	if err != nil {
		return nil, fmt.Errorf("key URL %s: %w", clip(url), err)
	}
	return m, nil
}

func parseKeyDocument(data []byte, url, docURL, relationship string) (*VerificationMethod, error) {
	if len(data) > MaxDocumentSize {
		return nil, fmt.Errorf("%w: key document of %d bytes exceeds %d", ErrTooLarge, len(data), MaxDocumentSize)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidDocument, err)
	}
	if _, ok := probe["kty"]; ok {
		var jwk map[string]any
		if err := json.Unmarshal(data, &jwk); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidDocument, err)
		}
		m := &VerificationMethod{ID: url, Type: TypeJsonWebKey, PublicKeyJwk: jwk}
		if _, err := m.PublicKey(); err != nil {
			return nil, err
		}
		return m, nil
	}
	if _, ok := probe["verificationMethod"]; ok {
		var doc Document
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidDocument, err)
		}
		if doc.ID != docURL {
			return nil, fmt.Errorf("%w: controller document id is %q, fetched from %q", ErrInvalidDocument, clip(doc.ID), clip(docURL))
		}
		return doc.methodByURL(url, relationship)
	}
	var m VerificationMethod
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidDocument, err)
	}
	if m.ID != url {
		return nil, fmt.Errorf("%w: key document id is %q, fetched for %q", ErrInvalidDocument, clip(m.ID), clip(url))
	}
	if err := checkMethod(&m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidDocument, err)
	}
	if _, err := m.PublicKey(); err != nil {
		return nil, err
	}
	return &m, nil
}

// methodByURL is Method for controller documents whose id is an HTTPS URL
// rather than a DID.
func (d *Document) methodByURL(url, relationship string) (*VerificationMethod, error) {
	refs, ok := d.relationships()[relationship]
	if !ok {
		return nil, fmt.Errorf("unknown verification relationship %q", relationship)
	}
	for _, r := range refs {
		if r.Embedded != nil && d.absolute(r.Embedded.ID) == url {
			return d.finish(r.Embedded, url), nil
		}
		if r.Embedded == nil && d.absolute(r.Ref) == url {
			if m := d.lookup(url); m != nil {
				return d.finish(m, url), nil
			}
			return nil, fmt.Errorf("%w: %q listed under %s but not defined", ErrMethodNotFound, clip(url), relationship)
		}
	}
	if d.lookup(url) != nil {
		return nil, fmt.Errorf("%w: %q is not listed under %s", ErrNotAuthorized, clip(url), relationship)
	}
	return nil, fmt.Errorf("%w: %q", ErrMethodNotFound, clip(url))
}

// Dereference returns the verification method that methodURL names, for the
// given relationship: a DID URL ("did:key:z…#z…") is resolved through r and
// looked up with Document.Method; an HTTPS URL is handed to r when it
// implements KeyURLResolver. Anything else is refused.
func Dereference(ctx context.Context, r Resolver, methodURL, relationship string) (*VerificationMethod, error) {
	if strings.HasPrefix(methodURL, "did:") {
		did, _, fragment, err := SplitURL(methodURL)
		if err != nil {
			return nil, fmt.Errorf("dereference %q: %w", clip(methodURL), err)
		}
		if fragment == "" {
			return nil, fmt.Errorf("dereference %q: %w: a verification method URL needs a fragment", clip(methodURL), ErrInvalidDID)
		}
		doc, err := r.Resolve(ctx, did)
		if err != nil {
			return nil, err
		}
		return doc.Method(methodURL, relationship)
	}
	if strings.HasPrefix(methodURL, "https://") {
		kr, ok := r.(KeyURLResolver)
		if !ok {
			return nil, fmt.Errorf("dereference %q: %w", clip(methodURL), ErrNoFetcher)
		}
		return kr.ResolveKeyURL(ctx, methodURL, relationship)
	}
	return nil, fmt.Errorf("dereference %q: %w: not a DID URL or https URL", clip(methodURL), ErrInvalidDID)
}

// Package did resolves decentralized identifiers (did:key, did:jwk, did:web)
// to DID documents and decodes the public keys of their verification methods.
//
// Resolution never touches the network by itself: did:key and did:jwk are
// expanded locally, and did:web documents and HTTPS key documents are read
// through a Fetcher supplied by the caller (the server plugs its SSRF-safe
// HTTP client in; tests read files).
package did

import (
	"context"
	"errors"
)

// Document is a DID document, the parts a verifier needs.
type Document struct {
	Context              any                  `json:"@context,omitempty"`
	ID                   string               `json:"id"`
	Controller           any                  `json:"controller,omitempty"`
	VerificationMethod   []VerificationMethod `json:"verificationMethod,omitempty"`
	Authentication       []MethodRef          `json:"authentication,omitempty"`
	AssertionMethod      []MethodRef          `json:"assertionMethod,omitempty"`
	CapabilityInvocation []MethodRef          `json:"capabilityInvocation,omitempty"`
	CapabilityDelegation []MethodRef          `json:"capabilityDelegation,omitempty"`
	KeyAgreement         []MethodRef          `json:"keyAgreement,omitempty"`
}

// VerificationMethod is one public key of a DID document.
type VerificationMethod struct {
	// Context is set only on stand-alone key documents (HTTPS key URLs).
	Context            any            `json:"@context,omitempty"`
	ID                 string         `json:"id"`
	Type               string         `json:"type"`
	Controller         string         `json:"controller"`
	PublicKeyMultibase string         `json:"publicKeyMultibase,omitempty"`
	PublicKeyBase58    string         `json:"publicKeyBase58,omitempty"`
	PublicKeyJwk       map[string]any `json:"publicKeyJwk,omitempty"`
}

// MethodRef is an entry of a verification relationship (assertionMethod,
// authentication): either a reference to a method by id, or an embedded one.
type MethodRef struct {
	Ref      string
	Embedded *VerificationMethod
}

// Resolver resolves a DID (without fragment) to its DID document.
type Resolver interface {
	Resolve(ctx context.Context, did string) (*Document, error)
}

// Verification relationships understood by Document.Method.
const (
	AssertionMethod      = "assertionMethod"
	Authentication       = "authentication"
	CapabilityInvocation = "capabilityInvocation"
	CapabilityDelegation = "capabilityDelegation"
	KeyAgreement         = "keyAgreement"
)

// Limits on untrusted input. A DID document with a few keys is a few KB; the
// limits leave room for large RSA keys and many methods while bounding work.
const (
	// MaxDocumentSize bounds a DID document or key document, in bytes.
	MaxDocumentSize = 256 << 10
	// MaxDIDLength bounds a DID or DID URL, in bytes (did:jwk with an RSA 4096 key fits).
	MaxDIDLength = 8 << 10
	// maxMultibaseLength bounds a Multikey or base58 key string; base58
	// decoding is quadratic, and no supported key needs more than ~50 chars.
	maxMultibaseLength = 256
)

// Errors callers branch on. Returned errors wrap one of them with context.
var (
	// ErrInvalidDID: the string is not a syntactically valid DID or DID URL.
	ErrInvalidDID = errors.New("invalid DID")
	// ErrUnsupportedMethod: the DID method is not one this package resolves.
	// The message names the method: "unknown DID method did:1edtech".
	ErrUnsupportedMethod = errors.New("unknown DID method")
	// ErrInvalidDocument: a DID document or key document is malformed, or
	// its id is not the DID (or URL) it was fetched for.
	ErrInvalidDocument = errors.New("invalid DID document")
	// ErrTooLarge: a document, DID or key exceeds the size limits.
	ErrTooLarge = errors.New("too large")
	// ErrMethodNotFound: the verification method is not in the document.
	ErrMethodNotFound = errors.New("verification method not found")
	// ErrNotAuthorized: the method exists but is not listed under the
	// verification relationship asked for (e.g. not an assertionMethod).
	ErrNotAuthorized = errors.New("verification method not authorised for this purpose")
	// ErrInvalidKey: the key material is malformed (bad encoding, wrong
	// length, point not on the curve, private key where a public one belongs).
	ErrInvalidKey = errors.New("invalid key")
	// ErrUnsupportedKey: the key type, curve or codec is not supported.
	ErrUnsupportedKey = errors.New("unsupported key type")
	// ErrNotFound: the DID document or key document does not exist. Fetchers
	// should wrap it for an HTTP 404 so that reports can say so.
	ErrNotFound = errors.New("not found")
	// ErrNoFetcher: resolution needs the network but no Fetcher was given.
	ErrNoFetcher = errors.New("no fetcher configured for remote resolution")
)

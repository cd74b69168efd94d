// Package api serves Sceau's JSON APIs. This file and its neighbours
// vc*.go are the W3C CCG VC API (https://w3c-ccg.github.io/vc-api/) for
// one configured issuer: issue any VC 2.0 credential signed
// eddsa-rdfc-2022, verify credentials and presentations, and publish the
// status lists the issued credentials point at. It exists for
// interoperability: the W3C test suites drive implementations through it.
package api

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/sceau/sceau/did"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/status"
)

// VCPrefix is the path under which the VC API is served.
const VCPrefix = "/api/vc"

// MaxVCBody bounds VC API request bodies: a credential with a few
// embedded images fits; a verification's work stays bounded.
const MaxVCBody = 256 << 10

// VCOptions configure the VC API. Service, Store, IssuerSlug and BaseURL
// are required.
type VCOptions struct {
	Service *issuing.Service
	Store   *store.DB
	// IssuerSlug is the issuer the API signs for (the configuration's
	// choice; the demo issuer by default).
	IssuerSlug string
	// BaseURL is the server's public URL; the status lists are served
	// under BaseURL + VCPrefix.
	BaseURL string
	// DIDMethod is the DID the API signs as; "" means did:web when
	// BaseURL is HTTPS (others can resolve it) and did:key otherwise.
	DIDMethod issuing.VCDIDMethod
	// Fetcher, when set, fetches the documents of other servers (did:web
	// documents, status lists) for verifications; it must be the
	// SSRF-safe client. nil: only this server's documents are read, in
	// process, and credentials of other did:web issuers cannot be checked.
	Fetcher did.Fetcher
	// StatusIndex allocates the status list index of a new credential of
	// the issuer; it must never give an index twice. nil: a random index
	// in the list (see allocateIndex).
	StatusIndex func(ctx context.Context, issuerSlug string) (int, error)
	Logger      *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// vcServer holds the VC API handlers' dependencies.
type vcServer struct {
	svc      *issuing.Service
	db       *store.DB
	slug     string
	base     string
	method   issuing.VCDIDMethod
	remote   did.Fetcher
	allocate func(ctx context.Context, issuerSlug string) (int, error)
	log      *slog.Logger
	clock    func() time.Time

	// Signed status lists by list URL: their bits never change (this API
	// offers no status update), so one signature serves until restart.
	listMu sync.Mutex
	lists  map[string][]byte

	// Status list credentials whose proof verified, by SHA-256 of their
	// bytes: verifying a credential's status should not cost a second
	// signature verification every time.
	trusted *trustCache
}

// NewVC returns the VC API handler. It serves the paths of routes.go,
// all under VCPrefix; mount it on that prefix without stripping it.
func NewVC(opts VCOptions) (http.Handler, error) {
	if opts.Service == nil || opts.Store == nil {
		return nil, errors.New("api: VCOptions.Service and VCOptions.Store are required")
	}
	if opts.IssuerSlug == "" || opts.BaseURL == "" {
		return nil, errors.New("api: VCOptions.IssuerSlug and VCOptions.BaseURL are required")
	}
	s := &vcServer{
		svc: opts.Service, db: opts.Store, slug: opts.IssuerSlug, base: strings.TrimRight(opts.BaseURL, "/"),
		method: opts.DIDMethod, remote: opts.Fetcher, allocate: opts.StatusIndex, log: opts.Logger, clock: opts.Now,
		lists: map[string][]byte{}, trusted: newTrustCache(1024),
	}
	switch s.method {
	case "":
		s.method = issuing.VCDIDKey
		if strings.HasPrefix(s.base, "https://") {
			s.method = issuing.VCDIDWeb
		}
	case issuing.VCDIDKey, issuing.VCDIDWeb:
	default:
		return nil, fmt.Errorf("api: unknown DID method %q (want key or web)", s.method)
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.allocate == nil {
		s.allocate = randomIndex
	}
	return s.routes(), nil
}

// randomIndex picks a status index at random in the minimum-size list.
//
// Without a counter in the store (none exists for credentials that are
// not awards), a random index is what the Bitstring Status List
// specification recommends for herd privacy anyway. Two credentials may
// share an index; that is harmless while nothing can change a VC API
// credential's status, and is why VCOptions.StatusIndex exists.
func randomIndex(context.Context, string) (int, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return 0, fmt.Errorf("random status index: %w", err)
	}
	return int(binary.BigEndian.Uint32(b[:]) % status.MinEntries), nil
}

// signer returns the issuer's signer: its current key, or keyID (did:key
// status lists of earlier keys).
func (s *vcServer) signer(ctx context.Context, keyID string) (*issuing.VCSigner, error) {
	if s.method == issuing.VCDIDWeb {
		keyID = ""
	}
	return s.svc.VCSigner(ctx, s.slug, s.method, keyID)
}

// statusListURL is where the status list of key keyID for purpose lives.
func (s *vcServer) statusListURL(keyID, purpose string) string {
	return s.base + VCPrefix + "/status/" + keyID + "/" + purpose
}

// issuer answers the DID the API signs as.
func (s *vcServer) issuer(w http.ResponseWriter, r *http.Request) error {
	v, err := s.signer(r.Context(), "")
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"id": v.DID, "verificationMethod": v.VerificationMethod})
}

// writeJSON writes v with status, without HTML escaping (credentials are
// data, and escaping would only make them harder to read).
func writeJSON(w http.ResponseWriter, code int, v any) error {
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, err := w.Write([]byte(buf.String()))
	return err
}

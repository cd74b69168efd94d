// Package web serves Sceau's public pages and documents: the badge page
// and credential of every award (by content negotiation), baked images,
// the issuers' DID documents, profiles, status and revocation lists, and
// the images and evidence files credentials point at.
package web

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/sceau/sceau/did"
	"github.com/sceau/sceau/internal/accounts"
	"github.com/sceau/sceau/internal/blob"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/store"
)

// Options is what the web layer needs; Service, Store and BaseURL are
// required. Blobs may be nil when no images are stored.
type Options struct {
	Service  *issuing.Service
	Accounts *accounts.Service
	Store    *store.DB
	Blobs    blob.Store
	BaseURL  string
	Logger   *slog.Logger
	// Fetcher fetches what visitors ask the verification page to check
	// (a badge URL, other issuers' documents): the SSRF-safe client of
	// internal/fetch. nil: nothing remote is fetched.
	Fetcher did.Fetcher
	// Attestations configures attestation requests (the backpack);
	// without an issuer and a notifier they are refused.
	Attestations AttestationOptions
	// Notify wakes the job runner after a job is queued (a started
	// batch); nil leaves the job to the runner's next poll.
	Notify func()
	// Now is the clock of verifications; nil means time.Now.
	Now func() time.Time
	// Connections, when set, is bound to the server: its job pulls
	// connections with the pages' code (connections.go).
	Connections *ConnectionPuller
}

//go:embed templates/*.html templates/app/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// server holds the handlers' dependencies.
type server struct {
	svc     *issuing.Service
	db      *store.DB
	blobs   blob.Store
	baseURL string
	log     *slog.Logger
	pages   map[string]*template.Template
	app     map[string]*template.Template
	defs    *definitions
	// accounts and sessions serve the application pages.
	accounts *accounts.Service
	sessions *scs.SessionManager
	fetcher  did.Fetcher
	// publicPages keeps anonymous visitors' public portfolios (handle and
	// language → page) for definitionTTL.
	publicPages *ttlCache[[]byte]
	notify      func()
	// attestations signs confirmed attestations and sends requests.
	attestations AttestationOptions
	clock        func() time.Time
}

// pageNames are the templates New parses; a missing one fails New.
var pageNames = []string{"award", "verify"}

// New returns the handler serving every public route (see routes.go).
func New(opts Options) (http.Handler, error) {
	if opts.Service == nil || opts.Store == nil || opts.Accounts == nil {
		return nil, errors.New("web: Options.Service, Options.Accounts and Options.Store are required")
	}
	if opts.BaseURL == "" {
		return nil, errors.New("web: Options.BaseURL is required")
	}
	s := &server{defs: newDefinitions(), svc: opts.Service, db: opts.Store, blobs: opts.Blobs,
		baseURL: strings.TrimRight(opts.BaseURL, "/"), log: opts.Logger, clock: opts.Now, pages: map[string]*template.Template{},
		app: map[string]*template.Template{}, accounts: opts.Accounts, fetcher: opts.Fetcher,
		notify: opts.Notify, attestations: opts.Attestations}
	s.sessions = newSessions(opts.Store.Sessions(), s.baseURL)
	s.publicPages = &ttlCache[[]byte]{now: s.now}
	if opts.Connections != nil {
		opts.Connections.s = s
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	for _, name := range pageNames {
		t, err := template.New(name+".html").Funcs(funcs).ParseFS(templateFS, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: parse template %s: %w", name, err)
		}
		s.pages[name] = t
	}
	if err := s.parseAppPages(); err != nil {
		return nil, err
	}
	return s.routes(), nil
}

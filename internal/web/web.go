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

	"github.com/sceau/sceau/internal/blob"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/store"
)

// Options is what the web layer needs; Service, Store and BaseURL are
// required. Blobs may be nil when no images are stored.
type Options struct {
	Service *issuing.Service
	Store   *store.DB
	Blobs   blob.Store
	BaseURL string
	Logger  *slog.Logger
	// Now is the clock of verifications; nil means time.Now.
	Now func() time.Time
}

//go:embed templates/*.html
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
	defs    *definitions
	clock   func() time.Time
}

// pageNames are the templates New parses; a missing one fails New.
var pageNames = []string{"award", "verify"}

// New returns the handler serving every public route (see routes.go).
func New(opts Options) (http.Handler, error) {
	if opts.Service == nil || opts.Store == nil {
		return nil, errors.New("web: Options.Service and Options.Store are required")
	}
	if opts.BaseURL == "" {
		return nil, errors.New("web: Options.BaseURL is required")
	}
	s := &server{defs: newDefinitions(), svc: opts.Service, db: opts.Store, blobs: opts.Blobs,
		baseURL: strings.TrimRight(opts.BaseURL, "/"), log: opts.Logger, clock: opts.Now, pages: map[string]*template.Template{}}
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
	return s.routes(), nil
}

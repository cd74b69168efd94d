package api

// The Open Badges 3.0 API (1EdTech, section 6), base path /ims/ob/v3p0:
// a wallet or another platform, authorized by the recipient through
// OAuth 2.0 (oauth.go, internal/oauth), reads the recipient's badges
// (GET /credentials), pushes badges into their portfolio (POST
// /credentials), and reads or updates their profile (/profile). The
// discovery document describes the service without authentication.
// Errors are Imsx_StatusInfo objects.

import (
	"errors"
	"fmt"
	"github.com/sceau/sceau/internal/ratelimit"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/sceau/sceau/did"
	"github.com/sceau/sceau/internal/accounts"
	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/httpx"
	"github.com/sceau/sceau/internal/oauth"
	"github.com/sceau/sceau/internal/store"
)

// OB3Prefix is the base path of the Open Badges 3.0 API.
const OB3Prefix = "/ims/ob/v3p0"

// MaxOB3Body bounds a credential posted to the API: a badge with an
// embedded image and endorsements fits.
const MaxOB3Body = 2 << 20

// OB3Options configure the Open Badges 3.0 API and its OAuth endpoints.
// Store and BaseURL are required.
type OB3Options struct {
	Store   *store.DB
	BaseURL string
	// Accounts, when set, accepts this server's own awards posted back
	// as claims (as the portfolio's import does); nil refuses them.
	Accounts *accounts.Service
	// Fetcher reaches other issuers' documents to verify posted badges:
	// the SSRF-safe client. nil verifies offline (did:key issuers only).
	Fetcher did.Fetcher
	// The service as the discovery document presents it. Name defaults
	// to "Sceau"; PrivacyPolicyURL and TermsURL to the home page.
	Name             string
	ImageURL         string
	PrivacyPolicyURL string
	TermsURL         string
	Logger           *slog.Logger
	Now              func() time.Time
	// RegistrationsPerHour bounds dynamic client registrations per client
	// IP (0: DefaultRegistrationsPerHour). Registration is open to anyone,
	// and each one stores a client.
	RegistrationsPerHour int
}

// DefaultRegistrationsPerHour is OB3Options.RegistrationsPerHour's default:
// far above what wallets need (one registration each), far below a flood.
const DefaultRegistrationsPerHour = 30

type ob3Server struct {
	db       *store.DB
	base     string
	accounts *accounts.Service
	fetcher  did.Fetcher
	oauth    *oauth.Server
	name     string
	image    string
	privacy  string
	terms    string
	log      *slog.Logger
	now      func() time.Time
	// registrations counts POST /oauth/register per client IP.
	registrations *ratelimit.Window
}

// NewOB3 returns the handler of the Open Badges 3.0 API and of the OAuth
// endpoints of OAuthPaths. Mount it, unstripped, on OB3Prefix+"/" and on
// each of OAuthPaths (see routes.go); OAuthAuthorizePath belongs to the
// web handler.
func NewOB3(opts OB3Options) (http.Handler, error) {
	if opts.Store == nil || opts.BaseURL == "" {
		return nil, errors.New("api: OB3Options.Store and BaseURL are required")
	}
	s := &ob3Server{db: opts.Store, base: strings.TrimRight(opts.BaseURL, "/"), accounts: opts.Accounts, fetcher: opts.Fetcher,
		name: opts.Name, image: opts.ImageURL, privacy: opts.PrivacyPolicyURL, terms: opts.TermsURL, log: opts.Logger, now: opts.Now}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.name == "" {
		s.name = "Sceau"
	}
	if s.privacy == "" {
		s.privacy = s.base + "/"
	}
	if s.terms == "" {
		s.terms = s.base + "/"
	}
	perHour := opts.RegistrationsPerHour
	if perHour <= 0 {
		perHour = DefaultRegistrationsPerHour
	}
	s.registrations = ratelimit.New(perHour, time.Hour, 100_000)
	s.oauth = oauth.New(s.db, oauth.Options{Now: s.now})
	return s.routes(), nil
}

// ---- Imsx_StatusInfo errors ----

// imsxError is an error answered as Imsx_StatusInfo.
type imsxError struct {
	status int
	minor  string // an Imsx_CodeMinorFieldValue
	desc   string
	header http.Header
}

func (e *imsxError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.minor, e.desc) }

func newImsx(status int, minor, format string, args ...any) *imsxError {
	return &imsxError{status: status, minor: minor, desc: fmt.Sprintf(format, args...)}
}

// statusInfo is the Imsx_StatusInfo of the 1EdTech schemas.
type statusInfo struct {
	CodeMajor   string     `json:"imsx_codeMajor"`
	Severity    string     `json:"imsx_severity"`
	Description string     `json:"imsx_description,omitempty"`
	CodeMinor   *codeMinor `json:"imsx_codeMinor,omitempty"`
}

type codeMinor struct {
	Field []codeMinorField `json:"imsx_codeMinorField"`
}

type codeMinorField struct {
	Name  string `json:"imsx_codeMinorFieldName"`
	Value string `json:"imsx_codeMinorFieldValue"`
}

// minorOfStatus is the code minor of a status when a handler names none.
var minorOfStatus = map[int]string{
	400: "invalid_data", 401: "unauthorizedrequest", 403: "forbidden", 404: "not_found", 405: "not_allowed",
	406: "not_acceptable", 409: "invalid_data", 413: "invalid_data", 415: "invalid_data", 421: "misdirected_request",
	422: "invalid_data", 500: "internal_server_error", 503: "server_busy",
}

// toImsx maps any error: domain errors keep httpx's statuses; the causes
// of 500 stay in the log.
func toImsx(err error) *imsxError {
	var ie *imsxError
	if errors.As(err, &ie) {
		return ie
	}
	status := httpx.Status(err)
	var be *badge.Error
	if status >= 500 || !errors.As(err, &be) {
		return newImsx(http.StatusInternalServerError, "internal_server_error", "internal error")
	}
	if status == http.StatusUnprocessableEntity {
		status = http.StatusBadRequest
	}
	return &imsxError{status: status, minor: minorOfStatus[status], desc: be.Message}
}

// handle adapts an API handler: errors become Imsx_StatusInfo.
func (s *ob3Server) handle(h httpx.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		ie := toImsx(err)
		level := slog.LevelInfo
		if ie.status >= 500 {
			level = slog.LevelError
		}
		s.log.Log(r.Context(), level, "OB 3.0 API request failed", "method", r.Method, "path", r.URL.Path,
			"status", ie.status, "minor", ie.minor, "err", err)
		for k, vs := range ie.header {
			w.Header()[k] = vs
		}
		minor := ie.minor
		if minor == "" {
			minor = minorOfStatus[ie.status]
		}
		if minor == "" {
			minor = "unknown"
		}
		body := statusInfo{CodeMajor: "failure", Severity: "error", Description: ie.desc,
			CodeMinor: &codeMinor{Field: []codeMinorField{{Name: "sceau", Value: minor}}}}
		if werr := writeJSON(w, ie.status, body); werr != nil {
			s.log.Error("write OB 3.0 API error", "err", werr)
		}
	})
}

// notAllowed answers another method on a known path: 405 with Allow.
func notAllowed(allow string) httpx.HandlerFunc {
	return func(http.ResponseWriter, *http.Request) error {
		return &imsxError{status: http.StatusMethodNotAllowed, minor: "not_allowed", desc: "use " + allow,
			header: http.Header{"Allow": {allow}}}
	}
}

// ---- authentication ----

// grantHandler is a handler of a request authorized for a user.
type grantHandler func(w http.ResponseWriter, r *http.Request, tok *store.OAuthToken) error

// authed checks the Bearer access token and its scope before calling h
// (RFC 6750: 401 invalid_token, 403 insufficient_scope).
func (s *ob3Server) authed(scope string, h grantHandler) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		challenge := func(status int, minor, extra, format string, args ...any) error {
			e := newImsx(status, minor, format, args...)
			e.header = http.Header{"Www-Authenticate": {`Bearer realm="sceau"` + extra}}
			return e
		}
		authz := r.Header.Get("Authorization")
		scheme, token, _ := strings.Cut(authz, " ")
		if authz == "" || !strings.EqualFold(scheme, "Bearer") {
			return challenge(http.StatusUnauthorized, "unauthorizedrequest", "", "send Authorization: Bearer <access token>")
		}
		tok, err := s.oauth.Authenticate(r.Context(), strings.TrimSpace(token))
		if errors.Is(err, oauth.ErrInvalidToken) || errors.Is(err, oauth.ErrNoToken) {
			return challenge(http.StatusUnauthorized, "unauthorizedrequest", `, error="invalid_token"`,
				"the access token is unknown, expired or revoked")
		}
		if err != nil {
			return err
		}
		if !tok.HasScope(scope) {
			return challenge(http.StatusForbidden, "forbidden", `, error="insufficient_scope", scope="`+scope+`"`,
				"this access token lacks the scope %s", scope)
		}
		return h(w, r, tok)
	}
}

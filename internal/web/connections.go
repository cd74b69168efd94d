package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/fetch"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/jobs"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/oauth"
	"github.com/sceau/sceau/internal/store"
)

// Connections to other Open Badges 3.0 hosts (/portfolio/connections):
// the consumer side of the OB 3.0 API. The recipient names another host
// (another Sceau server, a wallet platform); this server reads its
// discovery document, registers itself there as an OAuth client (RFC
// 7591), sends the recipient to the host's consent page with PKCE S256,
// exchanges the code and pulls the recipient's credentials (GET
// /credentials, page by page). Each credential goes through the checks of
// the web import (import.go): verified, issued to one of the account's
// verified addresses, imported once. Every request to the other host goes
// through the SSRF-safe client.

const (
	connectionsPath   = "/portfolio/connections"
	connectionsReturn = connectionsPath + "/callback"
	// connectionStateKey holds the pending authorization in the session:
	// the state, the PKCE verifier, the connection and the deadline.
	connectionStateKey = "connection_state"
	connectionStateTTL = 10 * time.Minute
	// Bounds on what another host answers.
	maxDiscoveryBody   = 512 << 10
	maxTokenBody       = 64 << 10
	maxCredentialsBody = 8 << 20
	maxPullPages       = 100
	maxPullCredentials = 1000
	pullPageSize       = 50
	// An access token this close to its expiry is refreshed first.
	tokenLeeway = 30 * time.Second
)

// connectionScopes are what a connection asks for: reading, never writing.
var connectionScopes = []string{oauth.ScopeCredentialReadonly, oauth.ScopeProfileReadonly}

// connector is what connections need of the SSRF-safe client
// (*fetch.Client).
type connector interface {
	Get(ctx context.Context, rawURL string, req fetch.Request) (*fetch.Response, error)
	Send(ctx context.Context, method, rawURL, contentType string, body []byte, headers http.Header, maxBytes int64) (*fetch.Response, error)
	PostForm(ctx context.Context, rawURL string, form url.Values, headers http.Header) (*fetch.Response, error)
}

func (s *server) connector() connector {
	c, _ := s.fetcher.(connector)
	return c
}

// ---- pages ----

type connectionsView struct {
	Connections []connectionView
	Disabled    bool
	Summary     *pullSummary
	Notice      string // a denied consent, say
}

type connectionView struct {
	ID, Name, BaseURL string
	LastPull          string
	Count             int
	Authorized        bool
	LastError         string
}

// pullSummary is what a pull did.
type pullSummary struct {
	Host     string
	Imported []string // names
	Skipped  []skippedView
	Error    string // the pull stopped: why
	ErrorKey string // Error's locale key
}

type skippedView struct{ Name, Reason string }

func (s *server) connections(w http.ResponseWriter, r *http.Request) error {
	return s.connectionsPage(w, r, newForm(nil), http.StatusOK, connectionsView{})
}

func (s *server) connectionsPage(w http.ResponseWriter, r *http.Request, f *form, status int, v connectionsView) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	lang := locale.Negotiate(r)
	list, err := s.db.ListConnections(r.Context(), u.ID)
	if err != nil {
		return err
	}
	for _, c := range list {
		cv := connectionView{ID: c.ID, Name: c.Name, BaseURL: c.BaseURL, Count: c.PulledCount, Authorized: c.Authorized(),
			LastError: lastErrorText(lang, c.LastError)}
		if c.LastPullAt != nil {
			cv.LastPull = formatDate(lang, *c.LastPullAt)
		}
		v.Connections = append(v.Connections, cv)
	}
	v.Disabled = s.connector() == nil
	return s.render(w, r, status, "connections", s.newPage(r, f, v))
}

// lastErrorText is a connection's stored last error in lang: a locale key
// (what pulls record, in the page's or the background job's turn), or a
// text recorded before errors were stored as keys.
func lastErrorText(lang, stored string) string {
	if strings.HasPrefix(stored, "connections.") {
		if text, ok := locale.Lookup(lang, stored); ok {
			return text
		}
	}
	return stored
}

// connect is POST /portfolio/connections: discover the host, register
// (or reuse the client registered before), and send the browser to the
// host's consent page.
func (s *server) connect(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return badge.Invalidf("", "form.unreadable", "unreadable form")
	}
	lang := locale.Negotiate(r)
	f := newForm(r.PostForm)
	refuse := func(key string, args ...any) error {
		f.Errors["url"] = locale.T(lang, key, args...)
		return s.connectionsPage(w, r, f, http.StatusUnprocessableEntity, connectionsView{})
	}
	cl := s.connector()
	if cl == nil {
		return refuse("connections.disabled")
	}
	base, ok := connectionBase(r.PostForm.Get("url"))
	if !ok {
		return refuse("connections.url_invalid")
	}
	ctx := r.Context()
	c, err := s.db.GetConnectionByURL(ctx, u.ID, base)
	if badge.IsNotFound(err) {
		c, err = s.newConnection(ctx, cl, u.ID, base)
		if err != nil {
			s.log.Info("connection refused", "host", base, "err", err)
			var ce *connectError
			if errors.As(err, &ce) {
				return refuse(ce.key, ce.args...)
			}
			var be *badge.Error
			if errors.As(err, &be) && be.Kind != badge.Internal {
				return refuse("connections.failed", errorText(lang, be))
			}
			return err
		}
	} else if err != nil {
		return err
	}
	state, verifier := randomToken(), randomToken()
	expires := s.now().Add(connectionStateTTL)
	s.sessions.Put(ctx, connectionStateKey, strings.Join([]string{state, verifier, c.ID, strconv.FormatInt(expires.Unix(), 10)}, " "))
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"response_type": {"code"}, "client_id": {c.ClientID}, "redirect_uri": {s.baseURL + connectionsReturn},
		"scope": {strings.Join(connectionScopes, " ")}, "state": {state},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	to, err := url.Parse(c.AuthorizeURL)
	if err != nil {
		return badge.Internalf(err, "authorization URL of %s", c.BaseURL)
	}
	old := to.Query()
	for k, vs := range q {
		old[k] = vs
	}
	to.RawQuery = old.Encode()
	return redirect(w, r, to.String())
}

// connectError is a refusal of the connect form, shown by the field.
type connectError struct {
	key  string
	args []any
	err  error
}

func (e *connectError) Error() string { return e.key + ": " + fmt.Sprint(e.err) }
func (e *connectError) Unwrap() error { return e.err }

// fetchRefusal names the message of a failed request to another host.
func fetchRefusal(err error, otherwise string) *connectError {
	switch {
	case errors.Is(err, fetch.ErrBlocked):
		return &connectError{key: "connections.blocked", err: err}
	case errors.Is(err, fetch.ErrScheme):
		return &connectError{key: "connections.https_only", err: err}
	}
	return &connectError{key: otherwise, err: err}
}

// connectionBase normalises what the user typed: an absolute http(s) URL,
// without query or fragment; a pasted discovery or API address is cut
// back to the host's base.
func connectionBase(raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > badge.MaxURLLen {
		return "", false
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	p := strings.TrimRight(u.EscapedPath(), "/")
	for _, suffix := range []string{"/discovery", "/ims/ob/v3p0"} {
		p = strings.TrimSuffix(p, suffix)
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + p, true
}

// discovered is what a discovery document gives.
type discovered struct {
	authorize, token, refresh, register, revoke string
}

// discover reads {base}/ims/ob/v3p0/discovery: an OpenAPI 3.0 document
// whose OAuth 2.0 security scheme names the endpoints.
func discover(ctx context.Context, cl connector, base string) (*discovered, error) {
	resp, err := cl.Get(ctx, base+"/ims/ob/v3p0/discovery", fetch.Request{Accept: []string{"application/json", "application/openapi+json"},
		MaxBytes: maxDiscoveryBody})
	if err != nil {
		return nil, fetchRefusal(err, "connections.no_discovery")
	}
	d, err := parseDiscovery(resp.Body)
	if err != nil {
		return nil, &connectError{key: "connections.no_discovery", err: err}
	}
	return d, nil
}

// parseDiscovery finds the OAuth 2.0 scheme with an authorization code
// flow and a registration URL (x-imssf-registrationUrl).
func parseDiscovery(body []byte) (*discovered, error) {
	type flow struct {
		AuthorizationURL string            `json:"authorizationUrl"`
		TokenURL         string            `json:"tokenUrl"`
		RefreshURL       string            `json:"refreshUrl"`
		Scopes           map[string]string `json:"scopes"`
	}
	var doc struct {
		Components struct {
			SecuritySchemes map[string]struct {
				Type            string `json:"type"`
				RegistrationURL string `json:"x-imssf-registrationUrl"`
				RevocationURL   string `json:"x-imssf-revocationUrl"`
				Flows           struct {
					AuthorizationCode *flow `json:"authorizationCode"`
				} `json:"flows"`
			} `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("discovery document: %w", err)
	}
	names := make([]string, 0, len(doc.Components.SecuritySchemes))
	for n := range doc.Components.SecuritySchemes {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		sc := doc.Components.SecuritySchemes[n]
		fl := sc.Flows.AuthorizationCode
		if !strings.EqualFold(sc.Type, "oauth2") || fl == nil {
			continue
		}
		if !webURLOK(fl.AuthorizationURL) || !webURLOK(fl.TokenURL) || !webURLOK(sc.RegistrationURL) {
			return nil, errors.New("discovery document: the OAuth 2.0 scheme lacks an authorization, token or registration URL")
		}
		if fl.Scopes != nil {
			if _, ok := fl.Scopes[oauth.ScopeCredentialReadonly]; !ok {
				return nil, errors.New("discovery document: the host does not offer the credential.readonly scope")
			}
		}
		d := &discovered{authorize: fl.AuthorizationURL, token: fl.TokenURL, refresh: fl.RefreshURL, register: sc.RegistrationURL}
		switch {
		case webURLOK(sc.RevocationURL):
			d.revoke = sc.RevocationURL
		case strings.HasSuffix(fl.TokenURL, "/oauth/token"):
			// The OB 3.0 discovery document names no revocation endpoint;
			// Sceau (and most servers laid out like it) serve RFC 7009
			// beside the token endpoint. A wrong guess costs one refused
			// request to the same host, which is ignored.
			d.revoke = strings.TrimSuffix(fl.TokenURL, "token") + "revoke"
		}
		if !webURLOK(d.refresh) {
			d.refresh = d.token
		}
		return d, nil
	}
	return nil, errors.New("discovery document: no OAuth 2.0 authorization code scheme")
}

// webURLOK accepts an absolute http(s) URL of bounded length (the fetcher
// applies its own rules when it is used).
func webURLOK(raw string) bool {
	if raw == "" || len(raw) > badge.MaxURLLen {
		return false
	}
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}

// newConnection discovers the host and registers this server there.
func (s *server) newConnection(ctx context.Context, cl connector, userID, base string) (*store.Connection, error) {
	d, err := discover(ctx, cl, base)
	if err != nil {
		return nil, err
	}
	host := base
	if u, err := url.Parse(base); err == nil {
		host = u.Host
	}
	self := s.baseURL
	if u, err := url.Parse(s.baseURL); err == nil {
		self = u.Host
	}
	meta := oauth.Metadata{ClientName: "Sceau " + self, ClientURI: s.baseURL, RedirectURIs: []string{s.baseURL + connectionsReturn},
		Scope: strings.Join(connectionScopes, " "), GrantTypes: []string{"authorization_code", "refresh_token"},
		ResponseTypes: []string{"code"}, TokenEndpointAuthMethod: oauth.AuthBasic, SoftwareID: "sceau"}
	body, err := json.Marshal(meta)
	if err != nil {
		return nil, badge.Internalf(err, "registration request")
	}
	resp, err := cl.Send(ctx, http.MethodPost, d.register, "application/json", body, http.Header{"Accept": {"application/json"}}, maxTokenBody)
	if err != nil {
		return nil, fetchRefusal(err, "connections.register_failed")
	}
	var reg struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		AuthMethod   string `json:"token_endpoint_auth_method"`
		Error        string `json:"error"`
		Description  string `json:"error_description"`
	}
	if err := json.Unmarshal(resp.Body, &reg); err != nil || resp.Status/100 != 2 || reg.ClientID == "" {
		return nil, &connectError{key: "connections.register_failed",
			err: fmt.Errorf("register at %s: HTTP %d %s %s", d.register, resp.Status, reg.Error, reg.Description)}
	}
	switch reg.AuthMethod {
	case "", oauth.AuthBasic:
		reg.AuthMethod = oauth.AuthBasic
	case oauth.AuthPost:
	default:
		return nil, &connectError{key: "connections.register_failed", err: fmt.Errorf("unsupported client authentication %q", reg.AuthMethod)}
	}
	c := &store.Connection{UserID: userID, BaseURL: base, Name: truncateRunes(host, 200), AuthorizeURL: d.authorize,
		TokenURL: d.token, RevokeURL: d.revoke, ClientID: reg.ClientID, ClientSecret: reg.ClientSecret, AuthMethod: reg.AuthMethod}
	if err := s.db.CreateConnection(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

func randomToken() string {
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// connectionCallback is GET /portfolio/connections/callback: the host
// sends the browser back with a code (or an error) and the state.
func (s *server) connectionCallback(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	lang := locale.Negotiate(r)
	ctx := r.Context()
	q := r.URL.Query()
	pending := s.sessions.PopString(ctx, connectionStateKey)
	parts := strings.Split(pending, " ")
	fail := func(status int, key string) error {
		return s.connectionsPage(w, r, newForm(nil), status, connectionsView{Notice: locale.T(lang, key)})
	}
	if len(parts) != 4 || subtle.ConstantTimeCompare([]byte(parts[0]), []byte(q.Get("state"))) != 1 {
		s.log.Info("connection callback: state mismatch")
		return fail(http.StatusBadRequest, "connections.state_mismatch")
	}
	if exp, err := strconv.ParseInt(parts[3], 10, 64); err != nil || s.now().After(time.Unix(exp, 0)) {
		return fail(http.StatusBadRequest, "connections.state_expired")
	}
	verifier := parts[1]
	c, err := s.db.GetConnection(ctx, u.ID, parts[2])
	if err != nil {
		return err
	}
	if e := q.Get("error"); e != "" {
		s.log.Info("connection callback: refused by the host", "host", c.BaseURL, "error", e)
		if e == "access_denied" {
			return fail(http.StatusOK, "connections.denied")
		}
		return fail(http.StatusBadGateway, "connections.host_refused")
	}
	code := q.Get("code")
	if code == "" || len(code) > 4000 {
		return fail(http.StatusBadRequest, "connections.state_mismatch")
	}
	tok, err := s.tokenRequest(ctx, c, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {s.baseURL + connectionsReturn}, "code_verifier": {verifier}})
	if err != nil {
		s.log.Info("connection: code exchange failed", "host", c.BaseURL, "err", err)
		return fail(http.StatusBadGateway, "connections.token_failed")
	}
	if err := s.saveTokens(ctx, c, tok); err != nil {
		return err
	}
	sum, err := s.pull(ctx, u, c, lang)
	if err != nil {
		return err
	}
	return s.connectionsPage(w, r, newForm(nil), http.StatusOK, connectionsView{Summary: sum})
}

// tokenAnswer is a token endpoint's answer (RFC 6749 section 5.1).
type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
	Error        string `json:"error"`
	Description  string `json:"error_description"`
}

// errGrant: the host refused the grant (a revoked or expired refresh
// token): the recipient must connect again.
var errGrant = errors.New("the host refused the grant")

// tokenRequest posts to the host's token endpoint with the client's
// authentication.
func (s *server) tokenRequest(ctx context.Context, c *store.Connection, form url.Values) (*tokenAnswer, error) {
	cl := s.connector()
	if cl == nil {
		return nil, errNoFetcher
	}
	h := http.Header{"Accept": {"application/json"}}
	if c.AuthMethod == oauth.AuthPost {
		form.Set("client_id", c.ClientID)
		form.Set("client_secret", c.ClientSecret)
	} else {
		// RFC 6749 section 2.3.1: both parts form-encoded first.
		cred := url.QueryEscape(c.ClientID) + ":" + url.QueryEscape(c.ClientSecret)
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cred)))
	}
	resp, err := cl.PostForm(ctx, c.TokenURL, form, h)
	if err != nil {
		return nil, fmt.Errorf("token request to %s: %w", c.TokenURL, err)
	}
	var t tokenAnswer
	jerr := json.Unmarshal(resp.Body, &t)
	if resp.Status != http.StatusOK {
		if t.Error == "invalid_grant" {
			return nil, fmt.Errorf("token request to %s: %w: %.200s", c.TokenURL, errGrant, t.Description)
		}
		return nil, fmt.Errorf("token request to %s: HTTP %d %.100s %.200s", c.TokenURL, resp.Status, t.Error, t.Description)
	}
	if jerr != nil || t.AccessToken == "" || !strings.EqualFold(t.TokenType, "Bearer") {
		return nil, fmt.Errorf("token request to %s: no Bearer access token in the answer", c.TokenURL)
	}
	return &t, nil
}

// saveTokens records a token answer on the connection (and in c).
func (s *server) saveTokens(ctx context.Context, c *store.Connection, t *tokenAnswer) error {
	var exp *time.Time
	if t.ExpiresIn > 0 {
		e := s.now().Add(time.Duration(min(t.ExpiresIn, 10*365*24*3600)) * time.Second)
		exp = &e
	}
	scope := t.Scope
	if scope == "" {
		scope = strings.Join(connectionScopes, " ")
	}
	if err := s.db.SetConnectionTokens(ctx, c.UserID, c.ID, t.AccessToken, exp, t.RefreshToken, scope); err != nil {
		return err
	}
	c.AccessToken, c.AccessExpiresAt, c.Scope = t.AccessToken, exp, scope
	if t.RefreshToken != "" {
		c.RefreshToken = t.RefreshToken
	}
	return nil
}

// refresh gets a new access token with the refresh token.
func (s *server) refresh(ctx context.Context, c *store.Connection) error {
	if c.RefreshToken == "" {
		return errGrant
	}
	t, err := s.tokenRequest(ctx, c, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {c.RefreshToken}})
	if err != nil {
		return err
	}
	return s.saveTokens(ctx, c, t)
}

// ---- pulling ----

// credentialsPage is GetOpenBadgeCredentialsResponse.
type credentialsPage struct {
	Credential       []json.RawMessage `json:"credential"`
	CompactJwsString []string          `json:"compactJwsString"`
}

// pull reads every credential the host holds for the recipient and
// imports the new ones: the "pull now" button and the background job
// (ConnectionPuller) both come here. A failure of the host ends the pull:
// the summary says why, and the connection keeps it as its last error (a
// locale key, shown in the reader's language). A refused grant (revoked or
// expired refresh token) is dropped: the connection waits for the
// recipient to authorize it again, and background pulls pass it by. Only
// errors of this server are returned.
func (s *server) pull(ctx context.Context, u *badge.User, c *store.Connection, lang string) (*pullSummary, error) {
	sum := &pullSummary{Host: c.Name}
	err := s.pullInto(ctx, u, c, lang, sum)
	lastError := ""
	if err != nil {
		if badge.ErrorKind(err) == badge.Internal && !isHostError(err) {
			return nil, err
		}
		// The error names URLs and the host's own words, never a token.
		s.log.Info("connection: pull failed", "connection", c.ID, "host", c.BaseURL, "err", err)
		lastError = "connections.pull_failed"
		if errors.Is(err, errGrant) {
			lastError = "connections.reauthorize"
			cleared, cerr := s.db.ClearConnectionGrant(ctx, u.ID, c.ID, c.RefreshToken)
			if cerr != nil {
				return nil, cerr
			}
			if cleared {
				s.log.Info("connection: grant refused by the host, waiting for the recipient to authorize again",
					"connection", c.ID, "host", c.BaseURL)
				c.AccessToken, c.AccessExpiresAt, c.RefreshToken, c.Scope = "", nil, "", ""
			}
		}
		sum.ErrorKey, sum.Error = lastError, locale.T(lang, lastError)
	}
	if err := s.db.RecordConnectionPull(ctx, u.ID, c.ID, len(sum.Imported), lastError); err != nil {
		return nil, err
	}
	return sum, nil
}

// hostError marks a failure of the other host (not of this server).
type hostError struct{ err error }

func (e *hostError) Error() string { return e.err.Error() }
func (e *hostError) Unwrap() error { return e.err }

func isHostError(err error) bool {
	var he *hostError
	return errors.As(err, &he)
}

func (s *server) pullInto(ctx context.Context, u *badge.User, c *store.Connection, lang string, sum *pullSummary) error {
	cl := s.connector()
	if cl == nil {
		return &hostError{errNoFetcher}
	}
	refreshed := false
	if c.AccessToken == "" || c.AccessExpiresAt != nil && !s.now().Add(tokenLeeway).Before(*c.AccessExpiresAt) {
		if err := s.refresh(ctx, c); err != nil {
			return &hostError{err}
		}
		refreshed = true
	}
	known, err := s.knownKeys(ctx, u.ID)
	if err != nil {
		return err
	}
	emails, err := s.db.VerifiedEmails(ctx, u.ID)
	if err != nil {
		return err
	}
	origin := originOfURL(c.BaseURL)
	next := c.BaseURL + "/ims/ob/v3p0/credentials?limit=" + strconv.Itoa(pullPageSize) + "&offset=0"
	seen := 0
	for page := 0; next != "" && page < maxPullPages && seen < maxPullCredentials; page++ {
		resp, err := cl.Send(ctx, http.MethodGet, next, "", nil,
			http.Header{"Authorization": {"Bearer " + c.AccessToken}, "Accept": {"application/json"}}, maxCredentialsBody)
		if err != nil {
			return &hostError{err}
		}
		if resp.Status == http.StatusUnauthorized && !refreshed {
			// Expired or revoked early: one refresh, then the same page.
			if err := s.refresh(ctx, c); err != nil {
				return &hostError{err}
			}
			refreshed = true
			page--
			continue
		}
		if resp.Status != http.StatusOK {
			return &hostError{fmt.Errorf("GET %s: HTTP %d", next, resp.Status)}
		}
		var p credentialsPage
		if err := json.Unmarshal(resp.Body, &p); err != nil {
			return &hostError{fmt.Errorf("GET %s: %w", next, err)}
		}
		items := make([][]byte, 0, len(p.Credential)+len(p.CompactJwsString))
		for _, raw := range p.Credential {
			items = append(items, raw)
		}
		for _, jws := range p.CompactJwsString {
			items = append(items, []byte(jws))
		}
		for _, data := range items {
			if seen++; seen > maxPullCredentials {
				break
			}
			if err := s.importPulled(ctx, u, c, emails, known, data, lang, sum); err != nil {
				return err
			}
		}
		next = nextPage(resp, origin, next, len(items))
	}
	return nil
}

// nextPage is the next page's URL: the Link header's rel="next" on the
// same origin (the access token goes nowhere else), else from
// X-Total-Count, else none.
func nextPage(resp *fetch.Response, origin, current string, got int) string {
	for _, link := range resp.Header.Values("Link") {
		for _, part := range strings.Split(link, ",") {
			target, params, ok := strings.Cut(strings.TrimSpace(part), ";")
			if !ok || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			for _, p := range strings.Split(params, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(k, "rel") && slices.Contains(strings.Fields(strings.ToLower(strings.Trim(v, `"`))), "next") {
					u := strings.Trim(target, "<>")
					if originOfURL(u) == origin && u != current {
						return u
					}
					return ""
				}
			}
		}
	}
	total, err := strconv.Atoi(resp.Header.Get("X-Total-Count"))
	cu, perr := url.Parse(current)
	if err != nil || perr != nil || got == 0 {
		return ""
	}
	q := cu.Query()
	offset, _ := strconv.Atoi(q.Get("offset"))
	if offset+got >= total {
		return ""
	}
	q.Set("offset", strconv.Itoa(offset+got))
	cu.RawQuery = q.Encode()
	return cu.String()
}

// originOfURL is scheme://host of an absolute URL, lower case.
func originOfURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
}

// knownKeys are the credential keys already in the portfolio: imported
// badges' keys and this server's awards' ids. A pull skips them without
// verifying them again.
func (s *server) knownKeys(ctx context.Context, userID string) (map[string]bool, error) {
	entries, err := s.db.ListPortfolio(ctx, userID, false)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, e := range entries {
		switch {
		case e.Item.Import != nil:
			known[e.Item.Import.Key] = true
		case e.Item.AwardID != "":
			known[s.baseURL+"/awards/"+e.Item.AwardID] = true
		}
	}
	return known, nil
}

// importPulled imports one pulled credential under the web import's
// rules; what is not imported is listed with the reason.
func (s *server) importPulled(ctx context.Context, u *badge.User, c *store.Connection, emails []string, known map[string]bool,
	data []byte, lang string, sum *pullSummary) error {
	var head struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(data, &head) == nil && head.ID != "" && known[truncateRunes(head.ID, badge.MaxURLLen)] {
		return nil // already here: not news, not listed
	}
	rep := s.verifyBytes(ctx, data, "")
	skip := func(key string, args ...any) error {
		name := locale.T(lang, "import.unnamed")
		if !notABadge(rep) {
			name = importName(rep, lang)
		}
		sum.Skipped = append(sum.Skipped, skippedView{Name: name, Reason: locale.T(lang, key, args...)})
		return nil
	}
	if notABadge(rep) {
		return skip("import.not_a_badge")
	}
	state, reason, _ := issuing.ImportState(rep)
	if state != issuing.ImportValid && state != issuing.ImportExpired {
		return skip("import.refused."+state, rep.Reason.In(lang))
	}
	key := credentialID(rep)
	if key != "" && known[key] {
		return nil
	}
	if id, ok := s.ownCredential(rep); ok {
		// One of this server's awards, held elsewhere: accepted from its
		// award, as the claim link would.
		it, err := s.accounts.AcceptAward(ctx, u, id)
		switch badge.ErrorKind(err) {
		case badge.NotFound, badge.Forbidden:
			return skip("import.not_yours")
		case badge.Conflict:
			return nil
		}
		if err != nil {
			return err
		}
		known[key] = true
		sum.Imported = append(sum.Imported, it.Name)
		return nil
	}
	switch recipientOf(rep, emails) {
	case recipientDID:
		return skip("import.recipient_did")
	case recipientNone:
		return skip("import.no_recipient")
	case recipientOther:
		return skip("import.not_yours")
	}
	it := &store.PortfolioItem{UserID: u.ID, Credential: data, Source: c.BaseURL, Import: importInfo(rep, data, state, reason)}
	it.Name = importName(rep, lang)
	if err := s.db.ImportItem(ctx, it); err != nil {
		if badge.ErrorKind(err) == badge.Conflict {
			return nil
		}
		return err
	}
	known[it.Import.Key] = true
	sum.Imported = append(sum.Imported, it.Name)
	return nil
}

// connectionPull is POST /portfolio/connections/{id}/pull.
func (s *server) connectionPull(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	c, err := s.db.GetConnection(r.Context(), u.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	sum, err := s.pull(r.Context(), u, c, locale.Negotiate(r))
	if err != nil {
		return err
	}
	return s.connectionsPage(w, r, newForm(nil), http.StatusOK, connectionsView{Summary: sum})
}

// connectionDelete is POST /portfolio/connections/{id}/delete: the grant
// is revoked at the host when it can be (best effort: the tokens are
// forgotten here whatever the host answers), then the connection goes.
// The badges it brought stay in the portfolio.
func (s *server) connectionDelete(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	c, err := s.db.GetConnection(ctx, u.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if cl := s.connector(); cl != nil && c.RevokeURL != "" {
		// Revoking the refresh token ends the whole grant (RFC 7009
		// section 2.1); the access token is revoked too for hosts that
		// keep them apart.
		for _, tok := range []struct{ value, hint string }{{c.RefreshToken, "refresh_token"}, {c.AccessToken, "access_token"}} {
			if tok.value == "" {
				continue
			}
			cc := *c
			cc.TokenURL = c.RevokeURL
			if _, err := s.revokeAt(ctx, cl, &cc, tok.value, tok.hint); err != nil {
				s.log.Info("connection: revocation failed", "host", c.BaseURL, "err", err)
			}
		}
	}
	if err := s.db.DeleteConnection(ctx, u.ID, c.ID); err != nil {
		return err
	}
	s.flash(r, "flash.connections.removed", c.Name)
	return redirect(w, r, connectionsPath)
}

// revokeAt posts one token to the revocation endpoint (c.TokenURL).
func (s *server) revokeAt(ctx context.Context, cl connector, c *store.Connection, token, hint string) (int, error) {
	form := url.Values{"token": {token}, "token_type_hint": {hint}}
	h := http.Header{}
	if c.AuthMethod == oauth.AuthPost {
		form.Set("client_id", c.ClientID)
		form.Set("client_secret", c.ClientSecret)
	} else {
		cred := url.QueryEscape(c.ClientID) + ":" + url.QueryEscape(c.ClientSecret)
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cred)))
	}
	resp, err := cl.PostForm(ctx, c.TokenURL, form, h)
	if err != nil {
		return 0, err
	}
	if resp.Status != http.StatusOK {
		return resp.Status, fmt.Errorf("revoke at %s: HTTP %d", c.TokenURL, resp.Status)
	}
	return resp.Status, nil
}

// ---- background pulls ----

// ConnectionPullJobKind is the job that pulls every connection in the
// background, so that portfolios follow what their other hosts publish.
const ConnectionPullJobKind = "connections.pull"

// ConnectionPuller runs the background pull as a durable job that comes
// back every Every (jobs.Periodic: one job per time slot, run by one
// worker of one server). A run pulls, one after the other, the connections
// not pulled for half of Every (a recipient's "pull now" counts), never
// pulled first, then the longest ago; what it leaves waits, first in line,
// for the next run.
//
// Give it to New (Options.Connections): it pulls with the pages' code.
type ConnectionPuller struct {
	// Every is the time between two runs (default 24 h).
	Every time.Duration
	// Limit is how many connections one run pulls at most (default 100).
	Limit int
	// Budget bounds one run (default 3 min, within the job runner's
	// lease): no pull starts that could end after it.
	Budget time.Duration
	// PullTimeout bounds one connection's pull (default 1 min).
	PullTimeout time.Duration

	s *server // set by New
}

func (p *ConnectionPuller) every() time.Duration {
	if p.Every <= 0 {
		return 24 * time.Hour
	}
	return p.Every
}

func (p *ConnectionPuller) server() (*server, error) {
	if p.s == nil {
		return nil, errors.New("connection puller: not given to web.New")
	}
	return p.s, nil
}

// periodic is the run's schedule: one job per slot of Every.
func (p *ConnectionPuller) periodic() jobs.Periodic {
	return jobs.Periodic{Kind: ConnectionPullJobKind, IDPrefix: "connections-pull-", Every: p.every()}
}

// Schedule queues the run of the current slot, at start-up.
func (p *ConnectionPuller) Schedule(ctx context.Context) error {
	s, err := p.server()
	if err != nil {
		return err
	}
	return p.periodic().Schedule(ctx, s.db, s.now())
}

// RunJob is the job's handler: it queues the next slot, then pulls.
func (p *ConnectionPuller) RunJob(ctx context.Context, _ []byte) error {
	s, err := p.server()
	if err != nil {
		return err
	}
	if err := p.periodic().Next(ctx, s.db, s.now()); err != nil {
		return err
	}
	_, err = p.PullDue(ctx)
	return err
}

// PullRun counts what one run did.
type PullRun struct {
	Due, Pulled, Failed, Reauthorize, Imported int
}

// PullDue pulls the due connections within the run's bounds. One
// connection's failure, of its host or of this server, is logged and
// recorded on it, and the run goes on with the others; only a failure to
// list the due connections is returned.
func (p *ConnectionPuller) PullDue(ctx context.Context) (PullRun, error) {
	var run PullRun
	s, err := p.server()
	if err != nil {
		return run, err
	}
	log := s.log.With("job", ConnectionPullJobKind)
	if s.connector() == nil {
		log.Info("connections not pulled: this server reaches no other site")
		return run, nil
	}
	limit, budget, timeout := p.Limit, p.Budget, p.PullTimeout
	if limit <= 0 {
		limit = 100
	}
	if budget <= 0 {
		budget = 3 * time.Minute
	}
	if timeout <= 0 {
		timeout = time.Minute
	}
	// Real time, not the server's clock: the bounds are contexts'.
	start := time.Now()
	deadline := start.Add(budget)
	due, err := s.db.DueConnections(ctx, s.now().Add(-p.every()/2), limit)
	if err != nil {
		return run, fmt.Errorf("connections pull: %w", err)
	}
	run.Due = len(due)
	for i, ref := range due {
		if ctx.Err() != nil || time.Until(deadline) < timeout {
			log.Info("connections pull: run budget spent, the rest waits for the next run", "left", len(due)-i)
			break
		}
		pctx, cancel := context.WithTimeout(ctx, timeout)
		sum, err := p.pullOne(pctx, s, ref)
		cancel()
		clog := log.With("connection", ref.ID, "user", ref.UserID)
		switch {
		case err != nil:
			run.Failed++
			clog.Error("connections pull: connection not pulled", "err", err)
			// Recorded, so that it goes to the back of the line rather
			// than first again at every run.
			if rerr := s.db.RecordConnectionPull(ctx, ref.UserID, ref.ID, 0, "connections.pull_failed"); rerr != nil && !badge.IsNotFound(rerr) {
				clog.Error("connections pull: record failure", "err", rerr)
			}
		case sum == nil: // removed or no longer authorized meanwhile
		case sum.ErrorKey != "":
			run.Failed++
			if sum.ErrorKey == "connections.reauthorize" {
				run.Reauthorize++
			}
			clog.Info("connections pull: host failed", "host", sum.Host, "outcome", sum.ErrorKey, "imported", len(sum.Imported))
		default:
			run.Pulled++
			run.Imported += len(sum.Imported)
			clog.Info("connections pull: pulled", "host", sum.Host, "imported", len(sum.Imported), "skipped", len(sum.Skipped))
		}
	}
	log.Info("connections pull: run done", "due", run.Due, "pulled", run.Pulled, "failed", run.Failed,
		"reauthorize", run.Reauthorize, "imported", run.Imported, "duration", time.Since(start))
	return run, nil
}

// pullOne pulls one connection as its owner's "pull now" would, in the
// owner's language (names of multilingual badges). It returns a nil
// summary when the connection went or lost its grant since it was listed.
func (p *ConnectionPuller) pullOne(ctx context.Context, s *server, ref store.ConnectionRef) (*pullSummary, error) {
	u, err := s.db.GetUser(ctx, ref.UserID)
	if badge.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c, err := s.db.GetConnection(ctx, ref.UserID, ref.ID)
	if badge.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !c.Authorized() {
		return nil, nil
	}
	lang := u.Language
	if !locale.Supported(lang) {
		lang = locale.Default
	}
	return s.pull(ctx, u, c, lang)
}

// Package oauth is Sceau's OAuth 2.0 authorization server for the Open
// Badges 3.0 API: dynamic client registration (RFC 7591), the
// authorization code grant with PKCE S256 required (RFC 7636), refresh
// tokens rotated at each use, and revocation (RFC 7009). It holds the
// rules; internal/store keeps the rows (hashes only), internal/web shows
// the consent page and internal/api serves the endpoints.
package oauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
)

// The Open Badges 3.0 scopes.
const (
	ScopeCredentialReadonly = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly"
	ScopeCredentialUpsert   = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert"
	ScopeProfileReadonly    = "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.readonly"
	ScopeProfileUpdate      = "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.update"
)

// Scopes lists every scope, in the order pages show them.
var Scopes = []string{ScopeCredentialReadonly, ScopeCredentialUpsert, ScopeProfileReadonly, ScopeProfileUpdate}

// ScopeName is a scope's last segment ("credential.readonly"), the key of
// its description in the translations.
func ScopeName(scope string) string { return scope[strings.LastIndexByte(scope, '/')+1:] }

// Token prefixes: a token pasted somewhere public is recognisable, and
// an access token cannot be mistaken for a refresh token.
const (
	AccessPrefix  = "sceau_at_"
	RefreshPrefix = "sceau_rt_"
	codePrefix    = "sceau_ac_"
	secretPrefix  = "sceau_cs_"
)

// Lifetimes.
const (
	CodeTTL    = 10 * time.Minute
	AccessTTL  = time.Hour
	RefreshTTL = 90 * 24 * time.Hour
)

// Bounds on registration metadata.
const (
	MaxRedirectURIs = 10
	MaxURILen       = 2000
	MaxNameLen      = 200
	maxParamLen     = 4000
)

// Client authentication methods at the token endpoint.
const (
	AuthBasic = "client_secret_basic"
	AuthPost  = "client_secret_post"
)

// Error is an OAuth error (RFC 6749 section 5.2, RFC 7591 section 3.2.2):
// Code is the "error" value, Description the "error_description".
type Error struct {
	Status      int
	Code        string
	Description string
}

func (e *Error) Error() string { return "oauth: " + e.Code + ": " + e.Description }

func oauthErr(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Description: fmt.Sprintf(format, args...)}
}

// Server applies the rules over the store.
type Server struct {
	db   *store.DB
	now  func() time.Time
	rand io.Reader
}

// Options configure a Server; all are optional.
type Options struct {
	Now  func() time.Time
	Rand io.Reader
}

// New returns a Server over db. It keeps no state of its own: several
// (one per handler, one per node) agree through the database.
func New(db *store.DB, opts Options) *Server {
	s := &Server{db: db, now: opts.Now, rand: opts.Rand}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	return s
}

func (s *Server) secret(prefix string) (string, error) {
	secret, err := badge.NewSecret(s.rand)
	if err != nil {
		return "", fmt.Errorf("oauth: %w", err)
	}
	return prefix + secret, nil
}

// ---- registration (RFC 7591) ----

// Metadata is a client's registration request, as RFC 7591 names it.
type Metadata struct {
	ClientName              string   `json:"client_name"`
	ClientURI               string   `json:"client_uri,omitempty"`
	LogoURI                 string   `json:"logo_uri,omitempty"`
	PolicyURI               string   `json:"policy_uri,omitempty"`
	TOSURI                  string   `json:"tos_uri,omitempty"`
	RedirectURIs            []string `json:"redirect_uris"`
	Scope                   string   `json:"scope"`
	GrantTypes              []string `json:"grant_types,omitempty"`
	ResponseTypes           []string `json:"response_types,omitempty"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method,omitempty"`
	// Others RFC 7591 defines, accepted and not used.
	SoftwareID      string   `json:"software_id,omitempty"`
	SoftwareVersion string   `json:"software_version,omitempty"`
	Contacts        []string `json:"contacts,omitempty"`
}

// Registration is the answer to a registration: the metadata as
// registered, with the credentials.
type Registration struct {
	ClientID              string `json:"client_id"`
	ClientSecret          string `json:"client_secret"`
	ClientIDIssuedAt      int64  `json:"client_id_issued_at"`
	ClientSecretExpiresAt int64  `json:"client_secret_expires_at"`
	Metadata
}

// Register checks a registration request and stores the client. Refusals
// are *Error with invalid_redirect_uri or invalid_client_metadata.
func (s *Server) Register(ctx context.Context, m Metadata) (*Registration, error) {
	bad := func(format string, args ...any) error {
		return oauthErr(http.StatusBadRequest, "invalid_client_metadata", format, args...)
	}
	m.ClientName = strings.TrimSpace(m.ClientName)
	if m.ClientName == "" || utf8.RuneCountInString(m.ClientName) > MaxNameLen || strings.ContainsAny(m.ClientName, "\r\n\x00") {
		return nil, bad("client_name is required, at most %d characters on one line", MaxNameLen)
	}
	if len(m.RedirectURIs) == 0 || len(m.RedirectURIs) > MaxRedirectURIs {
		return nil, oauthErr(http.StatusBadRequest, "invalid_redirect_uri", "redirect_uris needs 1 to %d URIs", MaxRedirectURIs)
	}
	for _, u := range m.RedirectURIs {
		if err := CheckRedirectURI(u); err != nil {
			return nil, oauthErr(http.StatusBadRequest, "invalid_redirect_uri", "%v", err)
		}
	}
	for name, u := range map[string]string{"client_uri": m.ClientURI, "logo_uri": m.LogoURI, "policy_uri": m.PolicyURI, "tos_uri": m.TOSURI} {
		if u != "" && !webURL(u) {
			return nil, bad("%s must be an https URL", name)
		}
	}
	scopes, err := ParseScope(m.Scope)
	if err != nil {
		return nil, bad("%v", err)
	}
	if len(scopes) == 0 {
		scopes = slices.Clone(Scopes)
	}
	m.Scope = strings.Join(scopes, " ")
	if len(m.GrantTypes) == 0 {
		m.GrantTypes = []string{"authorization_code", "refresh_token"}
	}
	for _, g := range m.GrantTypes {
		if g != "authorization_code" && g != "refresh_token" {
			return nil, bad("grant_types: %q is not supported (authorization_code, refresh_token)", g)
		}
	}
	if !slices.Contains(m.GrantTypes, "authorization_code") {
		return nil, bad("grant_types must include authorization_code")
	}
	if len(m.ResponseTypes) == 0 {
		m.ResponseTypes = []string{"code"}
	}
	for _, r := range m.ResponseTypes {
		if r != "code" {
			return nil, bad("response_types: %q is not supported (code)", r)
		}
	}
	switch m.TokenEndpointAuthMethod {
	case "":
		m.TokenEndpointAuthMethod = AuthBasic
	case AuthBasic, AuthPost:
	default:
		return nil, bad("token_endpoint_auth_method: %q is not supported (%s, %s)", m.TokenEndpointAuthMethod, AuthBasic, AuthPost)
	}
	if len(m.Contacts) > 10 || len(m.SoftwareID) > MaxNameLen || len(m.SoftwareVersion) > MaxNameLen {
		return nil, bad("contacts, software_id or software_version too long")
	}
	id, err := badge.NewID(s.rand)
	if err != nil {
		return nil, fmt.Errorf("oauth: client id: %w", err)
	}
	secret, err := s.secret(secretPrefix)
	if err != nil {
		return nil, err
	}
	c := &store.OAuthClient{ID: id, SecretHash: badge.HashSecret(secret), AuthMethod: m.TokenEndpointAuthMethod, Name: m.ClientName,
		ClientURI: m.ClientURI, LogoURI: m.LogoURI, PolicyURI: m.PolicyURI, TOSURI: m.TOSURI, RedirectURIs: m.RedirectURIs,
		Scope: scopes, GrantTypes: m.GrantTypes, ResponseTypes: m.ResponseTypes}
	if err := s.db.CreateOAuthClient(ctx, c); err != nil {
		return nil, err
	}
	return &Registration{ClientID: id, ClientSecret: secret, ClientIDIssuedAt: c.CreatedAt.Unix(), Metadata: m}, nil
}

// CheckRedirectURI accepts an absolute https URI without a fragment, or
// an http URI on a loopback address (native clients, RFC 8252 section
// 7.3).
func CheckRedirectURI(raw string) error {
	if len(raw) > MaxURILen {
		return errors.New("redirect URI too long")
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.User != nil {
		return fmt.Errorf("redirect URI %.200q is not an absolute URI", raw)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return fmt.Errorf("redirect URI %.200q has a fragment", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if loopback(u.Hostname()) {
			return nil
		}
	}
	return fmt.Errorf("redirect URI %.200q must be https (or http on a loopback address)", raw)
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// webURL reports whether raw is an absolute https URL (http on loopback
// for development).
func webURL(raw string) bool {
	if len(raw) > MaxURILen {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return false
	}
	return u.Scheme == "https" || u.Scheme == "http" && loopback(u.Hostname())
}

// ParseScope splits a space-separated scope, refusing unknown scopes and
// dropping repeats. An empty scope gives an empty slice.
func ParseScope(raw string) ([]string, error) {
	if len(raw) > maxParamLen {
		return nil, errors.New("scope too long")
	}
	var out []string
	for _, sc := range strings.Fields(raw) {
		if !slices.Contains(Scopes, sc) {
			return nil, fmt.Errorf("unknown scope %.200q", sc)
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out, nil
}

// ---- authorization ----

// Request is a checked authorization request: what the consent page
// shows and posts back.
type Request struct {
	Client              *store.OAuthClient
	RedirectURI         string
	redirectGiven       bool
	Scope               []string
	State               string
	CodeChallenge       string
	CodeChallengeMethod string
}

// Values are the request's parameters, for the consent form's hidden
// fields.
func (r *Request) Values() url.Values {
	v := url.Values{"response_type": {"code"}, "client_id": {r.Client.ID}, "scope": {strings.Join(r.Scope, " ")},
		"code_challenge": {r.CodeChallenge}, "code_challenge_method": {r.CodeChallengeMethod}}
	if r.redirectGiven {
		v.Set("redirect_uri", r.RedirectURI)
	}
	if r.State != "" {
		v.Set("state", r.State)
	}
	return v
}

// RedirectError is an authorization error sent back to the client's
// redirect URI (RFC 6749 section 4.1.2.1).
type RedirectError struct {
	Err *Error
	URL string
}

func (e *RedirectError) Error() string { return e.Err.Error() }

// Authorize checks an authorization request. Errors are *Error when the
// client or redirect URI cannot be trusted (the page shows the error, it
// must not redirect) or *RedirectError, whose URL carries the error to
// the client.
func (s *Server) Authorize(ctx context.Context, q url.Values) (*Request, error) {
	for k, vs := range q {
		if len(vs) > 1 {
			return nil, oauthErr(http.StatusBadRequest, "invalid_request", "parameter %.50q is repeated", k)
		}
		if len(vs[0]) > maxParamLen {
			return nil, oauthErr(http.StatusBadRequest, "invalid_request", "parameter %.50q is too long", k)
		}
	}
	id := q.Get("client_id")
	if id == "" || !badge.ValidID(id) {
		return nil, oauthErr(http.StatusBadRequest, "invalid_request", "unknown client_id")
	}
	c, err := s.db.GetOAuthClient(ctx, id)
	if badge.IsNotFound(err) {
		return nil, oauthErr(http.StatusBadRequest, "invalid_request", "unknown client_id")
	}
	if err != nil {
		return nil, err
	}
	r := &Request{Client: c, State: q.Get("state")}
	if ru := q.Get("redirect_uri"); ru != "" {
		if !slices.Contains(c.RedirectURIs, ru) {
			return nil, oauthErr(http.StatusBadRequest, "invalid_request", "redirect_uri is not one the client registered")
		}
		r.RedirectURI, r.redirectGiven = ru, true
	} else if len(c.RedirectURIs) == 1 {
		r.RedirectURI = c.RedirectURIs[0]
	} else {
		return nil, oauthErr(http.StatusBadRequest, "invalid_request", "redirect_uri is required: the client registered several")
	}
	fail := func(code, format string, args ...any) error {
		return &RedirectError{Err: oauthErr(http.StatusFound, code, format, args...), URL: r.errorURL(code, fmt.Sprintf(format, args...))}
	}
	if q.Get("response_type") != "code" {
		return nil, fail("unsupported_response_type", "response_type must be code")
	}
	scopes, err := ParseScope(q.Get("scope"))
	if err != nil {
		return nil, fail("invalid_scope", "%v", err)
	}
	if len(scopes) == 0 {
		return nil, fail("invalid_scope", "scope is required")
	}
	for _, sc := range scopes {
		if !slices.Contains(c.Scope, sc) {
			return nil, fail("invalid_scope", "the client did not register scope %s", sc)
		}
	}
	r.Scope = scopes
	r.CodeChallenge, r.CodeChallengeMethod = q.Get("code_challenge"), q.Get("code_challenge_method")
	switch {
	case r.CodeChallenge == "":
		return nil, fail("invalid_request", "code_challenge is required (PKCE S256)")
	case r.CodeChallengeMethod != "S256":
		return nil, fail("invalid_request", "code_challenge_method must be S256")
	case !validChallenge(r.CodeChallenge):
		return nil, fail("invalid_request", "code_challenge must be the base64url SHA-256 of the verifier (43 characters)")
	}
	return r, nil
}

func validChallenge(c string) bool {
	b, err := base64.RawURLEncoding.DecodeString(c)
	return err == nil && len(b) == sha256.Size
}

// errorURL is the redirect URI with an error and the state.
func (r *Request) errorURL(code, desc string) string {
	v := url.Values{"error": {code}}
	if desc != "" {
		v.Set("error_description", desc)
	}
	return r.redirect(v)
}

func (r *Request) redirect(params url.Values) string {
	if r.State != "" {
		params.Set("state", r.State)
	}
	u, _ := url.Parse(r.RedirectURI) // checked at registration
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// DenyURL is where the browser goes when the user refuses.
func (r *Request) DenyURL() string {
	return r.errorURL("access_denied", "the user denied the request")
}

// Approve issues a code for the user and returns the redirect URI that
// carries it.
func (s *Server) Approve(ctx context.Context, r *Request, userID string) (string, error) {
	code, err := s.secret(codePrefix)
	if err != nil {
		return "", err
	}
	c := &store.OAuthCode{Hash: badge.HashSecret(code), ClientID: r.Client.ID, UserID: userID, RedirectURI: r.RedirectURI,
		Scope: r.Scope, CodeChallenge: r.CodeChallenge, ExpiresAt: s.now().Add(CodeTTL)}
	if err := s.db.CreateOAuthCode(ctx, c); err != nil {
		return "", err
	}
	return r.redirect(url.Values{"code": {code}}), nil
}

// ---- token endpoint ----

// TokenResponse is the token endpoint's success (RFC 6749 section 5.1).
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope"`
}

// AuthenticateClient checks the client's credentials at the token and
// revocation endpoints: HTTP Basic or client_id and client_secret in the
// form, as the client registered. Errors are invalid_client (401).
func (s *Server) AuthenticateClient(ctx context.Context, r *http.Request) (*store.OAuthClient, error) {
	id, secret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 section 2.3.1: form-encoded in the header.
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return nil, invalidClient()
		}
		if r.PostForm.Get("client_secret") != "" {
			return nil, oauthErr(http.StatusBadRequest, "invalid_request", "use one client authentication method")
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id == "" || secret == "" || !badge.ValidID(id) || len(secret) > 200 {
		return nil, invalidClient()
	}
	c, err := s.db.GetOAuthClient(ctx, id)
	if badge.IsNotFound(err) {
		return nil, invalidClient()
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(badge.HashSecret(secret)), []byte(c.SecretHash)) != 1 {
		return nil, invalidClient()
	}
	if (c.AuthMethod == AuthBasic) != basic {
		return nil, oauthErr(http.StatusUnauthorized, "invalid_client", "the client registered %s", c.AuthMethod)
	}
	return c, nil
}

func invalidClient() *Error {
	return oauthErr(http.StatusUnauthorized, "invalid_client", "client authentication failed")
}

// Token serves the token endpoint's grants for an authenticated client:
// authorization_code (with code_verifier) and refresh_token.
func (s *Server) Token(ctx context.Context, c *store.OAuthClient, form url.Values) (*TokenResponse, error) {
	for k, vs := range form {
		if len(vs) > 1 {
			return nil, oauthErr(http.StatusBadRequest, "invalid_request", "parameter %.50q is repeated", k)
		}
	}
	gt := form.Get("grant_type")
	if gt != "" && !slices.Contains(c.GrantTypes, gt) {
		return nil, oauthErr(http.StatusBadRequest, "unauthorized_client", "the client did not register grant type %s", gt)
	}
	switch gt {
	case "authorization_code":
		return s.exchange(ctx, c, form)
	case "refresh_token":
		return s.refresh(ctx, c, form)
	case "":
		return nil, oauthErr(http.StatusBadRequest, "invalid_request", "grant_type is required")
	}
	return nil, oauthErr(http.StatusBadRequest, "unsupported_grant_type", "grant_type %.50q is not supported", gt)
}

func invalidGrant(format string, args ...any) *Error {
	return oauthErr(http.StatusBadRequest, "invalid_grant", format, args...)
}

func (s *Server) exchange(ctx context.Context, c *store.OAuthClient, form url.Values) (*TokenResponse, error) {
	code, verifier := form.Get("code"), form.Get("code_verifier")
	if code == "" || len(code) > 200 {
		return nil, oauthErr(http.StatusBadRequest, "invalid_request", "code is required")
	}
	// RFC 7636 section 4.1: 43 to 128 unreserved characters.
	if len(verifier) < 43 || len(verifier) > 128 || strings.Trim(verifier, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") != "" {
		return nil, oauthErr(http.StatusBadRequest, "invalid_request", "code_verifier is required: 43 to 128 unreserved characters")
	}
	grant, err := badge.NewID(s.rand)
	if err != nil {
		return nil, fmt.Errorf("oauth: grant id: %w", err)
	}
	ac, err := s.db.UseOAuthCode(ctx, badge.HashSecret(code), grant)
	switch {
	case badge.IsNotFound(err):
		return nil, invalidGrant("unknown authorization code")
	case badge.ErrorCode(err) == store.ErrOAuthCodeUsed:
		return nil, invalidGrant("the authorization code was already used; the tokens issued from it are revoked")
	case err != nil:
		return nil, err
	}
	// From here the code is spent: a failed exchange cannot be retried
	// with the same code, as RFC 6749 wants of a code presented wrongly.
	switch {
	case ac.ClientID != c.ID:
		return nil, invalidGrant("the authorization code was issued to another client")
	case !s.now().Before(ac.ExpiresAt):
		return nil, invalidGrant("the authorization code expired")
	}
	if ru := form.Get("redirect_uri"); ru != ac.RedirectURI && (ru != "" || len(c.RedirectURIs) != 1) {
		return nil, invalidGrant("redirect_uri does not match the authorization request")
	}
	sum := sha256.Sum256([]byte(verifier))
	if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(ac.CodeChallenge)) != 1 {
		return nil, invalidGrant("code_verifier does not match the code_challenge")
	}
	return s.issue(ctx, c, ac.UserID, grant, ac.Scope, "")
}

// issue creates an access token and a refresh token of the grant; with
// oldRefresh, the refresh token they replace is revoked in the same
// transaction.
func (s *Server) issue(ctx context.Context, c *store.OAuthClient, userID, grant string, scope []string, oldRefresh string) (*TokenResponse, error) {
	access, err := s.secret(AccessPrefix)
	if err != nil {
		return nil, err
	}
	now := s.now()
	toks := []*store.OAuthToken{{Hash: badge.HashSecret(access), Kind: store.OAuthAccess, GrantID: grant, ClientID: c.ID, UserID: userID,
		Scope: scope, ExpiresAt: now.Add(AccessTTL)}}
	resp := &TokenResponse{AccessToken: access, TokenType: "Bearer", ExpiresIn: int(AccessTTL / time.Second), Scope: strings.Join(scope, " ")}
	if slices.Contains(c.GrantTypes, "refresh_token") {
		refresh, err := s.secret(RefreshPrefix)
		if err != nil {
			return nil, err
		}
		resp.RefreshToken = refresh
		toks = append(toks, &store.OAuthToken{Hash: badge.HashSecret(refresh), Kind: store.OAuthRefresh, GrantID: grant, ClientID: c.ID,
			UserID: userID, Scope: scope, ExpiresAt: now.Add(RefreshTTL)})
	}
	if oldRefresh != "" {
		err = s.db.RotateOAuthRefresh(ctx, oldRefresh, toks...)
	} else {
		err = s.db.CreateOAuthTokens(ctx, toks...)
	}
	if badge.ErrorCode(err) == store.ErrOAuthRefreshUsed {
		return nil, invalidGrant("the refresh token was already used or revoked; its grant is revoked")
	}
	if err != nil {
		return nil, err
	}
	return resp, nil
}

func (s *Server) refresh(ctx context.Context, c *store.OAuthClient, form url.Values) (*TokenResponse, error) {
	raw := form.Get("refresh_token")
	if raw == "" || len(raw) > 200 {
		return nil, oauthErr(http.StatusBadRequest, "invalid_request", "refresh_token is required")
	}
	t, err := s.db.GetOAuthToken(ctx, badge.HashSecret(raw))
	if badge.IsNotFound(err) {
		return nil, invalidGrant("unknown refresh token")
	}
	if err != nil {
		return nil, err
	}
	switch {
	case t.Kind != store.OAuthRefresh || t.ClientID != c.ID:
		return nil, invalidGrant("unknown refresh token")
	case !s.now().Before(t.ExpiresAt):
		return nil, invalidGrant("the refresh token expired")
	}
	scope := t.Scope
	if form.Has("scope") {
		// RFC 6749 section 6: a narrower scope may be asked for.
		asked, err := ParseScope(form.Get("scope"))
		if err != nil {
			return nil, oauthErr(http.StatusBadRequest, "invalid_scope", "%v", err)
		}
		for _, sc := range asked {
			if !slices.Contains(t.Scope, sc) {
				return nil, oauthErr(http.StatusBadRequest, "invalid_scope", "scope %s was not granted", sc)
			}
		}
		if len(asked) > 0 {
			scope = asked
		}
	}
	// A revoked refresh token goes through issue too: the rotation
	// notices it and revokes the grant.
	return s.issue(ctx, c, t.UserID, t.GrantID, scope, t.Hash)
}

// Revoke revokes a token of the client (RFC 7009). Unknown tokens, and
// other clients' tokens, are ignored: the endpoint answers 200 alike.
func (s *Server) Revoke(ctx context.Context, c *store.OAuthClient, token string) error {
	if token == "" {
		return oauthErr(http.StatusBadRequest, "invalid_request", "token is required")
	}
	if len(token) > 200 {
		return nil
	}
	return s.db.RevokeOAuthToken(ctx, badge.HashSecret(token), c.ID)
}

// ---- resource server ----

// Errors of Authenticate; the API maps them to 401 and 403.
var (
	ErrNoToken      = errors.New("oauth: no access token")
	ErrInvalidToken = errors.New("oauth: the access token is unknown, expired or revoked")
)

// Authenticate returns the access token the value names, if it is
// current: known, an access token, not expired, not revoked.
func (s *Server) Authenticate(ctx context.Context, token string) (*store.OAuthToken, error) {
	if token == "" {
		return nil, ErrNoToken
	}
	if !strings.HasPrefix(token, AccessPrefix) || len(token) > 200 {
		return nil, ErrInvalidToken
	}
	t, err := s.db.GetOAuthToken(ctx, badge.HashSecret(token))
	if badge.IsNotFound(err) {
		return nil, ErrInvalidToken
	}
	if err != nil {
		return nil, err
	}
	if t.Kind != store.OAuthAccess || t.RevokedAt != nil || !s.now().Before(t.ExpiresAt) {
		return nil, ErrInvalidToken
	}
	return t, nil
}

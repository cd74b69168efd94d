package api

// The OAuth 2.0 endpoints of the Open Badges 3.0 API: dynamic client
// registration (RFC 7591), the token endpoint (RFC 6749: authorization
// code with PKCE, refresh with rotation) and revocation (RFC 7009). The
// authorization endpoint with its consent page is a web page
// (internal/web/oauth.go): it needs the user's session. Errors here are
// RFC 6749 JSON: {"error", "error_description"}.

import (
	"encoding/json"
	"errors"
	"github.com/sceau/sceau/internal/httpx"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/sceau/sceau/internal/oauth"
)

// OAuth paths, served by the OB 3.0 handler (mount each of OAuthPaths on
// it) except OAuthAuthorizePath, a page of the web handler.
const (
	OAuthRegisterPath  = "/oauth/register"
	OAuthTokenPath     = "/oauth/token"
	OAuthRevokePath    = "/oauth/revoke"
	OAuthAuthorizePath = "/oauth/authorize"
)

// OAuthPaths are the OAuth paths the OB 3.0 handler serves.
var OAuthPaths = []string{OAuthRegisterPath, OAuthTokenPath, OAuthRevokePath}

// maxOAuthBody bounds registration and token requests.
const maxOAuthBody = 16 << 10

// oauthError is {"error", "error_description"}.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// handleOAuth adapts an OAuth endpoint: *oauth.Error values are answered
// as RFC 6749 JSON, anything else as server_error.
func (s *ob3Server) handleOAuth(h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		var oe *oauth.Error
		if !errors.As(err, &oe) {
			s.log.Error("OAuth endpoint failed", "path", r.URL.Path, "err", err)
			oe = &oauth.Error{Status: http.StatusInternalServerError, Code: "server_error", Description: "internal error"}
		} else {
			s.log.Info("OAuth request refused", "path", r.URL.Path, "error", oe.Code, "description", oe.Description)
		}
		if oe.Status == http.StatusUnauthorized && r.Header.Get("Authorization") != "" {
			w.Header().Set("WWW-Authenticate", `Basic realm="sceau"`)
		}
		w.Header().Set("Pragma", "no-cache")
		if werr := writeJSON(w, oe.Status, oauthError{Error: oe.Code, Description: oe.Description}); werr != nil {
			s.log.Error("write OAuth error", "err", werr)
		}
	})
}

func oauthBadRequest(code, desc string) *oauth.Error {
	return &oauth.Error{Status: http.StatusBadRequest, Code: code, Description: desc}
}

// register is POST /oauth/register: open registration, no initial
// access token (the OB 3.0 API expects any wallet to register itself).
func (s *ob3Server) register(w http.ResponseWriter, r *http.Request) error {
	if !s.registrations.Allow(httpx.ClientIP(r), s.now()) {
		w.Header().Set("Retry-After", "3600")
		return &oauth.Error{Status: http.StatusTooManyRequests, Code: "temporarily_unavailable",
			Description: "too many client registrations from this address; try again later"}
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		return oauthBadRequest("invalid_client_metadata", "send the metadata as application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxOAuthBody))
	if err != nil {
		return oauthBadRequest("invalid_client_metadata", "the body is unreadable or larger than 16 KiB")
	}
	var m oauth.Metadata
	if err := json.Unmarshal(body, &m); err != nil {
		return oauthBadRequest("invalid_client_metadata", "malformed JSON: "+err.Error())
	}
	reg, err := s.oauth.Register(r.Context(), m)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, reg)
}

// parseOAuthForm reads an application/x-www-form-urlencoded POST body.
func parseOAuthForm(w http.ResponseWriter, r *http.Request) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return oauthBadRequest("invalid_request", "send the parameters as application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxOAuthBody)
	if err := r.ParseForm(); err != nil {
		return oauthBadRequest("invalid_request", "the body is unreadable or larger than 16 KiB")
	}
	if len(r.URL.RawQuery) > 0 {
		return oauthBadRequest("invalid_request", "send the parameters in the body, not the URL")
	}
	return nil
}

// token is POST /oauth/token.
func (s *ob3Server) token(w http.ResponseWriter, r *http.Request) error {
	if err := parseOAuthForm(w, r); err != nil {
		return err
	}
	c, err := s.oauth.AuthenticateClient(r.Context(), r)
	if err != nil {
		return err
	}
	resp, err := s.oauth.Token(r.Context(), c, r.PostForm)
	if err != nil {
		return err
	}
	w.Header().Set("Pragma", "no-cache")
	return writeJSON(w, http.StatusOK, resp)
}

// revoke is POST /oauth/revoke: 200 whether the token existed or not.
func (s *ob3Server) revoke(w http.ResponseWriter, r *http.Request) error {
	if err := parseOAuthForm(w, r); err != nil {
		return err
	}
	c, err := s.oauth.AuthenticateClient(r.Context(), r)
	if err != nil {
		return err
	}
	// token_type_hint is only a hint (RFC 7009 section 2.1): the token's
	// kind is looked up whatever it says.
	if err := s.oauth.Revoke(r.Context(), c, strings.TrimSpace(r.PostForm.Get("token"))); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	return nil
}

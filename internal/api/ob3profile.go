package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/oauth"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/ob3"
)

// ob3Context is the JSON-LD context of the API's Profile documents.
const ob3Context = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

// maxProfileBody bounds PUT /profile.
const maxProfileBody = 64 << 10

// profileJSON is the user's Profile as the API shows it.
type profileJSON struct {
	Context []string `json:"@context"`
	ID      string   `json:"id"`
	Type    []string `json:"type"`
	Name    string   `json:"name"`
	URL     string   `json:"url"`
	Email   string   `json:"email,omitempty"`
}

// profileOf builds the Profile of an account: its id is the account's
// public portfolio page; email its primary verified address.
func (s *ob3Server) profileOf(r *http.Request, u *badge.User) (*profileJSON, error) {
	page := s.base + "/@" + url.PathEscape(u.Handle)
	p := &profileJSON{Context: []string{ob3Context}, ID: page, Type: []string{"Profile"}, Name: u.Name, URL: page}
	emails, err := s.db.ListEmails(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range emails {
		if e.Verified() {
			p.Email = e.Address
			break
		}
	}
	return p, nil
}

// getProfile is GET /profile.
func (s *ob3Server) getProfile(w http.ResponseWriter, r *http.Request, tok *store.OAuthToken) error {
	u, err := s.db.GetUser(r.Context(), tok.UserID)
	if err != nil {
		return err
	}
	p, err := s.profileOf(r, u)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

// putProfile is PUT /profile: the whole Profile is sent; the name is what
// an account may change here (its addresses are confirmed by e-mail on
// the account page, its id is its public page). Other properties are
// accepted and not kept, as section 6.2.5 allows; an id that is not the
// account's is refused.
func (s *ob3Server) putProfile(w http.ResponseWriter, r *http.Request, tok *store.OAuthToken) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" && mt != "application/ld+json" {
		return newImsx(http.StatusUnsupportedMediaType, "invalid_data", "send the Profile as application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxProfileBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return newImsx(http.StatusRequestEntityTooLarge, "invalid_data", "the body exceeds %d bytes", maxProfileBody)
		}
		return newImsx(http.StatusBadRequest, "invalid_data", "cannot read the body")
	}
	var in ob3.Profile
	if err := ob3.Unmarshal(body, &in); err != nil {
		return newImsx(http.StatusBadRequest, "invalid_data", "not a Profile: %v", err)
	}
	errs, err := ob3.ValidateSchema(body, ob3.SchemaProfile)
	if err != nil {
		return newImsx(http.StatusBadRequest, "invalid_data", "not a Profile: %v", err)
	}
	if len(errs) > 0 {
		return newImsx(http.StatusBadRequest, "invalid_data", "the Profile breaks the OB 3.0 schema: %s", errs[0].String())
	}
	u, err := s.db.GetUser(r.Context(), tok.UserID)
	if err != nil {
		return err
	}
	if in.ID != "" && in.ID != s.base+"/@"+url.PathEscape(u.Handle) {
		return newImsx(http.StatusBadRequest, "invalid_data", "id is the account's public page and cannot change")
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return newImsx(http.StatusBadRequest, "invalid_data", "name is required")
	}
	if name != u.Name {
		u.Name = name
		if err := s.db.UpdateUser(r.Context(), u); err != nil {
			var be *badge.Error
			if errors.As(err, &be) && be.Kind == badge.Invalid {
				return newImsx(http.StatusBadRequest, "invalid_data", "%s", be.Message)
			}
			return err
		}
	}
	p, err := s.profileOf(r, u)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

// discovery is GET /discovery: the Service Description Document, an
// OpenAPI 3.0 document with the 1EdTech x-imssf-* extensions, which a
// client reads to register and ask for authorization.
func (s *ob3Server) discovery(w http.ResponseWriter, r *http.Request) error {
	scopes := map[string]string{
		oauth.ScopeCredentialReadonly: "Permission to read OpenBadgeCredentials for the authenticated entity.",
		oauth.ScopeCredentialUpsert:   "Permission to create or update OpenBadgeCredentials for the authenticated entity.",
		oauth.ScopeProfileReadonly:    "Permission to read the profile for the authenticated entity.",
		oauth.ScopeProfileUpdate:      "Permission to update the profile for the authenticated entity.",
	}
	info := map[string]any{
		"title":                    s.name + " — Open Badges 3.0 API",
		"version":                  "3.0",
		"description":              "The Open Badges 3.0 API of " + s.name + ": a recipient's badges and profile.",
		"termsOfService":           s.terms,
		"x-imssf-privacyPolicyUrl": s.privacy,
	}
	scheme := map[string]any{
		"type":                      "oauth2",
		"description":               "OAuth 2.0 Authorization Code Grant with PKCE (S256)",
		"x-imssf-name":              s.name,
		"x-imssf-privacyPolicyUrl":  s.privacy,
		"x-imssf-registrationUrl":   s.base + OAuthRegisterPath,
		"x-imssf-termsOfServiceUrl": s.terms,
		"flows": map[string]any{"authorizationCode": map[string]any{
			"authorizationUrl": s.base + OAuthAuthorizePath,
			"tokenUrl":         s.base + OAuthTokenPath,
			"refreshUrl":       s.base + OAuthTokenPath,
			"scopes":           scopes,
		}},
	}
	if s.image != "" {
		info["x-imssf-image"] = s.image
		scheme["x-imssf-image"] = s.image
	}
	errResp := map[string]any{"description": "Imsx_StatusInfo", "content": map[string]any{"application/json": map[string]any{
		"schema": map[string]any{"$ref": "#/components/schemas/Imsx_StatusInfo"}}}}
	secured := func(op, summary, scope string, ok map[string]any) map[string]any {
		return map[string]any{"operationId": op, "summary": summary, "tags": []string{"OpenBadgeCredentials"},
			"security":  []any{map[string]any{"OAuth2ACG": []string{scope}}},
			"responses": map[string]any{"200": ok, "400": errResp, "401": errResp, "403": errResp, "405": errResp, "500": errResp, "default": errResp}}
	}
	get := secured("getCredentials", "Get the authenticated user's OpenBadgeCredentials.", oauth.ScopeCredentialReadonly,
		map[string]any{"description": "GetOpenBadgeCredentialsResponse", "headers": map[string]any{
			"X-Total-Count": map[string]any{"schema": map[string]any{"type": "integer"}},
			"Link":          map[string]any{"schema": map[string]any{"type": "string"}}}})
	get["parameters"] = []any{
		map[string]any{"name": "limit", "in": "query", "schema": map[string]any{"type": "integer", "minimum": 1, "maximum": ob3MaxLimit}},
		map[string]any{"name": "offset", "in": "query", "schema": map[string]any{"type": "integer", "minimum": 0}},
		map[string]any{"name": "since", "in": "query", "schema": map[string]any{"type": "string", "format": "date-time"}},
	}
	post := secured("upsertCredential", "Create or replace an OpenBadgeCredential in the user's portfolio.", oauth.ScopeCredentialUpsert,
		map[string]any{"description": "replaced"})
	post["responses"].(map[string]any)["201"] = map[string]any{"description": "created"}
	post["requestBody"] = map[string]any{"required": true, "content": map[string]any{
		"application/json": map[string]any{"schema": map[string]any{"type": "object"}},
		"text/plain":       map[string]any{"schema": map[string]any{"type": "string"}}}}
	putProfile := secured("putProfile", "Update the user's profile (its name).", oauth.ScopeProfileUpdate, map[string]any{"description": "Profile"})
	putProfile["requestBody"] = map[string]any{"required": true, "content": map[string]any{
		"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}
	doc := map[string]any{
		"openapi": "3.0.1",
		"info":    info,
		"servers": []any{map[string]any{"url": s.base + OB3Prefix}},
		"tags":    []any{map[string]any{"name": "OpenBadgeCredentials"}, map[string]any{"name": "Discovery"}},
		"paths": map[string]any{
			"/credentials": map[string]any{"get": get, "post": post},
			"/profile": map[string]any{
				"get": secured("getProfile", "Get the user's profile.", oauth.ScopeProfileReadonly, map[string]any{"description": "Profile"}),
				"put": putProfile,
			},
			"/discovery": map[string]any{"get": map[string]any{"operationId": "getServiceDescription", "tags": []string{"Discovery"},
				"summary":   "This service description document.",
				"responses": map[string]any{"200": map[string]any{"description": "ServiceDescriptionDocument"}, "default": errResp}}},
		},
		"components": map[string]any{
			"securitySchemes": map[string]any{"OAuth2ACG": scheme},
			"schemas": map[string]any{"Imsx_StatusInfo": map[string]any{"type": "object",
				"required": []string{"imsx_codeMajor", "imsx_severity"},
				"properties": map[string]any{
					"imsx_codeMajor":   map[string]any{"type": "string", "enum": []string{"failure", "processing", "success", "unsupported"}},
					"imsx_severity":    map[string]any{"type": "string", "enum": []string{"error", "status", "warning"}},
					"imsx_description": map[string]any{"type": "string"},
					"imsx_codeMinor":   map[string]any{"type": "object"},
				}}},
		},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return badge.Internalf(err, "encode discovery document")
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("Access-Control-Allow-Origin", "*")
	_, err := w.Write(buf.Bytes())
	return err
}

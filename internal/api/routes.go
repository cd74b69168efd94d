package api

import (
	"net/http"

	"github.com/sceau/sceau/internal/httpx"
	"github.com/sceau/sceau/internal/oauth"
	"github.com/sceau/sceau/internal/store"
)

// routes is every VC API route, in one place (DESIGN.md, convention 2).
// Paths are absolute: the handler is mounted on VCPrefix unstripped.
//
//	GET  /api/vc/issuer                   {"id": DID} the API signs as
//	POST /api/vc/credentials/issue        {credential, options} → 201 {verifiableCredential}
//	POST /api/vc/credentials/verify       {verifiableCredential, options} → 200 | 400 | 422
//	POST /api/vc/presentations/verify     {verifiablePresentation, options} → 200 | 400 | 422
//	GET  /api/vc/status/{key}/{purpose}   BitstringStatusListCredential of issued credentials
func (s *vcServer) routes() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, fn httpx.HandlerFunc) { mux.Handle(pattern, s.handle(fn)) }

	h("GET "+VCPrefix+"/issuer", s.issuer)
	h("POST "+VCPrefix+"/credentials/issue", s.issueCredential)
	h("POST "+VCPrefix+"/credentials/verify", s.verifyCredential)
	h("POST "+VCPrefix+"/presentations/verify", s.verifyPresentation)
	h("GET "+VCPrefix+"/status/{key}/{purpose}", s.statusListHandler)

	// Anything else under the prefix is a JSON 404 (or 405 from the mux
	// for a known path with another method).
	h(VCPrefix+"/", func(http.ResponseWriter, *http.Request) error {
		return &apiError{http.StatusNotFound, newProblem(problemNotFound, "Not found", "no such VC API endpoint")}
	})
	return httpx.SecurityHeaders(mux)
}

// routes is every route of the integration API and its description
// (integration.go), in one place. Paths are absolute: the handler is
// mounted on IntegrationPrefix+"/", OpenAPIPath and DocsPath unstripped.
//
//	GET  /api/openapi.json              OpenAPI 3.0 document (integration and VC APIs)
//	GET  /api/docs                      the same, as a page (fr, en)
//	POST /api/v1/awards                 award a badge (scope award; Idempotency-Key)
//	GET  /api/v1/awards                 list awards (scope read; filters, pages)
//	GET  /api/v1/awards/{id}            one award and its state (scope read)
//	POST /api/v1/awards/{id}/revoke     revoke (scope award; Idempotency-Key)
//	GET  /api/v1/badges                 the organisation's badge definitions (scope read)
func (s *integration) routes() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, fn httpx.HandlerFunc) { mux.Handle(pattern, s.handle(fn)) }

	h("GET "+OpenAPIPath, s.openAPI)
	h("GET "+DocsPath, s.docsPage)

	h("POST "+IntegrationPrefix+"/awards", s.authed(store.ScopeAward, s.createAward))
	h("GET "+IntegrationPrefix+"/awards", s.authed(store.ScopeRead, s.listAwards))
	h("GET "+IntegrationPrefix+"/awards/{id}", s.authed(store.ScopeRead, s.getAward))
	h("POST "+IntegrationPrefix+"/awards/{id}/revoke", s.authed(store.ScopeAward, s.revokeAward))
	h("GET "+IntegrationPrefix+"/badges", s.authed(store.ScopeRead, s.listBadges))

	h(IntegrationPrefix+"/", func(http.ResponseWriter, *http.Request) error {
		return newIntError(http.StatusNotFound, "not_found", "no such endpoint of the integration API")
	})
	return httpx.SecurityHeaders(mux)
}

// routes is every route of the Open Badges 3.0 API and of its OAuth 2.0
// endpoints (ob3*.go, oauth.go), in one place. Paths are absolute: the
// handler is mounted on OB3Prefix+"/" and on each of OAuthPaths
// unstripped. GET /oauth/authorize, the consent page, is a web route.
//
//	GET  /ims/ob/v3p0/discovery     Service Description Document (no authentication)
//	GET  /ims/ob/v3p0/credentials   the user's credentials (credential.readonly; limit, offset, since)
//	POST /ims/ob/v3p0/credentials   upsert one into the portfolio (credential.upsert): 201 | 200
//	GET  /ims/ob/v3p0/profile       the user's Profile (profile.readonly)
//	PUT  /ims/ob/v3p0/profile       update it (profile.update)
//	POST /oauth/register            dynamic client registration (RFC 7591)
//	POST /oauth/token               authorization_code (PKCE S256) and refresh_token grants
//	POST /oauth/revoke              token revocation (RFC 7009)
func (s *ob3Server) routes() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, fn httpx.HandlerFunc) { mux.Handle(pattern, s.handle(fn)) }

	h("GET "+OB3Prefix+"/discovery", s.discovery)
	h(OB3Prefix+"/discovery", notAllowed("GET"))
	h("GET "+OB3Prefix+"/credentials", s.authed(oauth.ScopeCredentialReadonly, s.getCredentials))
	h("POST "+OB3Prefix+"/credentials", s.authed(oauth.ScopeCredentialUpsert, s.upsertCredential))
	h(OB3Prefix+"/credentials", notAllowed("GET, POST"))
	h("GET "+OB3Prefix+"/profile", s.authed(oauth.ScopeProfileReadonly, s.getProfile))
	h("PUT "+OB3Prefix+"/profile", s.authed(oauth.ScopeProfileUpdate, s.putProfile))
	h(OB3Prefix+"/profile", notAllowed("GET, PUT"))
	h(OB3Prefix+"/", func(http.ResponseWriter, *http.Request) error {
		return newImsx(http.StatusNotFound, "not_found", "no such endpoint of the Open Badges 3.0 API")
	})

	o := func(pattern string, fn func(http.ResponseWriter, *http.Request) error) {
		mux.Handle(pattern, s.handleOAuth(fn))
	}
	o("POST "+OAuthRegisterPath, s.register)
	o("POST "+OAuthTokenPath, s.token)
	o("POST "+OAuthRevokePath, s.revoke)
	for _, p := range OAuthPaths {
		o(p, func(w http.ResponseWriter, _ *http.Request) error {
			w.Header().Set("Allow", "POST")
			return &oauth.Error{Status: http.StatusMethodNotAllowed, Code: "invalid_request", Description: "use POST"}
		})
	}
	return httpx.SecurityHeaders(mux)
}

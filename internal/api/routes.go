package api

import (
	"net/http"

	"github.com/sceau/sceau/internal/httpx"
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

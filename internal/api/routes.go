package api

import (
	"net/http"

	"github.com/sceau/sceau/internal/httpx"
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

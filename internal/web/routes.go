package web

import (
	"io/fs"
	"net/http"

	"github.com/sceau/sceau/internal/httpx"
)

// maxBody bounds request bodies: the public routes read none.
const maxBody = 64 << 10

// routes is every public route, in one place (DESIGN.md, convention 2).
// The paths follow internal/issuing/urls.go, which names them in
// credentials.
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, fn httpx.HandlerFunc) { mux.Handle(pattern, httpx.Handle(s.log, fn)) }

	h("GET /healthz", s.healthz)

	// Issuers: what verifiers fetch.
	h("GET /issuers/{slug}", s.issuerProfile)
	h("GET /issuers/{slug}/did.json", s.didDocument)
	h("GET /issuers/{slug}/image", s.issuerImage)
	h("GET /issuers/{slug}/badges/{badge}/image", s.badgeImage)
	h("GET /issuers/{slug}/status/{purpose}", s.statusList)
	h("GET /issuers/{slug}/revocations", s.revocationList)

	// Awards: the permanent address, its explicit forms, baked images and
	// evidence files.
	h("GET /awards/{id}", s.award)
	h("GET /awards/{id}/credential.json", s.awardJSON)
	h("GET /awards/{id}/credential.jwt", s.awardJWT)
	h("GET /awards/{id}/badge.png", s.awardBaked("png"))
	h("GET /awards/{id}/badge.svg", s.awardBaked("svg"))
	h("GET /awards/{id}/evidence/{n}", s.evidenceFile)
	h("GET /awards/{id}/verify", s.verifyAward)

	// Open Badges 2.0 hosted documents, for displayers that read only 2.0.
	h("GET /ob2/assertions/{id}", s.ob2Assertion)
	h("GET /ob2/badges/{issuer}/{badge}", s.ob2BadgeClass)
	h("GET /ob2/issuers/{slug}", s.ob2Issuer)

	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))

	// Anything else is a translated 404 page rather than the mux's plain text.
	h("/", s.notFound)

	return httpx.SecurityHeaders(httpx.LimitBody(maxBody, mux))
}

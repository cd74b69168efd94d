package web

import (
	"net/http"

	"github.com/sceau/sceau/internal/httpx"
)

// The Open Badges 2.0 hosted documents (internal/issuing/ob2.go), for
// displayers that read only OB 2.0.

// ob2Offers: OB 2.0 is JSON-LD; plain JSON for clients that ask for it.
var ob2Offers = []string{"application/ld+json", "application/json"}

// ob2Assertion serves an award's hosted OB 2.0 Assertion. A revoked award
// answers 410 Gone with the assertion carrying revoked and
// revocationReason, as OB 2.0 hosted verification requires.
func (s *server) ob2Assertion(w http.ResponseWriter, r *http.Request) error {
	doc, revoked, err := s.svc.OB2Assertion(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	ct := httpx.Negotiate(r.Header.Get("Accept"), ob2Offers...)
	if revoked {
		h := w.Header()
		h.Set("Content-Type", ct)
		h.Set("Cache-Control", "public, max-age=60")
		h.Set("Access-Control-Allow-Origin", "*")
		w.WriteHeader(http.StatusGone)
		_, err := w.Write(doc)
		return err
	}
	return writeDoc(w, ct, "60", doc)
}

func (s *server) ob2BadgeClass(w http.ResponseWriter, r *http.Request) error {
	doc, err := s.svc.OB2BadgeClass(r.Context(), r.PathValue("issuer"), r.PathValue("badge"))
	if err != nil {
		return err
	}
	ct := httpx.Negotiate(r.Header.Get("Accept"), ob2Offers...)
	return writeDoc(w, ct, "300", doc)
}

func (s *server) ob2Issuer(w http.ResponseWriter, r *http.Request) error {
	doc, err := s.svc.OB2Issuer(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	ct := httpx.Negotiate(r.Header.Get("Accept"), ob2Offers...)
	return writeDoc(w, ct, "300", doc)
}

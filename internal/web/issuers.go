package web

import (
	"net/http"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/httpx"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/status"
)

func (s *server) healthz(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.SQL().PingContext(r.Context()); err != nil {
		return badge.Internalf(err, "ping database")
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write([]byte("ok\n"))
	return err
}

func (s *server) notFound(w http.ResponseWriter, r *http.Request) error {
	return badge.NotFoundf("page.not_found", "no route for %s %s", r.Method, r.URL.Path)
}

// writeDoc writes a document with its media type. Public documents may be
// cached briefly; status lists change on revocation, so not for long.
func writeDoc(w http.ResponseWriter, contentType string, maxAge string, body []byte) error {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "public, max-age="+maxAge)
	// Verifiers in browsers fetch these documents from other origins.
	h.Set("Access-Control-Allow-Origin", "*")
	_, err := w.Write(body)
	return err
}

func (s *server) didDocument(w http.ResponseWriter, r *http.Request) error {
	doc, err := s.svc.DIDDocument(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	ct := httpx.Negotiate(r.Header.Get("Accept"), "application/did+json", "application/json")
	return writeDoc(w, ct, "300", doc)
}

func (s *server) issuerProfile(w http.ResponseWriter, r *http.Request) error {
	doc, err := s.svc.IssuerProfile(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	ct := httpx.Negotiate(r.Header.Get("Accept"), "application/ld+json", "application/json")
	return writeDoc(w, ct, "300", doc)
}

func (s *server) statusList(w http.ResponseWriter, r *http.Request) error {
	purpose := r.PathValue("purpose")
	if purpose != status.PurposeRevocation && purpose != status.PurposeSuspension {
		return badge.NotFoundf("status.purpose_unknown", "no status list for purpose %q", purpose)
	}
	doc, err := s.svc.StatusList(r.Context(), r.PathValue("slug"), purpose)
	if err != nil {
		return err
	}
	return writeDoc(w, "application/vc+ld+json", "60", doc)
}

func (s *server) revocationList(w http.ResponseWriter, r *http.Request) error {
	doc, err := s.svc.RevocationList(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	return writeDoc(w, "application/ld+json", "60", doc)
}

// issuerEndorsement is one current endorsement (accepted, not withdrawn)
// of an issuer or of one of its badges, as the issuer's page shows it.
type issuerEndorsement struct {
	*store.Endorsement
	Date string // when the endorser signed it, in the page's language
}

// issuerEndorsements lists what the issuer's page shows under
// Endorsements: the issuer's own first, then its badges'.
func (s *server) issuerEndorsements(r *http.Request, issuerID string) ([]issuerEndorsement, error) {
	es, err := s.db.CurrentEndorsements(r.Context(), issuerID)
	if err != nil {
		return nil, err
	}
	lang := locale.Negotiate(r)
	out := make([]issuerEndorsement, len(es))
	for i, e := range es {
		out[i] = issuerEndorsement{Endorsement: e, Date: formatDate(lang, e.CreatedAt)}
	}
	return out, nil
}

func (s *server) issuerImage(w http.ResponseWriter, r *http.Request) error {
	iss, err := s.db.GetIssuerBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	return s.serveBlob(w, r, iss.ImageKey)
}

func (s *server) badgeImage(w http.ResponseWriter, r *http.Request) error {
	iss, err := s.db.GetIssuerBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	b, err := s.db.GetBadgeBySlug(r.Context(), iss.ID, r.PathValue("badge"))
	if err != nil {
		return err
	}
	return s.serveBlob(w, r, b.ImageKey)
}

package web

import (
	"errors"
	"io"
	"net/http"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/blob"
)

// serveBlob serves a stored file with its content type, ETag and range
// support. Only types we store on purpose are served inline; anything else
// is an attachment, so an uploaded file cannot run as a page on our origin.
func (s *server) serveBlob(w http.ResponseWriter, r *http.Request, key string) error {
	if key == "" || s.blobs == nil {
		return badge.NotFoundf("blob.none", "no file")
	}
	rc, info, err := s.blobs.Get(r.Context(), key)
	if errors.Is(err, blob.ErrNotFound) {
		return badge.NotFoundf("blob.not_found", "file %s not found", key)
	}
	if err != nil {
		return badge.Internalf(err, "open file %s", key)
	}
	defer rc.Close()
	rs, ok := rc.(io.ReadSeeker)
	if !ok {
		return badge.Internalf(errors.New("blob reader is not seekable"), "serve file %s", key)
	}
	h := w.Header()
	ct := info.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	switch ct {
	case "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf":
	case "image/svg+xml":
		// An SVG opened directly is a document: forbid its scripts.
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	default:
		h.Set("Content-Disposition", "attachment")
	}
	if info.SHA256 != "" {
		h.Set("ETag", `"`+info.SHA256+`"`)
	}
	h.Set("Cache-Control", "public, max-age=3600")
	http.ServeContent(w, r, "", info.Modified, rs)
	return nil
}

package web

import "github.com/sceau/sceau/internal/httpx"

// recipientRoutes are the recipient's and appraiser's pages (issue 5):
// claim, portfolio, public pages, verification page.
func (s *server) recipientRoutes(a func(pattern string, fn httpx.HandlerFunc)) {
}

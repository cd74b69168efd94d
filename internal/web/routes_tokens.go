package web

import "github.com/sceau/sceau/internal/httpx"

// tokenRoutes are the workspace pages managing API tokens and webhooks
// (issue 7).
func (s *server) tokenRoutes(a func(pattern string, fn httpx.HandlerFunc)) {
}

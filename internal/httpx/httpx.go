// Package httpx holds Sceau's HTTP plumbing: handlers that return errors
// and the one adapter that renders them (DESIGN.md, conventions 3 and 4),
// security headers, body limits and content negotiation.
package httpx

import (
	"encoding/json"
	"errors"
	"html/template"
	"log/slog"
	"net"
	"net/http"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/locale"
)

// HandlerFunc is an HTTP handler that returns an error instead of writing
// one; Handle renders it. A handler that has started writing its response
// must return nil (or accept that the error is only logged).
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// statusOf is the one table from error kinds to HTTP statuses.
var statusOf = map[badge.Kind]int{
	badge.NotFound:     http.StatusNotFound,
	badge.Invalid:      http.StatusBadRequest,
	badge.Conflict:     http.StatusConflict,
	badge.Unauthorized: http.StatusUnauthorized,
	badge.Forbidden:    http.StatusForbidden,
	badge.Limited:      http.StatusTooManyRequests,
	badge.Internal:     http.StatusInternalServerError,
}

// Status returns the HTTP status for err. A body over the limit set by
// LimitBody is 413 whatever wraps it.
func Status(err error) int {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return http.StatusRequestEntityTooLarge
	}
	if s, ok := statusOf[badge.ErrorKind(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Handle adapts h to an http.Handler: an error becomes a status from the
// table, a translated page or a JSON object (by Accept), and a log line
// with the cause. Users never see the cause of a 500.
func Handle(logger *slog.Logger, h HandlerFunc) http.Handler {
	if logger == nil {
		logger = slog.Default()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		WriteError(w, r, logger, err)
	})
}

// errorBody is the JSON form of an error.
type errorBody struct {
	Error   string `json:"error"`
	Code    string `json:"code,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// WriteError logs err and writes its rendering.
func WriteError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	status := Status(err)
	kind := badge.ErrorKind(err)
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	logger.Log(r.Context(), level, "request failed", "method", r.Method, "path", r.URL.Path,
		"status", status, "kind", kind.String(), "err", err)

	lang := locale.Negotiate(r)
	msgKey := "error." + kind.String()
	if status == http.StatusRequestEntityTooLarge {
		msgKey = "error.too_large"
	}
	msg := locale.T(lang, msgKey)
	body := errorBody{Error: kind.String(), Message: msg}
	var be *badge.Error
	// Invalid and conflict messages are written for users (they name the
	// field at fault); other kinds keep the generic translated text.
	if errors.As(err, &be) && status < 500 {
		body.Code, body.Field = be.Code, be.Field
		if kind == badge.Invalid || kind == badge.Conflict {
			body.Message = be.Message
		}
	}
	h := w.Header()
	h.Del("Content-Disposition")
	h.Del("ETag")
	h.Del("Last-Modified")
	h.Set("Cache-Control", "no-store")
	if PreferJSON(r) {
		h.Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(body)
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := errorPage.Execute(w, errorPageData{Lang: lang, Status: status, Title: locale.T(lang, "error.title"),
		Message: body.Message, Home: locale.T(lang, "error.back_home")}); err != nil {
		logger.Error("render error page", "err", err)
	}
}

type errorPageData struct {
	Lang          string
	Status        int
	Title         string
	Message, Home string
}

// errorPage is self-contained but for the site stylesheet (web serves it):
// inline styles would be refused by our own Content-Security-Policy.
var errorPage = template.Must(template.New("error").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Status}} — {{.Title}}</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<main>
<h1 id="error-title">{{.Title}} {{.Status}}</h1>
<p id="error-message">{{.Message}}</p>
<p><a href="/">{{.Home}}</a></p>
</main>
</body>
</html>
`))

// PreferJSON reports whether the client asked for JSON rather than HTML.
func PreferJSON(r *http.Request) bool {
	return Negotiate(r.Header.Get("Accept"), "text/html", "application/json") == "application/json"
}

// SecurityHeaders sets the headers every response carries: a strict
// content security policy (our pages load only their own resources and
// inline styles are not needed), no MIME sniffing, no framing, and no
// referrer leaking a badge URL to other sites' full paths.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// LimitBody caps request bodies at n bytes; reading past the cap fails
// with *http.MaxBytesError, which the adapter renders as 413.
func LimitBody(n int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, n)
		}
		next.ServeHTTP(w, r)
	})
}

// ClientIP is the address rate limits count: the connection's peer.
// Forwarded headers are not trusted, since anyone can send them. Behind a
// reverse proxy every client shares the proxy's address, which only makes
// per-IP limits stricter; per-account limits do the finer work.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

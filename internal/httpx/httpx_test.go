package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sceau/sceau/internal/badge"
)

func TestHandleErrorTable(t *testing.T) {
	secret := errors.New("dial tcp 10.0.0.5:5432: connection refused")
	tests := []struct {
		name       string
		err        error
		status     int
		jsonMsg    string
		hideDetail bool
	}{
		{"not found", fmt.Errorf("award x: %w", badge.NotFoundf("award.not_found", "award x not found")), 404, "Page not found.", false},
		{"invalid shows its message", badge.Invalidf("format", "bake.format_invalid", "format must be png or svg"), 400, "format must be png or svg", false},
		{"conflict", badge.Conflictf("slug", "issuer.slug_taken", "slug taken"), 409, "slug taken", false},
		{"unauthorized", badge.Unauthorizedf("auth.required", "sign in"), 401, "Please sign in.", false},
		{"forbidden", badge.Forbiddenf("auth.forbidden", "no"), 403, "Access denied.", false},
		{"classified internal", badge.Internalf(secret, "open db"), 500, "An internal error occurred. Please try again later.", true},
		{"unclassified", secret, 500, "An internal error occurred. Please try again later.", true},
		{"body too large", fmt.Errorf("read form: %w", &http.MaxBytesError{Limit: 10}), 413, "The content sent is too large.", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs strings.Builder
			logger := slog.New(slog.NewTextHandler(&logs, nil))
			h := Handle(logger, func(w http.ResponseWriter, r *http.Request) error { return tc.err })
			for _, accept := range []string{"application/json", "text/html"} {
				rec := httptest.NewRecorder()
				req := httptest.NewRequest("GET", "/x", nil)
				req.Header.Set("Accept", accept)
				req.Header.Set("Accept-Language", "en")
				h.ServeHTTP(rec, req)
				if rec.Code != tc.status {
					t.Fatalf("%s: status %d, want %d", accept, rec.Code, tc.status)
				}
				body := rec.Body.String()
				if tc.hideDetail && strings.Contains(body, "10.0.0.5") {
					t.Errorf("%s: cause leaked to the user: %s", accept, body)
				}
				if accept == "application/json" {
					var b errorBody
					if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
						t.Fatalf("json: %v: %s", err, body)
					}
					if b.Message != tc.jsonMsg {
						t.Errorf("message %q, want %q", b.Message, tc.jsonMsg)
					}
				} else if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, fmt.Sprint(tc.status)) {
					t.Errorf("html page: %s", body)
				}
			}
			if !strings.Contains(logs.String(), "status="+fmt.Sprint(tc.status)) {
				t.Errorf("not logged: %s", logs.String())
			}
			if tc.hideDetail && !strings.Contains(logs.String(), "10.0.0.5") {
				t.Errorf("cause not logged: %s", logs.String())
			}
		})
	}
}

func TestHandleFrenchErrorPage(t *testing.T) {
	h := Handle(slog.New(slog.NewTextHandler(io.Discard, nil)), func(w http.ResponseWriter, r *http.Request) error {
		return badge.NotFoundf("x", "x")
	})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/x", nil)
	req.Header.Set("Accept-Language", "fr-CA")
	h.ServeHTTP(rec, req)
	if body := rec.Body.String(); !strings.Contains(body, `lang="fr"`) || !strings.Contains(body, "Page introuvable.") {
		t.Errorf("page: %s", body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	h := SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	for k, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "strict-origin-when-cross-origin",
	} {
		if got := rec.Header().Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
}

func TestLimitBody(t *testing.T) {
	h := LimitBody(8, Handle(slog.New(slog.NewTextHandler(io.Discard, nil)), func(w http.ResponseWriter, r *http.Request) error {
		if _, err := io.ReadAll(r.Body); err != nil {
			return fmt.Errorf("read body: %w", err)
		}
		return nil
	}))
	for _, tc := range []struct {
		name   string
		body   string
		status int
	}{{"under", "12345678", 200}, {"over", "123456789", 413}} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", "/", strings.NewReader(tc.body)))
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
		})
	}
}

func TestNegotiate(t *testing.T) {
	offers := []string{"text/html", "application/vc+ld+json", "application/ld+json", "application/json", "application/vc+jwt"}
	tests := []struct{ name, accept, want string }{
		{"empty", "", "text/html"},
		{"browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"},
		{"anything", "*/*", "text/html"},
		{"vc", "application/vc+ld+json", "application/vc+ld+json"},
		{"json", "application/json", "application/json"},
		{"json over html by q", "text/html;q=0.5, application/json", "application/json"},
		{"jwt", "application/vc+jwt", "application/vc+jwt"},
		{"case and spaces", " Application/JSON ; q=1 ", "application/json"},
		{"application wildcard", "application/*", "application/vc+ld+json"},
		{"refused html", "text/html;q=0, application/*;q=0.1", "application/vc+ld+json"},
		{"specific beats wildcard at same q", "*/*;q=0.5, application/ld+json;q=0.5", "application/ld+json"},
		{"unknown only", "image/png", "text/html"},
		{"malformed", "/;q=,,;;", "text/html"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Negotiate(tc.accept, offers...); got != tc.want {
				t.Errorf("Negotiate(%q) = %q, want %q", tc.accept, got, tc.want)
			}
		})
	}
}

func FuzzNegotiate(f *testing.F) {
	for _, s := range []string{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/json", "*/*;q=0.5, a/b;q=1e400", ""} {
		f.Add(s)
	}
	offers := []string{"text/html", "application/json"}
	f.Fuzz(func(t *testing.T, accept string) {
		got := Negotiate(accept, offers...)
		if got != offers[0] && got != offers[1] {
			t.Fatalf("Negotiate returned %q", got)
		}
		if len(parseAccept(accept)) > maxAcceptRanges {
			t.Fatal("too many ranges")
		}
	})
}

package api

import (
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/store/storetest"
)

// documentedRoutes are the operations of routes.go (both APIs): the
// document must describe exactly these.
var documentedRoutes = []string{
	"GET /api/vc/issuer",
	"POST /api/vc/credentials/issue",
	"POST /api/vc/credentials/verify",
	"POST /api/vc/presentations/verify",
	"GET /api/vc/status/{key}/{purpose}",
	"POST /api/v1/awards",
	"GET /api/v1/awards",
	"GET /api/v1/awards/{id}",
	"POST /api/v1/awards/{id}/revoke",
	"GET /api/v1/badges",
}

func TestOpenAPIDocument(t *testing.T) {
	f := newIntFixture(t, storetest.SQLite(t))
	r := f.call(t, "GET", OpenAPIPath, "", "")
	if r.code != 200 {
		t.Fatalf("%d", r.code)
	}
	var doc struct {
		OpenAPI    string                                `json:"openapi"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas    map[string]json.RawMessage `json:"schemas"`
			Responses  map[string]json.RawMessage `json:"responses"`
			Parameters map[string]json.RawMessage `json:"parameters"`
		} `json:"components"`
	}
	r.json(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.0.") {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	var ops []string
	for p, methods := range doc.Paths {
		for m := range methods {
			ops = append(ops, strings.ToUpper(m)+" "+p)
		}
	}
	sort.Strings(ops)
	want := append([]string(nil), documentedRoutes...)
	sort.Strings(want)
	if strings.Join(ops, "\n") != strings.Join(want, "\n") {
		t.Errorf("operations in the document:\n%s\nwant:\n%s", strings.Join(ops, "\n"), strings.Join(want, "\n"))
	}
	// Every $ref resolves.
	for _, m := range regexp.MustCompile(`"\$ref": *"#/components/(\w+)/(\w+)"`).FindAllStringSubmatch(string(r.body), -1) {
		var ok bool
		switch m[1] {
		case "schemas":
			_, ok = doc.Components.Schemas[m[2]]
		case "responses":
			_, ok = doc.Components.Responses[m[2]]
		case "parameters":
			_, ok = doc.Components.Parameters[m[2]]
		}
		if !ok {
			t.Errorf("dangling $ref %s/%s", m[1], m[2])
		}
	}
	// Every documented integration operation is routed and asks for a
	// token (the catch-all would answer 404).
	for _, op := range documentedRoutes {
		method, path, _ := strings.Cut(op, " ")
		if !strings.HasPrefix(path, IntegrationPrefix) {
			continue
		}
		path = strings.ReplaceAll(path, "{id}", unknownID)
		if r := f.call(t, method, path, "", ""); r.code != http.StatusUnauthorized {
			t.Errorf("%s: %d %s, want 401 (routed, authenticated)", op, r.code, r.body)
		}
	}
}

func TestDocsPage(t *testing.T) {
	f := newIntFixture(t, storetest.SQLite(t))
	for _, tc := range []struct {
		acceptLanguage, lang, summary string
	}{
		{"fr-CA,fr;q=0.9", "fr", "Décerner un badge"},
		{"en-GB", "en", "Award a badge"},
		{"", "fr", "Décerner un badge"},
	} {
		t.Run(tc.lang+" "+tc.acceptLanguage, func(t *testing.T) {
			req := httptest.NewRequest("GET", DocsPath, nil)
			req.Header.Set("Accept-Language", tc.acceptLanguage)
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)
			page := rec.Body.String()
			if rec.Code != 200 || rec.Header().Get("Content-Language") != tc.lang || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
				t.Fatalf("%d %v", rec.Code, rec.Header())
			}
			for _, want := range []string{`<html lang="` + tc.lang + `">`, tc.summary, html.EscapeString(locale.T(tc.lang, "apidocs.title")),
				`id="createAward"`, `id="revokeAward"`, `id="vcIssue"`, `id="webhooks"`, "Sceau-Signature", `id="schema-AwardRequest"`,
				`<a href="#schema-Award">Award</a>`, "Idempotency-Key"} {
				if !strings.Contains(page, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			// The Content-Security-Policy forbids inline scripts and styles.
			for _, banned := range []string{"<script", "<style", " style=", "http://", "https://cdn"} {
				if strings.Contains(page, banned) {
					t.Errorf("page contains %q", banned)
				}
			}
			if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
				t.Errorf("CSP %q", csp)
			}
		})
	}
}

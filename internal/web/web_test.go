package web

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sceau/sceau/did"
	"github.com/sceau/sceau/internal/accounts"
	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/blob"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/keys"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
	"github.com/sceau/sceau/verify"
)

const testBase = "https://badges.example.org"

type fixture struct {
	svc   *issuing.Service
	db    *store.DB
	acc   *accounts.Service
	mail  *mailbox
	srv   *httptest.Server
	award *badge.Award
	email string
	now   time.Time
}

func pngImage(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for i := range 16 {
		img.Set(i, i, color.RGBA{200, 30, 30, 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// newFixture builds the server on a fresh SQLite store.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureOn(t, storetest.SQLite(t))
}

// newFixtureOn builds the server on db (a migrated, empty store) with one
// issuer, one PNG badge and one award.
func newFixtureOn(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	blobs, err := blob.NewDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	master, err := keys.NewMasterKey(bytes.Repeat([]byte{7}, 32), "test")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{now: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), email: "marie.tremblay@exemple.ca", db: db, mail: &mailbox{}}
	clock := func() time.Time { return f.now }
	db.SetClock(clock)
	announce := func(ctx context.Context, tx *sql.Tx, a *badge.Award, _, _ string) error {
		if a.Recipient.Email == "" {
			return nil
		}
		return f.mail.put("award", a.Recipient.Email, testBase+"/awards/"+a.ID)
	}
	f.svc, err = issuing.New(issuing.Config{Store: db, Blobs: blobs, Master: master, BaseURL: testBase, Now: clock, Announce: announce})
	if err != nil {
		t.Fatal(err)
	}
	iss := &badge.Issuer{Slug: "cssdm", Name: "Centre de services scolaire", URL: "https://cssdm.example.org", Language: "fr"}
	if err := f.svc.CreateIssuer(ctx, iss); err != nil {
		t.Fatal(err)
	}
	info, err := blobs.PutAddressed(ctx, "images", bytes.NewReader(pngImage(t)), "image/png")
	if err != nil {
		t.Fatal(err)
	}
	b := &badge.Badge{IssuerID: iss.ID, Slug: "secourisme", Name: "Secourisme", Description: "Premiers soins en milieu scolaire.",
		CriteriaNarrative: "Réussir la formation de 16 heures.", Language: "fr", ImageKey: info.Key, ImageType: "image/png"}
	if err := f.svc.CreateBadge(ctx, b); err != nil {
		t.Fatal(err)
	}
	f.award, err = f.svc.Award(ctx, issuing.AwardInput{BadgeID: b.ID, Email: f.email, Name: "Marie T.",
		Evidence: []badge.Evidence{{URL: "https://exemple.ca/attestation.pdf", Name: "Attestation"}}})
	if err != nil {
		t.Fatal(err)
	}
	f.acc, err = accounts.New(accounts.Config{DB: db, Notifier: f.mail, BaseURL: testBase, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Options{Service: f.svc, Accounts: f.acc, Store: db, Blobs: blobs, BaseURL: testBase, Now: clock,
		Attestations: AttestationOptions{IssuerSlug: "cssdm", Notifier: sentAttestations},
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	// TLS, as the base URL: the session cookie is Secure.
	f.srv = httptest.NewTLSServer(h)
	t.Cleanup(f.srv.Close)
	return f
}

// get fetches path from the test server with the given headers.
func (f *fixture) get(t *testing.T, path string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", f.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// fetcher maps the public base URL onto the test server, so that the
// verifier fetches DID documents and status lists over HTTP from us.
func (f *fixture) fetcher() did.Fetcher {
	return did.FetcherFunc(func(ctx context.Context, u string) ([]byte, error) {
		rest, ok := strings.CutPrefix(u, testBase)
		if !ok {
			return nil, fmt.Errorf("unexpected fetch %s", u)
		}
		req, err := http.NewRequestWithContext(ctx, "GET", f.srv.URL+rest, nil)
		if err != nil {
			return nil, err
		}
		resp, err := f.srv.Client().Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
		}
		return io.ReadAll(resp.Body)
	})
}

func (f *fixture) verify(t *testing.T, input []byte) *verify.Report {
	t.Helper()
	return verify.Verify(context.Background(), input, verify.Options{Fetcher: f.fetcher(), Now: f.now.Add(time.Hour)})
}

func expectVerdict(t *testing.T, r *verify.Report, want verify.Verdict) {
	t.Helper()
	if r.Verdict != want {
		var b strings.Builder
		for _, c := range r.Checks {
			fmt.Fprintf(&b, "\n  %s %s %v", c.Code, c.Outcome, c.Detail)
		}
		t.Fatalf("verdict %s, want %s (reason %v)%s", r.Verdict, want, r.Reason, b.String())
	}
}

// byID returns the text content of the element with the given id (tags
// stripped), or "" when there is none. It assumes, as our templates do,
// that an element with an id holds no element of its own tag name.
func byID(page, id string) string {
	m := regexp.MustCompile(`<(\w+)[^>]*\bid="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindStringSubmatchIndex(page)
	if m == nil {
		return ""
	}
	rest := page[m[1]:]
	end := strings.Index(rest, "</"+page[m[2]:m[3]]+">")
	if end < 0 {
		return ""
	}
	text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(rest[:end], "")
	return strings.Join(strings.Fields(text), " ")
}

func TestBakedPNGOverHTTPVerifies(t *testing.T) {
	storetest.ForEach(t, testBakedPNGOverHTTPVerifies)
}

func testBakedPNGOverHTTPVerifies(t *testing.T, db *store.DB) {
	f := newFixtureOn(t, db)
	resp, baked := f.get(t, "/awards/"+f.award.ID+"/badge.png")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("GET badge.png: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	expectVerdict(t, f.verify(t, baked), verify.Valid)

	if err := f.svc.Revoke(context.Background(), f.award.ID, "erreur de saisie"); err != nil {
		t.Fatal(err)
	}
	expectVerdict(t, f.verify(t, baked), verify.Revoked)

	resp, svg := f.get(t, "/awards/"+f.award.ID+"/badge.svg")
	if resp.StatusCode != 404 && resp.StatusCode != 400 {
		// A PNG badge image cannot be baked into SVG: a clear client error,
		// never a 500.
		t.Errorf("GET badge.svg of a PNG badge: %s %.200s", resp.Status, svg)
	}
}

func TestAwardPage(t *testing.T) { storetest.ForEach(t, testAwardPage) }

func testAwardPage(t *testing.T, db *store.DB) {
	f := newFixtureOn(t, db)
	path := "/awards/" + f.award.ID
	tests := []struct {
		name, acceptLang, lang, statusLabel, heading string
	}{
		{"French (Canada)", "fr-CA,fr;q=0.9", "fr", "Actif", "Critères d'obtention"},
		{"English", "en", "en", "Active", "Criteria"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.get(t, path, "Accept", "text/html,application/xhtml+xml,*/*;q=0.8", "Accept-Language", tc.acceptLang)
			page := string(body)
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("%s %s", resp.Status, resp.Header.Get("Content-Type"))
			}
			if !strings.Contains(page, `<html lang="`+tc.lang+`">`) {
				t.Errorf("html lang not %s", tc.lang)
			}
			if got := byID(page, "badge-name"); got != "Secourisme" {
				t.Errorf("badge-name %q", got)
			}
			if got := byID(page, "award-status"); !strings.Contains(got, tc.statusLabel) {
				t.Errorf("award-status %q, want %q", got, tc.statusLabel)
			}
			if got := byID(page, "h-criteria"); got != html(tc.heading) {
				t.Errorf("h-criteria %q, want %q", got, tc.heading)
			}
			if got := byID(page, "recipient-name"); got != "Marie T." {
				t.Errorf("recipient-name %q", got)
			}
			for _, id := range []string{"download-png", "download-svg", "download-json", "download-jwt", "lang-switch"} {
				if byID(page, id) == "" {
					t.Errorf("no #%s", id)
				}
			}
			// Private data never reaches the public page.
			for _, secret := range []string{f.email, "marie.tremblay", f.award.Recipient.IdentityHash,
				strings.TrimPrefix(f.award.Recipient.IdentityHash, "sha256$"), f.award.Recipient.Salt} {
				if secret != "" && strings.Contains(page, secret) {
					t.Errorf("page contains private data %q", secret)
				}
			}
		})
	}

	t.Run("lang query overrides header", func(t *testing.T) {
		_, body := f.get(t, path+"?lang=en", "Accept-Language", "fr")
		if !strings.Contains(string(body), `<html lang="en">`) {
			t.Error("lang=en ignored")
		}
	})

	t.Run("revoked", func(t *testing.T) {
		if err := f.svc.Revoke(context.Background(), f.award.ID, "erreur de saisie"); err != nil {
			t.Fatal(err)
		}
		_, body := f.get(t, path, "Accept-Language", "en")
		page := string(body)
		if got := byID(page, "award-status"); !strings.Contains(got, "Revoked") {
			t.Errorf("award-status %q", got)
		}
		if got := byID(page, "status-reason"); !strings.Contains(got, "erreur de saisie") {
			t.Errorf("status-reason %q", got)
		}
	})
}

// html escapes what html/template escapes in text, for comparisons.
func html(s string) string { return strings.ReplaceAll(s, "'", "&#39;") }

func TestAwardNegotiation(t *testing.T) { storetest.ForEach(t, testAwardNegotiation) }

func testAwardNegotiation(t *testing.T, db *store.DB) {
	f := newFixtureOn(t, db)
	path := "/awards/" + f.award.ID
	tests := []struct {
		name, path, accept, wantType string
		want                         []byte
	}{
		{"vc+ld+json", path, "application/vc+ld+json", "application/vc+ld+json", f.award.Credential},
		{"ld+json", path, "application/ld+json", "application/ld+json", f.award.Credential},
		{"json", path, "application/json", "application/json", f.award.Credential},
		{"json preferred by q", path, "text/html;q=0.4, application/json", "application/json", f.award.Credential},
		{"vc+jwt", path, "application/vc+jwt", "application/vc+jwt", []byte(f.award.CredentialJWT)},
		{"jwt", path, "application/jwt", "application/jwt", []byte(f.award.CredentialJWT)},
		{"credential.json", path + "/credential.json", "", "application/vc+ld+json", f.award.Credential},
		{"credential.jwt", path + "/credential.jwt", "", "application/vc+jwt", []byte(f.award.CredentialJWT)},
	}
	if f.award.CredentialJWT == "" {
		t.Fatal("fixture award has no JWT")
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.get(t, tc.path, "Accept", tc.accept)
			if resp.StatusCode != 200 {
				t.Fatalf("status %s", resp.Status)
			}
			if ct := resp.Header.Get("Content-Type"); ct != tc.wantType {
				t.Errorf("Content-Type %q, want %q", ct, tc.wantType)
			}
			if !bytes.Equal(body, tc.want) {
				t.Errorf("body differs from the stored credential:\n%.300s", body)
			}
		})
	}
}

func TestIssuerDocuments(t *testing.T) { storetest.ForEach(t, testIssuerDocuments) }

func testIssuerDocuments(t *testing.T, db *store.DB) {
	f := newFixtureOn(t, db)
	tests := []struct {
		name, path, accept, wantType, contains string
		status                                 int
	}{
		{"did document", "/issuers/cssdm/did.json", "", "application/did+json", `"did:web:badges.example.org:issuers:cssdm"`, 200},
		{"did document as json", "/issuers/cssdm/did.json", "application/json", "application/json", `"verificationMethod"`, 200},
		{"profile", "/issuers/cssdm", "", "application/ld+json", `"Profile"`, 200},
		{"revocation status list", "/issuers/cssdm/status/revocation", "", "application/vc+ld+json", `"BitstringStatusListCredential"`, 200},
		{"revocation list", "/issuers/cssdm/revocations", "", "application/ld+json", `"1EdTechRevocationList"`, 200},
		{"badge image", "/issuers/cssdm/badges/secourisme/image", "", "image/png", "\x89PNG", 200},
		{"healthz", "/healthz", "", "text/plain; charset=utf-8", "ok", 200},
		{"unknown purpose", "/issuers/cssdm/status/other", "application/json", "application/json; charset=utf-8", `"not_found"`, 404},
		{"unknown issuer", "/issuers/nobody/did.json", "application/json", "application/json; charset=utf-8", `"not_found"`, 404},
		{"issuer without image", "/issuers/cssdm/image", "application/json", "application/json; charset=utf-8", `"not_found"`, 404},
		{"unknown award", "/awards/0b7c3f5e-2d1a-4c6b-9e8f-1a2b3c4d5e6f", "text/html", "text/html; charset=utf-8", "Page introuvable.", 404},
		{"malformed award id", "/awards/..%2f..%2fetc", "text/html", "text/html; charset=utf-8", "Page introuvable.", 404},
		{"unknown award png", "/awards/0b7c3f5e-2d1a-4c6b-9e8f-1a2b3c4d5e6f/badge.png", "", "text/html; charset=utf-8", "Page introuvable.", 404},
		{"no evidence file", "/awards/" + f.award.ID + "/evidence/1", "application/json", "application/json; charset=utf-8", `"not_found"`, 404},
		{"unknown route", "/nothing/here", "", "text/html; charset=utf-8", "Page introuvable.", 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.get(t, tc.path, "Accept", tc.accept)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %.300s", resp.StatusCode, tc.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != tc.wantType {
				t.Errorf("Content-Type %q, want %q", ct, tc.wantType)
			}
			if !strings.Contains(string(body), tc.contains) {
				t.Errorf("body lacks %q: %.300s", tc.contains, body)
			}
			for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"} {
				if got := resp.Header.Get(k); got != want {
					t.Errorf("%s = %q", k, got)
				}
			}
			if !strings.HasPrefix(resp.Header.Get("Content-Security-Policy"), "default-src") {
				t.Errorf("no CSP")
			}
		})
	}
}

func TestNewRequiresDependencies(t *testing.T) {
	if _, err := New(Options{}); err == nil {
		t.Fatal("New accepted empty options")
	}
}

package web

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/sceau/sceau/did"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
	"github.com/sceau/sceau/verify"
)

func TestVerifyPage(t *testing.T) { storetest.ForEach(t, testVerifyPage) }

func testVerifyPage(t *testing.T, db *store.DB) {
	f := newFixtureOn(t, db)
	path := "/awards/" + f.award.ID + "/verify"
	acceptHTML := "text/html,application/xhtml+xml,*/*;q=0.8"

	t.Run("button on the badge page", func(t *testing.T) {
		for _, tc := range []struct{ lang, label string }{{"fr", "Vérifier ce badge"}, {"en", "Verify this badge"}} {
			_, body := f.get(t, "/awards/"+f.award.ID, "Accept", acceptHTML, "Accept-Language", tc.lang)
			page := string(body)
			if got := byID(page, "verify-button"); got != tc.label {
				t.Errorf("%s: verify-button %q, want %q", tc.lang, got, tc.label)
			}
			if !strings.Contains(page, `action="/awards/`+f.award.ID+`/verify"`) {
				t.Errorf("%s: verify form does not point at %s", tc.lang, path)
			}
		}
	})

	// checkPage asserts the page's language, verdict and checks.
	checkPage := func(t *testing.T, acceptLang, lang, verdict, verdictText, heading, passLabel string) {
		t.Helper()
		resp, body := f.get(t, path, "Accept", acceptHTML, "Accept-Language", acceptLang)
		page := string(body)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s %s %.300s", resp.Status, resp.Header.Get("Content-Type"), page)
		}
		if resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q", resp.Header.Get("Cache-Control"))
		}
		if !strings.Contains(page, `<html lang="`+lang+`">`) {
			t.Errorf("html lang not %s", lang)
		}
		if !strings.Contains(page, `id="verdict" class="verdict verdict-`+verdict+`" data-verdict="`+verdict+`"`) {
			t.Errorf("no #verdict with data-verdict=%q", verdict)
		}
		if got := byID(page, "verdict"); got != html(verdictText) {
			t.Errorf("verdict text %q, want %q", got, verdictText)
		}
		if byID(page, "verdict-reason") == "" {
			t.Error("no verdict reason")
		}
		if got := byID(page, "h-checks"); got != heading {
			t.Errorf("h-checks %q, want %q", got, heading)
		}
		// The verdict comes before the checks.
		if strings.Index(page, `id="verdict"`) > strings.Index(page, `id="checks"`) {
			t.Error("verdict after the checks")
		}
		for _, code := range []verify.Code{verify.CodeProof, verify.CodeIssuerKey, verify.CodeStatus} {
			if !strings.Contains(page, `data-code="`+string(code)+`"`) {
				t.Errorf("check %s not shown", code)
			}
		}
		if !strings.Contains(page, passLabel) {
			t.Errorf("no %q outcome label", passLabel)
		}
	}

	t.Run("active French", func(t *testing.T) {
		checkPage(t, "fr-CA,fr;q=0.9", "fr", "valid", "Ce badge est valide.", "Contrôles effectués", "Réussi")
	})
	t.Run("active English", func(t *testing.T) {
		checkPage(t, "en", "en", "valid", "This badge is valid.", "Checks performed", "Passed")
	})

	tests := []struct {
		name, accept, query string
	}{
		{"Accept application/json", "application/json", ""},
		{"json preferred by q", "text/html;q=0.5, application/json", ""},
		{"format=json", "text/html", "?format=json"},
	}
	for _, tc := range tests {
		t.Run("JSON "+tc.name, func(t *testing.T) {
			resp, body := f.get(t, path+tc.query, "Accept", tc.accept)
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("%s %s", resp.Status, resp.Header.Get("Content-Type"))
			}
			var rep verify.Report
			if err := json.Unmarshal(body, &rep); err != nil {
				t.Fatal(err)
			}
			expectVerdict(t, &rep, verify.Valid)
			if c := rep.Check(verify.CodeStatus); c == nil || c.Outcome != verify.Pass {
				t.Errorf("status check %+v, want pass (fetched in-process)", c)
			}
		})
	}

	// Suspension is recorded here; the credential (one revocation entry,
	// the default) cannot say it, so the server's own answer does.
	t.Run("suspended then reinstated", func(t *testing.T) {
		ctx := context.Background()
		if err := f.svc.Suspend(ctx, f.award.ID, "vérification en cours"); err != nil {
			t.Fatal(err)
		}
		checkPage(t, "en", "en", "suspended", "This badge is suspended by its issuer.", "Checks performed", "Passed")
		_, body := f.get(t, path, "Accept", "application/json")
		var rep verify.Report
		if err := json.Unmarshal(body, &rep); err != nil {
			t.Fatal(err)
		}
		expectVerdict(t, &rep, verify.Suspended)
		if rep.StatusReason != "vérification en cours" {
			t.Errorf("status reason %q", rep.StatusReason)
		}
		if err := f.svc.Reinstate(ctx, f.award.ID, "vérifié"); err != nil {
			t.Fatal(err)
		}
		checkPage(t, "fr", "fr", "valid", "Ce badge est valide.", "Contrôles effectués", "Réussi")
	})

	t.Run("revoked", func(t *testing.T) {
		if err := f.svc.Revoke(context.Background(), f.award.ID, "erreur de saisie"); err != nil {
			t.Fatal(err)
		}
		checkPage(t, "en", "en", "revoked", "This badge has been revoked by its issuer.", "Checks performed", "Failed")
		checkPage(t, "fr", "fr", "revoked", "Ce badge a été révoqué par son émetteur.", "Contrôles effectués", "Échoué")
		_, body := f.get(t, path, "Accept", "application/json")
		var rep verify.Report
		if err := json.Unmarshal(body, &rep); err != nil {
			t.Fatal(err)
		}
		expectVerdict(t, &rep, verify.Revoked)
	})

	for _, tc := range []struct{ name, path, accept string }{
		{"unknown award", "/awards/00000000-0000-4000-8000-000000000000/verify", acceptHTML},
		{"not an id", "/awards/nope/verify", acceptHTML},
		{"unknown award JSON", "/awards/00000000-0000-4000-8000-000000000000/verify", "application/json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.get(t, tc.path, "Accept", tc.accept)
			if resp.StatusCode != 404 {
				t.Errorf("status %s, want 404: %.200s", resp.Status, body)
			}
		})
	}
}

// The in-process fetcher serves this server's documents and nothing else.
func TestSelfFetcher(t *testing.T) {
	f := newFixture(t)
	s := &server{svc: f.svc, baseURL: testBase}
	fetch := selfFetcher{s}
	tests := []struct {
		name, url string
		wantErr   error // nil: a document
	}{
		{"DID document", testBase + "/issuers/cssdm/did.json", nil},
		{"revocation status list", testBase + "/issuers/cssdm/status/revocation", nil},
		{"suspension status list", testBase + "/issuers/cssdm/status/suspension", nil},
		{"1EdTech revocation list", testBase + "/issuers/cssdm/revocations", nil},
		{"unknown issuer", testBase + "/issuers/nobody/did.json", did.ErrNotFound},
		{"unknown purpose", testBase + "/issuers/cssdm/status/other", errForeignURL},
		{"other host", "https://evil.example.net/issuers/cssdm/did.json", errForeignURL},
		{"host prefix trick", testBase + ".evil.example.net/issuers/cssdm/did.json", errForeignURL},
		{"plain http", "http://badges.example.org/issuers/cssdm/did.json", errForeignURL},
		{"award page", testBase + "/awards/" + f.award.ID, errForeignURL},
		{"bad slug", testBase + "/issuers/../did.json", errForeignURL},
		{"query", testBase + "/issuers/cssdm/did.json?x=1", errForeignURL},
		{"too deep", testBase + "/issuers/cssdm/status/revocation/x", errForeignURL},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := fetch.Fetch(context.Background(), tc.url)
			if tc.wantErr == nil {
				if err != nil || !json.Valid(doc) {
					t.Fatalf("err %v, valid JSON %v", err, json.Valid(doc))
				}
				return
			}
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("err %v, want %v", err, tc.wantErr)
			}
		})
	}
}

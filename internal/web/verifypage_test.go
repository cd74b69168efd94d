package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/sceau/sceau/bake"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
	"github.com/sceau/sceau/verify"
)

// verdictOf returns the verdict the result page shows (data-verdict).
func verdictOf(page string) string {
	i := strings.Index(page, `id="verdict" class="verdict verdict-`)
	if i < 0 {
		return ""
	}
	rest := page[i:]
	j := strings.Index(rest, `data-verdict="`)
	rest = rest[j+len(`data-verdict="`):]
	return rest[:strings.IndexByte(rest, '"')]
}

func TestVerificationPage(t *testing.T) { storetest.ForEach(t, testVerificationPage) }

func testVerificationPage(t *testing.T, db *store.DB) {
	f := newFixtureOn(t, db)
	_, baked := f.get(t, "/awards/"+f.award.ID+"/badge.png")
	if !bytes.HasPrefix(baked, []byte("\x89PNG")) {
		t.Fatal("no baked PNG")
	}
	upload := func(b *browser, fields map[string]string, file []byte) (int, string) {
		t.Helper()
		var files map[string][2]string
		if file != nil {
			files = map[string][2]string{"file": {"badge.png", string(file)}}
		}
		resp, page := b.postMultipart("/verify", fields, files)
		return resp.StatusCode, page
	}

	t.Run("form in both languages", func(t *testing.T) {
		for _, lang := range []string{"fr", "en"} {
			resp, page := f.browser(t, lang).get("/verify")
			if resp.StatusCode != 200 || byID(page, "verifypage-title") != locale.T(lang, "verifypage.title") {
				t.Fatalf("%s: %s", lang, resp.Status)
			}
			for _, id := range []string{"f-file", "f-text", "f-url", "f-email", "drop-zone", "verify-submit"} {
				if !strings.Contains(page, `id="`+id+`"`) {
					t.Errorf("%s: no #%s", lang, id)
				}
			}
			if !strings.Contains(page, `enctype="multipart/form-data"`) || !strings.Contains(page, `src="/static/portfolio.js"`) {
				t.Errorf("%s: form not multipart or script missing", lang)
			}
		}
		if resp, body := f.get(t, "/static/portfolio.js"); resp.StatusCode != 200 || !bytes.Contains(body, []byte("DataTransfer")) {
			t.Errorf("portfolio.js: %s", resp.Status)
		}
	})

	t.Run("baked PNG valid, with the address", func(t *testing.T) {
		for _, lang := range []string{"fr", "en"} {
			status, page := upload(f.browser(t, lang), map[string]string{"email": "Marie.Tremblay@exemple.ca"}, baked)
			if status != 200 || verdictOf(page) != "valid" {
				t.Fatalf("%s: %d verdict %q %.1500s", lang, status, verdictOf(page), page)
			}
			if byID(page, "verdict") != html(locale.T(lang, "verify.verdict.valid")) || byID(page, "verdict-reason") == "" {
				t.Errorf("%s: verdict text %q", lang, byID(page, "verdict"))
			}
			if byID(page, "report-badge-name") != "Secourisme" || !strings.Contains(byID(page, "report-issuer"), "Centre de services scolaire") {
				t.Errorf("%s: badge %q issuer %q", lang, byID(page, "report-badge-name"), byID(page, "report-issuer"))
			}
			if !strings.Contains(byID(page, "report-recipient"), html(locale.T(lang, "verifypage.recipient_match"))) {
				t.Errorf("%s: recipient %q", lang, byID(page, "report-recipient"))
			}
			if byID(page, "report-criteria") == "" || !strings.Contains(byID(page, "report-evidence"), "Attestation") {
				t.Errorf("%s: criteria or evidence missing", lang)
			}
			// Verdict first, then what it certifies, then the checks.
			v, c, k := strings.Index(page, `id="verdict"`), strings.Index(page, `id="h-certifies"`), strings.Index(page, `id="checks"`)
			if !(v < c && c < k) {
				t.Errorf("%s: order verdict %d, certifies %d, checks %d", lang, v, c, k)
			}
			for _, code := range []verify.Code{verify.CodeFormat, verify.CodeBaked, verify.CodeProof, verify.CodeStatus, verify.CodeRecipient} {
				if !strings.Contains(page, `data-code="`+string(code)+`" data-outcome="pass"`) {
					t.Errorf("%s: check %s not passed", lang, code)
				}
			}
		}
		status, page := upload(f.browser(t, "en"), map[string]string{"email": "someone.else@exemple.ca"}, baked)
		if status != 200 || !strings.Contains(byID(page, "report-recipient"), html(locale.T("en", "verifypage.recipient_mismatch"))) {
			t.Errorf("other address: %d %q", status, byID(page, "report-recipient"))
		}
	})

	t.Run("pasted JSON and JWT, as page and as JSON", func(t *testing.T) {
		b := f.browser(t, "fr")
		for name, text := range map[string]string{"json": string(f.award.Credential), "jwt": f.award.CredentialJWT} {
			status, page := upload(b, map[string]string{"text": "\n" + text + "\n"}, nil)
			if status != 200 || verdictOf(page) != "valid" {
				t.Errorf("%s paste: %d %q", name, status, verdictOf(page))
			}
		}
		var rep verify.Report
		resp, body := b.postMultipart("/verify?format=json", map[string]string{"text": string(f.award.Credential)}, nil)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("JSON: %s %s", resp.Status, resp.Header.Get("Content-Type"))
		}
		if err := json.Unmarshal([]byte(body), &rep); err != nil {
			t.Fatal(err)
		}
		expectVerdict(t, &rep, verify.Valid)
	})

	t.Run("URL of this server, of another, not a URL", func(t *testing.T) {
		b := f.browser(t, "en")
		for _, u := range []string{testBase + "/awards/" + f.award.ID, testBase + "/awards/" + f.award.ID + "/credential.jwt"} {
			status, page := upload(b, map[string]string{"url": u}, nil)
			if status != 200 || verdictOf(page) != "valid" {
				t.Errorf("%s: %d %q", u, status, verdictOf(page))
			}
		}
		for _, tc := range []struct{ url, key string }{
			{"https://other.example/badge.json", "verifypage.url_disabled"},
			{"ftp://other.example/badge.json", "verifypage.url_invalid"},
			{"pas une adresse", "verifypage.url_invalid"},
		} {
			status, page := upload(b, map[string]string{"url": tc.url}, nil)
			if status != 422 || fieldError(page, "url") != locale.T("en", tc.key) {
				t.Errorf("%s: %d %q", tc.url, status, fieldError(page, "url"))
			}
			if !strings.Contains(page, `value="`+tc.url+`"`) {
				t.Errorf("%s: the URL was not kept in the form", tc.url)
			}
		}
	})

	t.Run("bad input is refused by its field", func(t *testing.T) {
		b := f.browser(t, "fr")
		status, page := upload(b, nil, nil)
		if status != 422 || fieldError(page, "file") != locale.T("fr", "verifypage.empty") {
			t.Errorf("empty: %d %q", status, fieldError(page, "file"))
		}
		status, page = upload(b, nil, pngImage(t))
		if status != 422 || fieldError(page, "file") != locale.T("fr", "verifypage.not_a_badge") {
			t.Errorf("plain image: %d %q", status, fieldError(page, "file"))
		}
		status, page = upload(b, map[string]string{"text": "bonjour"}, nil)
		if status != 422 || fieldError(page, "text") != locale.T("fr", "verifypage.not_a_badge") {
			t.Errorf("text: %d %q", status, fieldError(page, "text"))
		}
		if !strings.Contains(page, ">bonjour</textarea>") {
			t.Error("pasted text not kept")
		}
		status, page = upload(b, map[string]string{"email": "pas-une-adresse"}, baked)
		if status != 422 || fieldError(page, "email") != locale.T("fr", "error.email.invalid") {
			t.Errorf("bad address: %d %q", status, fieldError(page, "email"))
		}
		big := append(append([]byte{}, baked...), bytes.Repeat([]byte{0}, maxVerifyInput)...)
		status, page = upload(b, nil, big)
		want := locale.T("fr", "verifypage.too_large", maxVerifyInput>>20)
		if status != 413 || fieldError(page, "file") != want {
			t.Errorf("oversized: %d %q, want %q", status, fieldError(page, "file"), want)
		}
		// JSON clients get a JSON error.
		resp, body := b.postMultipart("/verify?format=json", map[string]string{"text": "bonjour"}, nil)
		if resp.StatusCode != 400 && resp.StatusCode != 422 || !strings.Contains(body, `"invalid"`) {
			t.Errorf("JSON error: %s %.200s", resp.Status, body)
		}
	})

	t.Run("revoked, then a tampered copy", func(t *testing.T) {
		if err := f.svc.Revoke(context.Background(), f.award.ID, "erreur de saisie"); err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"fr", "en"} {
			status, page := upload(f.browser(t, lang), nil, baked)
			if status != 200 || verdictOf(page) != "revoked" || byID(page, "verdict") != html(locale.T(lang, "verify.verdict.revoked")) {
				t.Errorf("%s: %d %q", lang, status, verdictOf(page))
			}
		}
		un, err := bake.Unbake(baked)
		if err != nil {
			t.Fatal(err)
		}
		forged := bytes.Replace(un.Payload, []byte(`"Secourisme"`), []byte(`"Secourisme avancé"`), 1)
		if bytes.Equal(forged, un.Payload) {
			t.Fatal("nothing to tamper with")
		}
		tampered, err := bake.Bake(baked, forged, un.Format)
		if err != nil {
			t.Fatal(err)
		}
		status, page := upload(f.browser(t, "fr"), nil, tampered)
		if status != 200 || verdictOf(page) != "invalid" || byID(page, "verdict") != html(locale.T("fr", "verify.verdict.invalid")) {
			t.Errorf("tampered: %d %q", status, verdictOf(page))
		}
		if !strings.Contains(page, fmt.Sprintf(`data-code="%s" data-outcome="fail"`, verify.CodeProof)) {
			t.Error("tampered copy: the proof check did not fail")
		}
	})
}

// The report view shows only safe links and images from a credential.
func TestReportViewSanitises(t *testing.T) {
	rep := &verify.Report{Verdict: verify.Invalid, Evidence: []verify.Evidence{{ID: "javascript:alert(1)", Name: "x"},
		{ID: "https://ok.example/e", Name: "y"}}, Achievement: &verify.Party{Name: "A", Image: "data:image/svg+xml;base64,PHN2Zz4="}}
	v := buildReportView("en", rep, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	if v.Evidence[0].URL != "" || v.Evidence[1].URL != "https://ok.example/e" {
		t.Errorf("evidence links %+v", v.Evidence)
	}
	if v.ImageURL != "" {
		t.Errorf("SVG data image kept: %q", v.ImageURL)
	}
	if got := dataImage("data:image/png;base64,iVBORw0KGgo="); got == "" {
		t.Error("PNG data image dropped")
	}
}

// FuzzReportView verifies arbitrary input and renders its report page:
// whatever a credential holds, the page renders, and no link or image
// from it carries a script URL.
func FuzzReportView(f *testing.F) {
	for _, seed := range []string{
		`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","OpenBadgeCredential"],"credentialSubject":{"achievement":{"name":"x","criteria":{"id":"javascript:alert(1)","narrative":"<script>x</script>"},"image":{"id":"data:image/png;base64,AAAA"}}},"evidence":[{"id":"javascript:x","name":"e"}]}`,
		`{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","evidence":[{"id":"https://e.example","narrative":"n"}]}`,
		"eyJhbGciOiJFZERTQSJ9.e30.c2ln",
		"\x89PNG\r\n\x1a\n",
		"<svg xmlns='http://www.w3.org/2000/svg'/>",
	} {
		f.Add([]byte(seed))
	}
	s := &server{app: map[string]*template.Template{}}
	if err := s.parseAppPages(); err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, input []byte) {
		rep := verify.Verify(context.Background(), input, verify.Options{Now: now})
		for _, lang := range []string{"fr", "en"} {
			v := buildReportView(lang, rep, now)
			var buf bytes.Buffer
			if err := s.app["verify_result"].Execute(&buf, &page{Lang: lang, OtherLang: "en", Data: v}); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(strings.ToLower(buf.String()), `="javascript:`) {
				t.Fatalf("script URL on the page: %s", buf.String())
			}
		}
	})
}

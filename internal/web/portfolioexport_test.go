package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
	"github.com/sceau/sceau/verify"
)

// Marie's portfolio (newMarie: four awards in two themes) plus an
// activity attested by Nadia (an imported OB 3.0 credential, in no theme)
// is exported as a PDF in both languages and as a CLR.
func TestPortfolioExports(t *testing.T) { storetest.ForEach(t, testPortfolioExports) }

func testPortfolioExports(t *testing.T, db *store.DB) {
	f := newFixtureOn(t, db)
	ctx := context.Background()
	m := newMarie(t, f)
	resp, body := m.b.postMultipart("/portfolio/activities", map[string]string{"kind": "conference",
		"title": "Colloque AQUOPS", "date": "2025-11-20", "hours": "6,5"}, nil)
	loc := wantRedirect(t, resp, body, "/portfolio/activities#activity-")
	actID := strings.TrimPrefix(loc, "/portfolio/activities#activity-")
	resp, body = m.b.postMultipart("/portfolio/activities", map[string]string{"kind": "reading",
		"title": "Lecture Hattie", "date": "2026-01-10", "hours": "2"}, nil)
	wantRedirect(t, resp, body, "/portfolio/activities#")
	resp, body = m.b.post("/portfolio/activities/"+actID+"/attest", "attester_name", "Nadia Roy", "attester_email", "nadia.export@css.example")
	wantRedirect(t, resp, body, "/portfolio/activities/"+actID)
	anon := f.browser(t, "fr")
	if resp, body := anon.post(sentAttestations.link(t, "nadia.export@css.example") + "/confirm"); resp.StatusCode != http.StatusOK {
		t.Fatalf("confirm: %s %.300s", resp.Status, body)
	}

	pdfCases := []struct {
		name, path string
		want, not  []string
	}{
		{"fr", "/portfolio/export.pdf?lang=fr", []string{"Marie Tremblay", "Portfolio complet", "Pédagogie", "Numérique",
			"Classe inversée", "Gestion de classe confidentielle", "Sans thème", "Colloque AQUOPS", "attestée", "Lecture Hattie",
			"2026", "2025", "6,5", "Total des heures", "8,5"}, nil},
		{"en", "/portfolio/export.pdf?lang=en", []string{"Whole portfolio", "Classe inversée", "No theme", "Conference",
			"attested", "Total hours", "8.5"}, []string{"Sans thème"}},
		{"theme", "/portfolio/export.pdf?lang=en&theme=" + m.themes["Numérique"], []string{"Theme: Numérique",
			"Gestion de classe confidentielle", "No attested activity filed in this theme."},
			[]string{"Classe inversée", "Colloque AQUOPS", "Total hours"}},
	}
	checkPDF := func(t *testing.T, path string, want, not []string) {
		t.Helper()
		resp, pdf := m.b.get(path)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF-") {
			t.Fatalf("%s: %s %s", path, resp.Status, resp.Header.Get("Content-Type"))
		}
		if _, again := m.b.get(path); again != pdf {
			t.Error("two exports differ")
		}
		text, ok := pdfText(t, []byte(pdf))
		if !ok {
			return
		}
		text = strings.Join(strings.Fields(text), " ")
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("PDF lacks %q:\n%s", w, text)
			}
		}
		for _, w := range not {
			if strings.Contains(text, w) {
				t.Errorf("PDF has %q", w)
			}
		}
	}
	for _, c := range pdfCases {
		t.Run("pdf "+c.name, func(t *testing.T) { checkPDF(t, c.path, c.want, c.not) })
	}

	t.Run("refusals", func(t *testing.T) {
		for _, p := range []string{"/portfolio/export.pdf?theme=nope", "/portfolio/export.clr.json?theme=nope"} {
			if resp, _ := m.b.get(p); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s: %s", p, resp.Status)
			}
		}
		// Another account's theme is unknown to this one.
		other := f.signUp(t, "en", "Paul", "paul.export@ecole.example")
		if resp, _ := other.get("/portfolio/export.pdf?theme=" + m.themes["Numérique"]); resp.StatusCode != http.StatusNotFound {
			t.Errorf("other's theme: %s", resp.Status)
		}
		if resp, _ := other.get("/portfolio/export.clr.json"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("empty CLR: %s", resp.Status)
		}
		anon := f.browser(t, "en")
		if resp, _ := anon.get("/portfolio/export.pdf"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("signed out: %s", resp.Status)
		}
	})

	t.Run("clr", func(t *testing.T) {
		entries, err := db.ListPortfolio(ctx, userIDOf(t, db, m.handle), false)
		if err != nil {
			t.Fatal(err)
		}
		var want [][]byte
		var wantTheme [][]byte
		for _, e := range entries {
			var cred []byte
			if e.Item.AwardID != "" {
				a, err := db.GetAward(ctx, e.Item.AwardID)
				if err != nil {
					t.Fatal(err)
				}
				cred = a.Credential
			} else {
				full, err := db.GetPortfolioEntry(ctx, e.Item.UserID, e.Item.ID)
				if err != nil {
					t.Fatal(err)
				}
				cred = full.Item.Credential
			}
			if len(cred) == 0 {
				t.Fatalf("item %s has no credential", e.Item.ID)
			}
			want = append(want, cred)
			if e.Item.CollectionID == m.themes["Numérique"] {
				wantTheme = append(wantTheme, cred)
			}
		}
		if len(want) != 5 || len(wantTheme) != 2 {
			t.Fatalf("fixture: %d credentials, %d in the theme", len(want), len(wantTheme))
		}
		for _, c := range []struct {
			path  string
			creds [][]byte
		}{{"/portfolio/export.clr.json", want}, {"/portfolio/export.clr.json?theme=" + m.themes["Numérique"], wantTheme}} {
			resp, body := m.b.get(c.path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %s %s", c.path, resp.Status, byID(body, "error-message"))
			}
			var doc struct {
				Type   []string `json:"type"`
				Issuer struct {
					ID  string `json:"id"`
					URL string `json:"url"`
				} `json:"issuer"`
				Subject struct {
					VC []json.RawMessage `json:"verifiableCredential"`
				} `json:"credentialSubject"`
			}
			if err := json.Unmarshal([]byte(body), &doc); err != nil {
				t.Fatalf("%s: %v", c.path, err)
			}
			if strings.Join(doc.Type, " ") != "VerifiableCredential ClrCredential" || !strings.HasPrefix(doc.Issuer.ID, "did:key:") ||
				doc.Issuer.URL != testBase+"/issuers/cssdm" || len(doc.Subject.VC) != len(c.creds) {
				t.Errorf("%s: %+v", c.path, doc)
			}
			for i, cr := range c.creds {
				if !bytes.Contains([]byte(body), bytes.TrimSpace(cr)) {
					t.Errorf("%s: credential %d not embedded byte for byte", c.path, i)
				}
			}
			// Signed: the record and every badge in it verify in one step.
			rep := f.verify(t, []byte(body))
			expectVerdict(t, rep, verify.Valid)
			if len(rep.Included) != len(c.creds) {
				t.Errorf("%s: %d included reports, want %d", c.path, len(rep.Included), len(c.creds))
			}
			for i, inc := range rep.Included {
				if inc.Verdict != verify.Valid {
					t.Errorf("%s: included %d: %s %v", c.path, i, inc.Verdict, inc.Reason)
				}
			}
			// The appraiser pastes it on /verify and reads every badge's verdict.
			for _, lang := range []string{"fr", "en"} {
				resp, page := f.browser(t, lang).postMultipart("/verify", map[string]string{"text": body}, nil)
				list := byID(page, "report-included")
				if resp.StatusCode != http.StatusOK || !strings.Contains(page, `data-verdict="valid"`) ||
					strings.Count(list, locale.T(lang, "verify.verdict.valid")) != len(c.creds) ||
					!strings.Contains(page, locale.T(lang, "verifypage.included")) {
					t.Errorf("%s on /verify (%s): %s, included %q", c.path, lang, resp.Status, list)
				}
			}
		}
	})

	// Filed in a theme, the attestation brings its activity into that
	// theme's export (and only that one); the unattested activity stays
	// in the whole portfolio's.
	t.Run("activities of a theme", func(t *testing.T) {
		uid := userIDOf(t, db, m.handle)
		entries, err := db.ListPortfolio(ctx, uid, false)
		if err != nil {
			t.Fatal(err)
		}
		moved := 0
		for _, e := range entries {
			if e.Item.Source == "attestation" {
				if err := db.UpdatePortfolioItem(ctx, uid, e.Item.ID, store.ItemSettings{CollectionID: m.themes["Pédagogie"]}); err != nil {
					t.Fatal(err)
				}
				moved++
			}
		}
		if moved != 1 {
			t.Fatalf("%d attestation(s) in the portfolio, want 1", moved)
		}
		checkPDF(t, "/portfolio/export.pdf?lang=en&theme="+m.themes["Pédagogie"], []string{"Theme: Pédagogie", "Classe inversée",
			"Professional development activities", "The activities whose attestation is filed in this theme.", "Colloque AQUOPS",
			"attested", "2025", "Total hours: 6.5"}, []string{"Lecture Hattie", "Gestion de classe confidentielle"})
		checkPDF(t, "/portfolio/export.pdf?lang=fr&theme="+m.themes["Numérique"], []string{"Aucune activité attestée classée dans ce thème."},
			[]string{"Colloque AQUOPS", "Lecture Hattie", "Total des heures"})
		checkPDF(t, "/portfolio/export.pdf?lang=fr", []string{"Colloque AQUOPS", "Lecture Hattie", "Total des heures : 8,5"},
			[]string{"classée dans ce thème"})
	})
}

func userIDOf(t *testing.T, db *store.DB, handle string) string {
	t.Helper()
	u, err := db.GetUserByHandle(context.Background(), handle)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

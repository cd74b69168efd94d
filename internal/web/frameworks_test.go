package web

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
)

func TestFrameworkPages(t *testing.T) { storetest.ForEach(t, testFrameworkPages) }

func testFrameworkPages(t *testing.T, db *store.DB) {
	ctx := context.Background()
	f := newFixtureOn(t, db)
	anne := f.newOrg(t, "Anne Gagnon", "anne@formation.example", "Formation Québec")
	eve := f.newOrg(t, "Eve Intruse", "eve@autre.example", "Autre")
	atelier := f.newBadge(t, anne, "formation-quebec", "Atelier")
	ws := "/workspace/formation-quebec/frameworks"
	csvData, err := os.ReadFile("testdata/frameworks/qc_numerique.csv")
	if err != nil {
		t.Fatal(err)
	}
	caseData, err := os.ReadFile("testdata/frameworks/case_sample.json")
	if err != nil {
		t.Fatal(err)
	}

	// A wrong file is refused with its problems by line, in each
	// language, and nothing is stored.
	bad := "code,name,parent_code,description,url\nA,Alpha,,,\n,Sans code,A,,\nB,Beta,Z,,\nA,Encore,,,\n"
	for lang, want := range map[string]string{"fr": "Ligne 3 : code manquant", "en": "Line 4: unknown parent (Z)"} {
		anne.lang = lang
		resp, page := anne.postMultipart(ws, map[string]string{"name": "Mauvais"}, map[string][2]string{"file": {"bad.csv", bad}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="import-errors"`) ||
			!strings.Contains(page, `data-line="3"`) || !strings.Contains(page, `data-line="5"`) || !strings.Contains(page, htmlText(want)) {
			t.Errorf("%s: bad file: %s %.2000s", lang, resp.Status, page)
		}
	}
	anne.lang = "fr"
	iss, _ := db.GetIssuerBySlug(ctx, "formation-quebec")
	if l, _ := db.ListFrameworks(ctx, iss.ID); len(l) != 0 {
		t.Fatalf("refused file stored: %d", len(l))
	}

	// The CSV file and the CASE package import.
	resp, body := anne.postMultipart(ws, map[string]string{"name": "Compétence numérique"}, map[string][2]string{"file": {"qc.csv", string(csvData)}})
	fwPage := wantRedirect(t, resp, body, ws+"/")
	resp, body = anne.postMultipart(ws, nil, map[string][2]string{"file": {"case.json", string(caseData)}})
	wantRedirect(t, resp, body, ws+"/")
	l, err := db.ListFrameworks(ctx, iss.ID)
	if err != nil || len(l) != 2 {
		t.Fatalf("frameworks %v %v", l, err)
	}
	fw, other := l[0], l[1]
	if fw.Source != "csv" {
		fw, other = other, fw
	}
	if fw.Tree.Name != "Compétence numérique" || other.Tree.Name != "Compétence numérique (échantillon CASE)" || other.Source != "case" ||
		len(other.Tree.Roots) != 3 || fwPage != ws+"/"+fw.ID {
		t.Fatalf("imported %q (%s), %q (%s); redirected to %s", fw.Tree.Name, fw.Source, other.Tree.Name, other.Source, fwPage)
	}
	for _, lang := range []string{"fr", "en"} {
		anne.lang = lang
		resp, page := anne.get(fwPage)
		if resp.StatusCode != 200 || byID(page, "framework-name") != "Compétence numérique" || !strings.Contains(page, `data-code="D12.2"`) {
			t.Errorf("%s: framework page %s", lang, resp.Status)
		}
		if strings.Contains(page, "framework.") || strings.Contains(page, "%!") {
			t.Errorf("%s: untranslated key or formatting error", lang)
		}
	}

	// Align the badge to two items; an alignment from elsewhere stays.
	atelier.Alignments = []badge.Alignment{{Name: "Autre", URL: "https://autre.example/c/1", Code: "X1", Framework: "Autre cadre"}}
	if err := db.UpdateBadge(ctx, atelier); err != nil {
		t.Fatal(err)
	}
	resp, body = anne.post(fwPage+"/align", "badge", atelier.ID, "item", "D3.1", "item", "D3.2")
	wantRedirect(t, resp, body, fwPage+"?badge=")
	got, _ := db.GetBadge(ctx, atelier.ID)
	if len(got.Alignments) != 3 || got.Alignments[0].Code != "X1" || got.Alignments[1].Code != "D3.1" ||
		got.Alignments[1].Framework != "Compétence numérique" || got.Alignments[1].Name != "Élément 3.1" ||
		got.Alignments[1].URL != testBase+"/frameworks/"+fw.ID+"#item-D3.1" {
		t.Errorf("alignments %+v", got.Alignments)
	}
	if _, page := anne.get(fwPage + "?badge=" + atelier.ID); !strings.Contains(page, `value="D3.1" checked`) || strings.Contains(page, `value="D3.3" checked`) {
		t.Errorf("form does not show the alignments")
	}
	// Another organisation's member gets 403; another badge is refused.
	if resp, _ := eve.get(fwPage); resp.StatusCode != http.StatusForbidden {
		t.Errorf("outsider: %s", resp.Status)
	}
	if resp, _ := eve.get("/workspace/autre/frameworks/" + fw.ID); resp.StatusCode != http.StatusNotFound {
		t.Errorf("framework through another workspace: %s", resp.Status)
	}
	if resp, _ := anne.post(fwPage+"/align", "badge", f.award.BadgeID, "item", "D1.1"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("another issuer's badge: %s", resp.Status)
	}

	// The recipient holds a badge aligned (by code) to two items of
	// dimension 3.
	held, err := db.GetBadge(ctx, f.award.BadgeID)
	if err != nil {
		t.Fatal(err)
	}
	held.Alignments = []badge.Alignment{
		{Name: "Élément 3.1", URL: "https://ailleurs.example/1", Code: "D3.1", Framework: "Compétence numérique"},
		{Name: "Élément 3.2", URL: "https://ailleurs.example/2", Code: "D3.2", Framework: "Compétence numérique"},
		{Name: "Dimension 5", URL: "https://competences.example.qc.ca/dimensions/5", Code: "zzz"}}
	if err := db.UpdateBadge(ctx, held); err != nil {
		t.Fatal(err)
	}
	marie := f.signUp(t, "fr", "Marie Tremblay", f.email)
	u, err := db.GetUserByEmail(ctx, f.email)
	if err != nil {
		t.Fatal(err)
	}
	item, err := db.ClaimAward(ctx, f.award.ID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	mine := "/portfolio/frameworks/" + fw.ID
	for _, c := range []struct{ lang, desc string }{{"fr", "2 élément(s) couvert(s) sur 24"}, {"en", "2 of 24 item(s) covered"}} {
		marie.lang = c.lang
		resp, page := marie.get(mine)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %s", c.lang, resp.Status)
		}
		for _, want := range []string{`role="img"`, `<title id="coverage-title">`, htmlText(c.desc), `data-code="D3" data-covered="2" data-total="2"`,
			`data-code="D1" data-covered="0" data-total="2"`, `id="coverage-table"`, `<td>2/2 (100 %)</td>`} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: coverage lacks %q", c.lang, want)
			}
		}
		if strings.Contains(page, "framework.") || strings.Contains(page, "%!") {
			t.Errorf("%s: untranslated key or formatting error", c.lang)
		}
	}

	// The public map: 404 until chosen, then only public badges count.
	pub := "/frameworks/" + fw.ID + "/public/" + u.Handle
	anon := f.browser(t, "fr")
	if resp, _ := anon.get(pub); resp.StatusCode != http.StatusNotFound {
		t.Errorf("before sharing: %s", resp.Status)
	}
	resp, body = marie.post(mine+"/public", "public", "on")
	wantRedirect(t, resp, body, mine)
	resp, page := anon.get(pub)
	if resp.StatusCode != 200 || !strings.Contains(page, `data-code="D3" data-covered="0"`) {
		t.Errorf("shared, badge private: %s", resp.Status)
	}
	if err := db.UpdatePortfolioItem(ctx, u.ID, item.ID, store.ItemSettings{Public: true}); err != nil {
		t.Fatal(err)
	}
	if _, page := anon.get(pub); !strings.Contains(page, `data-code="D3" data-covered="2"`) {
		t.Errorf("public badge not counted")
	}
	if resp, _ := anon.get("/frameworks/" + fw.ID); resp.StatusCode != 200 {
		t.Errorf("framework public page: %s", resp.Status)
	}
	resp, body = marie.post(mine + "/public")
	wantRedirect(t, resp, body, mine)
	if resp, _ := anon.get(pub); resp.StatusCode != http.StatusNotFound {
		t.Errorf("after unsharing: %s", resp.Status)
	}
}

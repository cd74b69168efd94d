package web

import (
	"context"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/frameworks"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/proof"
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

// TestFrameworkCoverageCountsImports: imported Open Badges 3.0
// credentials count toward coverage through their achievement's
// alignments (by URL, or by code under the framework's name) while they
// are valid and unexpired; the public map counts public ones only.
func TestFrameworkCoverageCountsImports(t *testing.T) {
	storetest.ForEach(t, testFrameworkCoverageCountsImports)
}

func testFrameworkCoverageCountsImports(t *testing.T, db *store.DB) {
	ctx := context.Background()
	f := newFixtureOn(t, db)
	data, err := os.ReadFile("testdata/frameworks/qc_numerique.csv")
	if err != nil {
		t.Fatal(err)
	}
	tree, err := frameworks.ParseCSV(data)
	if err != nil {
		t.Fatal(err)
	}
	tree.Name = "Compétence numérique"
	iss, err := db.GetIssuerBySlug(ctx, "cssdm")
	if err != nil {
		t.Fatal(err)
	}
	fw := &store.Framework{IssuerID: iss.ID, Source: "csv", Tree: tree}
	if err := db.CreateFramework(ctx, fw); err != nil {
		t.Fatal(err)
	}
	signer, err := f.svc.VCSigner(ctx, "cssdm", issuing.VCDIDKey, "")
	if err != nil {
		t.Fatal(err)
	}
	// credential signs an Open Badges 3.0 badge for the fixture's
	// recipient, as another platform would, with the given alignments.
	credential := func(id string, until time.Time, aligned ...ob3.Alignment) []byte {
		t.Helper()
		for i := range aligned {
			aligned[i].Type = []string{"Alignment"}
		}
		c := &ob3.Credential{
			Context:   ob3.Contexts(ob3.ContextVC2, ob3.ContextOB),
			ID:        "urn:uuid:" + id,
			Type:      []string{ob3.TypeVerifiableCredential, ob3.TypeOpenBadgeCredential},
			Name:      "Badge " + id,
			Issuer:    &ob3.Profile{ID: signer.DID, Type: []string{"Profile"}, Name: "Ailleurs"},
			ValidFrom: ob3.NewDateTime(f.now.Add(-time.Hour)),
			CredentialSubject: &ob3.AchievementSubject{
				Type:       []string{"AchievementSubject"},
				Identifier: []ob3.IdentityObject{ob3.NewEmailIdentity(f.email, "5a1t"+id)},
				Achievement: &ob3.Achievement{ID: "https://ailleurs.example/achievements/" + id, Type: []string{"Achievement"},
					Name: "Badge " + id, Description: "Un badge d'ailleurs.", Criteria: &ob3.Criteria{Narrative: "Faire."},
					Alignment: aligned},
			},
		}
		if !until.IsZero() {
			c.ValidUntil = ob3.NewDateTime(until)
		}
		unsigned, err := ob3.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		signed, err := signer.Sign(unsigned, proof.SignOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return signed
	}
	marie := f.signUp(t, "fr", "Marie Tremblay", f.email)
	u, err := db.GetUserByEmail(ctx, f.email)
	if err != nil {
		t.Fatal(err)
	}
	// By code under the framework's name; by the item's anchor URL here,
	// until tomorrow; by code under another framework's name (no match).
	byCode := imported(t)(marie.importFile("code.json", credential("c0de0001", time.Time{},
		ob3.Alignment{TargetName: "Élément 4.1", TargetURL: "https://ailleurs.example/4.1", TargetCode: "D4.1", TargetFramework: "Compétence numérique"})))
	imported(t)(marie.importFile("url.json", credential("c0de0002", f.now.Add(24*time.Hour),
		ob3.Alignment{TargetName: "Élément 1.2", TargetURL: testBase + "/frameworks/" + fw.ID + "#item-D1.2"})))
	imported(t)(marie.importFile("other.json", credential("c0de0003", time.Time{},
		ob3.Alignment{TargetName: "Autre", TargetURL: "https://autre.example/2.1", TargetCode: "D2.1", TargetFramework: "Autre cadre"})))

	mine := "/portfolio/frameworks/" + fw.ID
	check := func(b *browser, path string, covered map[string]int, note string) {
		t.Helper()
		resp, page := b.get(path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s", path, resp.Status)
		}
		for code, n := range covered {
			if want := `data-code="` + code + `" data-covered="` + strconv.Itoa(n) + `"`; !strings.Contains(page, want) {
				t.Errorf("%s: lacks %s", path, want)
			}
		}
		if got := byID(page, "coverage-note"); !strings.Contains(got, htmlText(note)) {
			t.Errorf("%s: note %q, want %q", path, got, note)
		}
	}
	check(marie, mine, map[string]int{"D4": 1, "D1": 1, "D2": 0, "D3": 0}, "3 badge(s) valide(s) pris en compte")

	// The public map counts public badges only.
	resp, body := marie.post(mine+"/public", "public", "on")
	wantRedirect(t, resp, body, mine)
	pub := "/frameworks/" + fw.ID + "/public/" + u.Handle
	anon := f.browser(t, "fr")
	check(anon, pub, map[string]int{"D4": 0, "D1": 0}, "0 badge(s) public(s)")
	if err := db.UpdatePortfolioItem(ctx, u.ID, byCode, store.ItemSettings{Public: true}); err != nil {
		t.Fatal(err)
	}
	check(anon, pub, map[string]int{"D4": 1, "D1": 0}, "1 badge(s) public(s)")

	// Revoked at its source (as a re-check records it): no longer counted.
	if err := db.RecordImportCheck(ctx, byCode, issuing.ImportRevoked, "erreur"); err != nil {
		t.Fatal(err)
	}
	check(anon, pub, map[string]int{"D4": 0}, "0 badge(s) public(s)")
	check(marie, mine, map[string]int{"D4": 0, "D1": 1}, "1 badge(s) importé(s) non pris en compte")
	// Expired since its import, though its last check said valid.
	f.now = f.now.Add(48 * time.Hour)
	check(marie, mine, map[string]int{"D4": 0, "D1": 0}, "2 badge(s) importé(s) non pris en compte")
}

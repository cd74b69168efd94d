package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/pathways"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
)

// newOrg creates an organisation through the pages and returns its
// owner's browser.
func (f *fixture) newOrg(t *testing.T, owner, email, org string) *browser {
	t.Helper()
	b := f.signUp(t, "fr", owner, email)
	resp, body := b.post("/workspace", "name", org, "url", "https://"+badge.Slugify(org)+".example", "language", "fr")
	wantRedirect(t, resp, body, "/workspace/"+badge.Slugify(org))
	return b
}

// newBadge creates a badge through the pages.
func (f *fixture) newBadge(t *testing.T, b *browser, org, name string) *badge.Badge {
	t.Helper()
	base := "/workspace/" + org
	resp, body := b.postMultipart(base+"/badges", map[string]string{"name": name, "description": name + ".",
		"criteria": "Participer.", "language": "fr"}, map[string][2]string{"image": {"b.png", string(pngImage(t))}})
	wantRedirect(t, resp, body, base)
	iss, err := f.db.GetIssuerBySlug(context.Background(), org)
	if err != nil {
		t.Fatal(err)
	}
	bd, err := f.db.GetBadgeBySlug(context.Background(), iss.ID, badge.Slugify(name))
	if err != nil {
		t.Fatal(err)
	}
	return bd
}

const hostedOB2 = `{"@context":"https://w3id.org/openbadges/v2","type":"Assertion",
"id":"https://badges.example.org/assertions/1","badge":"https://badges.example.org/badges/1",
"verification":{"type":"HostedBadge"},"issuedOn":"2024-05-17T13:45:02Z",
"recipient":{"type":"email","hashed":false,"identity":"marie.tremblay@exemple.ca"}}`

func TestPathwayPages(t *testing.T) { storetest.ForEach(t, testPathwayPages) }

func testPathwayPages(t *testing.T, db *store.DB) {
	ctx := context.Background()
	f := newFixtureOn(t, db)
	anne := f.newOrg(t, "Anne Gagnon", "anne@formation.example", "Formation Québec")
	paul := f.newOrg(t, "Paul Roy", "paul@udem.example", "Université")
	done := f.newBadge(t, anne, "formation-quebec", "Parcours complété")
	ws := "/workspace/formation-quebec/pathways"

	// A refused form comes back with the error by the tree.
	resp, page := anne.post(ws, "name", "Parcours sécurité", "language", "fr", "tree", "any 3\n  badge cssdm/secourisme")
	if resp.StatusCode != 422 || fieldError(page, "tree") == "" {
		t.Fatalf("any 3 of 1 accepted: %s %q", resp.Status, fieldError(page, "tree"))
	}
	tree := "all Tronc commun\n  badge cssdm/secourisme\n  any 1 Options\n" +
		"    external https://badges.example.org/badges/1 | Badge externe | https://ailleurs.example/inscription\n"
	resp, body := anne.post(ws, "name", "Parcours sécurité", "language", "fr", "tree", tree,
		"completion_badge", done.ID, "partners", "universite")
	edit := wantRedirect(t, resp, body, ws+"/formation-quebec/parcours-securite")
	_, page = anne.get(edit)
	if byID(page, "pathway-name") != "Parcours sécurité" || !strings.Contains(page, `id="requirement-form"`) {
		t.Fatalf("edit page: %.800s", page)
	}

	// The partner adds a requirement to the "any 1 of" group (path 1),
	// but may not change the rest.
	partnerPath := "/workspace/universite/pathways/formation-quebec/parcours-securite"
	resp, body = paul.post(partnerPath+"/requirements", "group", "1", "kind", "external",
		"ref", "https://udem.example/badges/robotique", "ref_name", "Robotique")
	wantRedirect(t, resp, body, partnerPath)
	if resp, _ := paul.post(partnerPath, "name", "Pris", "language", "fr", "tree", "all\n  badge cssdm/secourisme"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("partner saved the pathway: %s", resp.Status)
	}
	owner, _ := db.GetIssuerBySlug(ctx, "formation-quebec")
	partner, _ := db.GetIssuerBySlug(ctx, "universite")
	p, err := db.GetPathwayBySlug(ctx, owner.ID, "parcours-securite")
	if err != nil {
		t.Fatal(err)
	}
	leaves := pathways.Leaves(p.Root)
	if len(leaves) != 3 || leaves[2].AddedBy != partner.ID || leaves[2].Ref != "https://udem.example/badges/robotique" {
		t.Fatalf("leaves after the partner's addition: %+v", leaves)
	}
	// An outsider organisation does not see it.
	eve := f.newOrg(t, "Eve Intruse", "eve@autre.example", "Autre")
	if resp, _ := eve.get("/workspace/autre/pathways/formation-quebec/parcours-securite"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("outsider reached the pathway: %s", resp.Status)
	}

	// The recipient holds the first badge.
	marie := f.signUp(t, "fr", "Marie Tremblay", f.email)
	u, err := db.GetUserByEmail(ctx, f.email)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ClaimAward(ctx, f.award.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ lang, progress, done, todo, earn string }{
		{"fr", "1 badge(s) obtenu(s) sur 3.", "Obtenu", "À obtenir", "Où l'obtenir"},
		{"en", "1 of 3 badges earned.", "Earned", "To earn", "Where to earn it"},
	} {
		marie.lang = c.lang
		resp, page := marie.get("/portfolio/pathways")
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %s", c.lang, resp.Status)
		}
		sec := rawSection(page, "progress-formation-quebec-parcours-securite")
		if sec == "" {
			t.Fatalf("%s: no progress section: %.1000s", c.lang, page)
		}
		for _, want := range []string{`role="img"`, "<title id=", "<desc id=", htmlText(c.progress), htmlText(c.done), htmlText(c.todo),
			htmlText(c.earn), `href="https://ailleurs.example/inscription"`, `data-status="done"`, `data-status="todo"`, "Secourisme",
			"Robotique", `data-done="false"`} {
			if !strings.Contains(sec, want) {
				t.Errorf("%s: progress view lacks %q", c.lang, want)
			}
		}
		if strings.Contains(page, "pathway.") || strings.Contains(page, "%!") {
			t.Errorf("%s: untranslated key or formatting error", c.lang)
		}
		// Earned badges carry no "where to earn" link; the two remaining do.
		if n := strings.Count(sec, `class="earn"`); n != 2 {
			t.Errorf("%s: %d earn links in the text version, want 2", c.lang, n)
		}
	}

	// Public pages, for anyone.
	anon := f.browser(t, "en")
	resp, page = anon.get("/pathways/formation-quebec/parcours-securite")
	if resp.StatusCode != 200 || byID(page, "pathway-name") != "Parcours sécurité" || !strings.Contains(page, "/catalogue/formation-quebec/parcours-complete") {
		t.Fatalf("public page: %s %.600s", resp.Status, page)
	}
	if _, page := anon.get("/pathways"); !strings.Contains(page, `data-pathway="formation-quebec/parcours-securite"`) {
		t.Fatal("pathway not in the list")
	}

	// Completed by an imported badge (the check the import page should run).
	it := &store.PortfolioItem{UserID: u.ID, Credential: []byte(hostedOB2), Name: "Badge externe",
		Import: &store.ImportInfo{Key: "https://badges.example.org/assertions/1", Format: "json", State: issuing.ImportValid}}
	if err := db.ImportItem(ctx, it); err != nil {
		t.Fatal(err)
	}
	made, err := f.svc.CheckPathways(ctx, u.ID)
	if err != nil || len(made) != 1 {
		t.Fatalf("completion: %v %v", made, err)
	}
	marie.lang = "fr"
	_, page = marie.get("/portfolio/pathways")
	if sec := rawSection(page, "progress-formation-quebec-parcours-securite"); !strings.Contains(sec, `data-done="true"`) ||
		!strings.Contains(sec, "/awards/"+made[0].ID) {
		t.Fatalf("completed pathway: %.1200s", sec)
	}

	// Revoking the first badge flags the completion for review.
	_, page = anne.get("/workspace/formation-quebec/completions")
	if byID(page, "no-flagged") == "" {
		t.Fatal("flagged before any revocation")
	}
	if err := f.svc.Revoke(ctx, f.award.ID, "erreur"); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"fr", "en"} {
		anne.lang = lang
		_, page = anne.get("/workspace/formation-quebec/completions")
		if !strings.Contains(page, `data-why="revoked"`) || !strings.Contains(page, "Marie Tremblay") {
			t.Fatalf("%s: review list: %.1200s", lang, page)
		}
		if strings.Contains(page, "pathway.") {
			t.Errorf("%s: untranslated key on the review page", lang)
		}
	}
	c, _ := db.GetCompletion(ctx, p.ID, u.ID)
	resp, body = anne.post("/workspace/formation-quebec/completions/"+c.ID, "decision", "keep")
	wantRedirect(t, resp, body, "/workspace/formation-quebec/completions")
	if _, page = anne.get("/workspace/formation-quebec/completions"); byID(page, "no-flagged") == "" {
		t.Fatal("still flagged after keeping")
	}
	if a, _ := db.GetAward(ctx, made[0].ID); a.Status != badge.StatusActive {
		t.Fatalf("kept completion badge is %s", a.Status)
	}

	// The workspace pages render in both languages.
	for _, lang := range []string{"fr", "en"} {
		anne.lang = lang
		for _, path := range []string{ws, edit, "/workspace/formation-quebec/completions"} {
			resp, page := anne.get(path)
			if resp.StatusCode != 200 || strings.Contains(page, "pathway.") || strings.Contains(page, "%!") || !strings.Contains(page, `<html lang="`+lang+`">`) {
				t.Errorf("%s %s: %s", lang, path, resp.Status)
			}
		}
	}
}

// htmlText is s as html/template writes it in text.
func htmlText(s string) string {
	return strings.NewReplacer("'", "&#39;", `"`, "&#34;").Replace(s)
}

// rawSection is the HTML of the <section> with the given id.
func rawSection(page, id string) string {
	i := strings.Index(page, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(page[:i], "<section")
	end := strings.Index(page[i:], "</section>")
	if start < 0 || end < 0 {
		return ""
	}
	return page[start : i+end]
}

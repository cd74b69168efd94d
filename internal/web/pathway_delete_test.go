package web

import (
	"context"
	stdhtml "html"
	"net/http"
	"strings"
	"testing"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
)

func TestDeletePathwayPages(t *testing.T) { storetest.ForEach(t, testDeletePathwayPages) }

// The owner deletes a pathway after a confirmation page that says the
// completion badges already awarded stay; partners and outsiders cannot;
// recipients no longer see it.
func testDeletePathwayPages(t *testing.T, db *store.DB) {
	ctx := context.Background()
	f := newFixtureOn(t, db)
	anne := f.newOrg(t, "Anne Gagnon", "anne@formation.example", "Formation Québec")
	paul := f.newOrg(t, "Paul Roy", "paul@udem.example", "Université")
	eve := f.newOrg(t, "Eve Intruse", "eve@autre.example", "Autre")
	done := f.newBadge(t, anne, "formation-quebec", "Parcours complété")
	ws := "/workspace/formation-quebec/pathways"
	resp, body := anne.post(ws, "name", "Parcours sécurité", "language", "fr", "tree", "all\n  badge cssdm/secourisme\n",
		"completion_badge", done.ID, "partners", "universite")
	edit := wantRedirect(t, resp, body, ws+"/formation-quebec/parcours-securite")
	del := edit + "/delete"

	// Marie holds the badge it requires and was awarded its completion badge.
	marie := f.signUp(t, "fr", "Marie Tremblay", f.email)
	u, err := db.GetUserByEmail(ctx, f.email)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ClaimAward(ctx, f.award.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	owner, _ := db.GetIssuerBySlug(ctx, "formation-quebec")
	p, err := db.GetPathwayBySlug(ctx, owner.ID, "parcours-securite")
	if err != nil {
		t.Fatal(err)
	}
	completion, err := f.svc.Award(ctx, issuing.AwardInput{BadgeID: done.ID, Email: f.email})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateCompletion(ctx, &store.Completion{PathwayID: p.ID, UserID: u.ID, AwardID: completion.ID}); err != nil {
		t.Fatal(err)
	}
	if _, page := marie.get("/portfolio/pathways"); !strings.Contains(page, `id="progress-formation-quebec-parcours-securite"`) {
		t.Fatal("the pathway is not in Marie's progress before deletion")
	}

	// Neither a partner nor an outsider.
	for name, tc := range map[string]struct {
		b    *browser
		path string
		want int
	}{
		"partner":  {paul, "/workspace/universite/pathways/formation-quebec/parcours-securite/delete", http.StatusForbidden},
		"outsider": {eve, "/workspace/autre/pathways/formation-quebec/parcours-securite/delete", http.StatusNotFound},
	} {
		if resp, _ := tc.b.get(tc.path); resp.StatusCode != tc.want {
			t.Errorf("%s: form %s, want %d", name, resp.Status, tc.want)
		}
		if resp, _ := tc.b.post(tc.path); resp.StatusCode != tc.want {
			t.Errorf("%s: delete %s, want %d", name, resp.Status, tc.want)
		}
	}
	// An editor of the owner may (pathways are editors' work).
	editor := f.signUp(t, "fr", "Luc Roy", "luc@formation.example")
	luc, _ := db.GetUserByEmail(ctx, "luc@formation.example")
	if err := db.AddMember(ctx, &badge.Membership{IssuerID: owner.ID, UserID: luc.ID, Role: badge.RoleEditor}); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct{ lang, stays string }{
		{"fr", "Ils restent : ce sont des attestations signées"},
		{"en", "They stay: they are signed credentials"},
	} {
		anne.lang = tc.lang
		if _, page := anne.get(edit); attr(page, "pathway-delete", "href") != del {
			t.Fatalf("%s: no delete link on the edit page", tc.lang)
		}
		resp, page := anne.get(del)
		if resp.StatusCode != 200 || attr(page, "delete-awarded", "data-awarded") != "1" ||
			!strings.Contains(stdhtml.UnescapeString(byID(page, "delete-awarded")), tc.stays) ||
			!strings.Contains(page, `id="pathway-delete-form"`) || strings.Contains(page, "pathway.") || strings.Contains(page, "%!") {
			t.Fatalf("%s: confirmation page %s %q", tc.lang, resp.Status, byID(page, "delete-consequences"))
		}
	}
	resp, body = editor.post(del)
	wantRedirect(t, resp, body, ws)
	_, page := editor.get(ws)
	if strings.Contains(page, `data-pathway="formation-quebec/parcours-securite"`) {
		t.Fatal("the workspace still lists the deleted pathway")
	}
	if resp, _ := anne.post(del); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("deleted twice: %s", resp.Status)
	}
	if resp, _ := f.browser(t, "en").get("/pathways/formation-quebec/parcours-securite"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("public page of a deleted pathway: %s", resp.Status)
	}
	if _, page := marie.get("/portfolio/pathways"); strings.Contains(page, "parcours-securite") || byID(page, "no-progress") == "" {
		t.Fatal("the deleted pathway is still in Marie's progress")
	}
	// The completion badge stays, valid.
	if a, err := db.GetAward(ctx, completion.ID); err != nil || a.Status != badge.StatusActive {
		t.Fatalf("completion award after deletion: %v %v", a, err)
	}
	expectVerdict(t, f.verify(t, completion.Credential), "valid")
}

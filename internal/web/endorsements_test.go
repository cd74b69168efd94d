package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
	"github.com/sceau/sceau/ob3"
)

func TestEndorsementPages(t *testing.T) { storetest.ForEach(t, testEndorsementPages) }

func testEndorsementPages(t *testing.T, db *store.DB) {
	ctx := context.Background()
	f := newFixtureOn(t, db)
	anne := f.newOrg(t, "Anne Gagnon", "anne@formation.example", "Formation Québec")
	paul := f.newOrg(t, "Paul Roy", "paul@ordre.example", "Ordre des enseignants")
	f.newBadge(t, anne, "formation-quebec", "Atelier")
	ws := "/workspace/ordre-des-enseignants/endorsements"

	for name, target := range map[string]string{"itself": "ordre-des-enseignants", "unknown": "personne/rien"} {
		resp, page := paul.post(ws, "target", target, "comment", "Bien.")
		if resp.StatusCode != 422 || fieldError(page, "target") == "" {
			t.Errorf("%s: %s", name, resp.Status)
		}
	}
	resp, body := paul.post(ws, "target", "formation-quebec/atelier", "comment", "Une formation exemplaire.")
	wantRedirect(t, resp, body, ws)
	iss, _ := db.GetIssuerBySlug(ctx, "formation-quebec")
	es, err := db.EndorsementsReceived(ctx, iss.ID)
	if err != nil || len(es) != 1 {
		t.Fatalf("endorsements %v %v", es, err)
	}
	e := es[0]

	// Pending: nowhere public.
	anon := f.browser(t, "en")
	_, page := anon.get("/catalogue/formation-quebec/atelier/endorsements")
	if byID(page, "no-endorsements") == "" || strings.Contains(page, "exemplaire") {
		t.Fatal("pending endorsement shown")
	}
	if resp, _ := anon.get("/endorsements/" + e.ID); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("pending credential served: %s", resp.Status)
	}
	// The endorser cannot accept it for the endorsed.
	if resp, _ := paul.post("/workspace/ordre-des-enseignants/endorsements/" + e.ID + "/accept"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("endorser accepted: %s", resp.Status)
	}
	for _, lang := range []string{"fr", "en"} {
		anne.lang = lang
		_, page = anne.get("/workspace/formation-quebec/endorsements")
		if !strings.Contains(page, `data-state="pending"`) || !strings.Contains(page, "Une formation exemplaire.") || strings.Contains(page, "endorsement.") {
			t.Fatalf("%s: received list: %.800s", lang, page)
		}
	}
	resp, body = anne.post("/workspace/formation-quebec/endorsements/" + e.ID + "/accept")
	wantRedirect(t, resp, body, "/workspace/formation-quebec/endorsements")

	_, page = anon.get("/catalogue/formation-quebec/atelier/endorsements")
	if !strings.Contains(byID(page, "endorsements"), "Une formation exemplaire.") || !strings.Contains(page, "Ordre des enseignants") {
		t.Fatalf("accepted endorsement not shown: %.800s", page)
	}
	resp, body = anon.get("/endorsements/" + e.ID)
	c, err := ob3.Parse([]byte(body))
	if resp.StatusCode != 200 || err != nil || !c.IsEndorsement() || c.CredentialSubject.EndorsementComment != "Une formation exemplaire." {
		t.Fatalf("credential: %s %v", resp.Status, err)
	}

	// The badge page of an award shows it, and the new credential
	// carries it for verifiers.
	endorsed, _ := db.GetIssuerBySlug(context.Background(), "formation-quebec")
	def, err := db.GetBadgeBySlug(context.Background(), endorsed.ID, "atelier")
	if err != nil {
		t.Fatal(err)
	}
	award, err := f.svc.Award(context.Background(), issuing.AwardInput{BadgeID: def.ID, Email: "eleve@ecole.example"})
	if err != nil {
		t.Fatal(err)
	}
	_, page = anon.get("/awards/" + award.ID)
	if !strings.Contains(byID(page, "endorsements"), "Une formation exemplaire.") {
		t.Errorf("award page does not show the endorsement: %.500s", byID(page, "endorsements"))
	}
	if !strings.Contains(string(award.Credential), "EndorsementCredential") {
		t.Error("new credential does not carry the endorsement")
	}
}

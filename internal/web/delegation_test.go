package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
	"github.com/sceau/sceau/ob3"
)

func TestDelegationPages(t *testing.T) { storetest.ForEach(t, testDelegationPages) }

func testDelegationPages(t *testing.T, db *store.DB) {
	ctx := context.Background()
	f := newFixtureOn(t, db)
	anne := f.newOrg(t, "Anne Gagnon", "anne@formation.example", "Formation Québec")
	paul := f.newOrg(t, "Paul Roy", "paul@reseau.example", "Réseau")
	f.newBadge(t, anne, "formation-quebec", "Atelier")
	a := "/workspace/formation-quebec/delegations"

	resp, page := anne.post(a, "badge", "atelier", "delegate", "personne")
	if resp.StatusCode != 422 || fieldError(page, "delegate") == "" {
		t.Fatalf("unknown delegate: %s %q", resp.Status, fieldError(page, "delegate"))
	}
	// Only the owner grants: the delegate cannot grant itself A's badge.
	if resp, _ := paul.post(a, "badge", "atelier", "delegate", "reseau"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("outsider granted: %s", resp.Status)
	}
	resp, body := anne.post(a, "badge", "atelier", "delegate", "reseau")
	wantRedirect(t, resp, body, a)
	a1, _ := db.GetIssuerBySlug(ctx, "formation-quebec")
	given, err := db.DelegationsGiven(ctx, a1.ID)
	if err != nil || len(given) != 1 {
		t.Fatalf("delegations %v %v", given, err)
	}
	d := given[0]

	// B's awarders see the badge and award it.
	for _, lang := range []string{"fr", "en"} {
		paul.lang = lang
		resp, page = paul.get("/workspace/reseau/delegations")
		if resp.StatusCode != 200 || !strings.Contains(page, "/workspace/reseau/delegations/"+d.ID+"/award") || strings.Contains(page, "delegation.") {
			t.Fatalf("%s: delegate's page: %s %.800s", lang, resp.Status, page)
		}
	}
	resp, page = paul.get("/workspace/reseau/delegations/" + d.ID + "/award")
	if resp.StatusCode != 200 || !strings.Contains(byID(page, "on-behalf"), "Formation Québec") {
		t.Fatalf("award form: %s %q", resp.Status, byID(page, "on-behalf"))
	}
	resp, body = paul.post("/workspace/reseau/delegations/"+d.ID+"/award", "recipient", "eleve@exemple.ca", "language", "fr")
	loc := wantRedirect(t, resp, body, "/awards/")
	aw, err := db.GetAward(ctx, strings.TrimPrefix(loc, "/awards/"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := ob3.Parse(aw.Credential)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(c.Issuer.ID, ":issuers:reseau") || !strings.HasSuffix(c.CredentialSubject.Achievement.Creator.ID, ":issuers:formation-quebec") {
		t.Fatalf("issuer %s creator %s", c.Issuer.ID, c.CredentialSubject.Achievement.Creator.ID)
	}

	// A's signed authorisations are public.
	anon := f.browser(t, "fr")
	resp, body = anon.get("/issuers/formation-quebec/authorisations")
	if resp.StatusCode != 200 || !strings.Contains(body, "did:web:") || !strings.Contains(body, ":issuers:reseau") || !strings.Contains(body, `"proof"`) {
		t.Fatalf("authorisations: %s %.400s", resp.Status, body)
	}

	// Withdrawn: later awards refused, the earlier one untouched.
	resp, body = anne.post(a + "/" + d.ID + "/withdraw")
	wantRedirect(t, resp, body, a)
	if resp, _ := paul.post("/workspace/reseau/delegations/"+d.ID+"/award", "recipient", "autre@exemple.ca", "language", "fr"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("award after withdrawal: %s", resp.Status)
	}
	if got, _ := db.GetAward(ctx, aw.ID); got.Status != "active" {
		t.Fatalf("earlier award is %s", got.Status)
	}
	_, page = anne.get(a)
	if !strings.Contains(page, "state-revoked") {
		t.Fatal("withdrawal not shown to the owner")
	}
}

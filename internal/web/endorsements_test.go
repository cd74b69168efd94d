package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/sceau/sceau/internal/badge"
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

	// The endorsed issuer's public page lists it, in both languages, with
	// who, what, when and a verification link.
	for _, tc := range []struct{ lang, what, date string }{
		{"fr", "du badge Atelier", "Signée le"},
		{"en", "of the badge Atelier", "Signed on"},
	} {
		b := f.browser(t, tc.lang)
		_, page = b.get("/issuers/formation-quebec")
		list := byID(page, "issuer-endorsements")
		if !strings.Contains(list, "Ordre des enseignants") || !strings.Contains(list, "Une formation exemplaire.") ||
			!strings.Contains(list, tc.what) || !strings.Contains(list, tc.date) || strings.Contains(page, "issuer.endorsement") ||
			!strings.Contains(page, `href="/endorsements/`+e.ID+`/verify"`) {
			t.Fatalf("%s: issuer page endorsements %q", tc.lang, list)
		}
	}
	_, page = anon.get("/endorsements/" + e.ID + "/verify")
	if attr(page, "verdict", "data-verdict") != "valid" {
		t.Fatalf("endorsement verification: %q", byID(page, "verdict"))
	}
	endorsementVerdict := func() (verdict, endorsement string) {
		t.Helper()
		resp, body := anon.get("/awards/" + award.ID + "/verify?format=json")
		var rep struct {
			Verdict      string
			Endorsements []struct{ Verdict string }
		}
		if err := json.Unmarshal([]byte(body), &rep); err != nil || resp.StatusCode != 200 || len(rep.Endorsements) != 1 {
			t.Fatalf("award report: %s %v %.300s", resp.Status, err, body)
		}
		return rep.Verdict, rep.Endorsements[0].Verdict
	}
	if v, ev := endorsementVerdict(); v != "valid" || ev != "valid" {
		t.Fatalf("before withdrawal: award %s, endorsement %s", v, ev)
	}

	// Withdrawal: the endorser's owners only, after a confirmation page.
	withdraw := "/workspace/ordre-des-enseignants/endorsements/" + e.ID + "/withdraw"
	if resp, _ := anne.get("/workspace/formation-quebec/endorsements/" + e.ID + "/withdraw"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("endorsed issuer's withdrawal form: %s", resp.Status)
	}
	if resp, _ := anne.post("/workspace/formation-quebec/endorsements/" + e.ID + "/withdraw"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("endorsed issuer withdrew: %s", resp.Status)
	}
	editor := f.signUp(t, "fr", "Luc Roy", "luc@ordre.example")
	ordre, _ := db.GetIssuerBySlug(ctx, "ordre-des-enseignants")
	luc, _ := db.GetUserByEmail(ctx, "luc@ordre.example")
	if err := db.AddMember(ctx, &badge.Membership{IssuerID: ordre.ID, UserID: luc.ID, Role: badge.RoleEditor}); err != nil {
		t.Fatal(err)
	}
	if resp, _ := editor.post(withdraw); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("an editor withdrew: %s", resp.Status)
	}
	for _, tc := range []struct{ lang, want string }{{"fr", "définitif"}, {"en", "cannot be undone"}} {
		paul.lang = tc.lang
		_, page = paul.get(ws)
		if !strings.Contains(page, `href="`+withdraw+`"`) {
			t.Fatalf("%s: no withdraw link on the endorsements page", tc.lang)
		}
		resp, page := paul.get(withdraw)
		if resp.StatusCode != 200 || !strings.Contains(byID(page, "withdraw-consequences"), tc.want) ||
			!strings.Contains(page, `id="withdraw-form"`) || strings.Contains(page, "endorsement.") {
			t.Fatalf("%s: confirmation page %s %q", tc.lang, resp.Status, byID(page, "withdraw-consequences"))
		}
	}
	resp, body = paul.post(withdraw)
	wantRedirect(t, resp, body, ws)
	if resp, _ := paul.post(withdraw); resp.StatusCode != http.StatusConflict {
		t.Fatalf("withdrawn twice: %s", resp.Status)
	}
	_, page = paul.get(ws)
	if !strings.Contains(page, `data-endorsement="`+e.ID+`" data-state="withdrawn"`) || strings.Contains(page, `href="`+withdraw+`"`) {
		t.Fatal("given list does not show the withdrawal")
	}

	// Verifiers of the same award now read the endorsement revoked; the
	// badge stays valid.
	if v, ev := endorsementVerdict(); v != "valid" || ev != "revoked" {
		t.Fatalf("after withdrawal: award %s, endorsement %s", v, ev)
	}
	_, page = anon.get("/endorsements/" + e.ID + "/verify")
	if attr(page, "verdict", "data-verdict") != "revoked" {
		t.Fatalf("withdrawn endorsement verification: %q", byID(page, "verdict"))
	}
	// No longer shown as current, nor put in new credentials.
	_, page = anon.get("/issuers/formation-quebec")
	if strings.Contains(page, "issuer-endorsements") || strings.Contains(page, "exemplaire") {
		t.Fatal("issuer page still shows the withdrawn endorsement")
	}
	_, page = anon.get("/catalogue/formation-quebec/atelier/endorsements")
	if byID(page, "no-endorsements") == "" {
		t.Fatal("public list still shows the withdrawn endorsement")
	}
	fresh, err := f.svc.Award(ctx, issuing.AwardInput{BadgeID: def.ID, Email: "autre@ecole.example"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(fresh.Credential), "EndorsementCredential") {
		t.Error("a new credential carries the withdrawn endorsement")
	}
}

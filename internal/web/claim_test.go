package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/accounts"
	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
)

// claimLink stores a claim token for the award, as the announcement does,
// and returns the link's path; issued is when it was made (its expiry
// follows).
func (f *fixture) claimLink(t *testing.T, a *badge.Award, issued time.Time) string {
	t.Helper()
	secret, err := accounts.NewClaimToken(context.Background(), f.db, nil, a, issued)
	if err != nil {
		t.Fatal(err)
	}
	return "/claim/" + secret
}

// awardTo awards the fixture's badge (or another of its issuer, by slug)
// to an address.
func (f *fixture) awardTo(t *testing.T, badgeSlug, email string, ev ...badge.Evidence) *badge.Award {
	t.Helper()
	ctx := context.Background()
	iss, err := f.db.GetIssuerBySlug(ctx, "cssdm")
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.db.GetBadgeBySlug(ctx, iss.ID, badgeSlug)
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.svc.Award(ctx, issuing.AwardInput{BadgeID: b.ID, Email: email, Name: "Marie T.", Evidence: ev,
		Narrative: "Stage réussi."})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// unconfirmed signs up without following the confirmation link: signed
// in, with an unverified address.
func (f *fixture) unconfirmed(t *testing.T, lang, name, email string) *browser {
	t.Helper()
	b := f.browser(t, lang)
	resp, body := b.post("/signup", "name", name, "email", email, "password", "un mot de passe solide", "password2", "un mot de passe solide")
	wantRedirect(t, resp, body, "/check-email")
	return b
}

func TestClaimPages(t *testing.T) { storetest.ForEach(t, testClaimPages) }

func testClaimPages(t *testing.T, db *store.DB) {
	f := newFixtureOn(t, db)
	ctx := context.Background()

	t.Run("sign in first, accept, link used", func(t *testing.T) {
		link := f.claimLink(t, f.award, f.now)
		anon := f.browser(t, "fr")
		resp, page := anon.get(link)
		if resp.StatusCode != 200 || byID(page, "claim-signin") == "" || byID(page, "claim-badge-name") != "Secourisme" {
			t.Fatalf("anonymous: %s %.800s", resp.Status, page)
		}
		if got := byID(page, "claim-title"); got != locale.T("fr", "claim.title") {
			t.Errorf("title %q", got)
		}
		if !strings.Contains(page, `href="/signin?next=`+url.QueryEscape(link)+`"`) ||
			!strings.Contains(page, `href="/signup?next=`+url.QueryEscape(link)+`"`) {
			t.Error("no sign-in/sign-up link back to the claim")
		}
		// Posting without a session goes to sign in, then back here.
		resp, body := anon.post(link + "/accept")
		if loc := wantRedirect(t, resp, body, "/signin?next="); loc != "/signin?next="+url.QueryEscape(link) {
			t.Errorf("redirect %q", loc)
		}

		marie := f.signUp(t, "fr", "Marie Tremblay", f.email)
		resp, page = marie.get(link)
		if resp.StatusCode != 200 || byID(page, "claim-accept") == "" || byID(page, "claim-decline") == "" {
			t.Fatalf("holder: %s %.800s", resp.Status, page)
		}
		resp, body = marie.post(link + "/accept")
		loc := wantRedirect(t, resp, body, "/portfolio#item-")
		a, _ := db.GetAward(ctx, f.award.ID)
		if a.ClaimedBy == "" || a.ClaimedAt == nil {
			t.Fatal("award not claimed")
		}
		_, page = marie.get("/portfolio")
		item := strings.TrimPrefix(loc, "/portfolio#")
		if !strings.Contains(page, `id="`+item+`"`) || !strings.Contains(page, `data-public="false"`) {
			t.Errorf("accepted badge not in the portfolio as private: %.1500s", page)
		}
		if byID(page, "flash") != html(locale.T("fr", "flash.claim.accepted")) {
			t.Errorf("flash %q", byID(page, "flash"))
		}
		// The link is used now.
		resp, page = marie.get(link)
		if resp.StatusCode != 404 || byID(page, "claim-invalid") == "" {
			t.Errorf("used link: %s", resp.Status)
		}
		// The issuer's list says claimed.
		if got := awardState(a, f.now); got != "claimed" {
			t.Errorf("state %q", got)
		}
	})

	t.Run("another account is refused", func(t *testing.T) {
		a := f.awardTo(t, "secourisme", "luc@exemple.ca")
		link := f.claimLink(t, a, f.now)
		eve := f.signUp(t, "en", "Eve Other", "eve@autre.example")
		resp, page := eve.get(link)
		if resp.StatusCode != http.StatusForbidden || byID(page, "claim-other") == "" || byID(page, "claim-accept") != "" {
			t.Fatalf("other account: %s %.600s", resp.Status, page)
		}
		if got := byID(page, "claim-title"); got != locale.T("en", "claim.title") {
			t.Errorf("English title %q", got)
		}
		resp, _ = eve.post(link + "/accept")
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("accept by another account: %s", resp.Status)
		}
		resp, _ = eve.post(link + "/decline")
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("decline by another account: %s", resp.Status)
		}
		// Nor through the portfolio's list.
		resp, _ = eve.post("/portfolio/awards/" + a.ID + "/accept")
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("accept through the list by another account: %s", resp.Status)
		}
		if got, _ := db.GetAward(ctx, a.ID); got.ClaimedBy != "" {
			t.Fatal("another account claimed the award")
		}
		if d, _ := db.AwardDeclinedAt(ctx, a.ID); d != nil {
			t.Fatal("another account declined the award")
		}
		// The link still works for its holder.
		luc := f.signUp(t, "fr", "Luc Roy", "luc@exemple.ca")
		resp, body := luc.post(link + "/accept")
		wantRedirect(t, resp, body, "/portfolio#item-")
	})

	t.Run("the account adds the address, the link proves it", func(t *testing.T) {
		a := f.awardTo(t, "secourisme", "lea.pro@exemple.ca")
		link := f.claimLink(t, a, f.now)
		lea := f.signUp(t, "fr", "Léa Roy", "lea@exemple.ca")
		resp, page := lea.get(link)
		if resp.StatusCode != http.StatusForbidden || byID(page, "claim-add-address") == "" {
			t.Fatalf("%s %.600s", resp.Status, page)
		}
		resp, body := lea.post(link + "/address")
		wantRedirect(t, resp, body, link)
		resp, page = lea.get(link)
		if resp.StatusCode != 200 || byID(page, "claim-verified") == "" || byID(page, "claim-accept") == "" {
			t.Fatalf("after adding: %s %.600s", resp.Status, page)
		}
		u, _ := db.GetUserByEmail(ctx, "lea@exemple.ca")
		if v, _ := db.VerifiedEmails(ctx, u.ID); len(v) != 2 {
			t.Errorf("verified addresses %v", v)
		}
	})

	t.Run("an unverified address is verified by the link", func(t *testing.T) {
		a := f.awardTo(t, "secourisme", "noe@exemple.ca")
		link := f.claimLink(t, a, f.now)
		noe := f.unconfirmed(t, "fr", "Noé Roy", "noe@exemple.ca")
		resp, page := noe.get(link)
		if resp.StatusCode != 200 || byID(page, "claim-verified") == "" {
			t.Fatalf("%s %.600s", resp.Status, page)
		}
		u, _ := db.GetUserByEmail(ctx, "noe@exemple.ca")
		if v, _ := db.VerifiedEmails(ctx, u.ID); len(v) != 1 {
			t.Errorf("not verified: %v", v)
		}
		resp, body := noe.post(link + "/accept")
		wantRedirect(t, resp, body, "/portfolio#item-")
	})

	t.Run("expired, unknown and declined links", func(t *testing.T) {
		a := f.awardTo(t, "secourisme", "zoe@exemple.ca")
		zoe := f.signUp(t, "en", "Zoé Roy", "zoe@exemple.ca")
		old := f.claimLink(t, a, f.now.Add(-accounts.ClaimTTL-time.Hour))
		for _, path := range []string{old, "/claim/nope", "/claim/" + strings.Repeat("A", 43)} {
			resp, page := zoe.get(path)
			if resp.StatusCode != 404 || byID(page, "claim-invalid") != html(locale.T("en", "error.token.invalid")) {
				t.Errorf("%s: %s %q", path, resp.Status, byID(page, "claim-invalid"))
			}
		}
		if resp, _ := zoe.post(old + "/accept"); resp.StatusCode != 404 {
			t.Errorf("accept with an expired link: %s", resp.Status)
		}
		link := f.claimLink(t, a, f.now)
		resp, body := zoe.post(link + "/decline")
		wantRedirect(t, resp, body, "/portfolio")
		if d, _ := db.AwardDeclinedAt(ctx, a.ID); d == nil {
			t.Fatal("not declined")
		}
		again := f.claimLink(t, a, f.now)
		resp, page := zoe.get(again)
		if resp.StatusCode != http.StatusGone || byID(page, "claim-declined") == "" {
			t.Errorf("declined: %s", resp.Status)
		}
		resp, _ = zoe.post(again + "/accept")
		if resp.StatusCode != http.StatusGone {
			t.Errorf("accept after decline: %s", resp.Status)
		}
		_, page = zoe.get("/portfolio")
		if strings.Contains(page, a.ID) {
			t.Error("a declined award shows in the portfolio")
		}
	})
}

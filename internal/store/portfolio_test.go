package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sceau/sceau/internal/badge"
)

// pfUser creates an account holding email, verified when asked.
func pfUser(t *testing.T, db *DB, handle, email string, verified bool) *badge.User {
	t.Helper()
	ctx := context.Background()
	u := &badge.User{Handle: handle, Name: "User " + handle, Language: "fr", PasswordHash: "$argon2id$x"}
	if err := db.CreateUser(ctx, u, email); err != nil {
		t.Fatal(err)
	}
	if verified {
		if err := db.VerifyEmail(ctx, u.ID, email); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

func pfAward(t *testing.T, db *DB, b *badge.Badge, email string) *badge.Award {
	t.Helper()
	a := newAward(b, email)
	if err := db.CreateAward(context.Background(), a, fakeSign); err != nil {
		t.Fatal(err)
	}
	return a
}

// order lists the slugs of a portfolio listing, with the theme of each.
func order(t *testing.T, db *DB, userID string, publicOnly bool) []string {
	t.Helper()
	es, err := db.ListPortfolio(context.Background(), userID, publicOnly)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, e := range es {
		out = append(out, e.CollectionName+"/"+e.Item.Slug)
	}
	return out
}

func TestClaimAndDecline(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		iss := newIssuer(t, db, "acme")
		b := newBadge(t, db, iss.ID, "first-aid")
		marie := pfUser(t, db, "marie", "marie@example.org", true)
		paul := pfUser(t, db, "paul", "paul@example.org", false)
		a1 := pfAward(t, db, b, "marie@example.org")
		a2 := pfAward(t, db, b, "marie@example.org")
		a3 := pfAward(t, db, b, "marie@example.org")
		toPaul := pfAward(t, db, b, "paul@example.org")

		// Pending: awards to verified addresses only, newest first.
		pending, err := db.PendingAwards(ctx, marie.ID)
		if err != nil || len(pending) != 3 {
			t.Fatalf("pending of marie: %d %v", len(pending), err)
		}
		if pending[0].Credential != nil {
			t.Error("pending awards carry their credential")
		}
		if got, _ := db.PendingAwards(ctx, paul.ID); len(got) != 0 {
			t.Errorf("an unverified address sees %d pending awards", len(got))
		}

		it, err := db.ClaimAward(ctx, a1.ID, marie.ID)
		if err != nil {
			t.Fatal(err)
		}
		if it.Slug != "badge-first-aid" || it.Public || it.ShowEvidence || it.CollectionID != "" || it.AwardID != a1.ID {
			t.Errorf("claimed item %+v", it)
		}
		got, err := db.GetAward(ctx, a1.ID)
		if err != nil || got.ClaimedBy != marie.ID || got.ClaimedAt == nil {
			t.Fatalf("award after claim: %+v %v", got, err)
		}
		again, err := db.ClaimAward(ctx, a1.ID, marie.ID)
		if err != nil || again.ID != it.ID {
			t.Errorf("claiming twice: %+v %v", again, err)
		}
		_, err = db.ClaimAward(ctx, a1.ID, paul.ID)
		wantKind(t, err, badge.Conflict, "claim.taken")
		wantKind(t, db.DeclineAward(ctx, a1.ID), badge.Conflict, "claim.already_accepted")

		// The same badge twice gets a second slug.
		it2, err := db.ClaimAward(ctx, a2.ID, marie.ID)
		if err != nil || it2.Slug != "badge-first-aid-2" || it2.Position != it.Position+1 {
			t.Errorf("second item %+v %v", it2, err)
		}

		if err := db.DeclineAward(ctx, a3.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.DeclineAward(ctx, a3.ID); err != nil {
			t.Errorf("declining twice: %v", err)
		}
		if at, err := db.AwardDeclinedAt(ctx, a3.ID); err != nil || at == nil {
			t.Errorf("declined at %v %v", at, err)
		}
		if at, err := db.AwardDeclinedAt(ctx, a1.ID); err != nil || at != nil {
			t.Errorf("accepted award declined at %v %v", at, err)
		}
		_, err = db.ClaimAward(ctx, a3.ID, marie.ID)
		wantKind(t, err, badge.Conflict, "claim.declined")
		if pending, _ = db.PendingAwards(ctx, marie.ID); len(pending) != 0 {
			t.Errorf("accepted or declined awards still pending: %d", len(pending))
		}
		_, err = db.ClaimAward(ctx, "00000000-0000-4000-8000-000000000000", marie.ID)
		wantKind(t, err, badge.NotFound, "award.not_found")

		// Paul's award becomes his once the address is verified.
		if err := db.VerifyEmail(ctx, paul.ID, "paul@example.org"); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.PendingAwards(ctx, paul.ID); len(got) != 1 || got[0].ID != toPaul.ID {
			t.Errorf("paul's pending awards %v", got)
		}

		// Removing an item keeps the award accepted; claiming again puts it back.
		if err := db.RemovePortfolioItem(ctx, paul.ID, it.ID); !badge.IsNotFound(err) {
			t.Errorf("removing another account's item: %v", err)
		}
		if err := db.RemovePortfolioItem(ctx, marie.ID, it.ID); err != nil {
			t.Fatal(err)
		}
		back, err := db.ClaimAward(ctx, a1.ID, marie.ID)
		if err != nil || back.Slug != "badge-first-aid" {
			t.Errorf("put back: %+v %v", back, err)
		}
	})
}

func TestPortfolioThemesAndVisibility(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		iss := newIssuer(t, db, "acme")
		marie := pfUser(t, db, "marie", "marie@example.org", true)
		eve := pfUser(t, db, "eve", "eve@example.org", true)
		var items []*PortfolioItem
		for _, slug := range []string{"aa", "bb", "cc", "dd"} {
			b := newBadge(t, db, iss.ID, slug)
			it, err := db.ClaimAward(ctx, pfAward(t, db, b, "marie@example.org").ID, marie.ID)
			if err != nil {
				t.Fatal(err)
			}
			items = append(items, it)
		}
		if diff := cmp.Diff([]string{"/badge-aa", "/badge-bb", "/badge-cc", "/badge-dd"}, order(t, db, marie.ID, false)); diff != "" {
			t.Errorf("initial order (-want +got):\n%s", diff)
		}
		if got := order(t, db, marie.ID, true); len(got) != 0 {
			t.Errorf("private by default, yet public: %v", got)
		}

		// Themes: create, order, rename.
		var themes []*Collection
		for _, name := range []string{"Pédagogie", "Numérique", "Sécurité"} {
			c, err := db.CreateCollection(ctx, marie.ID, name)
			if err != nil {
				t.Fatal(err)
			}
			themes = append(themes, c)
		}
		_, err := db.CreateCollection(ctx, marie.ID, "  ")
		wantKind(t, err, badge.Invalid, "portfolio.collection_name_required")
		if err := db.MoveCollection(ctx, marie.ID, themes[2].ID, -1); err != nil {
			t.Fatal(err)
		}
		if err := db.MoveCollection(ctx, marie.ID, themes[0].ID, -1); err != nil { // already first
			t.Fatal(err)
		}
		if err := db.RenameCollection(ctx, marie.ID, themes[1].ID, "Outils numériques"); err != nil {
			t.Fatal(err)
		}
		wantKind(t, db.RenameCollection(ctx, eve.ID, themes[1].ID, "Piraté"), badge.NotFound, "portfolio.collection_not_found")
		wantKind(t, db.MoveCollection(ctx, eve.ID, themes[1].ID, 1), badge.NotFound, "portfolio.collection_not_found")
		cs, err := db.ListCollections(ctx, marie.ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range cs {
			names = append(names, c.Name)
		}
		if diff := cmp.Diff([]string{"Pédagogie", "Sécurité", "Outils numériques"}, names); diff != "" {
			t.Errorf("themes (-want +got):\n%s", diff)
		}

		// Items into themes; public and evidence settings.
		set := func(it *PortfolioItem, s ItemSettings) {
			t.Helper()
			if err := db.UpdatePortfolioItem(ctx, marie.ID, it.ID, s); err != nil {
				t.Fatal(err)
			}
		}
		set(items[3], ItemSettings{Public: true, CollectionID: themes[0].ID})
		set(items[1], ItemSettings{Public: true, ShowEvidence: true, CollectionID: themes[0].ID})
		set(items[0], ItemSettings{Public: false, CollectionID: themes[2].ID})
		set(items[2], ItemSettings{Public: true})
		want := []string{"Pédagogie/badge-dd", "Pédagogie/badge-bb", "Sécurité/badge-aa", "/badge-cc"}
		if diff := cmp.Diff(want, order(t, db, marie.ID, false)); diff != "" {
			t.Errorf("order in themes (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"Pédagogie/badge-dd", "Pédagogie/badge-bb", "/badge-cc"}, order(t, db, marie.ID, true)); diff != "" {
			t.Errorf("public items (-want +got):\n%s", diff)
		}
		e, err := db.GetPortfolioEntryBySlug(ctx, marie.ID, "badge-bb")
		if err != nil || !e.Item.Public || !e.Item.ShowEvidence || e.BadgeName != "Badge bb" || e.IssuerSlug != "acme" ||
			e.Status != badge.StatusActive || e.AwardedAt.IsZero() {
			t.Errorf("entry %+v %v", e, err)
		}
		if _, err := db.GetPortfolioEntryBySlug(ctx, eve.ID, "badge-bb"); !badge.IsNotFound(err) {
			t.Errorf("another account's slug: %v", err)
		}

		// Reorder within a theme: down past the end stays last.
		if err := db.MovePortfolioItem(ctx, marie.ID, items[3].ID, 1); err != nil {
			t.Fatal(err)
		}
		if err := db.MovePortfolioItem(ctx, marie.ID, items[3].ID, 1); err != nil {
			t.Fatal(err)
		}
		want = []string{"Pédagogie/badge-bb", "Pédagogie/badge-dd", "Sécurité/badge-aa", "/badge-cc"}
		if diff := cmp.Diff(want, order(t, db, marie.ID, false)); diff != "" {
			t.Errorf("after move (-want +got):\n%s", diff)
		}

		// Another account can neither change an item nor use a theme.
		if err := db.UpdatePortfolioItem(ctx, eve.ID, items[0].ID, ItemSettings{Public: true}); !badge.IsNotFound(err) {
			t.Errorf("eve changed marie's item: %v", err)
		}
		eveTheme, err := db.CreateCollection(ctx, eve.ID, "À moi")
		if err != nil {
			t.Fatal(err)
		}
		wantKind(t, db.UpdatePortfolioItem(ctx, marie.ID, items[0].ID, ItemSettings{CollectionID: eveTheme.ID}),
			badge.NotFound, "portfolio.collection_not_found")
		if err := db.MovePortfolioItem(ctx, eve.ID, items[0].ID, -1); !badge.IsNotFound(err) {
			t.Errorf("eve moved marie's item: %v", err)
		}

		// Deleting a theme keeps its badges, after those in no theme.
		if err := db.DeleteCollection(ctx, marie.ID, themes[0].ID); err != nil {
			t.Fatal(err)
		}
		want = []string{"Sécurité/badge-aa", "/badge-cc", "/badge-bb", "/badge-dd"}
		if diff := cmp.Diff(want, order(t, db, marie.ID, false)); diff != "" {
			t.Errorf("after deleting a theme (-want +got):\n%s", diff)
		}
		wantKind(t, db.DeleteCollection(ctx, marie.ID, themes[0].ID), badge.NotFound, "portfolio.collection_not_found")
		wantKind(t, db.DeleteCollection(ctx, marie.ID, eveTheme.ID), badge.NotFound, "portfolio.collection_not_found")
	})
}

// An imported badge (its bytes and source, no award) sits in the same
// table and listing.
func TestImportedItem(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		marie := pfUser(t, db, "marie", "marie@example.org", true)
		it := &PortfolioItem{UserID: marie.ID, Credential: []byte(`{"type":["VerifiableCredential"]}`), Source: "https://other.example/b/1",
			Name: "Éco-délégué"}
		if err := db.ImportItem(ctx, it); err != nil {
			t.Fatal(err)
		}
		es, err := db.ListPortfolio(ctx, marie.ID, false)
		if err != nil || len(es) != 1 {
			t.Fatalf("%d items, %v", len(es), err)
		}
		e := es[0]
		if e.Item.Slug != "eco-delegue" || e.BadgeName != "Éco-délégué" || e.Item.AwardID != "" || e.BadgeID != "" || !e.AwardedAt.IsZero() {
			t.Errorf("listed imported entry %+v", e)
		}
		// The listing leaves the bytes out; reading the item gives them.
		if e.Item.Credential != nil {
			t.Error("the listing read an imported credential's bytes")
		}
		full, err := db.GetPortfolioEntry(ctx, marie.ID, it.ID)
		if err != nil || full.Item.Source != it.Source || string(full.Item.Credential) != string(it.Credential) {
			t.Errorf("imported item %+v %v", full, err)
		}
		err = db.ImportItem(ctx, &PortfolioItem{UserID: marie.ID, Name: "x"})
		wantKind(t, err, badge.Invalid, "portfolio.credential_required")
	})
}

// BenchmarkListPortfolio reads a portfolio of 1,000 badges in 10 themes:
// the query behind a public portfolio page.
func BenchmarkListPortfolio(b *testing.B) {
	benchDBs(b, func(b *testing.B, db *DB) {
		ctx := context.Background()
		iss := newIssuer(b, db, "acme")
		bd := newBadge(b, db, iss.ID, "bench")
		u := &badge.User{Handle: "julie", Name: "Julie", Language: "fr", PasswordHash: "$argon2id$x"}
		if err := db.CreateUser(ctx, u, "julie@example.org"); err != nil {
			b.Fatal(err)
		}
		awards := make([]*badge.Award, 1000)
		for i := range awards {
			awards[i] = newAward(bd, "julie@example.org")
		}
		// Credentials of a realistic size (a signed OB 3.0 credential is
		// 3 to 5 KB): in SQLite they push later columns to overflow pages.
		pad := strings.Repeat("x", 4000)
		sign := func(a *badge.Award) error {
			a.Credential = []byte(`{"id":"urn:uuid:` + a.ID + `","pad":"` + pad + `"}`)
			return nil
		}
		if _, err := db.CreateAwards(ctx, awards, sign); err != nil {
			b.Fatal(err)
		}
		var themes []string
		for i := range 10 {
			c, err := db.CreateCollection(ctx, u.ID, "Theme "+itoa(i))
			if err != nil {
				b.Fatal(err)
			}
			themes = append(themes, c.ID)
		}
		for i, a := range awards {
			it, err := db.ClaimAward(ctx, a.ID, u.ID)
			if err != nil {
				b.Fatal(err)
			}
			if err := db.UpdatePortfolioItem(ctx, u.ID, it.ID, ItemSettings{Public: true, CollectionID: themes[i%10]}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			es, err := db.ListPortfolio(ctx, u.ID, true)
			if err != nil || len(es) != 1000 {
				b.Fatalf("%d %v", len(es), err)
			}
		}
	})
}

// An imported badge keeps what its import read (portfolio_imports): the
// listing shows its issuer, dates and state; one account imports a badge
// once; the re-check reads the badges checked longest ago and records
// its verdict.
func TestImportInfo(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })
		marie := pfUser(t, db, "marie", "marie@example.org", true)
		paul := pfUser(t, db, "paul", "paul@example.org", true)
		issued := time.Date(2024, 5, 17, 13, 45, 2, 118452000, time.UTC)
		until := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
		newItem := func(userID, key string) *PortfolioItem {
			return &PortfolioItem{UserID: userID, Credential: []byte("\x89PNG fake"), Source: "badge.png", Name: "Sécurité des données",
				Import: &ImportInfo{Key: key, Format: "png", Standard: "Open Badges 2.0", IssuerName: "Centre de formation",
					IssuerURL: "https://formation.example.org", Description: "RGPD", IssuedAt: &issued, ValidUntil: &until,
					State: "valid", ImageType: "image/png", Image: []byte("png bytes")}}
		}
		it := newItem(marie.ID, "https://badgr.example.org/assertions/1")
		if err := db.ImportItem(ctx, it); err != nil {
			t.Fatal(err)
		}
		es, err := db.ListPortfolio(ctx, marie.ID, false)
		if err != nil || len(es) != 1 {
			t.Fatalf("%d items, %v", len(es), err)
		}
		want := ImportInfo{Key: "https://badgr.example.org/assertions/1", Format: "png", Standard: "Open Badges 2.0",
			IssuerName: "Centre de formation", IssuerURL: "https://formation.example.org", Description: "RGPD",
			IssuedAt: &issued, ValidUntil: &until, State: "valid", CheckedAt: now, ImageType: "image/png"}
		for name, e := range map[string]*PortfolioEntry{"listing": es[0]} {
			if diff := cmp.Diff(&want, e.Item.Import); diff != "" {
				t.Errorf("%s: import info (-want +got):\n%s", name, diff)
			}
			if e.IssuerName != "Centre de formation" || !e.AwardedAt.Equal(issued) || e.ValidUntil == nil || !e.ValidUntil.Equal(until) {
				t.Errorf("%s: entry %+v", name, e)
			}
		}
		full, err := db.GetPortfolioEntry(ctx, marie.ID, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&want, full.Item.Import); diff != "" || string(full.Item.Credential) != "\x89PNG fake" {
			t.Errorf("entry: import info (-want +got):\n%s", diff)
		}
		ctype, img, err := db.ImportImage(ctx, marie.ID, it.ID)
		if err != nil || ctype != "image/png" || string(img) != "png bytes" {
			t.Errorf("image %q %q %v", ctype, img, err)
		}
		_, _, err = db.ImportImage(ctx, paul.ID, it.ID)
		wantKind(t, err, badge.NotFound, "portfolio.image_not_found")

		// Once per account; another account may hold its own copy.
		wantKind(t, db.ImportItem(ctx, newItem(marie.ID, "https://badgr.example.org/assertions/1")), badge.Conflict, "portfolio.already_imported")
		if got := order(t, db, marie.ID, false); len(got) != 1 {
			t.Errorf("a refused duplicate left an item: %v", got)
		}
		if err := db.ImportItem(ctx, newItem(paul.ID, "https://badgr.example.org/assertions/1")); err != nil {
			t.Fatal(err)
		}

		// Re-check: due items, oldest check first, bounded.
		now = now.Add(time.Hour)
		second := newItem(marie.ID, "sha256:00")
		if err := db.ImportItem(ctx, second); err != nil {
			t.Fatal(err)
		}
		now = now.Add(48 * time.Hour)
		due, err := db.DueImports(ctx, now.Add(-24*time.Hour), 10)
		if err != nil || len(due) != 3 {
			t.Fatalf("due: %d %v", len(due), err)
		}
		if due[2].ItemID != second.ID || string(due[0].Credential) != "\x89PNG fake" || due[0].State != "valid" {
			t.Errorf("due order or content: %+v", due)
		}
		if one, _ := db.DueImports(ctx, now, 1); len(one) != 1 {
			t.Errorf("limit 1 gave %d", len(one))
		}
		if err := db.RecordImportCheck(ctx, it.ID, "revoked", "Fraude"); err != nil {
			t.Fatal(err)
		}
		full, _ = db.GetPortfolioEntry(ctx, marie.ID, it.ID)
		if full.Item.Import.State != "revoked" || full.Item.Import.StateReason != "Fraude" || !full.Item.Import.CheckedAt.Equal(now) {
			t.Errorf("after the check: %+v", full.Item.Import)
		}
		if due, _ := db.DueImports(ctx, now.Add(-24*time.Hour), 10); len(due) != 2 {
			t.Errorf("a checked item is still due: %d", len(due))
		}
		// Removing the item removes its import row.
		if err := db.RemovePortfolioItem(ctx, marie.ID, it.ID); err != nil {
			t.Fatal(err)
		}
		wantKind(t, db.RecordImportCheck(ctx, it.ID, "valid", ""), badge.NotFound, "portfolio.item_not_found")
	})
}

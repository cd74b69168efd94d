package store

import (
	"context"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/pathways"
)

func TestPathways(t *testing.T) { forEachDB(t, testPathways) }

func testPathways(t *testing.T, db *DB) {
	ctx := context.Background()
	owner, partner, other := newIssuer(t, db, "owner"), newIssuer(t, db, "partner"), newIssuer(t, db, "other")
	b1, b2 := newBadge(t, db, owner.ID, "b1"), newBadge(t, db, partner.ID, "b2")
	done, foreign := newBadge(t, db, owner.ID, "done"), newBadge(t, db, other.ID, "foreign")
	tree := func() *pathways.Node {
		return &pathways.Node{Kind: pathways.KindAll, Children: []*pathways.Node{
			{Kind: pathways.KindBadge, BadgeID: b1.ID},
			{Kind: pathways.KindAny, N: 1, Children: []*pathways.Node{
				{Kind: pathways.KindBadge, BadgeID: b2.ID, AddedBy: partner.ID},
				{Kind: pathways.KindExternal, Ref: "https://e.example/badges/1"},
			}},
		}}
	}
	p := &pathways.Pathway{IssuerID: owner.ID, Slug: "p", Name: "P", Language: "fr", Root: tree(),
		CompletionBadgeID: done.ID, Partners: []string{partner.ID}}
	if err := db.CreatePathway(ctx, p); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]*pathways.Pathway{
		"slug taken":           {IssuerID: owner.ID, Slug: "p", Name: "P", Language: "fr", Root: tree()},
		"another's completion": {IssuerID: owner.ID, Slug: "q", Name: "Q", Language: "fr", Root: tree(), CompletionBadgeID: foreign.ID},
		"invalid tree":         {IssuerID: owner.ID, Slug: "r", Name: "R", Language: "fr", Root: &pathways.Node{Kind: pathways.KindAll}},
		"unknown partner":      {IssuerID: owner.ID, Slug: "s", Name: "S", Language: "fr", Root: tree(), Partners: []string{"nobody"}},
	} {
		if err := db.CreatePathway(ctx, bad); err == nil {
			t.Errorf("%s: stored", name)
		}
	}
	got, err := db.GetPathwayBySlug(ctx, owner.ID, "p")
	if err != nil || len(got.Partners) != 1 || got.Partners[0] != partner.ID || len(pathways.Leaves(got.Root)) != 3 ||
		pathways.Leaves(got.Root)[1].AddedBy != partner.ID {
		t.Fatalf("read back %+v %v", got, err)
	}
	// Owner and partner list it; others do not.
	for _, c := range []struct {
		issuer string
		n      int
	}{{owner.ID, 1}, {partner.ID, 1}, {other.ID, 0}} {
		if ps, err := db.ListPathways(ctx, c.issuer); err != nil || len(ps) != c.n {
			t.Errorf("issuer %s lists %d pathways (%v), want %d", c.issuer, len(ps), err, c.n)
		}
	}
	// Found by any of its leaves' keys.
	for key, want := range map[string]int{pathways.BadgeKey(b2.ID): 1, pathways.ExternalKey("https://e.example/badges/1"): 1,
		pathways.BadgeKey(done.ID): 0} {
		if ps, err := db.PathwaysRequiring(ctx, []string{key, "badge:none"}); err != nil || len(ps) != want {
			t.Errorf("%s: %d pathways (%v), want %d", key, len(ps), err, want)
		}
	}
	// Updating the tree rewrites the keys.
	got.Root.Children[1].Children = got.Root.Children[1].Children[:1]
	got.Partners = nil
	if err := db.UpdatePathway(ctx, got); err != nil {
		t.Fatal(err)
	}
	if ps, _ := db.PathwaysRequiring(ctx, []string{pathways.ExternalKey("https://e.example/badges/1")}); len(ps) != 0 {
		t.Fatal("removed leaf still found")
	}
	if ps, _ := db.ListPathways(ctx, partner.ID); len(ps) != 0 {
		t.Fatal("removed partner still lists the pathway")
	}

	// Holdings, completions and flags.
	u := pfUser(t, db, "marie", "marie@example.org", true)
	a1 := pfAward(t, db, b1, "marie@example.org")
	until := time.Now().Add(48 * time.Hour)
	a2 := newAward(b2, "marie@example.org")
	a2.ValidUntil = &until
	if err := db.CreateAward(ctx, a2, fakeSign); err != nil {
		t.Fatal(err)
	}
	pfAward(t, db, b1, "someone@example.org") // not Marie's
	for _, a := range []*badge.Award{a1, a2} {
		if _, err := db.ClaimAward(ctx, a.ID, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	hs, err := db.Holdings(ctx, u.ID)
	if err != nil || len(hs) != 2 || hs[0].Kind != "award" || hs[0].Status != badge.StatusActive {
		t.Fatalf("holdings %+v %v", hs, err)
	}
	c := &Completion{PathwayID: p.ID, UserID: u.ID, Basis: []CompletionBasis{
		{Kind: "award", RefID: a1.ID, URL: "https://x/awards/" + a1.ID, Name: "b1"},
		{Kind: "award", RefID: a2.ID, URL: "https://x/awards/" + a2.ID, Name: "b2"}}}
	if err := db.CreateCompletion(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateCompletion(ctx, &Completion{PathwayID: p.ID, UserID: u.ID}); badge.ErrorKind(err) != badge.Conflict {
		t.Fatalf("second completion: %v", err)
	}
	now := time.Now()
	if fl, err := db.FlaggedCompletions(ctx, owner.ID, now); err != nil || len(fl) != 0 {
		t.Fatalf("flagged too early: %v %v", fl, err)
	}
	// Expiry flags, as does revocation; each broken badge is listed.
	later := until.Add(time.Hour)
	if err := db.UpdateAwardStatus(ctx, a1.ID, badge.StatusRevoked, "x", now); err != nil {
		t.Fatal(err)
	}
	fl, err := db.FlaggedCompletions(ctx, owner.ID, later)
	if err != nil || len(fl) != 1 || len(fl[0].Broken) != 2 || fl[0].UserName != "User marie" {
		t.Fatalf("flagged %+v %v", fl, err)
	}
	whys := map[string]string{fl[0].Broken[0].RefID: fl[0].Broken[0].Why, fl[0].Broken[1].RefID: fl[0].Broken[1].Why}
	if whys[a1.ID] != "revoked" || whys[a2.ID] != "expired" {
		t.Fatalf("reasons %v", whys)
	}
	if fl, _ := db.FlaggedCompletions(ctx, partner.ID, later); len(fl) != 0 {
		t.Fatal("another issuer sees the owner's flags")
	}
	if err := db.ReviewCompletion(ctx, partner.ID, c.ID, ReviewKept, "x"); !badge.IsNotFound(err) {
		t.Fatalf("partner reviewed: %v", err)
	}
	if err := db.ReviewCompletion(ctx, owner.ID, c.ID, ReviewKept, "x"); err != nil {
		t.Fatal(err)
	}
	if fl, _ := db.FlaggedCompletions(ctx, owner.ID, later); len(fl) != 0 {
		t.Fatal("reviewed completion still flagged")
	}
	back, err := db.GetCompletion(ctx, p.ID, u.ID)
	if err != nil || back.Review != ReviewKept || back.ReviewedAt == nil || len(back.Basis) != 2 {
		t.Fatalf("completion %+v %v", back, err)
	}
}

func TestDeletePathway(t *testing.T) { forEachDB(t, testDeletePathway) }

// Deleting a pathway takes its partners, keys and completions with it;
// the completion badge's award stays.
func testDeletePathway(t *testing.T, db *DB) {
	ctx := context.Background()
	owner, partner := newIssuer(t, db, "owner"), newIssuer(t, db, "partner")
	b1, done := newBadge(t, db, owner.ID, "b1"), newBadge(t, db, owner.ID, "done")
	newP := func(slug string) *pathways.Pathway {
		p := &pathways.Pathway{IssuerID: owner.ID, Slug: slug, Name: slug, Language: "fr", CompletionBadgeID: done.ID,
			Partners: []string{partner.ID}, Root: &pathways.Node{Kind: pathways.KindAll, Children: []*pathways.Node{
				{Kind: pathways.KindBadge, BadgeID: b1.ID}}}}
		if err := db.CreatePathway(ctx, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p, kept := newP("p"), newP("kept")
	u := pfUser(t, db, "marie", "marie@example.org", true)
	a1 := pfAward(t, db, b1, "marie@example.org")
	completionAward := pfAward(t, db, done, "marie@example.org")
	for _, pw := range []*pathways.Pathway{p, kept} {
		c := &Completion{PathwayID: pw.ID, UserID: u.ID, AwardID: completionAward.ID,
			Basis: []CompletionBasis{{Kind: "award", RefID: a1.ID, URL: "https://x/awards/" + a1.ID, Name: "b1"}}}
		if err := db.CreateCompletion(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.CreateCompletion(ctx, &Completion{PathwayID: p.ID, UserID: pfUser(t, db, "paul", "paul@example.org", true).ID}); err != nil {
		t.Fatal(err)
	}
	if n, awarded, err := db.PathwayCompletions(ctx, p.ID); err != nil || n != 2 || awarded != 1 {
		t.Fatalf("completions %d, awarded %d, %v", n, awarded, err)
	}

	for name, tc := range map[string]struct{ issuer, id string }{
		"by a partner": {partner.ID, p.ID},
		"unknown":      {owner.ID, "00000000-0000-4000-8000-000000000000"},
	} {
		if err := db.DeletePathway(ctx, tc.issuer, tc.id); !badge.IsNotFound(err) {
			t.Errorf("%s: %v, want NotFound", name, err)
		}
	}
	if err := db.DeletePathway(ctx, owner.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GetPathway(ctx, p.ID); !badge.IsNotFound(err) {
		t.Fatalf("deleted pathway read: %v", err)
	}
	if _, err := db.GetCompletion(ctx, p.ID, u.ID); !badge.IsNotFound(err) {
		t.Fatalf("completion of a deleted pathway: %v", err)
	}
	if n, _, err := db.PathwayCompletions(ctx, p.ID); err != nil || n != 0 {
		t.Fatalf("completions left: %d %v", n, err)
	}
	// Recipients' progress no longer finds it; the other pathway stays whole.
	if ps, err := db.PathwaysRequiring(ctx, []string{pathways.BadgeKey(b1.ID)}); err != nil || len(ps) != 1 || ps[0].ID != kept.ID {
		t.Fatalf("pathways requiring b1: %v %v", ps, err)
	}
	if ps, _ := db.ListPathways(ctx, partner.ID); len(ps) != 1 || ps[0].ID != kept.ID {
		t.Fatal("the partner still lists the deleted pathway")
	}
	if c, err := db.GetCompletion(ctx, kept.ID, u.ID); err != nil || len(c.Basis) != 1 {
		t.Fatalf("other pathway's completion: %v %v", c, err)
	}
	// The completion badge stays awarded and active.
	if a, err := db.GetAward(ctx, completionAward.ID); err != nil || a.Status != badge.StatusActive {
		t.Fatalf("completion award after deletion: %v %v", a, err)
	}
	if err := db.DeletePathway(ctx, owner.ID, p.ID); !badge.IsNotFound(err) {
		t.Fatalf("deleted twice: %v", err)
	}
}

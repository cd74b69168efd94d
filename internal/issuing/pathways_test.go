package issuing

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/pathways"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
)

// pathwayFixture: cssdm (owner) with badges secourisme (the fixture's),
// numerique and a completion badge; udem, a partner, with robotique; a
// recipient, Marie, with a confirmed address.
type pathwayFixture struct {
	*fixture
	db                  *store.DB
	udem                *badge.Issuer
	numerique, robotics *badge.Badge
	complete            *badge.Badge
	user                *badge.User
	email               string
}

func newPathwayFixture(t *testing.T, db *store.DB) *pathwayFixture {
	t.Helper()
	ctx := context.Background()
	f := &pathwayFixture{fixture: newFixture(t, db), db: db, email: "marie@exemple.ca"}
	f.udem = &badge.Issuer{Slug: "udem", Name: "Université", URL: "https://udem.example.org", Language: "fr"}
	if err := f.svc.CreateIssuer(ctx, f.udem); err != nil {
		t.Fatal(err)
	}
	mk := func(iss *badge.Issuer, slug, name string) *badge.Badge {
		b := &badge.Badge{IssuerID: iss.ID, Slug: slug, Name: name, Description: name + ".", CriteriaNarrative: "Réussir.", Language: "fr"}
		if err := f.svc.CreateBadge(ctx, b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	f.numerique = mk(f.issuer, "numerique", "Numérique")
	f.complete = mk(f.issuer, "parcours-complet", "Parcours complété")
	f.robotics = mk(f.udem, "robotique", "Robotique")
	f.user = &badge.User{Handle: "marie", Name: "Marie", Language: "fr", PasswordHash: "$argon2id$x"}
	if err := db.CreateUser(ctx, f.user, f.email); err != nil {
		t.Fatal(err)
	}
	if err := db.VerifyEmail(ctx, f.user.ID, f.email); err != nil {
		t.Fatal(err)
	}
	return f
}

const externalRef = "https://badges.example.org/badges/1" // hostedOB2's badge class

// pathway: all of { secourisme, any 1 of { robotique (added by the
// partner), the external badge } }, completed by f.complete.
func (f *pathwayFixture) pathway(t *testing.T) *pathways.Pathway {
	t.Helper()
	p := &pathways.Pathway{IssuerID: f.issuer.ID, Slug: "parcours", Name: "Parcours", Language: "fr",
		CompletionBadgeID: f.complete.ID, Partners: []string{f.udem.ID},
		Root: &pathways.Node{Kind: pathways.KindAll, Children: []*pathways.Node{
			{Kind: pathways.KindBadge, BadgeID: f.badge.ID},
			{Kind: pathways.KindAny, N: 1, Label: "Options", Children: []*pathways.Node{
				{Kind: pathways.KindBadge, BadgeID: f.robotics.ID, AddedBy: f.udem.ID},
				{Kind: pathways.KindExternal, Ref: externalRef, Name: "Badge externe"},
			}},
		}}}
	if err := f.db.CreatePathway(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *pathwayFixture) awardClaimed(t *testing.T, b *badge.Badge, until *time.Time) *badge.Award {
	t.Helper()
	ctx := context.Background()
	a, err := f.svc.Award(ctx, AwardInput{BadgeID: b.ID, Email: f.email, ValidUntil: until})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ClaimAward(ctx, a.ID, f.user.ID); err != nil {
		t.Fatal(err)
	}
	return a
}

func (f *pathwayFixture) importOB2(t *testing.T, state string) *store.PortfolioItem {
	t.Helper()
	it := &store.PortfolioItem{UserID: f.user.ID, Credential: []byte(hostedOB2), Name: "Badge externe",
		Import: &store.ImportInfo{Key: "https://badges.example.org/assertions/1", Format: "json", State: state}}
	if err := f.db.ImportItem(context.Background(), it); err != nil {
		t.Fatal(err)
	}
	return it
}

func TestPathwayCompletionAndUndoing(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newPathwayFixture(t, db)
		p := f.pathway(t)

		// The partner sees the pathway it takes part in.
		partnerList, err := db.ListPathways(ctx, f.udem.ID)
		if err != nil || len(partnerList) != 1 || partnerList[0].ID != p.ID {
			t.Fatalf("partner's pathways: %v %v", partnerList, err)
		}

		first := f.awardClaimed(t, f.badge, nil)
		made, err := f.svc.CheckPathways(ctx, f.user.ID)
		if err != nil || len(made) != 0 {
			t.Fatalf("half-done pathway completed: %v %v", made, err)
		}
		progress, err := f.svc.PathwayProgress(ctx, f.user.ID)
		if err != nil || len(progress) != 1 {
			t.Fatalf("progress: %v %v", progress, err)
		}
		if r := progress[0].Result; r.Done || r.DoneLeaves != 1 || r.Leaves != 3 {
			t.Fatalf("progress after one badge: done %v, %d/%d", r.Done, r.DoneLeaves, r.Leaves)
		}

		// The imported badge completes the "any 1 of" group.
		item := f.importOB2(t, ImportValid)
		made, err = f.svc.CheckPathways(ctx, f.user.ID)
		if err != nil || len(made) != 1 {
			t.Fatalf("completion: %v %v", made, err)
		}
		done := made[0]
		if done.BadgeID != f.complete.ID || done.Recipient.Email != f.email {
			t.Fatalf("completion award %+v", done)
		}
		cred := string(done.Credential)
		for _, want := range []string{testBase + "/awards/" + first.ID, "https://badges.example.org/assertions/1"} {
			if !strings.Contains(cred, want) {
				t.Errorf("completion credential does not cite %s as evidence", want)
			}
		}
		expectVerdict(t, f.verify(t, done.Credential), "valid")
		c, err := db.GetCompletion(ctx, p.ID, f.user.ID)
		if err != nil || c.AwardID != done.ID || len(c.Basis) != 2 {
			t.Fatalf("completion record %+v %v", c, err)
		}
		_ = item

		// Once only.
		if made, err := f.svc.CheckPathways(ctx, f.user.ID); err != nil || len(made) != 0 {
			t.Fatalf("second check awarded again: %v %v", made, err)
		}
		flagged, err := db.FlaggedCompletions(ctx, f.issuer.ID, f.now)
		if err != nil || len(flagged) != 0 {
			t.Fatalf("flagged before any revocation: %v %v", flagged, err)
		}

		// Revoking a badge the completion rests on flags it for review.
		if err := f.svc.Revoke(ctx, first.ID, "erreur"); err != nil {
			t.Fatal(err)
		}
		flagged, err = db.FlaggedCompletions(ctx, f.issuer.ID, f.now)
		if err != nil || len(flagged) != 1 {
			t.Fatalf("flagged after revocation: %v %v", flagged, err)
		}
		if fl := flagged[0]; fl.ID != c.ID || len(fl.Broken) != 1 || fl.Broken[0].RefID != first.ID || fl.Broken[0].Why != "revoked" {
			t.Fatalf("flag %+v", fl)
		}
		// Progress no longer counts the revoked badge.
		progress, _ = f.svc.PathwayProgress(ctx, f.user.ID)
		if len(progress) != 1 || progress[0].Result.Done || progress[0].Completion == nil {
			t.Fatalf("progress after revocation: %+v", progress)
		}
		// The issuer revokes the completion badge.
		if err := f.svc.ReviewCompletion(ctx, f.issuer.ID, c.ID, store.ReviewRevoked, "", ""); err != nil {
			t.Fatal(err)
		}
		got, _ := db.GetAward(ctx, done.ID)
		if got.Status != badge.StatusRevoked {
			t.Fatalf("completion award status %s after review", got.Status)
		}
		if flagged, _ := db.FlaggedCompletions(ctx, f.issuer.ID, f.now); len(flagged) != 0 {
			t.Fatalf("still flagged after review: %v", flagged)
		}
		// Another issuer cannot review it.
		if err := f.svc.ReviewCompletion(ctx, f.udem.ID, c.ID, store.ReviewKept, "", ""); !badge.IsNotFound(err) {
			t.Fatalf("partner reviewed the owner's completion: %v", err)
		}
	})
}

func TestPathwayCountsOnlyVerifiedBadges(t *testing.T) {
	ctx := context.Background()
	{
		past := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
		cases := []struct {
			name   string
			setup  func(t *testing.T, f *pathwayFixture)
			leaves int // leaves done
		}{
			{"claimed, active, unexpired award and valid import count", func(t *testing.T, f *pathwayFixture) {
				f.awardClaimed(t, f.badge, nil)
				f.importOB2(t, ImportValid)
			}, 2},
			{"an award not accepted does not count", func(t *testing.T, f *pathwayFixture) {
				if _, err := f.svc.Award(ctx, AwardInput{BadgeID: f.badge.ID, Email: f.email}); err != nil {
					t.Fatal(err)
				}
				f.importOB2(t, ImportValid)
			}, 1},
			{"a revoked award does not count", func(t *testing.T, f *pathwayFixture) {
				a := f.awardClaimed(t, f.badge, nil)
				if err := f.svc.Revoke(ctx, a.ID, "x"); err != nil {
					t.Fatal(err)
				}
				f.importOB2(t, ImportValid)
			}, 1},
			{"a suspended award does not count", func(t *testing.T, f *pathwayFixture) {
				a := f.awardClaimed(t, f.badge, nil)
				if err := f.svc.Suspend(ctx, a.ID, "x"); err != nil {
					t.Fatal(err)
				}
			}, 0},
			{"an expired award does not count", func(t *testing.T, f *pathwayFixture) {
				db := f.db
				a, err := f.svc.Award(ctx, AwardInput{BadgeID: f.badge.ID, Email: f.email, ValidFrom: past.AddDate(0, -1, 0),
					AwardedAt: past.AddDate(0, -1, 0), ValidUntil: &past})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.ClaimAward(ctx, a.ID, f.user.ID); err != nil {
					t.Fatal(err)
				}
			}, 0},
			{"an import that failed verification does not count", func(t *testing.T, f *pathwayFixture) {
				f.importOB2(t, ImportInvalid)
			}, 0},
			{"a revoked import does not count", func(t *testing.T, f *pathwayFixture) {
				f.importOB2(t, ImportRevoked)
			}, 0},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				storetest.ForEach(t, func(t *testing.T, db *store.DB) {
					f := newPathwayFixture(t, db)
					p := f.pathway(t)
					c.setup(t, f)
					r, err := f.svc.EvaluatePathway(ctx, p, f.user.ID)
					if err != nil {
						t.Fatal(err)
					}
					if r.DoneLeaves != c.leaves {
						t.Fatalf("%d leaves done, want %d", r.DoneLeaves, c.leaves)
					}
					made, err := f.svc.CheckPathways(ctx, f.user.ID)
					if err != nil {
						t.Fatal(err)
					}
					if want := c.leaves == 2; (len(made) == 1) != want {
						t.Fatalf("completion awarded: %d, want %v", len(made), want)
					}
				})
			})
		}
	}
}

// Deleting a completed pathway: it leaves the recipient's progress and
// the review queue, its completion badge stays valid, and nothing is
// awarded again.
func TestDeletePathway(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newPathwayFixture(t, db)
		p := f.pathway(t)
		first := f.awardClaimed(t, f.badge, nil)
		f.awardClaimed(t, f.robotics, nil)
		made, err := f.svc.CheckPathways(ctx, f.user.ID)
		if err != nil || len(made) != 1 {
			t.Fatalf("completion: %v %v", made, err)
		}
		done := made[0]
		if err := f.svc.Revoke(ctx, first.ID, "erreur"); err != nil {
			t.Fatal(err)
		}
		if fl, _ := db.FlaggedCompletions(ctx, f.issuer.ID, f.now); len(fl) != 1 {
			t.Fatalf("flagged before deletion: %d", len(fl))
		}

		// Only the owner deletes it.
		if _, err := f.svc.DeletePathway(ctx, f.udem.ID, p.ID); !badge.IsNotFound(err) {
			t.Fatalf("partner deleted: %v", err)
		}
		kept, err := f.svc.DeletePathway(ctx, f.issuer.ID, p.ID)
		if err != nil || kept != 1 {
			t.Fatalf("delete: %d kept, %v", kept, err)
		}
		if progress, err := f.svc.PathwayProgress(ctx, f.user.ID); err != nil || len(progress) != 0 {
			t.Fatalf("progress after deletion: %v %v", progress, err)
		}
		if fl, _ := db.FlaggedCompletions(ctx, f.issuer.ID, f.now); len(fl) != 0 {
			t.Fatalf("deleted pathway's completion still to review: %v", fl)
		}
		got, err := db.GetAward(ctx, done.ID)
		if err != nil || got.Status != badge.StatusActive {
			t.Fatalf("completion award after deletion: %v %v", got, err)
		}
		expectVerdict(t, f.verify(t, done.Credential), "valid")
		if made, err := f.svc.CheckPathways(ctx, f.user.ID); err != nil || len(made) != 0 {
			t.Fatalf("check after deletion awarded: %v %v", made, err)
		}
	})
}

package issuing

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/verify"
)

func TestEndorsements(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		order := &badge.Issuer{Slug: "ordre", Name: "Ordre professionnel", URL: "https://ordre.example.org", Language: "fr"}
		if err := f.svc.CreateIssuer(ctx, order); err != nil {
			t.Fatal(err)
		}
		opts := verify.Options{Fetcher: f.delegationFetcher(nil), Now: f.now.Add(time.Hour)}

		for name, in := range map[string]EndorseInput{
			"itself":     {EndorserID: f.issuer.ID, IssuerID: f.issuer.ID, Comment: "x"},
			"no comment": {EndorserID: order.ID, IssuerID: f.issuer.ID, Comment: "  "},
		} {
			if _, err := f.svc.Endorse(ctx, in); badge.ErrorKind(err) != badge.Invalid {
				t.Errorf("%s: %v, want Invalid", name, err)
			}
		}

		e, err := f.svc.Endorse(ctx, EndorseInput{EndorserID: order.ID, IssuerID: f.issuer.ID, BadgeID: f.badge.ID,
			Comment: "Formation conforme à nos exigences.", By: "u1"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := ob3.Parse(e.Credential)
		if err != nil {
			t.Fatal(err)
		}
		if !c.IsEndorsement() || c.Issuer.ID != "did:web:badges.example.org:issuers:ordre" ||
			c.CredentialSubject.ID != testBase+"/issuers/cssdm/badges/secourisme" ||
			c.CredentialSubject.EndorsementComment != "Formation conforme à nos exigences." {
			t.Fatalf("endorsement %s", e.Credential)
		}
		// Signed by the endorser: it verifies on its own.
		expectVerdict(t, verify.Verify(ctx, e.Credential, opts), verify.Valid)
		// Tampered: reported.
		tampered := []byte(strings.Replace(string(e.Credential), "conforme", "contraire", 1))
		expectVerdict(t, verify.Verify(ctx, tampered, opts), verify.Invalid)

		// Pending: not public, not in new credentials.
		if _, err := f.svc.EndorsementCredential(ctx, e.ID); !badge.IsNotFound(err) {
			t.Fatalf("pending endorsement served: %v", err)
		}
		if es, _ := f.svc.AcceptedEndorsements(ctx, f.issuer.ID, f.badge.ID); len(es) != 0 {
			t.Fatalf("pending endorsement listed: %d", len(es))
		}
		// Only the endorsed issuer accepts.
		if err := f.svc.AcceptEndorsement(ctx, order.ID, e.ID); !badge.IsNotFound(err) {
			t.Fatalf("endorser accepted its own endorsement: %v", err)
		}
		if err := f.svc.AcceptEndorsement(ctx, f.issuer.ID, e.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.DeclineEndorsement(ctx, f.issuer.ID, e.ID); !badge.IsNotFound(err) {
			t.Fatalf("decided twice: %v", err)
		}
		if body, err := f.svc.EndorsementCredential(ctx, e.ID); err != nil || string(body) != string(e.Credential) {
			t.Fatalf("accepted endorsement not served as signed: %v", err)
		}

		// In a credential's achievement, the verifier checks it.
		ach := &ob3.Achievement{}
		if err := f.svc.EndorseAchievement(ctx, ach, f.badge); err != nil || len(ach.Endorsement) != 1 {
			t.Fatalf("endorse achievement: %d %v", len(ach.Endorsement), err)
		}
		a := f.awardEndorsed(t, f.badge)
		rep := verify.Verify(ctx, a.Credential, opts)
		expectVerdict(t, rep, verify.Valid)
		if len(rep.Endorsements) != 1 || rep.Endorsements[0].Verdict != verify.Valid ||
			rep.Check(verify.CodeEndorsements).Outcome != verify.Pass {
			t.Fatalf("endorsement in report: %+v", rep.Endorsements)
		}
		// A credential carrying a tampered endorsement: its report says so.
		bad := f.awardEndorsedWith(t, f.badge, func(ach *ob3.Achievement) {
			ach.Endorsement[0].CredentialSubject.EndorsementComment = "Falsifié."
		})
		rep = verify.Verify(ctx, bad.Credential, opts)
		if len(rep.Endorsements) != 1 || rep.Endorsements[0].Verdict != verify.Invalid ||
			rep.Check(verify.CodeEndorsements).Outcome != verify.Warn {
			t.Fatalf("tampered endorsement in report: %+v", rep.Check(verify.CodeEndorsements))
		}
	})
}

// awardEndorsed awards b through the same steps as Award, with the
// accepted endorsements in the achievement (what award.go should do).
func (f *fixture) awardEndorsed(t *testing.T, b *badge.Badge) *badge.Award {
	t.Helper()
	a, err := f.svc.Award(context.Background(), AwardInput{BadgeID: b.ID, Email: "eleve@exemple.ca"})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (f *fixture) awardEndorsedWith(t *testing.T, b *badge.Badge, change func(*ob3.Achievement)) *badge.Award {
	t.Helper()
	ctx := context.Background()
	c := &awardContext{s: f.svc, badges: map[string]*badgeInfo{}, issuers: map[string]*issuerInfo{}}
	a, err := c.prepare(ctx, AwardInput{BadgeID: b.ID, Email: "eleve@exemple.ca"})
	if err != nil {
		t.Fatal(err)
	}
	// prepare embedded the accepted endorsements (awardContext.badge).
	if change != nil {
		change(c.badges[b.ID].ach)
	}
	if _, err := f.svc.db.CreateAwardsThen(ctx, []*badge.Award{a}, c.sign, nil); err != nil {
		t.Fatal(err)
	}
	return a
}

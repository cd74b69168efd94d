package issuing

import (
	"context"
	"strconv"
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
		// The endorsement names its index in the endorser's revocation
		// list, from the counter awards use.
		e, err = db.GetEndorsement(ctx, e.ID)
		if err != nil || e.StatusIndex == nil {
			t.Fatalf("stored endorsement without status index: %v", err)
		}
		if len(c.CredentialStatus) != 1 || c.CredentialStatus[0].StatusPurpose != "revocation" ||
			c.CredentialStatus[0].StatusListCredential != testBase+"/issuers/ordre/status/revocation" ||
			c.CredentialStatus[0].StatusListIndex != strconv.Itoa(*e.StatusIndex) {
			t.Fatalf("endorsement status %+v", c.CredentialStatus)
		}
		if rep := verify.Verify(ctx, e.Credential, opts); rep.Check(verify.CodeStatus).Outcome != verify.Pass {
			t.Fatalf("endorsement status check: %+v", rep.Check(verify.CodeStatus))
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

		// Withdrawal: only the endorser, once.
		if err := f.svc.WithdrawEndorsement(ctx, f.issuer.ID, e.ID, "u2"); !badge.IsNotFound(err) {
			t.Fatalf("endorsed issuer withdrew: %v", err)
		}
		if err := f.svc.WithdrawEndorsement(ctx, order.ID, e.ID, "u1"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.WithdrawEndorsement(ctx, order.ID, e.ID, "u1"); badge.ErrorKind(err) != badge.Conflict {
			t.Fatalf("withdrawn twice: %v", err)
		}
		// The same award now reads its endorsement revoked; the badge
		// itself stays valid, with the endorsement check a warning.
		rep = verify.Verify(ctx, a.Credential, opts)
		expectVerdict(t, rep, verify.Valid)
		if len(rep.Endorsements) != 1 || rep.Endorsements[0].Verdict != verify.Revoked ||
			rep.Check(verify.CodeEndorsements).Outcome != verify.Warn ||
			!strings.HasSuffix(rep.Check(verify.CodeEndorsements).Detail, ": revoked") {
			t.Fatalf("withdrawn endorsement in report: %+v", rep.Check(verify.CodeEndorsements))
		}
		// On its own too.
		expectVerdict(t, verify.Verify(ctx, e.Credential, opts), verify.Revoked)
		// The endorser's 1EdTech revocation list names it.
		list, err := f.svc.RevocationList(ctx, "ordre")
		if err != nil || !strings.Contains(string(list), testBase+"/endorsements/"+e.ID) {
			t.Fatalf("revocation list %s %v", list, err)
		}
		// No longer listed nor embedded in new awards; still served, so
		// that what badges carry can be checked.
		if es, _ := f.svc.AcceptedEndorsements(ctx, f.issuer.ID, f.badge.ID); len(es) != 0 {
			t.Fatalf("withdrawn endorsement listed: %d", len(es))
		}
		fresh := f.awardEndorsed(t, f.badge)
		if strings.Contains(string(fresh.Credential), "EndorsementCredential") {
			t.Fatal("a new award embeds the withdrawn endorsement")
		}
		rep = verify.Verify(ctx, fresh.Credential, opts)
		expectVerdict(t, rep, verify.Valid)
		if rep.Check(verify.CodeEndorsements).Outcome != verify.Skip {
			t.Fatalf("new award endorsements check: %+v", rep.Check(verify.CodeEndorsements))
		}
		if _, err := f.svc.EndorsementCredential(ctx, e.ID); err != nil {
			t.Fatalf("withdrawn endorsement not served: %v", err)
		}
		// A withdrawn endorsement is no longer for the endorsed to decide.
		if err := f.svc.AcceptEndorsement(ctx, f.issuer.ID, e.ID); !badge.IsNotFound(err) {
			t.Fatalf("withdrawn endorsement decided: %v", err)
		}
	})
}

// A pending endorsement withdrawn is never accepted, and the endorser's
// awards count ignores the indexes endorsements took.
func TestEndorsementWithdrawnPending(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		order := &badge.Issuer{Slug: "ordre", Name: "Ordre professionnel", URL: "https://ordre.example.org", Language: "fr"}
		if err := f.svc.CreateIssuer(ctx, order); err != nil {
			t.Fatal(err)
		}
		first, err := f.svc.Endorse(ctx, EndorseInput{EndorserID: order.ID, IssuerID: f.issuer.ID, Comment: "Sérieux."})
		if err != nil {
			t.Fatal(err)
		}
		second, err := f.svc.Endorse(ctx, EndorseInput{EndorserID: order.ID, IssuerID: f.issuer.ID, BadgeID: f.badge.ID, Comment: "Utile."})
		if err != nil {
			t.Fatal(err)
		}
		if *first.StatusIndex == *second.StatusIndex {
			t.Fatalf("two endorsements share index %d", *first.StatusIndex)
		}
		if err := f.svc.WithdrawEndorsement(ctx, order.ID, first.ID, ""); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.AcceptEndorsement(ctx, f.issuer.ID, first.ID); !badge.IsNotFound(err) {
			t.Fatalf("accepted after withdrawal: %v", err)
		}
		entries, err := db.StatusEntries(ctx, order.ID)
		if err != nil || len(entries.Revoked) != 1 || entries.Revoked[0] != *first.StatusIndex {
			t.Fatalf("status entries %+v %v", entries, err)
		}
		if n, err := db.AwardsIssued(ctx, order.ID); err != nil || n != 0 {
			t.Fatalf("awards issued by the endorser: %d %v", n, err)
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

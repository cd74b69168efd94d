package accounts

import (
	"context"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
)

// claimFixture stores an issuer and a badge; award makes an award to an
// address and returns it with a fresh claim link's secret.
type claimFixture struct {
	s     *Service
	db    *store.DB
	c     *clock
	badge *badge.Badge
}

func newClaimFixture(t *testing.T, db *store.DB) *claimFixture {
	t.Helper()
	s, _, c := newService(t, db)
	ctx := context.Background()
	iss := &badge.Issuer{Slug: "acme", Name: "Acme", URL: "https://acme.example", Language: "fr"}
	if err := db.CreateIssuer(ctx, iss); err != nil {
		t.Fatal(err)
	}
	b := &badge.Badge{IssuerID: iss.ID, Slug: "secourisme", Name: "Secourisme", Description: "Premiers soins.", CriteriaNarrative: "Suivre la formation.", Language: "fr"}
	if err := db.CreateBadge(ctx, b); err != nil {
		t.Fatal(err)
	}
	return &claimFixture{s: s, db: db, c: c, badge: b}
}

func (f *claimFixture) award(t *testing.T, email string) (*badge.Award, string) {
	t.Helper()
	a := &badge.Award{BadgeID: f.badge.ID, IssuerID: f.badge.IssuerID, Recipient: badge.Recipient{Email: email}}
	err := f.db.CreateAward(context.Background(), a, func(a *badge.Award) error {
		a.Credential = []byte(`{"id":"urn:uuid:` + a.ID + `"}`)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return a, f.link(t, a, f.c.t)
}

func (f *claimFixture) link(t *testing.T, a *badge.Award, now time.Time) string {
	t.Helper()
	secret, err := NewClaimToken(context.Background(), f.db, nil, a, now)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// user signs up an account with email, confirmed when asked.
func (f *claimFixture) user(t *testing.T, name, email string, confirmed bool) *badge.User {
	t.Helper()
	ctx := context.Background()
	u, err := f.s.SignUp(ctx, SignUp{Name: name, Email: email, Password: "un mot de passe solide", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	if confirmed {
		if err := f.db.VerifyEmail(ctx, u.ID, email); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

func wantCode(t *testing.T, err error, kind badge.Kind, code string) {
	t.Helper()
	if badge.ErrorKind(err) != kind || badge.ErrorCode(err) != code {
		t.Fatalf("error %v (kind %s, code %q), want %s %q", err, badge.ErrorKind(err), badge.ErrorCode(err), kind, code)
	}
}

func TestClaim(t *testing.T) { storetest.ForEach(t, testClaim) }

func testClaim(t *testing.T, db *store.DB) {
	f := newClaimFixture(t, db)
	ctx := context.Background()

	t.Run("holder of the verified address accepts; the link is used", func(t *testing.T) {
		marie := f.user(t, "Marie Roy", "marie@exemple.ca", true)
		a, secret := f.award(t, "Marie@Exemple.ca")
		c, err := f.s.PeekClaim(ctx, secret)
		if err != nil || c.Award.ID != a.ID || c.Email != "marie@exemple.ca" {
			t.Fatalf("peek: %+v %v", c, err)
		}
		it, err := f.s.AcceptClaim(ctx, secret, marie)
		if err != nil {
			t.Fatal(err)
		}
		if it.AwardID != a.ID || it.UserID != marie.ID || it.Public {
			t.Errorf("item %+v", it)
		}
		got, _ := db.GetAward(ctx, a.ID)
		if got.ClaimedBy != marie.ID {
			t.Errorf("claimed by %q", got.ClaimedBy)
		}
		_, err = f.s.AcceptClaim(ctx, secret, marie)
		wantCode(t, err, badge.NotFound, "token.invalid")
	})

	t.Run("another account is refused and the link stays valid", func(t *testing.T) {
		luc := f.user(t, "Luc Roy", "luc@exemple.ca", true)
		eve := f.user(t, "Eve Autre", "eve@exemple.ca", true)
		a, secret := f.award(t, "luc@exemple.ca")
		c, _ := f.s.PeekClaim(ctx, secret)
		_, err := f.s.ProveAddress(ctx, c, eve)
		wantCode(t, err, badge.Forbidden, "claim.other_address")
		_, err = f.s.AcceptClaim(ctx, secret, eve)
		wantCode(t, err, badge.Forbidden, "claim.other_address")
		_, err = f.s.DeclineClaim(ctx, secret, eve)
		wantCode(t, err, badge.Forbidden, "claim.other_address")
		if got, _ := db.GetAward(ctx, a.ID); got.ClaimedBy != "" {
			t.Fatal("another account claimed the award")
		}
		if _, err := f.s.AcceptClaim(ctx, secret, luc); err != nil {
			t.Errorf("the holder could not accept after a refusal: %v", err)
		}
	})

	t.Run("an unverified address is verified by the link", func(t *testing.T) {
		lea := f.user(t, "Léa Roy", "lea@exemple.ca", false)
		_, secret := f.award(t, "lea@exemple.ca")
		if v, _ := db.VerifiedEmails(ctx, lea.ID); len(v) != 0 {
			t.Fatalf("verified before: %v", v)
		}
		c, _ := f.s.PeekClaim(ctx, secret)
		verified, err := f.s.ProveAddress(ctx, c, lea)
		if err != nil || !verified {
			t.Fatalf("prove: %v %v", verified, err)
		}
		if v, _ := db.VerifiedEmails(ctx, lea.ID); len(v) != 1 {
			t.Errorf("not verified after following the link: %v", v)
		}
		if verified, _ := f.s.ProveAddress(ctx, c, lea); verified {
			t.Error("verified twice")
		}
		if _, err := f.s.AcceptClaim(ctx, secret, lea); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("expired link", func(t *testing.T) {
		noe := f.user(t, "Noé Roy", "noe@exemple.ca", true)
		a, _ := f.award(t, "noe@exemple.ca")
		old := f.link(t, a, f.c.t.Add(-ClaimTTL-time.Hour))
		_, err := f.s.PeekClaim(ctx, old)
		wantCode(t, err, badge.NotFound, "token.invalid")
		_, err = f.s.AcceptClaim(ctx, old, noe)
		wantCode(t, err, badge.NotFound, "token.invalid")
		_, err = f.s.PeekClaim(ctx, "not a secret")
		wantCode(t, err, badge.NotFound, "token.invalid")
	})

	t.Run("declined, then refused through a second link", func(t *testing.T) {
		zoe := f.user(t, "Zoé Roy", "zoe@exemple.ca", true)
		a, secret := f.award(t, "zoe@exemple.ca")
		if _, err := f.s.DeclineClaim(ctx, secret, zoe); err != nil {
			t.Fatal(err)
		}
		if d, _ := f.s.Declined(ctx, a.ID); !d {
			t.Error("not recorded as declined")
		}
		_, err := f.s.PeekClaim(ctx, secret)
		wantCode(t, err, badge.NotFound, "token.invalid")
		again := f.link(t, a, f.c.t)
		_, err = f.s.AcceptClaim(ctx, again, zoe)
		wantCode(t, err, badge.Conflict, "claim.declined")
		_, err = f.s.AcceptAward(ctx, zoe, a.ID)
		wantCode(t, err, badge.Conflict, "claim.declined")
	})

	t.Run("without the link: own verified addresses only", func(t *testing.T) {
		max := f.user(t, "Max Roy", "max@exemple.ca", true)
		other := f.user(t, "Ana Roy", "ana@exemple.ca", false)
		a, _ := f.award(t, "max@exemple.ca")
		b, _ := f.award(t, "max@exemple.ca")
		toAna, _ := f.award(t, "ana@exemple.ca")
		_, err := f.s.AcceptAward(ctx, other, a.ID)
		wantCode(t, err, badge.NotFound, "award.not_found")
		// An unverified address is not enough without the link.
		_, err = f.s.AcceptAward(ctx, other, toAna.ID)
		wantCode(t, err, badge.NotFound, "award.not_found")
		_, err = f.s.AcceptAward(ctx, max, "not-an-id")
		wantCode(t, err, badge.NotFound, "award.not_found")
		if _, err := f.s.AcceptAward(ctx, max, a.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.s.DeclineAward(ctx, max, b.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, f.s.DeclineAward(ctx, other, b.ID), badge.NotFound, "award.not_found")
		if p, _ := db.PendingAwards(ctx, max.ID); len(p) != 0 {
			t.Errorf("still pending: %d", len(p))
		}
	})
}

package store

import (
	"context"
	"errors"
	"testing"

	"github.com/sceau/sceau/internal/badge"
)

func TestEndorsements(t *testing.T) { forEachDB(t, testEndorsements) }

// fakeEndorsementSign stands in for the signer: a credential naming the
// endorsement's status index, as the real one does.
func fakeEndorsementSign(e *Endorsement) error {
	e.Credential = []byte(`{"signed":true,"statusListIndex":"` + itoa(*e.StatusIndex) + `"}`)
	return nil
}

func testEndorsements(t *testing.T, db *DB) {
	ctx := context.Background()
	endorser, issuer, other := newIssuer(t, db, "ordre"), newIssuer(t, db, "cssdm"), newIssuer(t, db, "other")
	b, foreign := newBadge(t, db, issuer.ID, "atelier"), newBadge(t, db, other.ID, "x")
	newE := func(badgeID, comment string) *Endorsement {
		id, err := db.NewEndorsementID()
		if err != nil {
			t.Fatal(err)
		}
		return &Endorsement{ID: id, EndorserID: endorser.ID, IssuerID: issuer.ID, BadgeID: badgeID, Comment: comment}
	}
	unsigned := func(*Endorsement) error { return nil }
	failing := func(*Endorsement) error { return errors.New("no key") }
	for name, tc := range map[string]struct {
		e    *Endorsement
		sign func(*Endorsement) error
		kind badge.Kind
	}{
		"no comment":      {newE("", " "), fakeEndorsementSign, badge.Invalid},
		"another's badge": {newE(foreign.ID, "x"), fakeEndorsementSign, badge.Invalid},
		"itself":          {func() *Endorsement { e := newE("", "x"); e.EndorserID = issuer.ID; return e }(), fakeEndorsementSign, badge.Invalid},
		"unsigned":        {newE("", "x"), unsigned, badge.Invalid},
		"signing fails":   {newE("", "x"), failing, badge.Internal},
	} {
		if err := db.CreateEndorsement(ctx, tc.e, tc.sign); badge.ErrorKind(err) != tc.kind {
			t.Errorf("%s: %v, want %v", name, err, tc.kind)
		}
	}
	// A refused endorsement gives its index back: the first award takes 0.
	a := newAward(b, "x@example.org")
	a.IssuerID = endorser.ID
	a.BadgeID = newBadge(t, db, endorser.ID, "own").ID
	if err := db.CreateAward(ctx, a, fakeSign); err != nil || a.StatusIndex != 0 {
		t.Fatalf("award index %d %v", a.StatusIndex, err)
	}

	ofBadge, ofIssuer, third := newE(b.ID, "Bien."), newE("", "Sérieux."), newE("", "Encore.")
	for _, e := range []*Endorsement{ofBadge, ofIssuer, third} {
		if err := db.CreateEndorsement(ctx, e, fakeEndorsementSign); err != nil {
			t.Fatal(err)
		}
	}
	// Indexes come from the endorser's counter, after its award's.
	for i, e := range []*Endorsement{ofBadge, ofIssuer, third} {
		if e.StatusIndex == nil || *e.StatusIndex != i+1 || string(e.Credential) != `{"signed":true,"statusListIndex":"`+itoa(i+1)+`"}` {
			t.Fatalf("endorsement %d: index %v, credential %s", i, e.StatusIndex, e.Credential)
		}
	}
	if n, err := db.AwardsIssued(ctx, endorser.ID); err != nil || n != 1 {
		t.Fatalf("awards issued: %d %v", n, err)
	}
	// Pending until accepted.
	if es, _ := db.AcceptedEndorsements(ctx, issuer.ID, b.ID); len(es) != 0 {
		t.Fatal("pending endorsement accepted")
	}
	if err := db.DecideEndorsement(ctx, endorser.ID, ofBadge.ID, true); !badge.IsNotFound(err) {
		t.Fatalf("endorser decided: %v", err)
	}
	if err := db.DecideEndorsement(ctx, issuer.ID, ofBadge.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := db.DecideEndorsement(ctx, issuer.ID, ofIssuer.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := db.DecideEndorsement(ctx, issuer.ID, third.ID, true); err != nil {
		t.Fatal(err)
	}
	es, err := db.AcceptedEndorsements(ctx, issuer.ID, b.ID)
	if err != nil || len(es) != 1 || es[0].ID != ofBadge.ID || es[0].EndorserName != "Issuer ordre" || es[0].BadgeSlug != "atelier" ||
		es[0].DecidedAt == nil || es[0].StatusIndex == nil || *es[0].StatusIndex != 1 || es[0].Shown() != EndorsementAccepted {
		t.Fatalf("accepted %+v %v", es, err)
	}
	if es, _ := db.AcceptedEndorsements(ctx, issuer.ID, ""); len(es) != 1 || es[0].ID != third.ID {
		t.Fatal("issuer endorsements: declined listed or accepted missing")
	}
	// The issuer's page: its own first, then its badges'.
	if es, err := db.CurrentEndorsements(ctx, issuer.ID); err != nil || len(es) != 2 || es[0].ID != third.ID || es[1].ID != ofBadge.ID {
		t.Fatalf("current endorsements %v %v", es, err)
	}
	if es, _ := db.EndorsementsGiven(ctx, endorser.ID); len(es) != 3 {
		t.Fatal("given list")
	}

	// Withdrawal: the endorser's only, once; the row stays, dated.
	for name, tc := range map[string]struct {
		endorserID, id string
		kind           badge.Kind
	}{
		"by the endorsed": {issuer.ID, ofBadge.ID, badge.NotFound},
		"unknown":         {endorser.ID, "00000000-0000-4000-8000-000000000000", badge.NotFound},
	} {
		if err := db.WithdrawEndorsement(ctx, tc.endorserID, tc.id, "u"); badge.ErrorKind(err) != tc.kind {
			t.Errorf("%s: %v, want %v", name, err, tc.kind)
		}
	}
	if err := db.WithdrawEndorsement(ctx, endorser.ID, ofBadge.ID, "u1"); err != nil {
		t.Fatal(err)
	}
	if err := db.WithdrawEndorsement(ctx, endorser.ID, ofBadge.ID, "u1"); badge.ErrorKind(err) != badge.Conflict {
		t.Fatalf("withdrawn twice: %v", err)
	}
	e, err := db.GetEndorsement(ctx, ofBadge.ID)
	if err != nil || e.WithdrawnAt == nil || e.WithdrawnBy != "u1" || e.State != EndorsementAccepted || e.Shown() != EndorsementWithdrawn {
		t.Fatalf("withdrawn endorsement %+v %v", e, err)
	}
	if es, _ := db.AcceptedEndorsements(ctx, issuer.ID, b.ID); len(es) != 0 {
		t.Fatal("withdrawn endorsement still accepted")
	}
	if es, _ := db.CurrentEndorsements(ctx, issuer.ID); len(es) != 1 || es[0].ID != third.ID {
		t.Fatal("withdrawn endorsement still current")
	}
	// Its bit is in the endorser's revocation entries, next to revoked awards.
	if err := db.UpdateAwardStatus(ctx, a.ID, badge.StatusRevoked, "erreur", db.timestamp()); err != nil {
		t.Fatal(err)
	}
	entries, err := db.StatusEntries(ctx, endorser.ID)
	if err != nil || len(entries.Revoked) != 2 || entries.Revoked[0] != 0 || entries.Revoked[1] != 1 || entries.Size != 4 {
		t.Fatalf("status entries %+v %v", entries, err)
	}
	if got, err := db.GetEndorsementByStatusIndex(ctx, endorser.ID, 1); err != nil || got.ID != ofBadge.ID {
		t.Fatalf("by status index: %v %v", got, err)
	}
	if _, err := db.GetEndorsementByStatusIndex(ctx, endorser.ID, 0); !badge.IsNotFound(err) {
		t.Fatalf("an award's index found an endorsement: %v", err)
	}
	// A pending endorsement withdrawn cannot be accepted afterwards.
	pending := newE("", "Plus tard.")
	if err := db.CreateEndorsement(ctx, pending, fakeEndorsementSign); err != nil {
		t.Fatal(err)
	}
	if err := db.WithdrawEndorsement(ctx, endorser.ID, pending.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.DecideEndorsement(ctx, issuer.ID, pending.ID, true); !badge.IsNotFound(err) {
		t.Fatalf("withdrawn endorsement accepted: %v", err)
	}
}

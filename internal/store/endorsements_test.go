package store

import (
	"context"
	"testing"

	"github.com/sceau/sceau/internal/badge"
)

func TestEndorsements(t *testing.T) { forEachDB(t, testEndorsements) }

func testEndorsements(t *testing.T, db *DB) {
	ctx := context.Background()
	endorser, issuer, other := newIssuer(t, db, "ordre"), newIssuer(t, db, "cssdm"), newIssuer(t, db, "other")
	b, foreign := newBadge(t, db, issuer.ID, "atelier"), newBadge(t, db, other.ID, "x")
	newE := func(badgeID, comment string) *Endorsement {
		id, err := db.NewEndorsementID()
		if err != nil {
			t.Fatal(err)
		}
		return &Endorsement{ID: id, EndorserID: endorser.ID, IssuerID: issuer.ID, BadgeID: badgeID, Comment: comment, Credential: []byte(`{"signed":true}`)}
	}
	for name, e := range map[string]*Endorsement{
		"no comment":      newE("", " "),
		"another's badge": newE(foreign.ID, "x"),
		"itself":          func() *Endorsement { e := newE("", "x"); e.EndorserID = issuer.ID; return e }(),
		"unsigned":        func() *Endorsement { e := newE("", "x"); e.Credential = nil; return e }(),
	} {
		if err := db.CreateEndorsement(ctx, e); badge.ErrorKind(err) != badge.Invalid {
			t.Errorf("%s: %v, want Invalid", name, err)
		}
	}
	ofBadge, ofIssuer := newE(b.ID, "Bien."), newE("", "Sérieux.")
	for _, e := range []*Endorsement{ofBadge, ofIssuer} {
		if err := db.CreateEndorsement(ctx, e); err != nil {
			t.Fatal(err)
		}
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
	es, err := db.AcceptedEndorsements(ctx, issuer.ID, b.ID)
	if err != nil || len(es) != 1 || es[0].ID != ofBadge.ID || es[0].EndorserName != "Issuer ordre" || es[0].BadgeSlug != "atelier" ||
		string(es[0].Credential) != `{"signed":true}` || es[0].DecidedAt == nil {
		t.Fatalf("accepted %+v %v", es, err)
	}
	if es, _ := db.AcceptedEndorsements(ctx, issuer.ID, ""); len(es) != 0 {
		t.Fatal("declined issuer endorsement listed")
	}
	if es, _ := db.EndorsementsGiven(ctx, endorser.ID); len(es) != 2 {
		t.Fatal("given list")
	}
	if err := db.WithdrawEndorsement(ctx, endorser.ID, ofBadge.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GetEndorsement(ctx, ofBadge.ID); !badge.IsNotFound(err) {
		t.Fatalf("withdrawn endorsement still there: %v", err)
	}
}

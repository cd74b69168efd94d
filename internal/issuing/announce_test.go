package issuing

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
)

// Announcements are made in the award's transaction: an award to an
// e-mail is announced once; a failing announcement stores no award; a
// re-sent one runs outside any transaction.
func TestAnnounce(t *testing.T) { storetest.ForEach(t, testAnnounce) }

func testAnnounce(t *testing.T, db *store.DB) {
	ctx := context.Background()
	type call struct {
		award, badgeName, issuerName string
		inTx                         bool
	}
	var calls []call
	fail := false
	announce := func(ctx context.Context, tx *sql.Tx, a *badge.Award, badgeName, issuerName string) error {
		if fail {
			return errors.New("queue down")
		}
		calls = append(calls, call{a.ID, badgeName, issuerName, tx != nil})
		return nil
	}
	f := newFixtureWith(t, db, Config{Announce: announce})
	a, err := f.svc.Award(ctx, AwardInput{BadgeID: f.badge.ID, Email: "luc@exemple.ca"})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 || calls[0].award != a.ID || !calls[0].inTx || calls[0].badgeName != f.badge.Name || calls[0].issuerName != f.issuer.Name {
		t.Fatalf("calls %+v", calls)
	}

	fail = true
	_, err = f.svc.Award(ctx, AwardInput{BadgeID: f.badge.ID, Email: "ana@exemple.ca"})
	if err == nil {
		t.Fatal("award stored although its announcement failed")
	}
	if n, _ := db.CountAwards(ctx, store.AwardFilter{RecipientEmail: "ana@exemple.ca"}); n != 0 {
		t.Errorf("%d awards stored without announcement", n)
	}

	fail = false
	if err := f.svc.Resend(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if len(calls) != 2 || calls[1].inTx {
		t.Errorf("resend calls %+v", calls)
	}
	did, err := f.svc.Award(ctx, AwardInput{BadgeID: f.badge.ID, DID: "did:example:alice"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Resend(ctx, did.ID); badge.ErrorKind(err) != badge.Conflict {
		t.Errorf("resend to a DID: %v", err)
	}
}

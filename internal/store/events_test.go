package store

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/badge"
)

// Award events are given inside the transaction that makes the change: a
// receiver's error undoes the claim or the revocation.
func TestAwardEvents(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		iss := newIssuer(t, db, "events")
		b := newBadge(t, db, iss.ID, "b")
		a := newAward(b, "ana@example.org")
		if err := db.CreateAward(ctx, a, fakeSign); err != nil {
			t.Fatal(err)
		}
		u := &badge.User{Handle: "ana", Name: "Ana", Language: "fr", PasswordHash: "x"}
		if err := db.CreateUser(ctx, u, "ana@example.org"); err != nil {
			t.Fatal(err)
		}
		var got []string
		fail := false
		db.SetAwardEvents(func(ctx context.Context, tx *sql.Tx, event string, ev *badge.Award) error {
			if tx == nil || ev.ID != a.ID {
				t.Errorf("event %s outside a transaction or for %s", event, ev.ID)
			}
			if fail {
				return errors.New("queue down")
			}
			got = append(got, event+" "+string(ev.Status))
			return nil
		})
		t.Cleanup(func() { db.SetAwardEvents(nil) })

		fail = true
		if _, err := db.ClaimAward(ctx, a.ID, u.ID); err == nil {
			t.Fatal("claim stored although its event failed")
		}
		if stored, _ := db.GetAward(ctx, a.ID); stored.ClaimedBy != "" {
			t.Error("the failed claim was kept")
		}
		fail = false
		if _, err := db.ClaimAward(ctx, a.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		// Claiming again changes nothing and says nothing.
		if _, err := db.ClaimAward(ctx, a.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.UpdateAwardStatus(ctx, a.ID, badge.StatusSuspended, "check", time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := db.UpdateAwardStatus(ctx, a.ID, badge.StatusRevoked, "error", time.Now()); err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != "award.claimed active" || got[1] != "award.revoked revoked" {
			t.Errorf("events %q", got)
		}
	})
}

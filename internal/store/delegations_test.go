package store

import (
	"context"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/badge"
)

func TestDelegations(t *testing.T) { forEachDB(t, testDelegations) }

func testDelegations(t *testing.T, db *DB) {
	ctx := context.Background()
	a, b := newIssuer(t, db, "a"), newIssuer(t, db, "b")
	src := newBadge(t, db, a.ID, "atelier")
	copyOf := func() *badge.Badge {
		c := *src
		c.ID, c.IssuerID, c.CreatorIssuerID, c.Slug = "", b.ID, a.ID, "a-atelier"
		return &c
	}
	for name, d := range map[string]struct {
		d *Delegation
		c *badge.Badge
	}{
		"itself":               {&Delegation{IssuerID: a.ID, DelegateID: a.ID, BadgeID: src.ID}, copyOf()},
		"not the owner":        {&Delegation{IssuerID: b.ID, DelegateID: a.ID, BadgeID: src.ID}, func() *badge.Badge { c := copyOf(); c.IssuerID, c.CreatorIssuerID = a.ID, b.ID; return c }()},
		"copy without creator": {&Delegation{IssuerID: a.ID, DelegateID: b.ID, BadgeID: src.ID}, func() *badge.Badge { c := copyOf(); c.CreatorIssuerID = ""; return c }()},
	} {
		if err := db.CreateDelegation(ctx, d.d, d.c); badge.ErrorKind(err) != badge.Invalid {
			t.Errorf("%s: %v, want Invalid", name, err)
		}
	}
	d := &Delegation{IssuerID: a.ID, DelegateID: b.ID, BadgeID: src.ID, GrantedBy: "u"}
	cp := copyOf()
	if err := db.CreateDelegation(ctx, d, cp); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateDelegation(ctx, &Delegation{IssuerID: a.ID, DelegateID: b.ID, BadgeID: src.ID}, func() *badge.Badge { c := copyOf(); c.Slug = "other"; return c }()); badge.ErrorKind(err) != badge.Conflict {
		t.Fatalf("second active delegation: %v", err)
	}
	got, err := db.GetDelegation(ctx, d.ID)
	if err != nil || got.DelegateBadgeID != cp.ID || got.IssuerSlug != "a" || got.DelegateSlug != "b" || got.BadgeSlug != "atelier" ||
		got.DelegateBadgeSlug != "a-atelier" || !got.Active(got.GrantedAt) || got.Active(got.GrantedAt.Add(-time.Second)) {
		t.Fatalf("read back %+v %v", got, err)
	}
	stored, _ := db.GetBadge(ctx, cp.ID)
	if stored.IssuerID != b.ID || stored.CreatorIssuerID != a.ID {
		t.Fatalf("copy %+v", stored)
	}
	if ds, _ := db.DelegationsReceived(ctx, b.ID); len(ds) != 1 {
		t.Fatal("not received")
	}
	if ds, _ := db.DelegationsOfCopy(ctx, cp.ID); len(ds) != 1 {
		t.Fatal("not found by copy")
	}
	if err := db.WithdrawDelegation(ctx, b.ID, d.ID, "x"); !badge.IsNotFound(err) {
		t.Fatalf("delegate withdrew: %v", err)
	}
	if err := db.WithdrawDelegation(ctx, a.ID, d.ID, "u"); err != nil {
		t.Fatal(err)
	}
	got, _ = db.GetDelegation(ctx, d.ID)
	if got.WithdrawnAt == nil || got.Active(*got.WithdrawnAt) {
		t.Fatalf("withdrawn %+v", got)
	}
	// Authorised again: a new row, the same copy.
	d2 := &Delegation{IssuerID: a.ID, DelegateID: b.ID, BadgeID: src.ID}
	if err := db.ReuseDelegation(ctx, d2, cp.ID); err != nil {
		t.Fatal(err)
	}
	if ds, _ := db.DelegationsGiven(ctx, a.ID); len(ds) != 2 {
		t.Fatalf("%d delegations given", len(ds))
	}
	// Holdings count an award of the copy as the original.
	u := pfUser(t, db, "eleve", "eleve@example.org", true)
	aw := pfAward(t, db, cp, "eleve@example.org")
	if _, err := db.ClaimAward(ctx, aw.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	hs, _ := db.Holdings(ctx, u.ID)
	if len(hs) != 1 || hs[0].SourceBadgeID != src.ID {
		t.Fatalf("holdings %+v", hs)
	}
}

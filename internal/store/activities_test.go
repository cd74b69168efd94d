package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sceau/sceau/internal/badge"
)

func TestActivities(t *testing.T) { forEachDB(t, testActivities) }

func testActivities(t *testing.T, db *DB) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	db.SetClock(func() time.Time { return now })
	u, other := pfUser(t, db, "lise", "lise@ecole.example", true), pfUser(t, db, "paul", "paul@ecole.example", true)
	good := func() *Activity {
		return &Activity{UserID: u.ID, Kind: "reading", Title: "  Lire Hattie ", Date: "2026-02-10", HoursCenti: 250,
			Reflection: "Utile.", Links: []string{"https://exemple.ca/hattie"},
			Files: []badge.Evidence{{BlobKey: "files/abc", Name: "notes.pdf", ContentType: "application/pdf"}}}
	}
	for _, c := range []struct {
		name, code string
		edit       func(a *Activity)
	}{
		{"unknown kind", "activity.kind_invalid", func(a *Activity) { a.Kind = "party" }},
		{"empty title", "activity.title_invalid", func(a *Activity) { a.Title = "  " }},
		{"long title", "activity.title_invalid", func(a *Activity) { a.Title = strings.Repeat("é", MaxActivityTitle+1) }},
		{"bad date", "activity.date_invalid", func(a *Activity) { a.Date = "2026-02-30" }},
		{"zero hours", "activity.hours_invalid", func(a *Activity) { a.HoursCenti = 0 }},
		{"too many hours", "activity.hours_invalid", func(a *Activity) { a.HoursCenti = MaxActivityHoursCenti + 1 }},
		{"javascript link", "activity.link_invalid", func(a *Activity) { a.Links = []string{"javascript:alert(1)"} }},
		{"long reflection", "activity.reflection_too_long", func(a *Activity) { a.Reflection = strings.Repeat("x", MaxActivityReflection+1) }},
	} {
		a := good()
		c.edit(a)
		err := db.CreateActivity(ctx, a)
		if badge.ErrorKind(err) != badge.Invalid || badge.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want Invalid %s", c.name, err, c.code)
		}
	}
	a := good()
	if err := db.CreateActivity(ctx, a); err != nil {
		t.Fatal(err)
	}
	if a.Title != "Lire Hattie" {
		t.Errorf("title %q not trimmed", a.Title)
	}
	later := good()
	later.Date, later.Kind = "2026-02-20", "podcast"
	if err := db.CreateActivity(ctx, later); err != nil {
		t.Fatal(err)
	}
	got, err := db.GetActivity(ctx, u.ID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(a, got); d != "" {
		t.Errorf("read back (-want +got):\n%s", d)
	}
	if _, err := db.GetActivity(ctx, other.ID, a.ID); !badge.IsNotFound(err) {
		t.Errorf("another's activity: %v", err)
	}
	list, err := db.ListActivities(ctx, u.ID)
	if err != nil || len(list) != 2 || list[0].ID != later.ID {
		t.Fatalf("list: %v %v", list, err)
	}

	a.Title, a.HoursCenti, a.Links = "Lire Hattie (2)", 300, nil
	if err := db.UpdateActivity(ctx, a); err != nil {
		t.Fatal(err)
	}
	got, _ = db.GetActivity(ctx, "", a.ID)
	if got.Title != "Lire Hattie (2)" || got.HoursCenti != 300 || len(got.Links) != 0 {
		t.Errorf("updated: %+v", got)
	}
	stranger := *a
	stranger.UserID = other.ID
	wantKind(t, db.UpdateActivity(ctx, &stranger), badge.NotFound, "activity.not_found")

	// Attestation requests: one decision per link, none after expiry.
	req := &Attestation{ActivityID: a.ID, UserID: u.ID, AttesterName: "Conseillère", AttesterEmail: "cp@css.example",
		TokenHash: "h1", ExpiresAt: now.Add(30 * 24 * time.Hour)}
	if err := db.CreateAttestation(ctx, req); err != nil {
		t.Fatal(err)
	}
	wantKind(t, db.CreateAttestation(ctx, &Attestation{ActivityID: a.ID, UserID: other.ID, TokenHash: "h9",
		ExpiresAt: now.Add(time.Hour)}), badge.NotFound, "activity.not_found")
	p, err := db.PendingAttestation(ctx, "h1")
	if err != nil || p.ID != req.ID || p.State != AttestationPending {
		t.Fatalf("pending: %+v %v", p, err)
	}
	if _, err := db.DecideAttestation(ctx, "h1", AttestationConfirmed); err != nil {
		t.Fatal(err)
	}
	_, err = db.DecideAttestation(ctx, "h1", AttestationDeclined)
	wantKind(t, err, badge.NotFound, "attestation.invalid")
	_, err = db.PendingAttestation(ctx, "h1")
	wantKind(t, err, badge.NotFound, "attestation.invalid")

	now = now.Add(time.Minute)
	old := &Attestation{ActivityID: a.ID, UserID: u.ID, AttesterName: "M", AttesterEmail: "m@x.example", TokenHash: "h2",
		ExpiresAt: now.Add(time.Hour)}
	if err := db.CreateAttestation(ctx, old); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Hour)
	_, err = db.DecideAttestation(ctx, "h2", AttestationConfirmed)
	wantKind(t, err, badge.NotFound, "attestation.invalid")

	reqs, err := db.ListAttestations(ctx, u.ID, a.ID)
	if err != nil || len(reqs) != 2 {
		t.Fatalf("attestations: %d %v", len(reqs), err)
	}
	if diff := cmp.Diff([]string{AttestationPending, AttestationConfirmed}, []string{reqs[0].State, reqs[1].State}, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("states: %s", diff)
	}

	wantKind(t, db.DeleteActivity(ctx, other.ID, a.ID), badge.NotFound, "activity.not_found")
	if err := db.DeleteActivity(ctx, u.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GetActivity(ctx, u.ID, a.ID); !badge.IsNotFound(err) {
		t.Errorf("deleted activity: %v", err)
	}
	if reqs, _ := db.ListAttestations(ctx, u.ID, a.ID); len(reqs) != 0 {
		t.Errorf("requests of a deleted activity remain: %d", len(reqs))
	}
}

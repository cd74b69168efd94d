package store

import (
	"context"
	"strings"
	"sync"
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
	if _, err := db.ConfirmAttestation(ctx, "h1", attestationItem("k1")); err != nil {
		t.Fatal(err)
	}
	_, err = db.DeclineAttestation(ctx, "h1")
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
	_, err = db.ConfirmAttestation(ctx, "h2", attestationItem("k2"))
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

// attestationItem is a signed attestation as the service hands it to
// ConfirmAttestation (the bytes need not verify here).
func attestationItem(key string) *PortfolioItem {
	return &PortfolioItem{Credential: []byte(`{"id":"` + key + `"}`), Source: "attestation", Name: "Lire Hattie",
		Import: &ImportInfo{Key: key, Format: "json", State: "valid"}}
}

// attestationItems counts the attestation credentials in the portfolio.
func attestationItems(t *testing.T, db *DB, userID string) []*PortfolioEntry {
	t.Helper()
	list, err := db.ListPortfolio(context.Background(), userID, false)
	if err != nil {
		t.Fatal(err)
	}
	var out []*PortfolioEntry
	for _, e := range list {
		if e.Item.Source == "attestation" {
			out = append(out, e)
		}
	}
	return out
}

// TestConfirmAttestationAtomic: using the link, storing the credential
// and recording it are one transaction. Replays and racing confirmations
// give one credential; a failure inside the transaction leaves the link
// pending and no credential; expired and declined links confirm nothing.
func TestConfirmAttestationAtomic(t *testing.T) { forEachDB(t, testConfirmAttestationAtomic) }

func testConfirmAttestationAtomic(t *testing.T, db *DB) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	var clock sync.Mutex
	db.SetClock(func() time.Time { clock.Lock(); defer clock.Unlock(); return now })
	u := pfUser(t, db, "lise", "lise@ecole.example", true)
	other := pfUser(t, db, "paul", "paul@ecole.example", true)
	a := &Activity{UserID: u.ID, Kind: "reading", Title: "Lire Hattie", Date: "2026-02-10", HoursCenti: 250}
	if err := db.CreateActivity(ctx, a); err != nil {
		t.Fatal(err)
	}
	request := func(hash string, ttl time.Duration) *Attestation {
		t.Helper()
		req := &Attestation{ActivityID: a.ID, UserID: u.ID, AttesterName: "Nadia", AttesterEmail: "cp@css.example",
			TokenHash: hash, ExpiresAt: now.Add(ttl)}
		if err := db.CreateAttestation(ctx, req); err != nil {
			t.Fatal(err)
		}
		return req
	}

	// Failure inside the transaction (the credential's key is already in
	// the portfolio, so the import is refused after the link was taken):
	// everything is undone, and the link still works.
	req := request("fail", time.Hour)
	if err := db.ImportItem(ctx, &PortfolioItem{UserID: u.ID, Credential: []byte(`{}`), Source: "upload", Name: "Déjà là",
		Import: &ImportInfo{Key: "urn:uuid:dup", Format: "json", State: "valid"}}); err != nil {
		t.Fatal(err)
	}
	_, err := db.ConfirmAttestation(ctx, "fail", attestationItem("urn:uuid:dup"))
	wantKind(t, err, badge.Conflict, "portfolio.already_imported")
	if p, err := db.PendingAttestation(ctx, "fail"); err != nil || p.State != AttestationPending || p.ItemID != "" || p.DecidedAt != nil {
		t.Fatalf("after a failed confirmation the link is %+v, %v; want still pending", p, err)
	}
	if n := len(attestationItems(t, db, u.ID)); n != 0 {
		t.Fatalf("failed confirmation left %d credential(s)", n)
	}
	// The item goes to the request's teacher, whatever the caller says.
	it := attestationItem("urn:uuid:" + req.ID)
	it.UserID = other.ID
	got, err := db.ConfirmAttestation(ctx, "fail", it)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != AttestationConfirmed || got.ItemID != it.ID || it.UserID != u.ID || got.DecidedAt == nil {
		t.Errorf("confirmed %+v, item %+v", got, it)
	}
	reqs, _ := db.ListAttestations(ctx, u.ID, a.ID)
	if len(reqs) != 1 || reqs[0].ItemID != it.ID || reqs[0].State != AttestationConfirmed {
		t.Errorf("stored request %+v", reqs)
	}

	// A replay of the used link: NotFound, nothing more stored.
	_, err = db.ConfirmAttestation(ctx, "fail", attestationItem("urn:uuid:replay"))
	wantKind(t, err, badge.NotFound, "attestation.invalid")
	if n := len(attestationItems(t, db, u.ID)); n != 1 {
		t.Errorf("after a replay: %d credential(s), want 1", n)
	}

	// Confirmations racing on one link: exactly one wins; each loser is
	// NotFound (the link is used), not a Conflict or an internal error.
	race := request("race", time.Hour)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each with its own key, as each confirmation signs its own
			// credential: only the link can stop the second.
			_, errs[i] = db.ConfirmAttestation(ctx, "race", attestationItem("urn:uuid:race-"+string(rune('a'+i))))
		}()
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !badge.IsNotFound(err):
			t.Errorf("confirmation %d: %v, want NotFound", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d confirmations succeeded, want 1", won)
	}
	if got := attestationItems(t, db, u.ID); len(got) != 2 {
		t.Errorf("after the race: %d credential(s), want 2 (one per link)", len(got))
	}
	reqs, _ = db.ListAttestations(ctx, u.ID, a.ID)
	for _, r := range reqs {
		if r.ID == race.ID && (r.State != AttestationConfirmed || r.ItemID == "") {
			t.Errorf("raced request %+v", r)
		}
	}

	attested, err := db.AttestedActivities(ctx, u.ID)
	if err != nil || len(attested) != 1 || len(attested[a.ID]) != 2 || attested[a.ID][0] == "" {
		t.Errorf("attested activities %v, %v; want the activity with its two credentials", attested, err)
	}
	if none, err := db.AttestedActivities(ctx, other.ID); err != nil || len(none) != 0 {
		t.Errorf("another's attested activities %v, %v", none, err)
	}

	// Expired, and declined, links confirm nothing.
	request("old", time.Minute)
	request("no", time.Hour)
	if _, err := db.DeclineAttestation(ctx, "no"); err != nil {
		t.Fatal(err)
	}
	clock.Lock()
	now = now.Add(2 * time.Minute)
	clock.Unlock()
	_, err = db.ConfirmAttestation(ctx, "old", attestationItem("urn:uuid:old"))
	wantKind(t, err, badge.NotFound, "attestation.invalid")
	_, err = db.ConfirmAttestation(ctx, "no", attestationItem("urn:uuid:no"))
	wantKind(t, err, badge.NotFound, "attestation.invalid")
	if got := attestationItems(t, db, u.ID); len(got) != 2 {
		t.Errorf("expired or declined link stored a credential: %d", len(got))
	}
}

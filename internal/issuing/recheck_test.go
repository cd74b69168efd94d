package issuing

import (
	"context"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
	"github.com/sceau/sceau/verify"
)

func TestImportState(t *testing.T) {
	fail := []verify.Check{{Code: verify.CodeProof, Outcome: verify.Fail}}
	warn := []verify.Check{{Code: verify.CodeHosted, Outcome: verify.Warn}}
	cases := []struct {
		name       string
		rep        verify.Report
		state      string
		reason     string
		conclusive bool
	}{
		{"valid", verify.Report{Verdict: verify.Valid}, ImportValid, "", true},
		{"expired", verify.Report{Verdict: verify.Expired}, ImportExpired, "", true},
		{"revoked with a reason", verify.Report{Verdict: verify.Revoked, StatusReason: "Fraude"}, ImportRevoked, "Fraude", true},
		{"suspended", verify.Report{Verdict: verify.Suspended, StatusReason: "Enquête"}, ImportSuspended, "Enquête", true},
		{"invalid: a check failed", verify.Report{Verdict: verify.Invalid, Checks: fail}, ImportInvalid, "", true},
		{"not yet valid", verify.Report{Verdict: verify.NotYetValid, Checks: []verify.Check{{Code: verify.CodeValidFrom, Outcome: verify.Fail}}}, ImportInvalid, "", true},
		{"unverifiable: a server did not answer", verify.Report{Verdict: verify.Invalid, Checks: warn}, ImportInvalid, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			state, reason, conclusive := ImportState(&c.rep)
			if state != c.state || reason != c.reason || conclusive != c.conclusive {
				t.Errorf("got %q %q %v, want %q %q %v", state, reason, conclusive, c.state, c.reason, c.conclusive)
			}
		})
	}
}

// hostedOB2 is an OB 2.0 hosted assertion: offline, its host cannot be
// asked, so its verification is inconclusive.
const hostedOB2 = `{"@context":"https://w3id.org/openbadges/v2","type":"Assertion",
"id":"https://badges.example.org/assertions/1","badge":"https://badges.example.org/badges/1",
"verification":{"type":"HostedBadge"},"issuedOn":"2024-05-17T13:45:02Z",
"recipient":{"type":"email","hashed":false,"identity":"marie@example.org"}}`

func TestRecheck(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 10, 20, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		db.SetClock(clock)
		u := &badge.User{Handle: "marie", Name: "Marie", Language: "fr", PasswordHash: "$argon2id$x"}
		if err := db.CreateUser(ctx, u, "marie@example.org"); err != nil {
			t.Fatal(err)
		}
		add := func(key, credential string) *store.PortfolioItem {
			it := &store.PortfolioItem{UserID: u.ID, Credential: []byte(credential), Name: "Badge " + key,
				Import: &store.ImportInfo{Key: key, Format: "json", State: ImportValid}}
			if err := db.ImportItem(ctx, it); err != nil {
				t.Fatal(err)
			}
			return it
		}
		hosted := add("hosted", hostedOB2)
		now = now.Add(time.Minute)
		broken := add("broken", `{"not":"a badge"}`)
		state := func(it *store.PortfolioItem) (string, time.Time) {
			e, err := db.GetPortfolioEntry(ctx, u.ID, it.ID)
			if err != nil {
				t.Fatal(err)
			}
			return e.Item.Import.State, e.Item.Import.CheckedAt
		}

		opts := RecheckOptions{Now: clock, Limit: 1}
		if n, err := RecheckImports(ctx, db, opts); n != 0 || err != nil {
			t.Fatalf("fresh imports re-checked: %d %v", n, err)
		}
		now = now.Add(25 * time.Hour)
		// One per call (Limit), the oldest check first.
		if n, err := RecheckImports(ctx, db, opts); n != 1 || err != nil {
			t.Fatalf("first batch: %d %v", n, err)
		}
		if s, at := state(hosted); s != ImportValid || !at.Equal(now) {
			t.Errorf("inconclusive check: state %q checked %v, want the state kept and the time recorded", s, at)
		}
		if s, _ := state(broken); s != ImportValid {
			t.Errorf("the second badge was checked in a batch of one: %q", s)
		}
		if n, err := RecheckImports(ctx, db, opts); n != 1 || err != nil {
			t.Fatalf("second batch: %d %v", n, err)
		}
		if s, _ := state(broken); s != ImportInvalid {
			t.Errorf("a badge that no longer verifies: %q", s)
		}

		// The job: Schedule queues the current slot once; each run queues
		// the next slot once, however often it runs.
		rc := &Rechecker{Store: db, Options: RecheckOptions{Now: clock}}
		for range 2 {
			if err := rc.Schedule(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for range 2 {
			if err := rc.RunJob(ctx, nil); err != nil {
				t.Fatal(err)
			}
		}
		jobs, err := db.ListJobs(ctx, store.JobFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, j := range jobs {
			if j.Kind != RecheckJobKind {
				t.Errorf("job of kind %q", j.Kind)
			}
			ids = append(ids, j.ID+" "+j.RunAt.Format(time.RFC3339))
		}
		want := map[string]bool{"portfolio-recheck-20260302T110000Z 2026-03-02T11:00:00Z": true,
			"portfolio-recheck-20260302T120000Z 2026-03-02T12:00:00Z": true}
		if len(ids) != 2 || !want[ids[0]] || !want[ids[1]] {
			t.Errorf("jobs %v", ids)
		}
	})
}

package issuing

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/verify"
)

func TestAttestations(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := &badge.User{Handle: "lise", Name: "Lise", Language: "fr", PasswordHash: "$argon2id$x"}
		if err := db.CreateUser(ctx, u, "lise@ecole.example"); err != nil {
			t.Fatal(err)
		}
		if err := db.VerifyEmail(ctx, u.ID, "lise@ecole.example"); err != nil {
			t.Fatal(err)
		}
		act := &store.Activity{UserID: u.ID, Kind: "conference", Title: "Colloque AQUOPS", Date: "2026-02-12", HoursCenti: 650,
			Reflection: "J'ai retenu la rétroaction.", Links: []string{"https://aquops.example/2026"}}
		if err := db.CreateActivity(ctx, act); err != nil {
			t.Fatal(err)
		}

		for name, in := range map[string][2]string{
			"no name":   {" ", "cp@css.example"},
			"bad email": {"Nadia", "nadia"},
			"two":       {"Nadia", "a@b.example, c@d.example"},
		} {
			if _, _, err := f.svc.RequestAttestation(ctx, u.ID, act.ID, in[0], in[1]); badge.ErrorKind(err) != badge.Invalid {
				t.Errorf("%s: %v, want Invalid", name, err)
			}
		}
		if _, _, err := f.svc.RequestAttestation(ctx, "someone-else", act.ID, "Nadia", "cp@css.example"); !badge.IsNotFound(err) {
			t.Errorf("another's activity: %v", err)
		}

		req, secret, err := f.svc.RequestAttestation(ctx, u.ID, act.ID, "Nadia Roy", "CP@css.example")
		if err != nil {
			t.Fatal(err)
		}
		if req.TokenHash == secret || req.AttesterEmail != "cp@css.example" || !req.ExpiresAt.Equal(f.now.Add(AttestationTTL)) {
			t.Fatalf("request %+v", req)
		}
		if _, err := f.svc.ConfirmAttestation(ctx, secret, ""); badge.ErrorKind(err) != badge.Conflict {
			t.Errorf("no attestation issuer: %v", err)
		}
		// A setting naming no organisation is the server's fault, not a used link.
		if _, err := f.svc.ConfirmAttestation(ctx, secret, "nobody"); badge.ErrorKind(err) != badge.Conflict {
			t.Errorf("unknown attestation issuer: %v", err)
		}
		it, err := f.svc.ConfirmAttestation(ctx, secret, "cssdm")
		if err != nil {
			t.Fatal(err)
		}
		rep := verify.Verify(ctx, it.Credential, verify.Options{Now: f.now.Add(time.Hour)})
		expectVerdict(t, rep, verify.Valid)
		c, err := ob3.Parse(it.Credential)
		if err != nil {
			t.Fatal(err)
		}
		ach := c.CredentialSubject.Achievement
		if !strings.HasPrefix(c.Issuer.ID, "did:key:") || ach.AchievementType != AttestationAchievementType ||
			!strings.Contains(ach.Criteria.Narrative, "Nadia Roy") || strings.Contains(string(it.Credential), "cp@css.example") ||
			!strings.Contains(ach.Description, "6.5 h") || len(c.Evidence) != 2 {
			t.Errorf("credential %s", it.Credential)
		}
		if it.Import == nil || it.Import.State != ImportValid || it.Name != "Colloque AQUOPS" {
			t.Errorf("item %+v", it)
		}
		// Used: a second click is refused, as is a decline.
		if _, err := f.svc.ConfirmAttestation(ctx, secret, "cssdm"); !badge.IsNotFound(err) {
			t.Errorf("used link: %v", err)
		}
		if _, err := f.svc.DeclineAttestation(ctx, secret); !badge.IsNotFound(err) {
			t.Errorf("decline of a used link: %v", err)
		}
		reqs, _ := db.ListAttestations(ctx, u.ID, act.ID)
		if len(reqs) != 1 || reqs[0].ItemID != it.ID || reqs[0].State != store.AttestationConfirmed {
			t.Errorf("request after confirmation %+v", reqs)
		}

		// Declined, and expired.
		_, s2, _ := f.svc.RequestAttestation(ctx, u.ID, act.ID, "Marc", "marc@css.example")
		if _, err := f.svc.DeclineAttestation(ctx, s2); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ConfirmAttestation(ctx, s2, "cssdm"); !badge.IsNotFound(err) {
			t.Errorf("declined link confirmed: %v", err)
		}
		_, s3, _ := f.svc.RequestAttestation(ctx, u.ID, act.ID, "Marc", "marc@css.example")
		f.now = f.now.Add(AttestationTTL + time.Minute)
		if _, err := f.svc.ConfirmAttestation(ctx, s3, "cssdm"); !badge.IsNotFound(err) {
			t.Errorf("expired link confirmed: %v", err)
		}
	})
}

// TestConfirmAttestationOnce: whatever happens to the link (a replay,
// confirmations racing, a failure while signing, expiry), a teacher gets
// at most one credential per link, and a link is used only when its
// credential is in the portfolio.
func TestConfirmAttestationOnce(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := &badge.User{Handle: "lise", Name: "Lise", Language: "en", PasswordHash: "$argon2id$x"}
		if err := db.CreateUser(ctx, u, "lise@ecole.example"); err != nil {
			t.Fatal(err)
		}
		if err := db.VerifyEmail(ctx, u.ID, "lise@ecole.example"); err != nil {
			t.Fatal(err)
		}
		act := &store.Activity{UserID: u.ID, Kind: "reading", Title: "Visible Learning", Date: "2026-02-12", HoursCenti: 300}
		if err := db.CreateActivity(ctx, act); err != nil {
			t.Fatal(err)
		}
		credentials := func() int {
			t.Helper()
			list, err := db.ListPortfolio(ctx, u.ID, false)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range list {
				if e.Item.Source == "attestation" {
					n++
				}
			}
			return n
		}

		// Signing fails (no such issuer): nothing stored, the link
		// still opens and then confirms.
		_, secret, err := f.svc.RequestAttestation(ctx, u.ID, act.ID, "Nadia Roy", "cp@css.example")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ConfirmAttestation(ctx, secret, "no-such-issuer"); err == nil {
			t.Fatal("confirmed with an unknown issuer")
		}
		if _, _, err := f.svc.PendingAttestation(ctx, secret); err != nil || credentials() != 0 {
			t.Fatalf("after a failed signature: link %v, %d credential(s)", err, credentials())
		}
		it, err := f.svc.ConfirmAttestation(ctx, secret, "cssdm")
		if err != nil {
			t.Fatal(err)
		}
		// Replays of the used link: NotFound, still one credential.
		for range 2 {
			if _, err := f.svc.ConfirmAttestation(ctx, secret, "cssdm"); !badge.IsNotFound(err) {
				t.Errorf("replay: %v, want NotFound", err)
			}
		}
		if n := credentials(); n != 1 {
			t.Errorf("after replays: %d credential(s), want 1", n)
		}
		reqs, _ := db.ListAttestations(ctx, u.ID, act.ID)
		if len(reqs) != 1 || reqs[0].ItemID != it.ID {
			t.Errorf("request %+v, item %s", reqs, it.ID)
		}

		// Two confirmations at once (a double click): both read the link
		// pending and both sign, one stores.
		_, secret2, err := f.svc.RequestAttestation(ctx, u.ID, act.ID, "Marc Roy", "marc@css.example")
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var items [2]*store.PortfolioItem
		var errs [2]error
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				items[i], errs[i] = f.svc.ConfirmAttestation(ctx, secret2, "cssdm")
			}()
		}
		wg.Wait()
		won := 0
		for i := range 2 {
			switch {
			case errs[i] == nil:
				won++
				rep := verify.Verify(ctx, items[i].Credential, verify.Options{Now: f.now.Add(time.Hour)})
				expectVerdict(t, rep, verify.Valid)
			case !badge.IsNotFound(errs[i]):
				t.Errorf("confirmation %d: %v, want NotFound", i, errs[i])
			}
		}
		if won != 1 || credentials() != 2 {
			t.Errorf("racing confirmations: %d succeeded, %d credential(s); want 1 and 2", won, credentials())
		}

		// An expired link confirms nothing.
		_, secret3, err := f.svc.RequestAttestation(ctx, u.ID, act.ID, "Luc Roy", "luc@css.example")
		if err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(AttestationTTL + time.Second)
		if _, err := f.svc.ConfirmAttestation(ctx, secret3, "cssdm"); !badge.IsNotFound(err) {
			t.Errorf("expired link: %v, want NotFound", err)
		}
		if n := credentials(); n != 2 {
			t.Errorf("expired link stored a credential: %d", n)
		}
	})
}

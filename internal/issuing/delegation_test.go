package issuing

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sceau/sceau/did"
	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/verify"
)

// delegationFetcher serves the fixture's documents and the issuers'
// signed authorisations; tamper, when set, rewrites the authorisations.
func (f *fixture) delegationFetcher(tamper func([]byte) []byte) did.Fetcher {
	base := f.fetcher()
	return did.FetcherFunc(func(ctx context.Context, u string) ([]byte, error) {
		if rest, ok := strings.CutPrefix(u, testBase+"/issuers/"); ok {
			if slug, ok := strings.CutSuffix(rest, "/authorisations"); ok {
				doc, err := f.svc.Authorisations(ctx, slug)
				if err == nil && tamper != nil {
					doc = tamper(doc)
				}
				return doc, err
			}
		}
		return base.Fetch(ctx, u)
	})
}

func TestDelegatedIssuing(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db) // A: cssdm, with badge secourisme
		b := &badge.Issuer{Slug: "reseau", Name: "Réseau de formation", URL: "https://reseau.example.org", Language: "fr"}
		if err := f.svc.CreateIssuer(ctx, b); err != nil {
			t.Fatal(err)
		}

		// Refusals first.
		for name, try := range map[string]func() error{
			"unknown delegate": func() error { _, err := f.svc.GrantDelegation(ctx, f.issuer.ID, f.badge.ID, "nobody", ""); return err },
			"itself":           func() error { _, err := f.svc.GrantDelegation(ctx, f.issuer.ID, f.badge.ID, "cssdm", ""); return err },
			"another's badge":  func() error { _, err := f.svc.GrantDelegation(ctx, b.ID, f.badge.ID, "cssdm", ""); return err },
		} {
			if err := try(); badge.ErrorKind(err) != badge.Invalid {
				t.Errorf("%s: %v, want Invalid", name, err)
			}
		}

		d, err := f.svc.GrantDelegation(ctx, f.issuer.ID, f.badge.ID, "reseau", "owner")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.GrantDelegation(ctx, f.issuer.ID, f.badge.ID, "reseau", "owner"); badge.ErrorKind(err) != badge.Conflict {
			t.Fatalf("second grant: %v, want Conflict", err)
		}
		cp, err := db.GetBadge(ctx, d.DelegateBadgeID)
		if err != nil || cp.IssuerID != b.ID || cp.CreatorIssuerID != f.issuer.ID || cp.Name != f.badge.Name {
			t.Fatalf("delegate's copy %+v %v", cp, err)
		}

		// B awards A's badge: issued and signed by B, A as creator.
		a, err := f.svc.AwardDelegated(ctx, b.ID, d.ID, AwardInput{Email: "eleve@exemple.ca"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := ob3.Parse(a.Credential)
		if err != nil {
			t.Fatal(err)
		}
		bDID, aDID := "did:web:badges.example.org:issuers:reseau", "did:web:badges.example.org:issuers:cssdm"
		ach := c.CredentialSubject.Achievement
		if c.Issuer.ID != bDID || ach.Creator == nil || ach.Creator.ID != aDID {
			t.Fatalf("issuer %s, creator %+v", c.Issuer.ID, ach.Creator)
		}
		if len(ach.Creator.OtherIdentifier) != 1 || ach.Creator.OtherIdentifier[0].Identifier != testBase+"/issuers/cssdm/authorisations" {
			t.Fatalf("creator does not point at its authorisations: %+v", ach.Creator.OtherIdentifier)
		}
		// Another organisation cannot use B's authorisation.
		if _, err := f.svc.AwardDelegated(ctx, f.issuer.ID, d.ID, AwardInput{Email: "x@exemple.ca"}); !badge.IsNotFound(err) {
			t.Fatalf("award through another's authorisation: %v", err)
		}

		// A's published authorisations list B for the copy.
		doc, err := f.svc.Authorisations(ctx, "cssdm")
		if err != nil {
			t.Fatal(err)
		}
		var list struct {
			Issuer            struct{ ID string } `json:"issuer"`
			CredentialSubject struct {
				Authorisation []struct{ Delegate, Achievement, From, Until string } `json:"authorisation"`
			} `json:"credentialSubject"`
		}
		if err := json.Unmarshal(doc, &list); err != nil {
			t.Fatal(err)
		}
		if au := list.CredentialSubject.Authorisation; list.Issuer.ID != aDID || len(au) != 1 || au[0].Delegate != bDID ||
			au[0].Achievement != ach.ID || au[0].Until != "" {
			t.Fatalf("authorisations %s", doc)
		}

		opts := verify.Options{Fetcher: f.delegationFetcher(nil), Now: f.now.Add(time.Hour)}
		rep := verify.Verify(ctx, a.Credential, opts)
		expectVerdict(t, rep, verify.Valid)
		dl := verify.CheckDelegation(ctx, rep.Credential, opts)
		if dl == nil || dl.Outcome != verify.Pass {
			t.Fatalf("delegation check %+v", dl)
		}
		wantEN := "Issued by Réseau de formation on behalf of Centre de services scolaire, authorised by Centre de services scolaire."
		wantFR := "Délivré par Réseau de formation au nom de Centre de services scolaire, avec l'autorisation de Centre de services scolaire."
		if dl.Message.EN != wantEN || dl.Message.FR != wantFR {
			t.Fatalf("wording %q / %q", dl.Message.EN, dl.Message.FR)
		}
		// A badge A issues itself is not delegated.
		own, err := f.svc.Award(ctx, AwardInput{BadgeID: f.badge.ID, Email: "x@exemple.ca"})
		if err != nil {
			t.Fatal(err)
		}
		if dl := verify.CheckDelegation(ctx, own.Credential, opts); dl != nil {
			t.Fatalf("own badge reported as delegated: %+v", dl)
		}
		// A list not signed by A proves nothing.
		tampered := verify.CheckDelegation(ctx, rep.Credential, verify.Options{Now: opts.Now, Fetcher: f.delegationFetcher(func(b []byte) []byte {
			return []byte(strings.Replace(string(b), "Réseau de formation", "Réseau de formatio", 1))
		})})
		if tampered == nil || tampered.Outcome != verify.Fail {
			t.Fatalf("tampered authorisations: %+v", tampered)
		}
		// Unreachable: a warning, not a failure.
		if w := verify.CheckDelegation(ctx, rep.Credential, verify.Options{Now: opts.Now}); w == nil || w.Outcome != verify.Warn {
			t.Fatalf("offline: %+v", w)
		}

		// Withdrawal: later awards refused, earlier ones still authorised.
		f.now = f.now.Add(24 * time.Hour)
		if err := f.svc.WithdrawDelegation(ctx, f.issuer.ID, d.ID, "owner"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.WithdrawDelegation(ctx, f.issuer.ID, d.ID, "owner"); !badge.IsNotFound(err) {
			t.Fatalf("second withdrawal: %v", err)
		}
		if _, err := f.svc.AwardDelegated(ctx, b.ID, d.ID, AwardInput{Email: "eleve2@exemple.ca"}); badge.ErrorCode(err) != "delegation.withdrawn" {
			t.Fatalf("award after withdrawal: %v", err)
		}
		if err := f.svc.DelegationAllows(ctx, cp, f.now); badge.ErrorCode(err) != "delegation.withdrawn" {
			t.Fatalf("copy still allowed after withdrawal: %v", err)
		}
		if err := f.svc.DelegationAllows(ctx, f.badge, f.now); err != nil {
			t.Fatalf("A's own badge refused: %v", err)
		}
		opts.Now = f.now.Add(time.Hour)
		rep = verify.Verify(ctx, a.Credential, opts)
		expectVerdict(t, rep, verify.Valid)
		if dl := verify.CheckDelegation(ctx, rep.Credential, opts); dl == nil || dl.Outcome != verify.Pass {
			t.Fatalf("badge awarded before the withdrawal: %+v", dl)
		}

		// A forged award dated after the withdrawal (B signing on its own)
		// is reported as outside the authorisation.
		ii, err := f.svc.issuerInfo(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		late := *c
		late.Proof = nil
		late.AwardedDate = ob3.NewDateTime(f.now.Add(time.Minute))
		late.ValidFrom = late.AwardedDate
		forged, err := f.svc.signDocument(&late, ii)
		if err != nil {
			t.Fatal(err)
		}
		dl = verify.CheckDelegation(ctx, forged, opts)
		if dl == nil || dl.Outcome != verify.Fail || !strings.Contains(dl.Message.EN, "did not authorise") {
			t.Fatalf("award after withdrawal: %+v", dl)
		}

		// Granting again reuses the copy; the list keeps both periods.
		d2, err := f.svc.GrantDelegation(ctx, f.issuer.ID, f.badge.ID, "reseau", "owner")
		if err != nil || d2.DelegateBadgeID != cp.ID {
			t.Fatalf("re-grant %+v %v", d2, err)
		}
		doc, _ = f.svc.Authorisations(ctx, "cssdm")
		if n := strings.Count(string(doc), `"delegate":"did:`); n != 2 {
			t.Fatalf("%d entries after re-grant: %s", n, doc)
		}
	})
}

package store

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sceau/sceau/internal/badge"
)

func TestMigrateIdempotentAndRecorded(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		for i := 0; i < 2; i++ {
			if err := db.Migrate(ctx); err != nil {
				t.Fatalf("migrate run %d: %v", i+2, err)
			}
		}
		got, err := db.AppliedMigrations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := Migrations(db.Dialect())
		if len(got) != len(want) || got[0].Name != "0001_init.sql" {
			t.Fatalf("applied %v, want %d migrations starting with 0001_init.sql", got, len(want))
		}
	})
}

func TestIssuerCRUD(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		i := newIssuer(t, db, "acme")
		got, err := db.GetIssuer(ctx, i.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(i, got); diff != "" {
			t.Errorf("GetIssuer (-want +got):\n%s", diff)
		}
		if got, err = db.GetIssuerBySlug(ctx, "acme"); err != nil || got.ID != i.ID {
			t.Fatalf("GetIssuerBySlug: %v %v", got, err)
		}
		_, err = db.GetIssuer(ctx, "nope")
		wantKind(t, err, badge.NotFound, "issuer.not_found")
		err = db.CreateIssuer(ctx, &badge.Issuer{Slug: "acme", Name: "Other", URL: "https://o.example", Language: "en"})
		wantKind(t, err, badge.Conflict, "issuer.slug_taken")
		err = db.CreateIssuer(ctx, &badge.Issuer{Slug: "Bad Slug", Name: "x", URL: "https://o.example", Language: "en"})
		wantKind(t, err, badge.Invalid, "issuer.slug_invalid")
		i.Name = "Acmé Corp"
		if err := db.UpdateIssuer(ctx, i); err != nil {
			t.Fatal(err)
		}
		got, _ = db.GetIssuer(ctx, i.ID)
		if got.Name != "Acmé Corp" {
			t.Errorf("name after update: %q", got.Name)
		}
		newIssuer(t, db, "beta")
		list, err := db.ListIssuers(ctx)
		if err != nil || len(list) != 2 {
			t.Fatalf("ListIssuers: %d %v", len(list), err)
		}
		ghost := *i
		ghost.ID = "missing"
		ghost.Slug = "ghost"
		wantKind(t, db.UpdateIssuer(ctx, &ghost), badge.NotFound, "issuer.not_found")
	})
}

func TestKeys(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		i := newIssuer(t, db, "acme")
		k1 := &badge.IssuerKey{IssuerID: i.ID, KeyID: "key-1", PublicKeyMultibase: "z6Mkabc", EncryptedPrivateKey: []byte{0, 1, 2, 255}}
		if err := db.AddIssuerKey(ctx, k1); err != nil {
			t.Fatal(err)
		}
		dup := *k1
		dup.ID = ""
		wantKind(t, db.AddIssuerKey(ctx, &dup), badge.Conflict, "key.key_id_taken")
		orphan := *k1
		orphan.ID, orphan.IssuerID = "", "missing"
		wantKind(t, db.AddIssuerKey(ctx, &orphan), badge.NotFound, "issuer.not_found")
		at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		if err := db.RetireIssuerKey(ctx, i.ID, "key-1", at); err != nil {
			t.Fatal(err)
		}
		wantKind(t, db.RetireIssuerKey(ctx, i.ID, "key-9", at), badge.NotFound, "key.not_found")
		k2 := &badge.IssuerKey{IssuerID: i.ID, KeyID: "key-2", PublicKeyMultibase: "z6Mkdef", EncryptedPrivateKey: []byte{9}}
		if err := db.AddIssuerKey(ctx, k2); err != nil {
			t.Fatal(err)
		}
		keys, err := db.ListIssuerKeys(ctx, i.ID)
		if err != nil || len(keys) != 2 {
			t.Fatalf("ListIssuerKeys: %d %v", len(keys), err)
		}
		if keys[0].RetiredAt == nil || !keys[0].RetiredAt.Equal(at) || !bytes.Equal(keys[0].EncryptedPrivateKey, k1.EncryptedPrivateKey) {
			t.Errorf("key-1 read back as %+v", keys[0])
		}
		if !keys[1].Active() {
			t.Errorf("key-2 should be active")
		}
	})
}

func TestBadgeCRUD(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		i := newIssuer(t, db, "acme")
		other := newIssuer(t, db, "other")
		b := &badge.Badge{IssuerID: i.ID, Slug: "go", Name: "Go", Description: "Writes Go", CriteriaURL: "https://example.org/c",
			Tags: []string{"go", "programmation"}, Alignments: []badge.Alignment{{Name: "Prog", URL: "https://f.example/p", Code: "P1"}},
			ResultDescriptions: []badge.ResultDescription{{ID: "r1", Name: "Score", ResultType: "Percent"}},
			Language:           "fr", ValidityDays: 365, CreatorIssuerID: other.ID, ImageKey: "img/1", ImageType: "image/png", AchievementType: "Badge"}
		if err := db.CreateBadge(ctx, b); err != nil {
			t.Fatal(err)
		}
		got, err := db.GetBadge(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(b, got); diff != "" {
			t.Errorf("GetBadge (-want +got):\n%s", diff)
		}
		if got, err = db.GetBadgeBySlug(ctx, i.ID, "go"); err != nil || got.ID != b.ID {
			t.Fatalf("GetBadgeBySlug: %v", err)
		}
		_, err = db.GetBadgeBySlug(ctx, other.ID, "go")
		wantKind(t, err, badge.NotFound, "badge.not_found")
		dup := newBadge(t, db, i.ID, "rust")
		dup.Slug = "go"
		wantKind(t, db.UpdateBadge(ctx, dup), badge.Conflict, "badge.slug_taken")
		newBadge(t, db, other.ID, "go") // slugs are per issuer
		missing := *b
		missing.ID, missing.IssuerID, missing.CreatorIssuerID, missing.Slug = "", "missing", "", "x"
		wantKind(t, db.CreateBadge(ctx, &missing), badge.NotFound, "issuer.not_found")
		b.Tags = nil
		if err := db.UpdateBadge(ctx, b); err != nil {
			t.Fatal(err)
		}
		list, err := db.ListBadges(ctx, i.ID)
		if err != nil || len(list) != 2 || list[0].Tags != nil {
			t.Fatalf("ListBadges: %v %v", list, err)
		}
	})
}

func TestAwardsRoundTripAndStatus(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		i := newIssuer(t, db, "acme")
		b := newBadge(t, db, i.ID, "go")
		a := newAward(b, "Ada@Example.org")
		until := time.Date(2030, 1, 1, 0, 0, 0, 123456789, time.UTC)
		a.ValidUntil = &until
		a.Evidence = []badge.Evidence{{URL: "https://e.example/1", Name: "Projet"}}
		// Bytes a re-encoder would change: key order, spacing, escapes.
		signed := []byte("{\"z\":1,  \"a\":\"\\u00e9\",\n\"proof\":{}}")
		n, err := db.CreateAwards(ctx, []*badge.Award{a}, func(a *badge.Award) error {
			a.Credential = signed
			return nil
		})
		if err != nil || n != 1 {
			t.Fatalf("CreateAwards: %d %v", n, err)
		}
		got, err := db.GetAward(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Credential, signed) {
			t.Errorf("credential changed:\n%q\n%q", got.Credential, signed)
		}
		if diff := cmp.Diff(a, got); diff != "" {
			t.Errorf("GetAward (-want +got):\n%s", diff)
		}
		_, err = db.GetAward(ctx, "00000000-0000-4000-8000-000000000000")
		wantKind(t, err, badge.NotFound, "award.not_found")
		if byIdx, err := db.GetAwardByStatusIndex(ctx, i.ID, a.StatusIndex); err != nil || byIdx.ID != a.ID {
			t.Fatalf("GetAwardByStatusIndex: %v", err)
		}

		at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		if err := db.UpdateAwardStatus(ctx, a.ID, badge.StatusSuspended, "enquête", at); err != nil {
			t.Fatal(err)
		}
		e, err := db.StatusEntries(ctx, i.ID)
		if err != nil || len(e.Suspended) != 1 || len(e.Revoked) != 0 || e.Size != 1 {
			t.Fatalf("StatusEntries after suspension: %+v %v", e, err)
		}
		if err := db.UpdateAwardStatus(ctx, a.ID, badge.StatusRevoked, "fraude", at); err != nil {
			t.Fatal(err)
		}
		wantKind(t, db.UpdateAwardStatus(ctx, a.ID, badge.StatusActive, "", at), badge.Conflict, "award.already_revoked")
		wantKind(t, db.UpdateAwardStatus(ctx, "missing", badge.StatusRevoked, "", at), badge.NotFound, "award.not_found")
		got, _ = db.GetAward(ctx, a.ID)
		if got.Status != badge.StatusRevoked || got.StatusReason != "fraude" || got.StatusChangedAt == nil || !got.StatusChangedAt.Equal(at) {
			t.Errorf("after revocation: %+v", got)
		}
		e, _ = db.StatusEntries(ctx, i.ID)
		if diff := cmp.Diff(&StatusEntries{Revoked: []int{a.StatusIndex}, Size: 1}, e); diff != "" {
			t.Errorf("StatusEntries (-want +got):\n%s", diff)
		}

		// Re-issue keeps the id, awarded date and index.
		re := *got
		re.Credential, re.Narrative, re.AwardedAt = []byte(`{"v":2}`), "new", time.Now()
		if err := db.ReplaceAwardCredential(ctx, &re); err != nil {
			t.Fatal(err)
		}
		got2, _ := db.GetAward(ctx, a.ID)
		if string(got2.Credential) != `{"v":2}` || got2.Narrative != "new" || !got2.AwardedAt.Equal(a.AwardedAt) || got2.StatusIndex != a.StatusIndex {
			t.Errorf("after re-issue: %+v", got2)
		}
	})
}

func TestListAndCountAwards(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		i := newIssuer(t, db, "acme")
		b1, b2 := newBadge(t, db, i.ID, "one"), newBadge(t, db, i.ID, "two")
		var as []*badge.Award
		for _, e := range []string{"ada@example.org", "bob@example.org", "carol_x@example.org"} {
			as = append(as, newAward(b1, e))
		}
		as[0].Recipient.Name = "Héloïse Côté"
		as = append(as, newAward(b2, "ada@example.org"))
		if _, err := db.CreateAwards(ctx, as, fakeSign); err != nil {
			t.Fatal(err)
		}
		db.UpdateAwardStatus(ctx, as[1].ID, badge.StatusRevoked, "", time.Now())
		cases := []struct {
			name string
			f    AwardFilter
			want int
		}{
			{"issuer", AwardFilter{IssuerID: i.ID}, 4},
			{"badge", AwardFilter{BadgeID: b1.ID}, 3},
			{"revoked", AwardFilter{IssuerID: i.ID, Status: badge.StatusRevoked}, 1},
			{"search case-insensitive", AwardFilter{IssuerID: i.ID, Search: "ADA"}, 2},
			{"search underscore is literal", AwardFilter{Search: "l_x"}, 1},
			{"search underscore no wildcard", AwardFilter{Search: "b_b"}, 0},
			{"search name", AwardFilter{Search: "name of bob"}, 1},
			{"search short", AwardFilter{IssuerID: i.ID, Search: "BO"}, 1},
			{"search quotes are text", AwardFilter{IssuerID: i.ID, Search: `"ada" OR bob`}, 0},
			{"search accents", AwardFilter{IssuerID: i.ID, Search: "Héloïse"}, 1},
			{"search an address with an underscore", AwardFilter{IssuerID: i.ID, Search: "carol_x@"}, 1},
			{"recipient exact", AwardFilter{RecipientEmail: "ada@example.org"}, 2},
			{"limit", AwardFilter{IssuerID: i.ID, Limit: 2}, 2},
			{"offset", AwardFilter{IssuerID: i.ID, Offset: 3}, 1},
		}
		if n, err := db.BadgeAwardCount(ctx, b1.ID); err != nil || n != 3 {
			t.Errorf("BadgeAwardCount = %d, %v; want 3", n, err)
		}
		for _, c := range cases {
			list, err := db.ListAwards(ctx, c.f)
			if err != nil || len(list) != c.want {
				t.Errorf("%s: ListAwards got %d (%v), want %d", c.name, len(list), err, c.want)
			}
			if c.f.Limit == 0 && c.f.Offset == 0 {
				if n, err := db.CountAwards(ctx, c.f); err != nil || n != c.want {
					t.Errorf("%s: CountAwards got %d (%v), want %d", c.name, n, err, c.want)
				}
			}
			for _, a := range list {
				if a.Credential != nil {
					t.Errorf("%s: ListAwards returned a credential", c.name)
				}
			}
		}
	})
}

func TestStatusIndexesNeverReused(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		i := newIssuer(t, db, "acme")
		b := newBadge(t, db, i.ID, "go")
		first := []*badge.Award{newAward(b, "a@example.org"), newAward(b, "b@example.org")}
		if _, err := db.CreateAwards(ctx, first, fakeSign); err != nil {
			t.Fatal(err)
		}
		if first[0].StatusIndex != 0 || first[1].StatusIndex != 1 {
			t.Fatalf("indexes %d, %d", first[0].StatusIndex, first[1].StatusIndex)
		}
		// A sign failure rolls back the whole batch: nothing stored, counter unchanged.
		boom := errors.New("boom")
		failing := []*badge.Award{newAward(b, "c@example.org"), newAward(b, "d@example.org")}
		n, err := db.CreateAwards(ctx, failing, func(a *badge.Award) error {
			if a.Recipient.Email == "d@example.org" {
				return boom
			}
			return fakeSign(a)
		})
		if !errors.Is(err, boom) || n != 0 {
			t.Fatalf("failing batch: %d %v", n, err)
		}
		if c, _ := db.CountAwards(ctx, AwardFilter{IssuerID: i.ID}); c != 2 {
			t.Fatalf("after failed batch: %d awards, want 2", c)
		}
		// Deleting the newest award does not free its index.
		if err := db.DeleteAward(ctx, first[1].ID); err != nil {
			t.Fatal(err)
		}
		wantKind(t, db.DeleteAward(ctx, first[1].ID), badge.NotFound, "award.not_found")
		next := newAward(b, "e@example.org")
		if err := db.CreateAward(ctx, next, fakeSign); err != nil {
			t.Fatal(err)
		}
		if next.StatusIndex != 2 {
			t.Fatalf("index after delete and failure: %d, want 2", next.StatusIndex)
		}
		// An invalid award stops the whole call before anything is stored.
		bad := newAward(b, "not an e-mail")
		_, err = db.CreateAwards(ctx, []*badge.Award{newAward(b, "f@example.org"), bad}, fakeSign)
		wantKind(t, err, badge.Invalid, "award.recipient_email_invalid")
		// A badge of another issuer is refused.
		other := newIssuer(t, db, "other")
		wrong := newAward(b, "g@example.org")
		wrong.IssuerID = other.ID
		wantKind(t, db.CreateAward(ctx, wrong, fakeSign), badge.NotFound, "badge.not_found")
		if e, _ := db.StatusEntries(ctx, other.ID); e.Size != 0 {
			t.Errorf("failed award consumed an index of the other issuer: %+v", e)
		}
	})
}

func TestConcurrentIndexAllocation(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		i := newIssuer(t, db, "acme")
		b := newBadge(t, db, i.ID, "go")
		const workers, per = 4, 300 // more than one batch each
		var wg sync.WaitGroup
		results := make([][]*badge.Award, workers)
		errs := make([]error, workers)
		for w := range workers {
			results[w] = make([]*badge.Award, per)
			for j := range per {
				results[w][j] = newAward(b, "r"+itoa(w)+"-"+itoa(j)+"@example.org")
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[w] = db.CreateAwards(ctx, results[w], fakeSign)
			}()
		}
		wg.Wait()
		seen := map[int]bool{}
		for w := range workers {
			if errs[w] != nil {
				t.Fatalf("worker %d: %v", w, errs[w])
			}
			for _, a := range results[w] {
				if seen[a.StatusIndex] {
					t.Fatalf("index %d given twice", a.StatusIndex)
				}
				seen[a.StatusIndex] = true
			}
		}
		if len(seen) != workers*per || !seen[0] || !seen[workers*per-1] {
			t.Errorf("indexes are not exactly 0..%d", workers*per-1)
		}
	})
}

// Pages by cursor walk the whole list once, in order, both ways, even
// when many awards share one awarded_at (a bulk award).
func TestAwardCursorPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		i := newIssuer(t, db, "cursor")
		b := newBadge(t, db, i.ID, "b")
		at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
		var as []*badge.Award
		for n := 0; n < 11; n++ {
			a := newAward(b, "p"+itoa(n)+"@example.org")
			a.AwardedAt = at
			if n >= 7 {
				a.AwardedAt = at.Add(time.Hour) // newer: listed first
			}
			as = append(as, a)
		}
		if _, err := db.CreateAwards(ctx, as, fakeSign); err != nil {
			t.Fatal(err)
		}
		all, err := db.ListAwards(ctx, AwardFilter{IssuerID: i.ID})
		if err != nil || len(all) != 11 {
			t.Fatalf("all: %d %v", len(all), err)
		}
		var forward []string
		f := AwardFilter{IssuerID: i.ID, Limit: 4}
		for {
			page, err := db.ListAwards(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, a := range page {
				forward = append(forward, a.ID)
			}
			f.After = AwardCursor(page[len(page)-1])
		}
		for k, a := range all {
			if k >= len(forward) || forward[k] != a.ID {
				t.Fatalf("forward walk %v differs from the list %v", forward, all)
			}
		}
		// Back from the last award: the page before it is the three
		// awards just newer, newest first.
		back, err := db.ListAwards(ctx, AwardFilter{IssuerID: i.ID, Limit: 3, Before: AwardCursor(all[10])})
		if err != nil || len(back) != 3 || back[0].ID != all[7].ID || back[2].ID != all[9].ID {
			t.Errorf("page before the last: %v %v", back, err)
		}
		c, err := ParseCursor(AwardCursor(all[3]).String())
		if err != nil || c.ID != all[3].ID || !c.AwardedAt.Equal(all[3].AwardedAt) {
			t.Errorf("cursor round trip: %+v %v", c, err)
		}
		for _, bad := range []string{"", "x.y", "123", "123.not-an-id"} {
			if _, err := ParseCursor(bad); badge.ErrorKind(err) != badge.Invalid {
				t.Errorf("ParseCursor(%q) = %v", bad, err)
			}
		}
	})
}

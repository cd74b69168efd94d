package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sceau/sceau/internal/badge"
)

func hash64(c byte) string { return strings.Repeat(string(c), 64) }

func TestAPITokens(t *testing.T) { forEachDB(t, testAPITokens) }

func testAPITokens(t *testing.T, db *DB) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	db.SetClock(func() time.Time { return now })
	iss := newIssuer(t, db, "tokens-org")
	other := newIssuer(t, db, "other-org")

	t.Run("invalid", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			tok  APIToken
			code string
		}{
			{"no name", APIToken{IssuerID: iss.ID, Prefix: "sceau_aa", Hash: hash64('a'), Scopes: []string{"read"}}, "api_token.name_required"},
			{"long name", APIToken{IssuerID: iss.ID, Name: strings.Repeat("é", 101), Prefix: "sceau_aa", Hash: hash64('a'), Scopes: []string{"read"}}, "api_token.name_too_long"},
			{"no scope", APIToken{IssuerID: iss.ID, Name: "LMS", Prefix: "sceau_aa", Hash: hash64('a')}, "api_token.scope_required"},
			{"bad scope", APIToken{IssuerID: iss.ID, Name: "LMS", Prefix: "sceau_aa", Hash: hash64('a'), Scopes: []string{"admin"}}, "api_token.scope_invalid"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := db.CreateAPIToken(ctx, &tc.tok)
				wantKind(t, err, badge.Invalid, tc.code)
			})
		}
	})

	tok := &APIToken{IssuerID: iss.ID, Name: " Moodle ", Prefix: "sceau_aaaa", Hash: hash64('a'), Scopes: []string{"read", "award", "read"}}
	if err := db.CreateAPIToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if tok.Name != "Moodle" || !cmp.Equal(tok.Scopes, []string{"award", "read"}) || !tok.Allows(ScopeAward) || tok.ID == "" {
		t.Fatalf("created token: %+v", tok)
	}
	dup := &APIToken{IssuerID: other.ID, Name: "copy", Prefix: "sceau_aaaa", Hash: hash64('a'), Scopes: []string{"read"}}
	wantKind(t, db.CreateAPIToken(ctx, dup), badge.Conflict, "api_token.hash_taken")

	got, err := db.APITokenByHash(ctx, hash64('a'))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tok, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
	_, err = db.APITokenByHash(ctx, hash64('b'))
	wantKind(t, err, badge.NotFound, "api_token.not_found")

	t.Run("touch is throttled", func(t *testing.T) {
		if err := db.TouchAPIToken(ctx, tok.ID, now, time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := db.TouchAPIToken(ctx, tok.ID, now.Add(30*time.Second), time.Minute); err != nil {
			t.Fatal(err)
		}
		got, _ := db.APITokenByHash(ctx, tok.Hash)
		if got.LastUsedAt == nil || !got.LastUsedAt.Equal(now) {
			t.Fatalf("last used %v, want %v (the second touch is within the minute)", got.LastUsedAt, now)
		}
		later := now.Add(2 * time.Minute)
		db.TouchAPIToken(ctx, tok.ID, later, time.Minute)
		got, _ = db.APITokenByHash(ctx, tok.Hash)
		if !got.LastUsedAt.Equal(later) {
			t.Fatalf("last used %v, want %v", got.LastUsedAt, later)
		}
	})

	t.Run("revoke", func(t *testing.T) {
		wantKind(t, db.RevokeAPIToken(ctx, other.ID, tok.ID), badge.NotFound, "api_token.not_found")
		if err := db.RevokeAPIToken(ctx, iss.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		wantKind(t, db.RevokeAPIToken(ctx, iss.ID, tok.ID), badge.Conflict, "api_token.already_revoked")
		got, _ := db.APITokenByHash(ctx, tok.Hash)
		if got.RevokedAt == nil {
			t.Fatal("revoked token reads back without revoked_at")
		}
	})

	t.Run("list per organisation", func(t *testing.T) {
		now = now.Add(time.Hour)
		second := &APIToken{IssuerID: iss.ID, Name: "Registrations", Prefix: "sceau_cccc", Hash: hash64('c'), Scopes: []string{"read"}}
		if err := db.CreateAPIToken(ctx, second); err != nil {
			t.Fatal(err)
		}
		list, err := db.ListAPITokens(ctx, iss.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ID != second.ID || list[1].ID != tok.ID {
			t.Fatalf("list: %+v", list)
		}
		if l, _ := db.ListAPITokens(ctx, other.ID); len(l) != 0 {
			t.Fatalf("other organisation sees %d tokens", len(l))
		}
	})
}

func TestListAwardsSince(t *testing.T) { forEachDB(t, testListAwardsSince) }

func testListAwardsSince(t *testing.T, db *DB) {
	ctx := context.Background()
	iss := newIssuer(t, db, "since-org")
	b := newBadge(t, db, iss.ID, "since-badge")
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var awards []*badge.Award
	for i := range 4 {
		a := newAward(b, "p"+itoa(i)+"@example.org")
		a.AwardedAt = base.AddDate(0, 0, i)
		awards = append(awards, a)
	}
	if _, err := db.CreateAwards(ctx, awards, fakeSign); err != nil {
		t.Fatal(err)
	}
	f := AwardFilter{IssuerID: iss.ID}
	for _, tc := range []struct {
		name  string
		since time.Time
		want  []string
	}{
		{"zero: all", time.Time{}, []string{awards[3].ID, awards[2].ID, awards[1].ID, awards[0].ID}},
		{"inclusive", base.AddDate(0, 0, 2), []string{awards[3].ID, awards[2].ID}},
		{"future", base.AddDate(1, 0, 0), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, err := db.ListAwardsSince(ctx, f, tc.since)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, a := range list {
				ids = append(ids, a.ID)
			}
			if !cmp.Equal(ids, tc.want) {
				t.Errorf("ids %v, want %v", ids, tc.want)
			}
			n, err := db.CountAwardsSince(ctx, f, tc.since)
			if err != nil || n != len(tc.want) {
				t.Errorf("count %d (%v), want %d", n, err, len(tc.want))
			}
		})
	}
	list, err := db.ListAwardsSince(ctx, AwardFilter{IssuerID: iss.ID, Limit: 1, Offset: 1, RecipientEmail: "p3@example.org"}, base)
	if err != nil || len(list) != 0 {
		t.Fatalf("filters combined: %v %v", list, err)
	}
}

package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
)

func TestOAuthRows(t *testing.T) { storetest.ForEach(t, testOAuthRows) }

func testOAuthRows(t *testing.T, db *store.DB) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	db.SetClock(func() time.Time { return now })
	u := &badge.User{Handle: "marie", Name: "Marie", Language: "fr", PasswordHash: "x"}
	if err := db.CreateUser(ctx, u, "marie@exemple.ca"); err != nil {
		t.Fatal(err)
	}
	c := &store.OAuthClient{ID: "3f8e2a4c-1b2d-4e5f-8a9b-0c1d2e3f4a5b", SecretHash: "h", AuthMethod: "client_secret_basic", Name: "W",
		RedirectURIs: []string{"https://w.example/a", "http://127.0.0.1/b"}, Scope: []string{"s1", "s2"},
		GrantTypes: []string{"authorization_code"}, ResponseTypes: []string{"code"}}
	if err := db.CreateOAuthClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateOAuthClient(ctx, c); badge.ErrorKind(err) != badge.Conflict {
		t.Errorf("second client with the id: %v", err)
	}
	got, err := db.GetOAuthClient(ctx, c.ID)
	if err != nil || len(got.RedirectURIs) != 2 || got.RedirectURIs[1] != "http://127.0.0.1/b" || len(got.Scope) != 2 || !got.CreatedAt.Equal(now) {
		t.Fatalf("%+v %v", got, err)
	}
	if _, err := db.GetOAuthClient(ctx, "nope"); !badge.IsNotFound(err) {
		t.Errorf("unknown client: %v", err)
	}

	code := &store.OAuthCode{Hash: "c1", ClientID: c.ID, UserID: u.ID, RedirectURI: "https://w.example/a", Scope: []string{"s1"},
		CodeChallenge: "x", ExpiresAt: now.Add(10 * time.Minute)}
	if err := db.CreateOAuthCode(ctx, code); err != nil {
		t.Fatal(err)
	}
	used, err := db.UseOAuthCode(ctx, "c1", "g1")
	if err != nil || used.UsedAt != nil || used.UserID != u.ID || used.Scope[0] != "s1" {
		t.Fatalf("first use %+v %v", used, err)
	}
	tok := func(hash, kind string) *store.OAuthToken {
		return &store.OAuthToken{Hash: hash, Kind: kind, GrantID: "g1", ClientID: c.ID, UserID: u.ID, Scope: []string{"s1"}, ExpiresAt: now.Add(time.Hour)}
	}
	if err := db.CreateOAuthTokens(ctx, tok("a1", store.OAuthAccess), tok("r1", store.OAuthRefresh)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UseOAuthCode(ctx, "c1", "g2"); badge.ErrorCode(err) != store.ErrOAuthCodeUsed {
		t.Errorf("second use: %v", err)
	}
	for _, h := range []string{"a1", "r1"} {
		if t1, _ := db.GetOAuthToken(ctx, h); t1.RevokedAt == nil {
			t.Errorf("token %s of a reused code not revoked", h)
		}
	}
	if _, err := db.UseOAuthCode(ctx, "nope", "g3"); !badge.IsNotFound(err) {
		t.Errorf("unknown code: %v", err)
	}

	// Rotation, then the rotated token presented again revokes the grant.
	g := func(hash, kind string) *store.OAuthToken { x := tok(hash, kind); x.GrantID = "g9"; return x }
	if err := db.CreateOAuthTokens(ctx, g("a2", store.OAuthAccess), g("r2", store.OAuthRefresh)); err != nil {
		t.Fatal(err)
	}
	if err := db.RotateOAuthRefresh(ctx, "r2", g("a3", store.OAuthAccess), g("r3", store.OAuthRefresh)); err != nil {
		t.Fatal(err)
	}
	if err := db.RotateOAuthRefresh(ctx, "r2", g("a4", store.OAuthAccess)); badge.ErrorCode(err) != store.ErrOAuthRefreshUsed {
		t.Errorf("replayed refresh token: %v", err)
	}
	for _, h := range []string{"a2", "r2", "a3", "r3"} {
		if t1, _ := db.GetOAuthToken(ctx, h); t1.RevokedAt == nil {
			t.Errorf("token %s still valid after a replay", h)
		}
	}
	if _, err := db.GetOAuthToken(ctx, "a4"); !badge.IsNotFound(err) {
		t.Errorf("a replay stored its tokens: %v", err)
	}
	// Revocation by another client changes nothing; by the client, the token.
	if err := db.CreateOAuthTokens(ctx, &store.OAuthToken{Hash: "a5", Kind: store.OAuthAccess, GrantID: "g5", ClientID: c.ID, UserID: u.ID, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := db.RevokeOAuthToken(ctx, "a5", "other"); err != nil {
		t.Fatal(err)
	}
	if t1, _ := db.GetOAuthToken(ctx, "a5"); t1.RevokedAt != nil {
		t.Error("another client revoked the token")
	}
	if err := db.RevokeOAuthToken(ctx, "a5", c.ID); err != nil {
		t.Fatal(err)
	}
	if t1, _ := db.GetOAuthToken(ctx, "a5"); t1.RevokedAt == nil {
		t.Error("token not revoked")
	}
	if err := db.RevokeOAuthToken(ctx, "unknown", c.ID); err != nil {
		t.Errorf("unknown token: %v", err)
	}
}

package store

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sceau/sceau/internal/badge"
)

func TestConnections(t *testing.T) { forEachDB(t, testConnections) }

func testConnections(t *testing.T, db *DB) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	db.SetClock(func() time.Time { return now })
	u := pfUser(t, db, "marie", "marie@exemple.ca", true)
	other := pfUser(t, db, "julie", "julie@exemple.ca", true)

	newConn := func() *Connection {
		return &Connection{UserID: u.ID, BaseURL: "https://a.example", Name: "a.example", AuthorizeURL: "https://a.example/oauth/authorize",
			TokenURL: "https://a.example/oauth/token", RevokeURL: "https://a.example/oauth/revoke", ClientID: "client-1",
			ClientSecret: "secret", AuthMethod: "client_secret_basic"}
	}
	t.Run("incomplete", func(t *testing.T) {
		c := newConn()
		c.TokenURL = ""
		wantKind(t, db.CreateConnection(ctx, c), badge.Invalid, "connection.incomplete")
	})
	c := newConn()
	if err := db.CreateConnection(ctx, c); err != nil {
		t.Fatal(err)
	}
	if c.ID == "" || c.Authorized() || !c.CreatedAt.Equal(now) {
		t.Fatalf("created: %+v", c)
	}
	wantKind(t, db.CreateConnection(ctx, newConn()), badge.Conflict, "connection.exists")
	got, err := db.GetConnection(ctx, u.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
	if _, err := db.GetConnection(ctx, other.ID, c.ID); !badge.IsNotFound(err) {
		t.Errorf("another account reads the connection: %v", err)
	}
	if got, err := db.GetConnectionByURL(ctx, u.ID, "https://a.example"); err != nil || got.ID != c.ID {
		t.Errorf("by URL: %v %v", got, err)
	}

	exp := now.Add(time.Hour)
	if err := db.SetConnectionTokens(ctx, u.ID, c.ID, "at-1", &exp, "rt-1", "scope-a"); err != nil {
		t.Fatal(err)
	}
	// A refresh answered without a new refresh token keeps the old one.
	if err := db.SetConnectionTokens(ctx, u.ID, c.ID, "at-2", &exp, "", "scope-a"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetConnectionTokens(ctx, other.ID, c.ID, "x", nil, "x", ""); !badge.IsNotFound(err) {
		t.Errorf("another account sets tokens: %v", err)
	}
	now = now.Add(time.Minute)
	if err := db.RecordConnectionPull(ctx, u.ID, c.ID, 2, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordConnectionPull(ctx, u.ID, c.ID, 1, "host down"); err != nil {
		t.Fatal(err)
	}
	list, err := db.ListConnections(ctx, u.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v %v", list, err)
	}
	g := list[0]
	if g.AccessToken != "at-2" || g.RefreshToken != "rt-1" || !g.AccessExpiresAt.Equal(exp) || g.PulledCount != 3 ||
		g.LastError != "host down" || g.LastPullAt == nil || !g.LastPullAt.Equal(now) || !g.Authorized() {
		t.Errorf("after tokens and pulls: %+v", g)
	}
	if l, _ := db.ListConnections(ctx, other.ID); len(l) != 0 {
		t.Errorf("another account lists %d connections", len(l))
	}
	if err := db.DeleteConnection(ctx, other.ID, c.ID); !badge.IsNotFound(err) {
		t.Errorf("another account deletes: %v", err)
	}
	if err := db.DeleteConnection(ctx, u.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GetConnection(ctx, u.ID, c.ID); !badge.IsNotFound(err) {
		t.Errorf("deleted connection still there: %v", err)
	}
}

func TestDueConnections(t *testing.T) { forEachDB(t, testDueConnections) }

func testDueConnections(t *testing.T, db *DB) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	db.SetClock(func() time.Time { return now })
	marie := pfUser(t, db, "marie", "marie@exemple.ca", true)
	julie := pfUser(t, db, "julie", "julie@exemple.ca", true)
	conn := func(u *badge.User, host string, granted bool) *Connection {
		t.Helper()
		c := &Connection{UserID: u.ID, BaseURL: "https://" + host, Name: host, AuthorizeURL: "https://" + host + "/oauth/authorize",
			TokenURL: "https://" + host + "/oauth/token", ClientID: "client", AuthMethod: "client_secret_basic"}
		if err := db.CreateConnection(ctx, c); err != nil {
			t.Fatal(err)
		}
		if granted {
			if err := db.SetConnectionTokens(ctx, u.ID, c.ID, "at-"+host, nil, "rt-"+host, "s"); err != nil {
				t.Fatal(err)
			}
		}
		now = now.Add(time.Second)
		return c
	}
	pulledAt := func(c *Connection, at time.Time) {
		t.Helper()
		now = at
		if err := db.RecordConnectionPull(ctx, c.UserID, c.ID, 0, ""); err != nil {
			t.Fatal(err)
		}
	}
	t0 := now
	recent := conn(marie, "recent.example", true)
	old := conn(julie, "old.example", true)
	never := conn(marie, "never.example", true)
	older := conn(marie, "older.example", true)
	conn(julie, "pending.example", false) // no grant: never due
	pulledAt(older, t0.Add(time.Hour))
	pulledAt(old, t0.Add(2*time.Hour))
	pulledAt(recent, t0.Add(10*time.Hour))
	names := map[string]string{}
	for _, c := range []*Connection{recent, old, never, older} {
		names[c.ID] = c.Name
	}
	ids := func(list []ConnectionRef) []string {
		var out []string
		for _, r := range list {
			c, err := db.GetConnection(ctx, r.UserID, r.ID)
			if err != nil {
				t.Fatalf("due connection %+v: %v", r, err)
			}
			out = append(out, names[c.ID])
		}
		return out
	}
	for _, c := range []struct {
		name   string
		before time.Time
		limit  int
		want   []string
	}{
		{"never pulled first, then oldest pull", t0.Add(5 * time.Hour), 10, []string{"never.example", "older.example", "old.example"}},
		{"limit", t0.Add(5 * time.Hour), 2, []string{"never.example", "older.example"}},
		{"everything granted", t0.Add(11 * time.Hour), 10, []string{"never.example", "older.example", "old.example", "recent.example"}},
		{"zero limit", t0.Add(11 * time.Hour), 0, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := db.DueConnections(ctx, c.before, c.limit)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, ids(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	t.Run("clear grant", func(t *testing.T) {
		// A stale refusal (the recipient has authorized again) keeps the
		// new grant.
		if cleared, err := db.ClearConnectionGrant(ctx, marie.ID, never.ID, "rt-before"); err != nil || cleared {
			t.Errorf("stale token cleared the grant: %v %v", cleared, err)
		}
		if _, err := db.ClearConnectionGrant(ctx, julie.ID, never.ID, "rt-never.example"); !badge.IsNotFound(err) {
			t.Errorf("another account clears the grant: %v", err)
		}
		if cleared, err := db.ClearConnectionGrant(ctx, marie.ID, never.ID, "rt-never.example"); err != nil || !cleared {
			t.Fatalf("cleared %v %v", cleared, err)
		}
		c, err := db.GetConnection(ctx, marie.ID, never.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Authorized() || c.AccessToken != "" || c.RefreshToken != "" || c.AccessExpiresAt != nil {
			t.Errorf("grant kept: %+v", c)
		}
		got, err := db.DueConnections(ctx, t0.Add(11*time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"older.example", "old.example", "recent.example"}, ids(got)); diff != "" {
			t.Errorf("a connection without grant is due (-want +got):\n%s", diff)
		}
	})
}

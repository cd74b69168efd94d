package store

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sceau/sceau/internal/badge"
)

// testSealer stands in for the master key: it reverses the bytes and
// appends the additional data, so a value moved to another row or column
// does not open.
type testSealer struct{}

func (testSealer) Seal(p, ad []byte) ([]byte, error) {
	out := make([]byte, 0, len(p)+len(ad)+1)
	for i := len(p) - 1; i >= 0; i-- {
		out = append(out, p[i]^0x5a)
	}
	return append(append(out, 0), ad...), nil
}

func (testSealer) Open(s, ad []byte) ([]byte, error) {
	i := bytes.LastIndexByte(s, 0)
	if i < 0 || !bytes.Equal(s[i+1:], ad) {
		return nil, errors.New("message authentication failed")
	}
	out := make([]byte, 0, i)
	for j := i - 1; j >= 0; j-- {
		out = append(out, s[j]^0x5a)
	}
	return out, nil
}

// A connection's client secret and tokens are stored sealed when a
// sealer is set, read back whole, and never found in the clear.
func TestConnectionSecretsSealed(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		db.SetSealer(testSealer{})
		t.Cleanup(func() { db.SetSealer(nil) })
		u := &badge.User{Handle: "seal", Name: "Seal", Language: "fr", PasswordHash: "x"}
		if err := db.CreateUser(ctx, u, "seal@example.org"); err != nil {
			t.Fatal(err)
		}
		c := &Connection{UserID: u.ID, BaseURL: "https://a.example", Name: "a.example", AuthorizeURL: "https://a.example/oauth/authorize",
			TokenURL: "https://a.example/oauth/token", ClientID: "client-1", ClientSecret: "CLIENT-SECRET", AuthMethod: "client_secret_basic"}
		if err := db.CreateConnection(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := db.SetConnectionTokens(ctx, u.ID, c.ID, "ACCESS-TOKEN", nil, "REFRESH-TOKEN", "scope"); err != nil {
			t.Fatal(err)
		}
		got, err := db.GetConnection(ctx, u.ID, c.ID)
		if err != nil || got.ClientSecret != "CLIENT-SECRET" || got.AccessToken != "ACCESS-TOKEN" || got.RefreshToken != "REFRESH-TOKEN" {
			t.Fatalf("read back %+v, %v", got, err)
		}
		var secret, access, refresh string
		if err := db.SQL().QueryRowContext(ctx, `SELECT client_secret, access_token, refresh_token FROM connections WHERE id = $1`, c.ID).
			Scan(&secret, &access, &refresh); err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{secret, access, refresh} {
			if !strings.HasPrefix(v, sealedPrefix) || strings.Contains(v, "SECRET") || strings.Contains(v, "TOKEN") {
				t.Errorf("stored %q", v)
			}
		}
		// A sealed value copied into another column does not open.
		if _, err := db.SQL().ExecContext(ctx, `UPDATE connections SET access_token = refresh_token WHERE id = $1`, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.GetConnection(ctx, u.ID, c.ID); badge.ErrorKind(err) != badge.Internal {
			t.Errorf("swapped token opened: %v", err)
		}
	})
}

// A webhook's secret is sealed too, and read back whole for signing.
func TestWebhookSecretSealed(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		db.SetSealer(testSealer{})
		t.Cleanup(func() { db.SetSealer(nil) })
		iss := newIssuer(t, db, "hooks")
		w := &Webhook{IssuerID: iss.ID, URL: "https://hooks.example/in", Secret: "WEBHOOK-SECRET-0123456789", Events: []string{EventAwardRevoked}}
		if err := db.CreateWebhook(ctx, w); err != nil {
			t.Fatal(err)
		}
		var stored string
		if err := db.SQL().QueryRowContext(ctx, `SELECT secret FROM webhooks WHERE id = $1`, w.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(stored, sealedPrefix) || strings.Contains(stored, "WEBHOOK-SECRET") {
			t.Errorf("stored %q", stored)
		}
		got, err := db.GetWebhook(ctx, w.ID)
		if err != nil || got.Secret != w.Secret {
			t.Fatalf("GetWebhook: %+v %v", got, err)
		}
		list, err := db.ListWebhooks(ctx, iss.ID)
		if err != nil || len(list) != 1 || list[0].Secret != w.Secret {
			t.Fatalf("ListWebhooks: %v %v", list, err)
		}
	})
}

package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
)

func TestAPITokenPages(t *testing.T) { storetest.ForEach(t, testAPITokenPages) }

func testAPITokenPages(t *testing.T, db *store.DB) {
	f := newFixtureOn(t, db)
	ctx := context.Background()
	owner := f.signUp(t, "fr", "Anne Gagnon", "anne@formation.example")
	resp, body := owner.post("/workspace", "name", "Formation Québec", "url", "https://formation.example", "language", "fr")
	wantRedirect(t, resp, body, "/workspace/formation-quebec")
	iss, err := db.GetIssuerBySlug(ctx, "formation-quebec")
	if err != nil {
		t.Fatal(err)
	}
	base := "/workspace/formation-quebec/api-tokens"

	resp, page := owner.get(base)
	if resp.StatusCode != 200 || byID(page, "no-tokens") == "" || byID(page, "new-token") != "" {
		t.Fatalf("empty page: %s %.500s", resp.Status, page)
	}

	t.Run("refused forms", func(t *testing.T) {
		resp, page := owner.post(base, "name", "", "scopes", "read")
		if resp.StatusCode != 422 || fieldError(page, "name") != locale.T("fr", "error.api_token.name_required") {
			t.Errorf("no name: %s %q", resp.Status, fieldError(page, "name"))
		}
		resp, page = owner.post(base, "name", "Moodle")
		if resp.StatusCode != 422 || fieldError(page, "scopes") != locale.T("fr", "error.api_token.scope_required") {
			t.Errorf("no scope: %s %q", resp.Status, fieldError(page, "scopes"))
		}
		if toks, _ := db.ListAPITokens(ctx, iss.ID); len(toks) != 0 {
			t.Fatalf("refused token stored: %d", len(toks))
		}
	})

	// Created: the token is shown once, stored hashed, listed by prefix.
	resp, page = owner.post(base, "name", "Moodle", "scopes", "award", "scopes", "read")
	token := byID(page, "new-token")
	if resp.StatusCode != 200 || !strings.HasPrefix(token, store.APITokenPrefix) || len(token) != 49 {
		t.Fatalf("created: %s token %q", resp.Status, token)
	}
	stored, err := db.APITokenByHash(ctx, badge.HashSecret(token))
	if err != nil {
		t.Fatal(err)
	}
	if stored.IssuerID != iss.ID || stored.Name != "Moodle" || len(stored.Scopes) != 2 || stored.CreatedBy == "" || strings.Contains(stored.Hash, token) {
		t.Fatalf("stored: %+v", stored)
	}
	_, page = owner.get(base)
	if strings.Contains(page, token) || byID(page, "new-token") != "" {
		t.Fatal("the token is shown again on the list")
	}
	if !strings.Contains(page, `data-token="`+stored.ID+`"`) || !strings.Contains(page, token[:10]+"…") {
		t.Fatalf("list does not show the prefix: %.800s", page)
	}

	t.Run("other people", func(t *testing.T) {
		stranger := f.signUp(t, "en", "Paul Roy", "paul@ailleurs.example")
		if resp, _ := stranger.get(base); resp.StatusCode != http.StatusForbidden {
			t.Errorf("non-member sees tokens: %s", resp.Status)
		}
		if resp, _ := stranger.post(base + "/" + stored.ID + "/revoke"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("non-member revokes: %s", resp.Status)
		}
		awarder := f.signUp(t, "fr", "Léa Côté", "lea@formation.example")
		u, err := db.GetUserByEmail(ctx, "lea@formation.example")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.AddMember(ctx, &badge.Membership{IssuerID: iss.ID, UserID: u.ID, Role: badge.RoleAwarder}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ method, path string }{
			{"GET", base}, {"POST", base}, {"POST", base + "/" + stored.ID + "/revoke"},
			{"GET", "/workspace/formation-quebec/webhooks"}, {"POST", "/workspace/formation-quebec/webhooks"},
		} {
			var resp *http.Response
			if tc.method == "GET" {
				resp, _ = awarder.get(tc.path)
			} else {
				resp, _ = awarder.post(tc.path, "name", "x", "scopes", "read", "url", "https://x.example/", "events", "award.claimed")
			}
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("awarder %s %s: %s", tc.method, tc.path, resp.Status)
			}
		}
		// An owner of another organisation cannot reach this one's token
		// through their own organisation either.
		stranger.post("/workspace", "name", "Ailleurs", "url", "https://ailleurs.example", "language", "en")
		if resp, _ := stranger.post("/workspace/ailleurs/api-tokens/" + stored.ID + "/revoke"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("revoke through another organisation: %s", resp.Status)
		}
		if got, _ := db.APITokenByHash(ctx, stored.Hash); got.RevokedAt != nil {
			t.Fatal("token revoked by someone else")
		}
	})

	t.Run("revoke", func(t *testing.T) {
		resp, body := owner.post(base + "/" + stored.ID + "/revoke")
		wantRedirect(t, resp, body, base)
		got, _ := db.APITokenByHash(ctx, stored.Hash)
		if got.RevokedAt == nil {
			t.Fatal("not revoked")
		}
		_, page := owner.get(base)
		if byID(page, "flash") != locale.T("fr", "flash.token_revoked") || !strings.Contains(page, `data-revoked="true"`) {
			t.Errorf("after revoke: %.800s", page)
		}
		if resp, _ := owner.post(base + "/" + stored.ID + "/revoke"); resp.StatusCode != http.StatusConflict {
			t.Errorf("second revoke: %s", resp.Status)
		}
		if resp, _ := owner.post(base + "/not-an-id/revoke"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("bad id: %s", resp.Status)
		}
	})
}

func TestWebhookPages(t *testing.T) { storetest.ForEach(t, testWebhookPages) }

func testWebhookPages(t *testing.T, db *store.DB) {
	f := newFixtureOn(t, db)
	ctx := context.Background()
	owner := f.signUp(t, "en", "Anne Gagnon", "anne@formation.example")
	resp, body := owner.post("/workspace", "name", "Formation", "url", "https://formation.example", "language", "en")
	wantRedirect(t, resp, body, "/workspace/formation")
	iss, _ := db.GetIssuerBySlug(ctx, "formation")
	base := "/workspace/formation/webhooks"

	if resp, page := owner.get(base); resp.StatusCode != 200 || byID(page, "no-webhooks") == "" {
		t.Fatalf("empty page: %s", resp.Status)
	}
	for _, tc := range []struct {
		name, url, field, code string
		events                 []string
	}{
		{"plain http", "http://lms.example/hook", "url", "webhook.url_https", []string{"award.claimed"}},
		{"loopback", "https://127.0.0.1/hook", "url", "webhook.url_private", []string{"award.claimed"}},
		{"metadata", "https://169.254.169.254/latest", "url", "webhook.url_private", []string{"award.claimed"}},
		{"no event", "https://lms.example/hook", "events", "webhook.event_required", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kv := []string{"url", tc.url}
			for _, e := range tc.events {
				kv = append(kv, "events", e)
			}
			resp, page := owner.post(base, kv...)
			if resp.StatusCode != 422 || fieldError(page, tc.field) != locale.T("en", "error."+tc.code) {
				t.Errorf("%s %q", resp.Status, fieldError(page, tc.field))
			}
		})
	}
	if hs, _ := db.ListWebhooks(ctx, iss.ID); len(hs) != 0 {
		t.Fatalf("refused webhooks stored: %d", len(hs))
	}
	resp, page := owner.post(base, "url", "https://lms.example/hooks/sceau", "events", "award.claimed", "events", "award.revoked")
	secret := byID(page, "new-secret")
	if resp.StatusCode != 200 || !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("created: %s %q", resp.Status, secret)
	}
	hs, _ := db.ListWebhooks(ctx, iss.ID)
	if len(hs) != 1 || hs[0].Secret != secret || len(hs[0].Events) != 2 {
		t.Fatalf("stored: %+v", hs)
	}
	_, page = owner.get(base)
	if strings.Contains(page, secret) || !strings.Contains(page, `data-webhook="`+hs[0].ID+`"`) {
		t.Fatal("secret shown again, or webhook not listed")
	}
	resp, body = owner.post(base + "/" + hs[0].ID + "/delete")
	wantRedirect(t, resp, body, base)
	if hs, _ := db.ListWebhooks(ctx, iss.ID); len(hs) != 0 {
		t.Fatal("not deleted")
	}
}

package store

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sceau/sceau/internal/badge"
)

func TestWebhooks(t *testing.T) { forEachDB(t, testWebhooks) }

func testWebhooks(t *testing.T, db *DB) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	db.SetClock(func() time.Time { return now })
	iss := newIssuer(t, db, "hooks-org")
	other := newIssuer(t, db, "hooks-other")
	secret := "whsec_" + strings.Repeat("s", 40)

	for _, tc := range []struct {
		name string
		w    Webhook
		code string
	}{
		{"no url", Webhook{IssuerID: iss.ID, Secret: secret, Events: []string{EventAwardClaimed}}, "webhook.url_required"},
		{"long url", Webhook{IssuerID: iss.ID, URL: "https://x.example/" + strings.Repeat("a", MaxWebhookURL), Secret: secret, Events: []string{EventAwardClaimed}}, "webhook.url_too_long"},
		{"no event", Webhook{IssuerID: iss.ID, URL: "https://x.example/", Secret: secret}, "webhook.event_required"},
		{"bad event", Webhook{IssuerID: iss.ID, URL: "https://x.example/", Secret: secret, Events: []string{"award.deleted"}}, "webhook.event_invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantKind(t, db.CreateWebhook(ctx, &tc.w), badge.Invalid, tc.code)
		})
	}

	claimed := &Webhook{IssuerID: iss.ID, URL: "https://lms.example/hooks", Secret: secret, Events: []string{EventAwardRevoked, EventAwardClaimed}}
	if err := db.CreateWebhook(ctx, claimed); err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(claimed.Events, []string{EventAwardClaimed, EventAwardRevoked}) {
		t.Errorf("events not in canonical order: %v", claimed.Events)
	}
	now = now.Add(time.Minute)
	created := &Webhook{IssuerID: iss.ID, URL: "https://crm.example/in", Secret: secret, Events: []string{EventAwardCreated}}
	if err := db.CreateWebhook(ctx, created); err != nil {
		t.Fatal(err)
	}
	got, err := db.GetWebhook(ctx, claimed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(claimed, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}

	t.Run("by event", func(t *testing.T) {
		for _, tc := range []struct {
			event string
			want  []string
		}{
			{EventAwardClaimed, []string{claimed.ID}},
			{EventAwardCreated, []string{created.ID}},
			{"award.other", nil},
		} {
			// Once outside and once inside a transaction.
			for _, inTx := range []bool{false, true} {
				var ws []*Webhook
				var err error
				if inTx {
					err = db.inTx(ctx, func(tx *sql.Tx) error {
						ws, err = db.WebhooksForEvent(ctx, tx, iss.ID, tc.event)
						return err
					})
				} else {
					ws, err = db.WebhooksForEvent(ctx, nil, iss.ID, tc.event)
				}
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, w := range ws {
					ids = append(ids, w.ID)
				}
				if !cmp.Equal(ids, tc.want) {
					t.Errorf("%s (tx %v): %v, want %v", tc.event, inTx, ids, tc.want)
				}
			}
		}
		if ws, _ := db.WebhooksForEvent(ctx, nil, other.ID, EventAwardClaimed); len(ws) != 0 {
			t.Errorf("other organisation has %d webhooks", len(ws))
		}
	})

	t.Run("delivery record", func(t *testing.T) {
		at := now.Add(time.Hour)
		if err := db.RecordWebhookDelivery(ctx, claimed.ID, at, 500, strings.Repeat("e", 600)); err != nil {
			t.Fatal(err)
		}
		got, _ := db.GetWebhook(ctx, claimed.ID)
		if got.LastStatus != 500 || !got.LastDeliveryAt.Equal(at) || len([]rune(got.LastError)) != maxWebhookError+1 {
			t.Errorf("recorded: %d %v %d runes", got.LastStatus, got.LastDeliveryAt, len([]rune(got.LastError)))
		}
		if err := db.RecordWebhookDelivery(ctx, "00000000-0000-4000-8000-000000000000", at, 200, ""); err != nil {
			t.Errorf("record for a deleted webhook: %v", err)
		}
	})

	t.Run("delete", func(t *testing.T) {
		wantKind(t, db.DeleteWebhook(ctx, other.ID, claimed.ID), badge.NotFound, "webhook.not_found")
		if err := db.DeleteWebhook(ctx, iss.ID, claimed.ID); err != nil {
			t.Fatal(err)
		}
		_, err := db.GetWebhook(ctx, claimed.ID)
		wantKind(t, err, badge.NotFound, "webhook.not_found")
		list, _ := db.ListWebhooks(ctx, iss.ID)
		if len(list) != 1 || list[0].ID != created.ID {
			t.Errorf("after delete: %v", list)
		}
	})

	t.Run("limit", func(t *testing.T) {
		for i := range MaxWebhooksPerOrg {
			err := db.CreateWebhook(ctx, &Webhook{IssuerID: other.ID, URL: "https://x.example/" + itoa(i), Secret: secret, Events: []string{EventAwardClaimed}})
			if err != nil {
				t.Fatal(err)
			}
		}
		err := db.CreateWebhook(ctx, &Webhook{IssuerID: other.ID, URL: "https://x.example/last", Secret: secret, Events: []string{EventAwardClaimed}})
		wantKind(t, err, badge.Conflict, "webhook.too_many")
	})
}

package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sceau/sceau/internal/badge"
)

// Webhook event types.
const (
	EventAwardCreated = "award.created"
	EventAwardClaimed = "award.claimed"
	EventAwardRevoked = "award.revoked"
)

// WebhookEvents lists the event types, in the order pages show them.
var WebhookEvents = []string{EventAwardCreated, EventAwardClaimed, EventAwardRevoked}

// Bounds on webhooks.
const (
	MaxWebhooksPerOrg = 20
	MaxWebhookURL     = 2000
	maxWebhookError   = 500
)

// Webhook is an endpoint an organisation registered to hear of events.
// Secret signs the deliveries; it is shown to the owner once.
type Webhook struct {
	ID             string
	IssuerID       string
	URL            string
	Secret         string
	Events         []string
	CreatedBy      string
	CreatedAt      time.Time
	LastDeliveryAt *time.Time
	LastStatus     int    // HTTP status of the last attempt, 0 when it got none
	LastError      string // why the last attempt failed, "" when it succeeded
}

// Wants reports whether the webhook subscribed to event.
func (w *Webhook) Wants(event string) bool { return slices.Contains(w.Events, event) }

const webhookColumns = `id, issuer_id, url, secret, events, created_by, created_at, last_delivery_at, last_status, last_error`

func scanWebhook(row interface{ Scan(...any) error }) (*Webhook, error) {
	var (
		w         Webhook
		events    string
		createdBy sql.NullString
		last      sql.NullTime
	)
	if err := row.Scan(&w.ID, &w.IssuerID, &w.URL, &w.Secret, &events, &createdBy, &w.CreatedAt, &last, &w.LastStatus, &w.LastError); err != nil {
		return nil, err
	}
	w.Events = strings.Fields(events)
	w.CreatedBy = createdBy.String
	w.CreatedAt = w.CreatedAt.UTC()
	w.LastDeliveryAt = timePtr(last)
	return &w, nil
}

// checkEvents validates an event list and returns it in canonical order.
func checkEvents(events []string) ([]string, error) {
	for _, e := range events {
		if !slices.Contains(WebhookEvents, e) {
			return nil, badge.Invalidf("events", "webhook.event_invalid", "unknown event %q", e)
		}
	}
	var out []string
	for _, e := range WebhookEvents {
		if slices.Contains(events, e) {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		return nil, badge.Invalidf("events", "webhook.event_required", "choose at least one event")
	}
	return out, nil
}

// CreateWebhook stores a webhook of w.IssuerID. The URL's rules (https,
// allow-list) are the caller's: see webhooks.CheckURL. It sets ID, Events
// (canonical order) and CreatedAt.
func (s *DB) CreateWebhook(ctx context.Context, w *Webhook) error {
	w.URL = strings.TrimSpace(w.URL)
	switch {
	case w.URL == "":
		return badge.Invalidf("url", "webhook.url_required", "give the URL to deliver to")
	case len(w.URL) > MaxWebhookURL:
		return badge.Invalidf("url", "webhook.url_too_long", "the URL is longer than %d characters", MaxWebhookURL)
	case w.IssuerID == "" || len(w.Secret) < 20:
		return badge.Internalf(nil, "create webhook: issuer and secret are required")
	}
	events, err := checkEvents(w.Events)
	if err != nil {
		return err
	}
	id, err := s.newID()
	if err != nil {
		return badge.Internalf(err, "new webhook id")
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhooks WHERE issuer_id = $1`, w.IssuerID).Scan(&n); err != nil {
			return badge.Internalf(err, "count webhooks")
		}
		if n >= MaxWebhooksPerOrg {
			return badge.Conflictf("", "webhook.too_many", "an organisation has at most %d webhooks: delete one first", MaxWebhooksPerOrg)
		}
		now := s.timestamp()
		// The secret signs deliveries, so it is kept, sealed with the
		// master key when the server has one.
		secret, err := s.sealFor("webhook", w.Secret, id, "secret")
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO webhooks (`+webhookColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, 0, '')`,
			id, w.IssuerID, w.URL, secret, strings.Join(events, " "), nullString(w.CreatedBy), now)
		if constraintOf(err) == foreignKeyViolation {
			return badge.NotFoundf("issuer.not_found", "issuer %s not found", w.IssuerID)
		}
		if err != nil {
			return badge.Internalf(err, "create webhook")
		}
		w.ID, w.Events, w.CreatedAt = id, events, now
		w.LastDeliveryAt, w.LastStatus, w.LastError = nil, 0, ""
		return nil
	})
}

// GetWebhook returns a webhook by id.
func (s *DB) GetWebhook(ctx context.Context, id string) (*Webhook, error) {
	w, err := scanWebhook(s.db.QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "webhook.not_found", "webhook")
	}
	if w.Secret, err = s.openFor("webhook", w.Secret, w.ID, "secret"); err != nil {
		return nil, err
	}
	return w, nil
}

// ListWebhooks returns the organisation's webhooks, oldest first.
func (s *DB) ListWebhooks(ctx context.Context, issuerID string) ([]*Webhook, error) {
	return s.listWebhooks(ctx, s.db, issuerID)
}

// WebhooksForEvent returns the organisation's webhooks subscribed to
// event, read inside tx when it is not nil (so that an event emitted in a
// transaction sees the same database as the work it reports).
func (s *DB) WebhooksForEvent(ctx context.Context, tx *sql.Tx, issuerID, event string) ([]*Webhook, error) {
	var q webhookQuerier = s.db
	if tx != nil {
		q = tx
	}
	all, err := s.listWebhooks(ctx, q, issuerID)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, w := range all {
		if w.Wants(event) {
			out = append(out, w)
		}
	}
	return out, nil
}

type webhookQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (s *DB) listWebhooks(ctx context.Context, q webhookQuerier, issuerID string) ([]*Webhook, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE issuer_id = $1 ORDER BY created_at, id`, issuerID)
	if err != nil {
		return nil, badge.Internalf(err, "list webhooks")
	}
	defer rows.Close()
	var out []*Webhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, badge.Internalf(err, "list webhooks")
		}
		if w.Secret, err = s.openFor("webhook", w.Secret, w.ID, "secret"); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "list webhooks")
	}
	return out, nil
}

// DeleteWebhook removes the organisation's webhook; deliveries still
// queued for it fail for good when they run. Another organisation's
// webhook is a NotFound.
func (s *DB) DeleteWebhook(ctx context.Context, issuerID, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM webhooks WHERE id = $1 AND issuer_id = $2`, id, issuerID)
	if err != nil {
		return badge.Internalf(err, "delete webhook %s", id)
	}
	return oneRow(res, "webhook.not_found", "webhook")
}

// RecordWebhookDelivery notes the outcome of a delivery attempt: the HTTP
// status (0 when none came back) and the error, "" on success. A webhook
// deleted meanwhile is not an error.
func (s *DB) RecordWebhookDelivery(ctx context.Context, id string, at time.Time, status int, errText string) error {
	if utf8.RuneCountInString(errText) > maxWebhookError {
		errText = string([]rune(errText)[:maxWebhookError]) + "…"
	}
	_, err := s.db.ExecContext(ctx, `UPDATE webhooks SET last_delivery_at = $2, last_status = $3, last_error = $4 WHERE id = $1`,
		id, storedTime(at), status, strings.ToValidUTF8(errText, "?"))
	if err != nil {
		return badge.Internalf(err, "record delivery of webhook %s", id)
	}
	return nil
}

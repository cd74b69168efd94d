package webhooks

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
)

// KindDeliver is the job kind of one delivery to one endpoint.
const KindDeliver = "webhook.deliver"

// DefaultMaxAttempts is how many times a delivery is tried: with the
// runner's default backoff (30 s doubling to 6 h) that spans about a day
// and a half, long enough for a receiver's maintenance window.
const DefaultMaxAttempts = 12

// Event is what is posted to an endpoint (the JSON body).
type Event struct {
	ID      string          `json:"id"` // "evt_" + UUID; the same for every endpoint of one event
	Type    string          `json:"type"`
	Created time.Time       `json:"created"`
	Issuer  string          `json:"issuer"` // the organisation's id
	Data    json.RawMessage `json:"data"`
}

// delivery is the job payload: the body is rendered once, at emit time,
// so that every attempt sends the same bytes (only the signature's
// timestamp changes).
type delivery struct {
	Webhook string `json:"webhook"`
	Event   string `json:"event"`
	Type    string `json:"type"`
	Body    string `json:"body"`
}

// EmitterOptions tune an Emitter; zero fields take defaults.
type EmitterOptions struct {
	// BaseURL is the server's public URL, for the links in award events.
	BaseURL string
	// Notify wakes the job runner after an event is queued (the runner's
	// Notify); nil: deliveries wait for its next poll.
	Notify      func()
	MaxAttempts int              // default DefaultMaxAttempts
	Now         func() time.Time // default time.Now
	Rand        io.Reader        // event ids; default crypto/rand
}

// Emitter queues events for the endpoints that subscribed to them.
type Emitter struct {
	db   *store.DB
	opts EmitterOptions
}

// NewEmitter returns an emitter writing delivery jobs to db.
func NewEmitter(db *store.DB, opts EmitterOptions) *Emitter {
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	return &Emitter{db: db, opts: opts}
}

// Emit queues event (one of store.WebhookEvents) with data for each of
// the issuer's endpoints subscribed to it. With a transaction, the jobs
// are written in it: they exist if and only if the change they report is
// committed. Without subscribers it writes nothing.
func (e *Emitter) Emit(ctx context.Context, tx *sql.Tx, issuerID, event string, data any) error {
	hooks, err := e.db.WebhooksForEvent(ctx, tx, issuerID, event)
	if err != nil || len(hooks) == 0 {
		return err
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return badge.Internalf(err, "encode %s event", event)
	}
	id, err := badge.NewID(e.opts.Rand)
	if err != nil {
		return badge.Internalf(err, "new event id")
	}
	body, err := json.Marshal(Event{ID: "evt_" + id, Type: event, Created: e.opts.Now().UTC().Truncate(time.Second), Issuer: issuerID, Data: raw})
	if err != nil {
		return badge.Internalf(err, "encode %s event", event)
	}
	for _, h := range hooks {
		payload, err := json.Marshal(delivery{Webhook: h.ID, Event: "evt_" + id, Type: event, Body: string(body)})
		if err != nil {
			return badge.Internalf(err, "encode delivery")
		}
		job := &store.Job{Kind: KindDeliver, Payload: payload, MaxAttempts: e.opts.MaxAttempts}
		if tx != nil {
			err = e.db.EnqueueJobTx(ctx, tx, job)
		} else {
			err = e.db.EnqueueJob(ctx, job)
		}
		if err != nil {
			return fmt.Errorf("queue %s for webhook %s: %w", event, h.ID, err)
		}
	}
	if e.opts.Notify != nil {
		e.opts.Notify()
	}
	return nil
}

// AwardData is the data of award events: enough to act on, with the API
// URL to read the rest.
type AwardData struct {
	Award AwardSummary `json:"award"`
}

// AwardSummary describes an award in an event.
type AwardSummary struct {
	ID           string         `json:"id"`
	Badge        string         `json:"badge"` // the badge definition's id
	Recipient    EventRecipient `json:"recipient"`
	Status       string         `json:"status"` // active, revoked, suspended
	StatusReason string         `json:"statusReason,omitempty"`
	AwardedAt    time.Time      `json:"awardedAt"`
	ClaimedAt    *time.Time     `json:"claimedAt,omitempty"`
	URL          string         `json:"url"` // the award's page, also its credential's id
	API          string         `json:"api"` // GET it with a read token for the full state
}

// EventRecipient is the award's recipient as the issuer knows them.
type EventRecipient struct {
	Email string `json:"email,omitempty"`
	DID   string `json:"did,omitempty"`
	Name  string `json:"name,omitempty"`
}

// NewAwardData describes a for an event; baseURL is the server's.
func NewAwardData(a *badge.Award, baseURL string) AwardData {
	base := strings.TrimRight(baseURL, "/")
	id := url.PathEscape(a.ID)
	return AwardData{Award: AwardSummary{
		ID: a.ID, Badge: a.BadgeID, Status: string(a.Status), StatusReason: a.StatusReason,
		Recipient: EventRecipient{Email: a.Recipient.Email, DID: a.Recipient.DID, Name: a.Recipient.Name},
		AwardedAt: a.AwardedAt.UTC(), ClaimedAt: a.ClaimedAt,
		URL: base + "/awards/" + id, API: base + "/api/v1/awards/" + id,
	}}
}

// EmitAward emits an award event (store.EventAwardCreated, Claimed,
// Revoked) about a, in tx when not nil.
func (e *Emitter) EmitAward(ctx context.Context, tx *sql.Tx, event string, a *badge.Award) error {
	return e.Emit(ctx, tx, a.IssuerID, event, NewAwardData(a, e.opts.BaseURL))
}

// AnnounceFunc has the shape of issuing.Announce (declared here so that
// this package need not import the issuing service).
type AnnounceFunc = func(ctx context.Context, tx *sql.Tx, a *badge.Award, badgeName, issuerName string) error

// OnAward wraps the issuing service's announcement hook so that every new
// award also emits award.created, in the award's own transaction: wire it
// as issuing.Config{Announce: emitter.OnAward(announcer)}. next may be
// nil. The service calls the hook without a transaction to re-send an
// announcement; that is not a new award, and emits nothing.
func (e *Emitter) OnAward(next AnnounceFunc) AnnounceFunc {
	return func(ctx context.Context, tx *sql.Tx, a *badge.Award, badgeName, issuerName string) error {
		if tx != nil {
			if err := e.EmitAward(ctx, tx, store.EventAwardCreated, a); err != nil {
				return err
			}
		}
		if next == nil {
			return nil
		}
		return next(ctx, tx, a, badgeName, issuerName)
	}
}

// NewSecret returns a webhook signing secret: "whsec_" and 32 random
// bytes in base64url.
func NewSecret(r io.Reader) (string, error) {
	secret, err := badge.NewSecret(r)
	if err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	return "whsec_" + secret, nil
}

// CheckURL applies the registration rules to an endpoint URL: absolute,
// https, no credentials, no fragment, and not an IP literal of a private,
// loopback or link-local address. allowed (may be nil) names the hosts
// the operator allow-listed (SCEAU_FETCH_ALLOW), which may use http and
// private addresses. Deliveries go through the SSRF-safe client, which
// checks the address actually dialled: this check only refuses early what
// would fail anyway.
func CheckURL(raw string, allowed func(host, port string) bool) error {
	invalid := func(code, msg string) error { return badge.Invalidf("url", code, "%s", msg) }
	if raw == "" {
		return invalid("webhook.url_required", "give the URL to deliver to")
	}
	if len(raw) > store.MaxWebhookURL {
		return invalid("webhook.url_too_long", fmt.Sprintf("the URL is longer than %d characters", store.MaxWebhookURL))
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Opaque != "" || u.Hostname() == "" || u.User != nil || u.Fragment != "" {
		return invalid("webhook.url_invalid", "give an absolute https:// URL, without credentials or #fragment")
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	ok := allowed != nil && allowed(host, port)
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !ok {
			return invalid("webhook.url_https", "the URL must use https")
		}
	default:
		return invalid("webhook.url_invalid", "give an absolute https:// URL, without credentials or #fragment")
	}
	if ip, err := netip.ParseAddr(host); err == nil && !ok && !publicAddr(ip) {
		return invalid("webhook.url_private", "the URL points at a private or local address")
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		if !ok {
			return invalid("webhook.url_private", "the URL points at a private or local address")
		}
	}
	return nil
}

// publicAddr is a coarse check of IP literals at registration; the
// delivery client's check is the one that counts.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsGlobalUnicast() && !ip.IsPrivate() && !ip.IsLoopback() && !ip.IsLinkLocalUnicast()
}

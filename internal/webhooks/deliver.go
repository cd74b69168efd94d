package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/fetch"
	"github.com/sceau/sceau/internal/jobs"
	"github.com/sceau/sceau/internal/store"
)

// Poster sends one POST request and returns the response status (any
// status, 2xx or not, with a nil error) or why no response came. The
// implementation must be the SSRF-safe client of internal/fetch: its
// errors match fetch.ErrBlocked, fetch.ErrScheme and fetch.ErrBadURL when
// the URL may not be reached, which fails a delivery for good.
type Poster interface {
	Post(ctx context.Context, url, contentType string, body []byte, headers http.Header) (status int, err error)
}

// DelivererOptions tune a Deliverer.
type DelivererOptions struct {
	Now    func() time.Time // default time.Now
	Logger *slog.Logger     // default slog.Default()
}

// Deliverer runs KindDeliver jobs.
type Deliverer struct {
	db   *store.DB
	post Poster
	now  func() time.Time
	log  *slog.Logger
}

// NewDeliverer returns a deliverer posting through p.
func NewDeliverer(db *store.DB, p Poster, opts DelivererOptions) *Deliverer {
	d := &Deliverer{db: db, post: p, now: opts.Now, log: opts.Logger}
	if d.now == nil {
		d.now = time.Now
	}
	if d.log == nil {
		d.log = slog.Default()
	}
	return d
}

// Register adds the delivery handler to the job runner.
func (d *Deliverer) Register(r *jobs.Runner) { r.Handle(KindDeliver, d.Handle) }

// Handle delivers one event to one endpoint. A 2xx answer is success; 410
// Gone, a deleted webhook or a URL the client refuses to reach fail for
// good; anything else is retried by the runner with backoff.
func (d *Deliverer) Handle(ctx context.Context, payload []byte) error {
	var job delivery
	if err := json.Unmarshal(payload, &job); err != nil || job.Webhook == "" || job.Body == "" {
		return jobs.Permanent(fmt.Errorf("webhook delivery: malformed payload: %v", err))
	}
	h, err := d.db.GetWebhook(ctx, job.Webhook)
	if badge.IsNotFound(err) {
		return jobs.Permanent(fmt.Errorf("webhook %s was deleted; event %s dropped", job.Webhook, job.Event))
	}
	if err != nil {
		return err
	}
	body := []byte(job.Body)
	now := d.now()
	headers := http.Header{}
	headers.Set(HeaderSignature, Sign(h.Secret, now, body))
	headers.Set(HeaderEvent, job.Type)
	headers.Set(HeaderEventID, job.Event)
	status, err := d.post.Post(ctx, h.URL, "application/json", body, headers)
	record := func(status int, msg string) {
		// The record is for the owner's page; failing to write it must
		// not make a delivered event be sent again.
		if rerr := d.db.RecordWebhookDelivery(context.WithoutCancel(ctx), h.ID, now, status, msg); rerr != nil {
			d.log.Error("record webhook delivery", "webhook", h.ID, "err", rerr)
		}
	}
	if err != nil {
		record(0, err.Error())
		if errors.Is(err, fetch.ErrBlocked) || errors.Is(err, fetch.ErrScheme) || errors.Is(err, fetch.ErrBadURL) {
			return jobs.Permanent(fmt.Errorf("webhook %s: %w", h.ID, err))
		}
		return fmt.Errorf("webhook %s: %w", h.ID, err)
	}
	switch {
	case status >= 200 && status <= 299:
		record(status, "")
		return nil
	case status == http.StatusGone:
		record(status, "the endpoint answered 410 Gone")
		return jobs.Permanent(fmt.Errorf("webhook %s: the endpoint answered 410 Gone", h.ID))
	default:
		msg := fmt.Sprintf("the endpoint answered HTTP %d", status)
		record(status, msg)
		return fmt.Errorf("webhook %s: %s", h.ID, msg)
	}
}

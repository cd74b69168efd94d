package mail

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sceau/sceau/internal/jobs"
	"github.com/sceau/sceau/internal/store"
)

// JobKind is the kind of the jobs that send e-mail.
//
// The job's payload is the rendered Message, not the template kind and its
// data: rendering at enqueue time means a template error reaches the code
// that asked for the e-mail (not a background retry loop); the message sent
// is the one decided at that moment, whatever later happens to templates,
// translations or the records it names; the Message-ID is fixed once, so a
// retry after an ambiguous failure is recognisably the same message; and
// the handler needs nothing but a Sender. The cost, a few kilobytes per
// job, is small, and the payload is cleared once the job is done.
const JobKind = "mail.send"

// DefaultMaxAttempts is how many times a message is tried: with the
// runner's default backoff (30 s doubling to 6 h) that spans about a day
// and a half of SMTP outage.
const DefaultMaxAttempts = 12

// Enqueuer stores jobs; *store.DB satisfies it.
type Enqueuer interface {
	EnqueueJob(ctx context.Context, j *store.Job) error
	EnqueueJobTx(ctx context.Context, tx *sql.Tx, j *store.Job) error
}

// Config configures a Mailer.
type Config struct {
	From        Address  // the platform's sender address
	ReplyTo     *Address // optional
	MaxAttempts int      // default DefaultMaxAttempts
	// Notify is called after each Enqueue, to wake the job runner at once
	// (the runner's Notify); nil leaves the message to the next poll.
	Notify func()
	Now    func() time.Time // default time.Now
}

// Mailer composes e-mails from templates and queues them for sending. The
// application calls Enqueue (or EnqueueTx inside its own transaction); the
// runner, with Handler registered for JobKind, delivers.
type Mailer struct {
	q   Enqueuer
	tpl *Templates
	cfg Config
}

// NewMailer returns a mailer queueing into q.
func NewMailer(q Enqueuer, tpl *Templates, cfg Config) (*Mailer, error) {
	if q == nil || tpl == nil {
		return nil, errors.New("mailer: no queue or templates")
	}
	probe := Message{From: cfg.From, To: cfg.From, Subject: "x", Text: "x", MessageID: "x@x", Date: time.Unix(0, 0)}
	if err := probe.Validate(); err != nil {
		return nil, fmt.Errorf("mailer: sender address: %w", err)
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Mailer{q: q, tpl: tpl, cfg: cfg}, nil
}

// Compose renders the e-mail of data's kind for to, in lang.
func (m *Mailer) Compose(to Address, lang string, data Data) (*Message, error) {
	c, err := m.tpl.Render(lang, data)
	if err != nil {
		return nil, err
	}
	msg := &Message{
		MessageID: NewMessageID(m.cfg.From.Email),
		Date:      m.cfg.Now().UTC().Truncate(time.Second),
		From:      m.cfg.From,
		ReplyTo:   m.cfg.ReplyTo,
		To:        to,
		Subject:   c.Subject,
		Text:      c.Text,
		HTML:      c.HTML,
		Language:  Language(lang),
	}
	if err := msg.Validate(); err != nil {
		return nil, fmt.Errorf("%s e-mail: %w", data.Kind(), err)
	}
	return msg, nil
}

// Enqueue composes an e-mail and queues it for sending; it returns the
// queued message. Once it returns nil, the message will be delivered (or
// its failure recorded), whatever happens to the process or the SMTP server.
func (m *Mailer) Enqueue(ctx context.Context, to Address, lang string, data Data) (*Message, error) {
	msg, err := m.Compose(to, lang, data)
	if err != nil {
		return nil, err
	}
	return msg, m.EnqueueMessage(ctx, msg)
}

// EnqueueTx is Enqueue inside the caller's transaction: the e-mail is sent
// if and only if the transaction commits. The caller should call Notify
// after committing, or the message waits for the runner's next poll.
func (m *Mailer) EnqueueTx(ctx context.Context, tx *sql.Tx, to Address, lang string, data Data) (*Message, error) {
	msg, err := m.Compose(to, lang, data)
	if err != nil {
		return nil, err
	}
	job, err := m.job(msg)
	if err != nil {
		return nil, err
	}
	if err := m.q.EnqueueJobTx(ctx, tx, job); err != nil {
		return nil, fmt.Errorf("queue e-mail %s: %w", msg.MessageID, err)
	}
	return msg, nil
}

// EnqueueMessage queues a composed message.
func (m *Mailer) EnqueueMessage(ctx context.Context, msg *Message) error {
	job, err := m.job(msg)
	if err != nil {
		return err
	}
	if err := m.q.EnqueueJob(ctx, job); err != nil {
		return fmt.Errorf("queue e-mail %s: %w", msg.MessageID, err)
	}
	m.Notify()
	return nil
}

// Notify wakes the job runner (see Config.Notify).
func (m *Mailer) Notify() {
	if m.cfg.Notify != nil {
		m.cfg.Notify()
	}
}

func (m *Mailer) job(msg *Message) (*store.Job, error) {
	if err := msg.Validate(); err != nil {
		return nil, err
	}
	payload, err := json.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("encode e-mail %s: %w", msg.MessageID, err)
	}
	return &store.Job{Kind: JobKind, Payload: payload, MaxAttempts: m.cfg.MaxAttempts}, nil
}

// Handler returns the job handler that delivers queued messages through s.
// Register it with runner.Handle(mail.JobKind, mail.Handler(s)).
func Handler(s Sender) jobs.Handler {
	return func(ctx context.Context, payload []byte) error {
		var msg Message
		if err := json.Unmarshal(payload, &msg); err != nil {
			return jobs.Permanent(fmt.Errorf("decode queued e-mail: %w", err))
		}
		return s.Send(ctx, &msg)
	}
}

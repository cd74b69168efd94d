package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	"github.com/sceau/sceau/internal/accounts"
	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/jobs"
	"github.com/sceau/sceau/internal/mail"
	"github.com/sceau/sceau/internal/store"
)

// newMail builds the e-mail path: a durable queue in the database,
// drained by a job runner into SMTP (SCEAU_SMTP_URL) or, on the embedded
// default, into the outbox folder of the data directory. It returns the
// mailer the application queues with, and the runner to run.
func newMail(a *app) (*mail.Mailer, *jobs.Runner, error) {
	var sender mail.Sender
	if s := a.cfg.SMTPURL.Value(); s != "" {
		cfg, err := mail.ParseSMTPURL(s)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", "SCEAU_SMTP_URL", err)
		}
		smtp, err := mail.NewSMTPSender(cfg)
		if err != nil {
			return nil, nil, err
		}
		sender = smtp
	} else {
		dir := filepath.Join(a.cfg.DataDir, "outbox")
		box, err := mail.NewOutbox(dir, a.log)
		if err != nil {
			return nil, nil, err
		}
		sender = box
	}
	runner := jobs.New(a.db, jobs.Options{Logger: a.log})
	runner.Handle(mail.JobKind, mail.Handler(sender))
	tpl, err := mail.LoadTemplates()
	if err != nil {
		return nil, nil, err
	}
	host := "localhost"
	if u, err := url.Parse(a.cfg.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	m, err := mail.NewMailer(a.db, tpl, mail.Config{From: mail.Address{Name: "Sceau", Email: "no-reply@" + host}, Notify: runner.Notify})
	if err != nil {
		return nil, nil, err
	}
	return m, runner, nil
}

// notifier sends the accounts' e-mails through the queue.
type notifier struct{ m *mail.Mailer }

func (n notifier) ConfirmEmail(ctx context.Context, to, lang, name, link string) error {
	_, err := n.m.Enqueue(ctx, mail.Address{Name: name, Email: to}, lang, mail.AddressConfirmation{Name: name, ConfirmURL: link})
	return wrapMail(err)
}

func (n notifier) ResetPassword(ctx context.Context, to, lang, name, link string) error {
	_, err := n.m.Enqueue(ctx, mail.Address{Name: name, Email: to}, lang, mail.PasswordReset{Name: name, ResetURL: link})
	return wrapMail(err)
}

func (n notifier) Invitation(ctx context.Context, to, lang, org, inviter string, role badge.Role, link string) error {
	_, err := n.m.Enqueue(ctx, mail.Address{Email: to}, lang, mail.Invitation{OrgName: org, InviterName: inviter, Role: string(role), AcceptURL: link})
	return wrapMail(err)
}

// wrapMail classifies a queueing failure: the message could not be
// stored, which is ours to fix, never the user's.
func wrapMail(err error) error {
	if err == nil {
		return nil
	}
	return badge.Internalf(err, "queue e-mail")
}

// announcer queues each award's e-mail (in the award's language) with a
// claim link, in the award's transaction; notify wakes the runner. With a
// nil tx (a re-sent announcement) the job is queued on its own.
func announcer(db *store.DB, m *mail.Mailer, baseURL string, notify func()) issuing.Announce {
	return func(ctx context.Context, tx *sql.Tx, a *badge.Award, badgeName, issuerName string) error {
		if a.Recipient.Email == "" {
			return nil
		}
		secret, err := accounts.NewClaimToken(ctx, db, tx, a, time.Now())
		if err != nil {
			return err
		}
		to := mail.Address{Name: a.Recipient.Name, Email: a.Recipient.Email}
		data := mail.Award{RecipientName: a.Recipient.Name, BadgeName: badgeName, IssuerName: issuerName,
			ClaimURL: baseURL + "/claim/" + secret, BadgeURL: baseURL + "/awards/" + a.ID}
		if tx == nil {
			_, err = m.Enqueue(ctx, to, a.Language, data)
		} else {
			_, err = m.EnqueueTx(ctx, tx, to, a.Language, data)
		}
		if err != nil {
			return badge.Internalf(err, "queue announcement of award %s", a.ID)
		}
		if notify != nil {
			// A job queued in a transaction is seen once it commits; the
			// runner's poll picks it up if this wake-up comes too early.
			notify()
		}
		return nil
	}
}

// decisionNotice e-mails an applicant the decision on an application, in
// the account's language.
func decisionNotice(db *store.DB, m *mail.Mailer, baseURL string) issuing.DecisionNotice {
	return func(ctx context.Context, a *badge.Application, b *badge.Badge, comments string) error {
		u, err := db.GetUser(ctx, a.UserID)
		if err != nil {
			return err
		}
		link := baseURL + "/applications/" + a.ID
		if a.AwardID != "" {
			link = baseURL + "/awards/" + a.AwardID
		}
		_, err = m.Enqueue(ctx, mail.Address{Name: u.Name, Email: a.Email}, u.Language, mail.ApplicationDecision{
			Name: u.Name, BadgeName: b.Name, Decision: mail.Decision(a.State), Comments: comments, URL: link})
		return wrapMail(err)
	}
}

// AttestationRequest e-mails a mentor's attestation link (the backpack).
func (n notifier) AttestationRequest(ctx context.Context, to, attesterName, lang, teacherName, activityTitle, link string) error {
	_, err := n.m.Enqueue(ctx, mail.Address{Name: attesterName, Email: to}, lang, mail.AttestationRequest{
		AttesterName: attesterName, TeacherName: teacherName, ActivityTitle: activityTitle, URL: link})
	return wrapMail(err)
}

package mail

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sceau/sceau/internal/jobs"
	"github.com/sceau/sceau/internal/mail/smtptest"
)

func TestParseSMTPURL(t *testing.T) {
	for _, tc := range []struct {
		name string
		url  string
		want SMTPConfig
	}{
		{"starttls default", "smtp://mail.example.org", SMTPConfig{Host: "mail.example.org", Port: 587, TLS: TLSStartTLS, Timeout: DefaultSMTPTimeout}},
		{"user and escaped password", "smtp://ana%40example.org:p%40ss%3Aw%2Fd@mail.example.org:2525?tls=starttls",
			SMTPConfig{Host: "mail.example.org", Port: 2525, TLS: TLSStartTLS, Username: "ana@example.org", Password: "p@ss:w/d", Auth: "plain", Timeout: DefaultSMTPTimeout}},
		{"smtps", "smtps://u:p@mail.example.org", SMTPConfig{Host: "mail.example.org", Port: 465, TLS: TLSImplicit, Username: "u", Password: "p", Auth: "plain", Timeout: DefaultSMTPTimeout}},
		{"tls param", "smtp://mail.example.org?tls=tls", SMTPConfig{Host: "mail.example.org", Port: 465, TLS: TLSImplicit, Timeout: DefaultSMTPTimeout}},
		{"none", "smtp://relay?tls=none", SMTPConfig{Host: "relay", Port: 25, TLS: TLSNone, Timeout: DefaultSMTPTimeout}},
		{"none with password on loopback", "smtp://u:p@127.0.0.1:1025?tls=none&auth=login&timeout=5s&helo=sceau.example",
			SMTPConfig{Host: "127.0.0.1", Port: 1025, TLS: TLSNone, Username: "u", Password: "p", Auth: "login", Timeout: 5 * time.Second, HELO: "sceau.example"}},
		{"ipv6", "smtp://[::1]:25?tls=none", SMTPConfig{Host: "::1", Port: 25, TLS: TLSNone, Timeout: DefaultSMTPTimeout}},
		{"trailing slash", "smtp://mail.example.org/", SMTPConfig{Host: "mail.example.org", Port: 587, TLS: TLSStartTLS, Timeout: DefaultSMTPTimeout}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSMTPURL(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(SMTPConfig{}, "TLSConfig")); diff != "" {
				t.Fatalf("(-want +got):\n%s", diff)
			}
			if _, err := NewSMTPSender(got); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestParseSMTPURLErrors(t *testing.T) {
	for _, tc := range []struct{ name, url, want string }{
		{"empty", "", "no scheme"},
		{"http", "http://mail.example.org", `scheme "http"`},
		{"no host", "smtp://", "no host"},
		{"opaque", "smtp:mail.example.org", "two slashes"},
		{"path", "smtp://mail.example.org/x", "unexpected path"},
		{"bad tls", "smtp://mail.example.org?tls=ssl", `tls="ssl"`},
		{"smtps with starttls", "smtps://mail.example.org?tls=starttls", "smtps:// with tls=starttls"},
		{"bad port", "smtp://mail.example.org:70000", "port"},
		{"unknown param", "smtp://mail.example.org?from=x", `unknown parameter "from"`},
		{"repeated param", "smtp://mail.example.org?tls=none&tls=none", "given 2 times"},
		{"bad timeout", "smtp://mail.example.org?timeout=soon", "timeout"},
		{"bad auth", "smtp://u:p@mail.example.org?auth=kerberos", "auth="},
		{"auth without user", "smtp://mail.example.org?auth=plain", "without a user"},
		{"password without user", "smtp://:secretpw@mail.example.org", "without a user name"},
		{"password in clear", "smtp://u:secretpw@mail.example.org?tls=none", "unencrypted"},
		{"bad escape", "smtp://u:secret%zzpw@mail.example.org", "escape"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSMTPURL(tc.url)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

func TestSMTPConfigStringRedacts(t *testing.T) {
	c, err := ParseSMTPURL("smtp://ana:hunter2@mail.example.org?auth=login")
	if err != nil {
		t.Fatal(err)
	}
	if s := c.String(); strings.Contains(s, "hunter2") || s != "smtp://ana:REDACTED@mail.example.org:587?auth=login&tls=starttls" {
		t.Fatalf("String() = %q", s)
	}
}

func FuzzParseSMTPURL(f *testing.F) {
	for _, s := range []string{"smtp://u:p@h:25?tls=none", "smtps://h", "smtp://[::1]:25?timeout=5s&helo=x", "smtp://%zz", "smtp://h?auth=auto"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := ParseSMTPURL(raw)
		if err != nil {
			return
		}
		if c.Host == "" || c.Port < 1 || c.Port > 65535 || c.Timeout <= 0 {
			t.Fatalf("accepted %q as %+v", raw, c)
		}
		if c.Password != "" {
			back, err := url.Parse(c.String())
			if err != nil {
				t.Fatalf("String() %q does not parse: %v", c.String(), err)
			}
			if p, _ := back.User.Password(); p != "REDACTED" {
				t.Fatalf("String() %q shows password %q", c.String(), p)
			}
		}
		if _, err := NewSMTPSender(c); err != nil {
			t.Fatalf("accepted %q but the sender refuses it: %v", raw, err)
		}
	})
}

// newTestMailer composes with the real templates, queueing nowhere.
func composer(t *testing.T) *Mailer {
	t.Helper()
	tpl, err := LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMailer(discard{}, tpl, Config{From: Address{Name: "Sceau — Université", Email: "no-reply@sceau.example"},
		Now: func() time.Time { return time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func sender(t *testing.T, srv *smtptest.Server) *SMTPSender {
	t.Helper()
	cfg, err := ParseSMTPURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Timeout = 5 * time.Second
	s, err := NewSMTPSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var award = Award{RecipientName: "Léa Dupré", BadgeName: "Écologie numérique", IssuerName: "Université de Liège",
	ClaimURL: "https://sceau.example/claim/tok_3fj29XkQ", BadgeURL: "https://sceau.example/badges/ecologie"}

func TestSMTPSendBothLanguages(t *testing.T) {
	for _, tc := range []struct{ lang, subject, phrase string }{
		{"fr", "Université de Liège vous a décerné le badge « Écologie numérique »", "Réclamez-le pour l’ajouter"},
		{"en", "Université de Liège awarded you the badge “Écologie numérique”", "Claim it to add it"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			srv := smtptest.Start(t, smtptest.WithAuth("sceau", "pä ss"))
			msg, err := composer(t).Compose(Address{Name: "Léa Dupré", Email: "lea@example.org"}, tc.lang, award)
			if err != nil {
				t.Fatal(err)
			}
			if err := sender(t, srv).Send(context.Background(), msg); err != nil {
				t.Fatal(err)
			}
			got, err := srv.WaitFor(time.Second, smtptest.To("lea@example.org"))
			if err != nil {
				t.Fatal(err)
			}
			if got.ParseErr != nil {
				t.Fatalf("received message does not parse: %v\n%s", got.ParseErr, got.Data)
			}
			for _, h := range []struct{ name, want string }{
				{"Message-Id", "<" + msg.MessageID + ">"},
				{"Date", "Sun, 01 Mar 2026 09:30:00 +0000"},
				{"Content-Language", tc.lang},
				{"Mime-Version", "1.0"},
				{"Auto-Submitted", "auto-generated"},
			} {
				if v := got.Header.Get(h.name); v != h.want {
					t.Errorf("%s: %q, want %q", h.name, v, h.want)
				}
			}
			from, err := got.Header.AddressList("From")
			if err != nil || len(from) != 1 || from[0].Name != "Sceau — Université" || from[0].Address != "no-reply@sceau.example" {
				t.Errorf("From: %v (%v)", from, err)
			}
			to, err := got.Header.AddressList("To")
			if err != nil || len(to) != 1 || to[0].Name != "Léa Dupré" || to[0].Address != "lea@example.org" {
				t.Errorf("To: %v (%v)", to, err)
			}
			if got.From != "no-reply@sceau.example" || len(got.To) != 1 {
				t.Errorf("envelope %s → %v", got.From, got.To)
			}
			if raw := got.Header.Get("Subject"); !strings.Contains(raw, "=?UTF-8?") {
				t.Errorf("raw subject %q is not RFC 2047 encoded", raw)
			}
			if got.Subject != tc.subject || got.Subject != msg.Subject {
				t.Errorf("subject %q, want %q", got.Subject, tc.subject)
			}
			if got.Text != msg.Text || !strings.Contains(got.Text, tc.phrase) {
				t.Errorf("text body differs from the one sent:\n%s", got.Text)
			}
			if got.HTML != msg.HTML {
				t.Errorf("HTML body differs from the one sent")
			}
			if !strings.HasPrefix(got.Header.Get("Content-Type"), "multipart/alternative;") {
				t.Errorf("Content-Type %q", got.Header.Get("Content-Type"))
			}
			if link := got.Link("https://sceau.example/claim/"); link != award.ClaimURL {
				t.Errorf("claim link %q, want %q", link, award.ClaimURL)
			}
		})
	}
}

func TestSMTPSendErrors(t *testing.T) {
	ctx := context.Background()
	msg, err := composer(t).Compose(Address{Email: "nobody@example.org"}, "en", award)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("rejected recipient is permanent", func(t *testing.T) {
		srv := smtptest.Start(t)
		srv.RejectRecipient("nobody@example.org")
		err := sender(t, srv).Send(ctx, msg)
		if !errors.Is(err, ErrRejected) || !jobs.IsPermanent(err) {
			t.Fatalf("error %v, want a permanent ErrRejected", err)
		}
	})
	t.Run("temporary failure is retried", func(t *testing.T) {
		srv := smtptest.Start(t)
		srv.FailNext(1)
		err := sender(t, srv).Send(ctx, msg)
		if err == nil || jobs.IsPermanent(err) || !strings.Contains(err.Error(), "451") {
			t.Fatalf("error %v, want a temporary 451", err)
		}
		if err := sender(t, srv).Send(ctx, msg); err != nil {
			t.Fatalf("second try: %v", err)
		}
	})
	t.Run("server down is retried", func(t *testing.T) {
		srv := smtptest.Start(t)
		s := sender(t, srv)
		srv.Close()
		err := s.Send(ctx, msg)
		if err == nil || jobs.IsPermanent(err) {
			t.Fatalf("error %v, want a temporary one", err)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		srv := smtptest.Start(t, smtptest.WithAuth("sceau", "right"))
		cfg, _ := ParseSMTPURL(strings.Replace(srv.URL(), "right", "wrongpw", 1))
		s, _ := NewSMTPSender(cfg)
		err := s.Send(ctx, msg)
		if err == nil || strings.Contains(err.Error(), "wrongpw") || len(srv.Messages()) != 0 {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("invalid message is permanent", func(t *testing.T) {
		srv := smtptest.Start(t)
		bad := *msg
		bad.Subject = "two\r\nBcc: victim@example.org"
		if err := sender(t, srv).Send(ctx, &bad); !errors.Is(err, ErrInvalidMessage) || !jobs.IsPermanent(err) {
			t.Fatalf("error %v, want a permanent ErrInvalidMessage", err)
		}
	})
}

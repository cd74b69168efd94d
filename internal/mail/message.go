// Package mail composes Sceau's e-mails (award announcements with their
// claim link, address confirmations, password resets, invitations,
// application decisions) from embedded French and English templates, and
// delivers them through SMTP or, when no SMTP server is configured, into an
// outbox folder of .eml files. Delivery is a durable job ("mail.send") in
// the database, so a message survives an SMTP outage or a restart.
//
// Messages carry secrets (claim tokens, reset links): nothing here logs a
// body, and the SMTP password never appears in logs or errors.
package mail

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Address is a mailbox with an optional display name.
type Address struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email"`
}

// String formats the address for a header, RFC 2047-encoding the name when
// needed.
func (a Address) String() string { return (&mail.Address{Name: a.Name, Address: a.Email}).String() }

// Message is one e-mail, ready to send: rendered text and HTML bodies of the
// same content (multipart/alternative). It is also the "mail.send" job's
// payload, as JSON.
type Message struct {
	MessageID string    `json:"messageId"` // without angle brackets; fixed when composed, so retries keep it
	Date      time.Time `json:"date"`
	From      Address   `json:"from"`
	ReplyTo   *Address  `json:"replyTo,omitempty"`
	To        Address   `json:"to"`
	Subject   string    `json:"subject"`
	Text      string    `json:"text"`
	HTML      string    `json:"html,omitempty"`
	Language  string    `json:"language"` // BCP 47, e.g. "fr": the Content-Language header
}

// Bounds on a message, well above what the templates produce: a payload is
// stored in the database and a header line must stay short.
const (
	maxSubject = 998
	maxBody    = 256 << 10
	maxName    = 200
)

// ErrInvalidMessage is wrapped by the errors of Validate.
var ErrInvalidMessage = errors.New("invalid message")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidMessage, fmt.Sprintf(format, args...))
}

// Validate checks that the message can be sent: addresses parse, header
// fields hold no line breaks (no header injection), sizes are bounded.
func (m *Message) Validate() error {
	check := func(field string, a Address) error {
		if a.Email == "" {
			return invalid("%s address missing", field)
		}
		if len(a.Name) > maxName || strings.ContainsAny(a.Name, "\r\n") {
			return invalid("%s name is too long or holds a line break", field)
		}
		p, err := mail.ParseAddress(a.Email)
		if err != nil || p.Address != a.Email || p.Name != "" {
			return invalid("%s address %q is not a plain e-mail address", field, a.Email)
		}
		return nil
	}
	if err := check("from", m.From); err != nil {
		return err
	}
	if err := check("to", m.To); err != nil {
		return err
	}
	if m.ReplyTo != nil {
		if err := check("reply-to", *m.ReplyTo); err != nil {
			return err
		}
	}
	switch {
	case m.Subject == "" || len(m.Subject) > maxSubject || strings.ContainsAny(m.Subject, "\r\n"):
		return invalid("subject is empty, too long or holds a line break")
	case m.Text == "":
		return invalid("text body is empty")
	case len(m.Text) > maxBody || len(m.HTML) > maxBody:
		return invalid("body larger than %d bytes", maxBody)
	case m.MessageID == "" || strings.ContainsAny(m.MessageID, "<>\r\n \t") || !strings.Contains(m.MessageID, "@"):
		return invalid("message ID %q is not of the form left@right", m.MessageID)
	case m.Date.IsZero():
		return invalid("date missing")
	case strings.ContainsAny(m.Language, "\r\n ,;"):
		return invalid("language %q is not a language tag", m.Language)
	}
	return nil
}

// NewMessageID returns a fresh message ID in the sender's domain, as RFC
// 5322 recommends: random on the left, so it never repeats.
func NewMessageID(from string) string {
	var b [16]byte
	rand.Read(b[:])
	domain := "sceau.invalid"
	if _, d, ok := strings.Cut(from, "@"); ok && d != "" && !strings.ContainsAny(d, "<>\r\n \t") {
		domain = d
	}
	return hex.EncodeToString(b[:]) + "@" + domain
}

// build turns the message into a go-mail message, encoded the same way for
// SMTP and the outbox: UTF-8, quoted-printable bodies, RFC 2047 subject.
func (m *Message) build() (*gomail.Msg, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	g := gomail.NewMsg(gomail.WithNoDefaultUserAgent(), gomail.WithCharset(gomail.CharsetUTF8),
		gomail.WithEncoding(gomail.EncodingQP))
	if err := g.FromFormat(m.From.Name, m.From.Email); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if err := g.AddToFormat(m.To.Name, m.To.Email); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	if m.ReplyTo != nil {
		if err := g.ReplyToFormat(m.ReplyTo.Name, m.ReplyTo.Email); err != nil {
			return nil, fmt.Errorf("reply-to: %w", err)
		}
	}
	g.Subject(m.Subject)
	g.SetMessageIDWithValue(m.MessageID)
	g.SetDateWithValue(m.Date)
	if m.Language != "" {
		g.SetGenHeader(gomail.HeaderContentLang, m.Language)
	}
	// Transactional mail: out-of-office robots should not answer (RFC 3834).
	g.SetGenHeader("Auto-Submitted", "auto-generated")
	g.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	g.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		g.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return g, nil
}

package mail

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/sceau/sceau/internal/jobs"
)

// Outbox is the sender used without an SMTP server: each message becomes an
// .eml file (RFC 5322, the same bytes SMTP would carry) in a folder, for an
// operator to read or hand to a mail client.
type Outbox struct {
	dir string
	log *slog.Logger
}

// NewOutbox creates dir if needed (readable by its owner only: messages
// hold claim links) and says in the log where messages will go.
func NewOutbox(dir string, log *slog.Logger) (*Outbox, error) {
	if log == nil {
		log = slog.Default()
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("outbox %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("create outbox: %w", err)
	}
	log.Info("no SMTP server configured (SCEAU_SMTP_URL): e-mails are written to the outbox folder", "dir", abs)
	return &Outbox{dir: abs, log: log}, nil
}

// Dir returns the outbox folder.
func (o *Outbox) Dir() string { return o.dir }

// Send writes m to DIR/DATE-MESSAGEID.eml, atomically: a reader never sees
// half a file. The name comes from the message ID, so a retried message
// replaces its earlier copy instead of adding a second one.
func (o *Outbox) Send(ctx context.Context, m *Message) error {
	msg, err := m.build()
	if err != nil {
		return jobs.Permanent(fmt.Errorf("compose message %s: %w", m.MessageID, err))
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return fmt.Errorf("encode message %s: %w", m.MessageID, err)
	}
	name := m.Date.UTC().Format("20060102T150405Z") + "-" + fileSafe(m.MessageID) + ".eml"
	tmp, err := os.CreateTemp(o.dir, ".tmp-*.eml")
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("outbox: write %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("outbox: sync %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("outbox: close %s: %w", name, err)
	}
	path := filepath.Join(o.dir, name)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	o.log.Info("e-mail written to the outbox", "path", path, "message_id", m.MessageID)
	return nil
}

// fileSafe keeps letters, digits, '.', '-' and '_' of s, replacing others.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
}

package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/sceau/sceau/internal/jobs"
)

// Sender delivers a message.
type Sender interface {
	Send(ctx context.Context, m *Message) error
}

// TLSMode says how the SMTP connection is protected.
type TLSMode string

// The TLS modes of an SMTP URL's tls parameter.
const (
	TLSStartTLS TLSMode = "starttls" // plain connection upgraded with STARTTLS, which the server must offer
	TLSImplicit TLSMode = "tls"      // TLS from the first byte (SMTPS, usually port 465)
	TLSNone     TLSMode = "none"     // no encryption: local relays and tests only
)

// SMTPConfig is a parsed SCEAU_SMTP_URL.
type SMTPConfig struct {
	Host     string
	Port     int
	TLS      TLSMode
	Username string
	Password string        // never printed: String redacts it
	Auth     string        // "plain" (default with a user), "login", "cram-md5", "scram-sha-256", "auto"
	Timeout  time.Duration // per connection and command; default 30 s
	HELO     string        // name sent in EHLO; default the machine's host name

	// TLSConfig overrides the TLS settings (tests trusting their own CA).
	TLSConfig *tls.Config
}

// DefaultSMTPTimeout bounds each connection and command.
const DefaultSMTPTimeout = 30 * time.Second

// ParseSMTPURL parses an SMTP server URL:
//
//	smtp://[user[:password]@]host[:port][?tls=starttls|tls|none&auth=…&timeout=30s&helo=name]
//	smtps://[user[:password]@]host[:port]   (same as tls=tls)
//
// smtp:// defaults to STARTTLS on port 587; tls=none to port 25; smtps:// or
// tls=tls to port 465. User and password are percent-decoded. A password is
// refused over tls=none unless the host is the local machine, since it would
// cross the network in clear. Errors never quote the password.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	var c SMTPConfig
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error quotes the whole URL, password included.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return c, fmt.Errorf("SMTP URL: %w", err)
	}
	switch u.Scheme {
	case "smtp":
		c.TLS = TLSStartTLS
	case "smtps":
		c.TLS = TLSImplicit
	case "":
		return c, errors.New("SMTP URL: no scheme, want smtp:// or smtps://")
	default:
		return c, fmt.Errorf("SMTP URL: scheme %q, want smtp or smtps", u.Scheme)
	}
	if u.Opaque != "" {
		return c, errors.New("SMTP URL: want smtp://host, with two slashes")
	}
	if u.Path != "" && u.Path != "/" {
		return c, fmt.Errorf("SMTP URL: unexpected path %q", u.Path)
	}
	if u.Fragment != "" {
		return c, errors.New("SMTP URL: unexpected fragment")
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return c, errors.New("SMTP URL: no host")
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
		if c.Username == "" {
			return c, errors.New("SMTP URL: a password without a user name")
		}
		c.Auth = "plain"
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return c, fmt.Errorf("SMTP URL: query: %w", err)
	}
	c.Timeout = DefaultSMTPTimeout
	for key, vals := range q {
		if len(vals) != 1 {
			return c, fmt.Errorf("SMTP URL: parameter %q given %d times", key, len(vals))
		}
		v := vals[0]
		switch key {
		case "tls":
			switch TLSMode(v) {
			case TLSStartTLS, TLSImplicit, TLSNone:
				if u.Scheme == "smtps" && TLSMode(v) != TLSImplicit {
					return c, fmt.Errorf("SMTP URL: smtps:// with tls=%s; use smtp:// for that", v)
				}
				c.TLS = TLSMode(v)
			default:
				return c, fmt.Errorf("SMTP URL: tls=%q, want starttls, tls or none", v)
			}
		case "auth":
			switch v {
			case "plain", "login", "cram-md5", "scram-sha-256", "auto":
				c.Auth = v
			default:
				return c, fmt.Errorf("SMTP URL: auth=%q, want plain, login, cram-md5, scram-sha-256 or auto", v)
			}
		case "timeout":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 || d > 10*time.Minute {
				return c, fmt.Errorf("SMTP URL: timeout=%q, want a duration such as 30s, at most 10m", v)
			}
			c.Timeout = d
		case "helo":
			if v == "" || strings.ContainsAny(v, " \t\r\n") {
				return c, fmt.Errorf("SMTP URL: helo=%q is not a host name", v)
			}
			c.HELO = v
		default:
			return c, fmt.Errorf("SMTP URL: unknown parameter %q (known: tls, auth, timeout, helo)", key)
		}
	}
	if c.Auth != "" && c.Username == "" {
		return c, errors.New("SMTP URL: auth given without a user name")
	}
	switch port := u.Port(); {
	case port != "":
		p, err := strconv.Atoi(port)
		if err != nil || p < 1 || p > 65535 {
			return c, fmt.Errorf("SMTP URL: port %q out of range", port)
		}
		c.Port = p
	case c.TLS == TLSImplicit:
		c.Port = 465
	case c.TLS == TLSNone:
		c.Port = 25
	default:
		c.Port = 587
	}
	if c.TLS == TLSNone && c.Password != "" && !isLoopback(c.Host) {
		return c, fmt.Errorf("SMTP URL: refusing to send the password unencrypted to %s; use tls=starttls or smtps://", c.Host)
	}
	return c, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// String returns the configuration as a URL with the password redacted, for
// logs.
func (c SMTPConfig) String() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(c.Host, strconv.Itoa(c.Port))}
	if c.TLS == TLSImplicit {
		u.Scheme = "smtps"
	}
	if c.Username != "" {
		if c.Password != "" {
			u.User = url.UserPassword(c.Username, "REDACTED")
		} else {
			u.User = url.User(c.Username)
		}
	}
	q := url.Values{}
	if c.TLS != TLSImplicit {
		q.Set("tls", string(c.TLS))
	}
	if c.Auth != "" && c.Auth != "plain" {
		q.Set("auth", c.Auth)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// SMTPSender sends each message over a new SMTP connection. Connections are
// not kept: e-mails come one by one, minutes apart, and a fresh connection
// never finds itself timed out by the server.
type SMTPSender struct {
	cfg SMTPConfig
}

// NewSMTPSender returns a sender for cfg (see ParseSMTPURL).
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	if cfg.Host == "" || cfg.Port == 0 {
		return nil, errors.New("SMTP sender: no host or port")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultSMTPTimeout
	}
	if _, err := cfg.options(); err != nil {
		return nil, err
	}
	return &SMTPSender{cfg: cfg}, nil
}

// Config returns the sender's configuration.
func (s *SMTPSender) Config() SMTPConfig { return s.cfg }

func (c SMTPConfig) options() ([]gomail.Option, error) {
	opts := []gomail.Option{gomail.WithPort(c.Port), gomail.WithTimeout(c.Timeout)}
	switch c.TLS {
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return nil, fmt.Errorf("SMTP sender: unknown TLS mode %q", c.TLS)
	}
	if c.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(c.TLSConfig))
	}
	if c.HELO != "" {
		opts = append(opts, gomail.WithHELO(c.HELO))
	}
	if c.Username == "" {
		return append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthNoAuth)), nil
	}
	auth := map[string]gomail.SMTPAuthType{
		"": gomail.SMTPAuthPlain, "plain": gomail.SMTPAuthPlain, "login": gomail.SMTPAuthLogin,
		"cram-md5": gomail.SMTPAuthCramMD5, "scram-sha-256": gomail.SMTPAuthSCRAMSHA256,
		"auto": gomail.SMTPAuthAutoDiscover,
	}[c.Auth]
	if auth == "" {
		return nil, fmt.Errorf("SMTP sender: unknown auth %q", c.Auth)
	}
	if c.TLS == TLSNone && isLoopback(c.Host) {
		// go-mail refuses PLAIN and LOGIN in clear except to "localhost"
		// spelled exactly; a loopback address is as safe.
		switch auth {
		case gomail.SMTPAuthPlain:
			auth = gomail.SMTPAuthPlainNoEnc
		case gomail.SMTPAuthLogin:
			auth = gomail.SMTPAuthLoginNoEnc
		}
	}
	return append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(c.Username), gomail.WithPassword(c.Password)), nil
}

// ErrRejected is wrapped by Send's error when the server refused the
// message for good (a 5xx reply to MAIL, RCPT or DATA): retrying the same
// message cannot succeed. Other errors (connection refused, 4xx) are worth
// retrying.
var ErrRejected = errors.New("message rejected by the SMTP server")

// Send delivers m.
func (s *SMTPSender) Send(ctx context.Context, m *Message) error {
	msg, err := m.build()
	if err != nil {
		return jobs.Permanent(fmt.Errorf("compose message %s: %w", m.MessageID, err))
	}
	opts, err := s.cfg.options()
	if err != nil {
		return err
	}
	client, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("SMTP client for %s: %w", s.cfg.Host, err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
			switch se.Reason {
			case gomail.ErrSMTPMailFrom, gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
				return jobs.Permanent(fmt.Errorf("send message %s via %s: %w: %w", m.MessageID, s.cfg.Host, ErrRejected, err))
			}
		}
		return fmt.Errorf("send message %s via %s:%d: %w", m.MessageID, s.cfg.Host, s.cfg.Port, err)
	}
	return nil
}

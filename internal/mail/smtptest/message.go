package smtptest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// Message is a received message: its envelope, raw content and, parsed
// from it, headers and text and HTML bodies.
type Message struct {
	From       string   // envelope sender (MAIL FROM)
	To         []string // envelope recipients (RCPT TO)
	ReceivedAt time.Time
	Data       []byte // the content as sent, dot-unstuffed, CRLF line ends

	Header   mail.Header // raw header values; Subject below is decoded
	Subject  string
	Text     string // the text/plain body, decoded to UTF-8
	HTML     string // the text/html body, decoded to UTF-8
	ParseErr error  // why Header and bodies are missing, when parsing failed
}

// Link returns the first URL in the text body that starts with prefix, or
// "" (a claim link: msg.Link("https://sceau.example/claim/")).
func (m Message) Link(prefix string) string {
	for _, u := range urlPattern.FindAllString(m.Text, -1) {
		if strings.HasPrefix(u, prefix) {
			return u
		}
	}
	return ""
}

var urlPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

// Bounds on parsing: messages from tests are small and simple.
const (
	maxParts = 50
	maxDepth = 5
)

var wordDecoder = &mime.WordDecoder{CharsetReader: func(charset string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "utf-8", "us-ascii":
		return r, nil
	}
	return nil, fmt.Errorf("charset %q not supported", charset)
}}

// ParseMessage parses RFC 5322 content: headers, RFC 2047 subject, and the
// text/plain and text/html bodies of a single-part or multipart (mixed,
// alternative, related) message in quoted-printable, base64, 7bit or 8bit.
// Only UTF-8 and US-ASCII bodies are supported.
func ParseMessage(data []byte) (Message, error) {
	m := Message{Data: data}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return m, fmt.Errorf("parse message: %w", err)
	}
	m.Header = msg.Header
	if m.Subject, err = wordDecoder.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return m, fmt.Errorf("parse subject: %w", err)
	}
	parts := 0
	if err := m.walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, 0, &parts); err != nil {
		return m, err
	}
	return m, nil
}

func (m *Message) walk(contentType, encoding string, body io.Reader, depth int, parts *int) error {
	*parts++
	if *parts > maxParts || depth > maxDepth {
		return errors.New("parse message: too many or too deeply nested parts")
	}
	if contentType == "" {
		contentType = "text/plain; charset=us-ascii"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("parse content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		if params["boundary"] == "" {
			return fmt.Errorf("parse %s: no boundary", mediaType)
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("parse %s: %w", mediaType, err)
			}
			if err := m.walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1, parts); err != nil {
				return err
			}
		}
	}
	if mediaType != "text/plain" && mediaType != "text/html" {
		return nil // attachments and images: not needed by tests
	}
	if cs := strings.ToLower(params["charset"]); cs != "" && cs != "utf-8" && cs != "us-ascii" {
		return fmt.Errorf("parse %s: charset %q not supported", mediaType, cs)
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body) // skips the CRLFs wrapping lines
	case "", "7bit", "8bit", "binary":
	default:
		return fmt.Errorf("parse %s: transfer encoding %q not supported", mediaType, encoding)
	}
	b, err := io.ReadAll(io.LimitReader(body, MaxMessageSize+1))
	if err != nil {
		return fmt.Errorf("decode %s body: %w", mediaType, err)
	}
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	if mediaType == "text/plain" && m.Text == "" {
		m.Text = text
	} else if mediaType == "text/html" && m.HTML == "" {
		m.HTML = text
	}
	return nil
}

package smtptest

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// dial opens a raw SMTP conversation with srv.
func dial(t *testing.T, srv *Server) *textproto.Conn {
	t.Helper()
	c, err := textproto.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	expect(t, c, "", 220)
	return c
}

// expect sends cmd (unless empty) and checks the reply code.
func expect(t *testing.T, c *textproto.Conn, cmd string, code int) string {
	t.Helper()
	if cmd != "" {
		if err := c.PrintfLine("%s", cmd); err != nil {
			t.Fatal(err)
		}
	}
	got, msg, err := c.ReadResponse(0)
	if got != code {
		t.Fatalf("%q: reply %d %q (%v), want %d", cmd, got, msg, err, code)
	}
	return msg
}

func TestSessionDotUnstuffingAndEnvelope(t *testing.T) {
	srv := Start(t)
	c := dial(t, srv)
	expect(t, c, "EHLO client.example", 250)
	expect(t, c, "MAIL FROM:<from@example.org> BODY=8BITMIME", 250)
	expect(t, c, "RCPT TO:<a@example.org>", 250)
	expect(t, c, "RCPT TO:<b@example.org>", 250)
	expect(t, c, "DATA", 354)
	body := "Subject: dots\r\n\r\nline one\r\n..starts with a dot\r\n.\r\n"
	io.WriteString(c.W, body)
	c.W.Flush()
	expect(t, c, "", 250)
	expect(t, c, "QUIT", 221)
	m, err := srv.WaitFor(time.Second, To("b@example.org"))
	if err != nil {
		t.Fatal(err)
	}
	if m.From != "from@example.org" || strings.Join(m.To, ",") != "a@example.org,b@example.org" {
		t.Errorf("envelope %s → %v", m.From, m.To)
	}
	if string(m.Data) != "Subject: dots\r\n\r\nline one\r\n.starts with a dot\r\n" {
		t.Errorf("data %q", m.Data)
	}
	if m.Subject != "dots" || m.Text != "line one\n.starts with a dot\n" {
		t.Errorf("parsed subject %q text %q", m.Subject, m.Text)
	}
}

func TestSessionSequenceErrors(t *testing.T) {
	srv := Start(t)
	c := dial(t, srv)
	for _, step := range []struct {
		cmd  string
		code int
	}{
		{"MAIL FROM:<a@example.org>", 503}, // before EHLO
		{"EHLO", 501},
		{"HELO client.example", 250},
		{"RCPT TO:<a@example.org>", 503}, // before MAIL
		{"DATA", 503},
		{"MAIL FROM:a@example.org", 501},
		{"MAIL FROM:<>", 250}, // null reverse path
		{"MAIL FROM:<x@example.org>", 503},
		{"RCPT TO:<>", 501},
		{"DATA", 503}, // no recipient yet
		{"RSET", 250},
		{"RCPT TO:<a@example.org>", 503}, // RSET cleared MAIL
		{"NOOP", 250},
		{"VRFY a", 252},
		{"STARTTLS", 502},
		{"AUTH PLAIN AGFiAGM=", 502}, // not offered
		{"BOGUS", 500},
		{strings.Repeat("X", 5000), 500},
		{"NOOP", 250}, // still talking after the long line
		{"quit", 221},
	} {
		expect(t, c, step.cmd, step.code)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages recorded", n)
	}
}

func TestSessionAuth(t *testing.T) {
	srv := Start(t, WithAuth("user", "secret"))
	if !strings.HasPrefix(srv.URL(), "smtp://user:secret@127.0.0.1:") || !strings.HasSuffix(srv.URL(), "?tls=none") {
		t.Fatalf("URL %q", srv.URL())
	}
	plain := func(u, p string) string { return base64.StdEncoding.EncodeToString([]byte("\x00" + u + "\x00" + p)) }
	c := dial(t, srv)
	if msg := expect(t, c, "EHLO c", 250); !strings.Contains(msg, "AUTH PLAIN") {
		t.Fatalf("EHLO reply lacks AUTH: %q", msg)
	}
	expect(t, c, "MAIL FROM:<a@example.org>", 530)
	expect(t, c, "AUTH LOGIN", 504)
	expect(t, c, "AUTH PLAIN "+plain("user", "wrong"), 535)
	expect(t, c, "AUTH PLAIN", 334)
	expect(t, c, "*", 501)
	expect(t, c, "AUTH PLAIN", 334)
	expect(t, c, plain("user", "secret"), 235)
	expect(t, c, "AUTH PLAIN "+plain("user", "secret"), 503)
	expect(t, c, "MAIL FROM:<a@example.org>", 250)
}

func TestFailNextAndReject(t *testing.T) {
	srv := Start(t)
	srv.FailNext(1)
	srv.RejectRecipient("Gone@Example.org")
	c := dial(t, srv)
	expect(t, c, "EHLO c", 250)
	send := func(code int) {
		expect(t, c, "MAIL FROM:<a@example.org>", 250)
		expect(t, c, "RCPT TO:<gone@example.org>", 550)
		expect(t, c, "RCPT TO:<b@example.org>", 250)
		expect(t, c, "DATA", 354)
		io.WriteString(c.W, "Subject: x\r\n\r\nhi\r\n.\r\n")
		c.W.Flush()
		expect(t, c, "", code)
	}
	send(451)
	send(250)
	if n := len(srv.Messages()); n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
}

func TestCloseAndRestart(t *testing.T) {
	srv := Start(t)
	c := dial(t, srv)
	expect(t, c, "EHLO c", 250)
	srv.Close()
	if _, _, err := c.ReadResponse(0); err == nil {
		t.Fatal("open connection survived Close")
	}
	if conn, err := net.DialTimeout("tcp", srv.Addr(), time.Second); err == nil {
		conn.Close()
		t.Fatal("closed server accepts connections")
	}
	srv.Restart()
	c2 := dial(t, srv)
	expect(t, c2, "NOOP", 250)
	if srv.Connections() != 2 {
		t.Fatalf("%d connections counted, want 2", srv.Connections())
	}
}

func TestWaitForTimeout(t *testing.T) {
	srv := Start(t)
	start := time.Now()
	_, err := srv.WaitFor(50*time.Millisecond, nil)
	if !errors.Is(err, ErrTimeout) || time.Since(start) < 50*time.Millisecond {
		t.Fatalf("WaitFor = %v after %v", err, time.Since(start))
	}
}

func TestMessageTooLarge(t *testing.T) {
	r := bufio.NewReaderSize(io.MultiReader(
		strings.NewReader("Subject: big\r\n\r\n"),
		strings.NewReader(strings.Repeat(strings.Repeat("a", 998)+"\r\n", MaxMessageSize/1000+10)),
		strings.NewReader(".\r\nNOOP\r\n"),
	), maxLine)
	if _, err := readData(r); !errors.Is(err, errTooLarge) {
		t.Fatalf("readData = %v, want too large", err)
	}
	if rest, _ := readLine(r); rest != "NOOP" {
		t.Fatalf("after a too large message, read %q, want the next command", rest)
	}
}

func TestParseMessage(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	want := map[string]struct{ subject, text, html string }{
		"alternative-qp.eml": {"Université — badge « Écologie »", "Bonjour Léa,\nvotre lien : https://sceau.example/claim/abc\n", "<p>Bonjour Léa</p>\n"},
		"base64-plain.eml":   {"plain", "Grüße aus Köln\n", ""},
		"mixed-nested.eml":   {"nested", "inner text\n", "<b>inner</b>\n"},
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			m, err := ParseMessage(bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")))
			w, ok := want[name]
			if !ok {
				if err == nil {
					t.Fatal("invalid message parsed")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != w.subject || m.Text != w.text || m.HTML != w.html {
				t.Fatalf("got subject %q text %q html %q", m.Subject, m.Text, m.HTML)
			}
		})
	}
	m, _ := ParseMessage([]byte("Subject: l\r\n\r\nsee http://x/a and https://sceau.example/claim/tok?x=1 now\r\n"))
	if got := m.Link("https://sceau.example/claim/"); got != "https://sceau.example/claim/tok?x=1" {
		t.Fatalf("Link = %q", got)
	}
	if got := m.Link("https://other/"); got != "" {
		t.Fatalf("Link = %q, want none", got)
	}
}

func FuzzParseMessage(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMessage(data)
		if err == nil && (len(m.Text) > len(data) || len(m.HTML) > len(data)) {
			t.Fatalf("decoded body larger than the message")
		}
	})
}

// rw is a session's connection in memory.
type rw struct {
	io.Reader
	out bytes.Buffer
}

func (c *rw) Write(p []byte) (int, error) { return c.out.Write(p) }

// FuzzSession feeds arbitrary client input to a session: it must end (the
// input ends) without panicking, and every reply line is a reply code.
func FuzzSession(f *testing.F) {
	f.Add([]byte("EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nSubject: x\r\n\r\n..x\r\n.\r\nQUIT\r\n"))
	f.Add([]byte("AUTH PLAIN\r\nAGEAYg==\r\nHELO x\r\nRSET\r\n"))
	f.Add([]byte("EHLO a\r\nAUTH PLAIN AHUAcA==\r\nMAIL FROM:<>\r\nRCPT TO:<x>\r\nDATA\r\n" + strings.Repeat("a", 5000) + "\r\n.\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		s := &Server{conns: map[net.Conn]struct{}{}, changed: make(chan struct{}), rejected: map[string]bool{"x": true}, user: "u", password: "p"}
		c := &rw{Reader: bytes.NewReader(in)}
		s.session(c)
		for _, line := range strings.Split(strings.TrimSuffix(c.out.String(), "\r\n"), "\r\n") {
			if len(line) < 4 || line[0] < '2' || line[0] > '5' || (line[3] != ' ' && line[3] != '-') {
				t.Fatalf("reply line %q", line)
			}
		}
		for _, m := range s.messages {
			if m.From == "" && len(m.To) == 0 {
				t.Fatalf("message without envelope recorded")
			}
		}
	})
}

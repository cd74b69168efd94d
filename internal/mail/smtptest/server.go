// Package smtptest runs an SMTP server inside a test, on a real TCP socket
// of the loopback interface, that records the messages it receives. It
// speaks enough of RFC 5321 for real clients (EHLO/HELO, AUTH PLAIN, MAIL,
// RCPT, DATA with dot-unstuffing, RSET, NOOP, VRFY, QUIT; no STARTTLS: point
// senders at it with tls=none, as URL does), and can be told to fail, to test
// retries:
//
//	srv := smtptest.Start(t)
//	// configure the application with srv.URL(), award a badge…
//	msg, err := srv.WaitFor(5*time.Second, smtptest.To("ana@example.org"))
//	claim := msg.Link("https://sceau.example/claim/")
package smtptest

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Limits that keep a misbehaving client from exhausting the test process.
const (
	MaxMessageSize = 10 << 20 // bytes of DATA
	maxLine        = 4096     // bytes of a command line (RFC 5321 asks for 512 at least) or a text line (1000)
	maxRecipients  = 100
	idleTimeout    = 30 * time.Second
)

// Server is a running test SMTP server. Its methods are safe for concurrent
// use.
type Server struct {
	tb       testing.TB
	addr     string
	user     string
	password string

	mu        sync.Mutex
	ln        net.Listener
	conns     map[net.Conn]struct{}
	messages  []Message
	changed   chan struct{} // closed and replaced when a message arrives
	failNext  int
	rejected  map[string]bool
	connCount int
	wg        sync.WaitGroup
}

// Option configures a Server.
type Option func(*Server)

// WithAuth makes the server require AUTH PLAIN with these credentials
// before MAIL; URL includes them.
func WithAuth(user, password string) Option {
	return func(s *Server) { s.user, s.password = user, password }
}

// Start starts a server on 127.0.0.1 on a free port; it stops when the test
// ends.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := &Server{tb: tb, conns: map[net.Conn]struct{}{}, changed: make(chan struct{}), rejected: map[string]bool{}}
	for _, o := range opts {
		o(s)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("smtptest: listen: %v", err)
	}
	s.addr = ln.Addr().String()
	s.serve(ln)
	tb.Cleanup(s.Close)
	return s
}

func (s *Server) serve(ln net.Listener) {
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	s.wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return // closed
			}
			s.mu.Lock()
			s.conns[conn] = struct{}{}
			s.connCount++
			s.mu.Unlock()
			s.wg.Go(func() {
				defer func() {
					conn.Close()
					s.mu.Lock()
					delete(s.conns, conn)
					s.mu.Unlock()
				}()
				s.session(&deadlineConn{conn})
			})
		}
	})
}

// deadlineConn renews the idle deadline before each read, so a silent
// client cannot hold a session forever.
type deadlineConn struct{ net.Conn }

func (c *deadlineConn) Read(p []byte) (int, error) {
	c.Conn.SetDeadline(time.Now().Add(idleTimeout))
	return c.Conn.Read(p)
}

// Addr returns the server's host:port.
func (s *Server) Addr() string { return s.addr }

// URL returns an SMTP URL for the server, as mail.ParseSMTPURL reads it:
// smtp://[user:password@]127.0.0.1:PORT?tls=none.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.addr, RawQuery: "tls=none"}
	if s.user != "" {
		u.User = url.UserPassword(s.user, s.password)
	}
	return u.String()
}

// Close stops the server: it stops listening and drops open connections,
// as a crashed server would. Restart brings it back on the same address.
func (s *Server) Close() {
	s.mu.Lock()
	ln := s.ln
	s.ln = nil
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	if ln != nil {
		ln.Close()
	}
	s.wg.Wait()
}

// Restart listens again on the address of a closed server; received
// messages are kept.
func (s *Server) Restart() {
	s.tb.Helper()
	s.mu.Lock()
	running := s.ln != nil
	s.mu.Unlock()
	if running {
		return
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		s.tb.Fatalf("smtptest: listen again on %s: %v", s.addr, err)
	}
	s.serve(ln)
}

// FailNext makes the next n messages fail with a temporary error (451 at
// the end of DATA, after the content was sent), as a server short of
// resources would.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = n
}

// RejectRecipient makes the server refuse the address for good (550 at
// RCPT), as for a mailbox that does not exist.
func (s *Server) RejectRecipient(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejected[strings.ToLower(addr)] = true
}

// Connections returns how many connections the server has accepted.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connCount
}

// Messages returns the messages received so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// ErrTimeout is returned by WaitFor when no matching message came in time.
var ErrTimeout = errors.New("smtptest: no matching message received in time")

// WaitFor returns the first received message match accepts (nil accepts
// any), waiting up to timeout for it to arrive.
func (s *Server) WaitFor(timeout time.Duration, match func(Message) bool) (Message, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	seen := 0
	for {
		s.mu.Lock()
		msgs, changed := s.messages[seen:], s.changed
		seen = len(s.messages)
		s.mu.Unlock()
		for _, m := range msgs {
			if match == nil || match(m) {
				return m, nil
			}
		}
		select {
		case <-changed:
		case <-deadline.C:
			return Message{}, fmt.Errorf("%w (%v, %d messages received)", ErrTimeout, timeout, seen)
		}
	}
}

// To matches messages whose envelope includes the recipient addr.
func To(addr string) func(Message) bool {
	return func(m Message) bool {
		for _, r := range m.To {
			if strings.EqualFold(r, addr) {
				return true
			}
		}
		return false
	}
}

func (s *Server) record(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
	close(s.changed)
	s.changed = make(chan struct{})
}

// takeFailure reports whether this message must fail, counting it.
func (s *Server) takeFailure() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failNext > 0 {
		s.failNext--
		return true
	}
	return false
}

func (s *Server) isRejected(addr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejected[strings.ToLower(addr)]
}

// session speaks SMTP on one connection until QUIT, an error or EOF.
func (s *Server) session(rw io.ReadWriter) {
	r := bufio.NewReaderSize(rw, maxLine)
	w := bufio.NewWriter(rw)
	reply := func(lines ...string) bool {
		for _, l := range lines {
			w.WriteString(l)
			w.WriteString("\r\n")
		}
		return w.Flush() == nil
	}
	var (
		greeted, authed bool
		from            *string
		rcpts           []string
	)
	reset := func() { from, rcpts = nil, nil }
	if !reply("220 127.0.0.1 smtptest ESMTP ready") {
		return
	}
	for {
		line, err := readLine(r)
		if errors.Is(err, errLineTooLong) {
			if !reply("500 5.5.2 line too long") {
				return
			}
			continue
		}
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		switch verb {
		case "EHLO":
			if arg == "" {
				reply("501 5.5.4 EHLO needs a domain")
				continue
			}
			greeted = true
			reset()
			lines := []string{"250-127.0.0.1 greets " + arg, "250-8BITMIME", "250-ENHANCEDSTATUSCODES", fmt.Sprintf("250-SIZE %d", MaxMessageSize)}
			if s.user != "" {
				lines = append(lines, "250-AUTH PLAIN")
			}
			reply(append(lines, "250 HELP")...)
		case "HELO":
			if arg == "" {
				reply("501 5.5.4 HELO needs a domain")
				continue
			}
			greeted = true
			reset()
			reply("250 127.0.0.1")
		case "AUTH":
			mech, initial, _ := strings.Cut(arg, " ")
			switch {
			case s.user == "":
				reply("502 5.5.1 AUTH not offered")
			case !greeted:
				reply("503 5.5.1 EHLO first")
			case authed:
				reply("503 5.5.1 already authenticated")
			case !strings.EqualFold(mech, "PLAIN"):
				reply("504 5.5.4 only PLAIN is supported")
			default:
				if initial == "" {
					if !reply("334 ") {
						return
					}
					if initial, err = readLine(r); err != nil {
						return
					}
				}
				if initial == "*" {
					reply("501 5.0.0 authentication cancelled")
					continue
				}
				if s.checkPlain(initial) {
					authed = true
					reply("235 2.7.0 authentication succeeded")
				} else {
					reply("535 5.7.8 authentication credentials invalid")
				}
			}
		case "MAIL":
			addr, ok := pathArg(arg, "FROM:")
			switch {
			case !greeted:
				reply("503 5.5.1 EHLO or HELO first")
			case s.user != "" && !authed:
				reply("530 5.7.0 authentication required")
			case from != nil:
				reply("503 5.5.1 nested MAIL command")
			case !ok:
				reply("501 5.5.4 syntax: MAIL FROM:<address>")
			default:
				from = &addr
				reply("250 2.1.0 OK")
			}
		case "RCPT":
			addr, ok := pathArg(arg, "TO:")
			switch {
			case from == nil:
				reply("503 5.5.1 MAIL first")
			case !ok || addr == "":
				reply("501 5.5.4 syntax: RCPT TO:<address>")
			case len(rcpts) >= maxRecipients:
				reply("452 4.5.3 too many recipients")
			case s.isRejected(addr):
				reply("550 5.1.1 no such mailbox: " + addr)
			default:
				rcpts = append(rcpts, addr)
				reply("250 2.1.5 OK")
			}
		case "DATA":
			if from == nil || len(rcpts) == 0 {
				reply("503 5.5.1 MAIL and RCPT first")
				continue
			}
			if !reply("354 end data with <CR><LF>.<CR><LF>") {
				return
			}
			data, err := readData(r)
			switch {
			case errors.Is(err, errTooLarge):
				reply("552 5.3.4 message too large")
			case err != nil:
				return
			case s.takeFailure():
				reply("451 4.3.0 temporary failure (smtptest FailNext)")
			default:
				m, perr := ParseMessage(data)
				if perr != nil {
					// Kept all the same: a test may want to see what a client sent.
					m = Message{Data: data, ParseErr: perr}
				}
				m.From, m.To, m.ReceivedAt = *from, rcpts, time.Now()
				s.record(m)
				reply("250 2.0.0 OK queued")
			}
			reset()
		case "RSET":
			reset()
			reply("250 2.0.0 OK")
		case "NOOP":
			reply("250 2.0.0 OK")
		case "VRFY":
			reply("252 2.5.0 cannot verify, will attempt delivery")
		case "QUIT":
			reply("221 2.0.0 bye")
			return
		case "STARTTLS":
			reply("502 5.5.1 STARTTLS not offered: use tls=none")
		default:
			reply("500 5.5.2 command not recognised")
		}
	}
}

// checkPlain checks a base64 AUTH PLAIN response: authzid NUL user NUL password.
func (s *Server) checkPlain(b64 string) bool {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return false
	}
	parts := bytes.Split(raw, []byte{0})
	return len(parts) == 3 && string(parts[1]) == s.user && string(parts[2]) == s.password
}

// pathArg reads "FROM:<addr> [params]" (or TO:); the null path <> is
// allowed for MAIL.
func pathArg(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimLeft(arg[len(prefix):], " ")
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", false
	}
	addr := rest[1:end]
	if strings.ContainsAny(addr, " <") {
		return "", false
	}
	return addr, true
}

var (
	errLineTooLong = errors.New("line too long")
	errTooLarge    = errors.New("message too large")
)

// readLine reads one CRLF- (or LF-) terminated line without its end. A line
// longer than maxLine is consumed and reported with errLineTooLong.
func readLine(r *bufio.Reader) (string, error) {
	b, err := r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = r.ReadSlice('\n')
		}
		if err != nil {
			return "", err
		}
		return "", errLineTooLong
	}
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// readData reads message content up to the line holding a lone dot,
// removing the dot that RFC 5321 section 4.5.2 adds before lines starting
// with one. Lines end with CRLF in the result. Past MaxMessageSize it keeps
// reading to the end but returns errTooLarge.
func readData(r *bufio.Reader) ([]byte, error) {
	var (
		buf                bytes.Buffer
		line               []byte
		tooLarge, overlong bool
	)
	for {
		chunk, err := r.ReadSlice('\n')
		if !overlong {
			line = append(line, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			if len(line) > MaxMessageSize {
				// Dropped, but still read to its end: it cannot be the final dot.
				tooLarge, overlong, line = true, true, line[:0]
			}
			continue // the rest of a long line
		}
		if err != nil {
			return nil, err
		}
		if overlong {
			overlong = false
			continue
		}
		text := bytes.TrimRight(line, "\r\n")
		line = line[:0]
		if string(text) == "." {
			break
		}
		if tooLarge {
			continue
		}
		if len(text) > 0 && text[0] == '.' {
			text = text[1:]
		}
		buf.Write(text)
		buf.WriteString("\r\n")
		if buf.Len() > MaxMessageSize {
			tooLarge = true
			buf.Reset()
		}
	}
	if tooLarge {
		return nil, errTooLarge
	}
	return buf.Bytes(), nil
}

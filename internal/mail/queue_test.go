package mail

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/jobs"
	"github.com/sceau/sceau/internal/mail/smtptest"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
)

// discard is an Enqueuer that stores nothing.
type discard struct{}

func (discard) EnqueueJob(context.Context, *store.Job) error            { return nil }
func (discard) EnqueueJobTx(context.Context, *sql.Tx, *store.Job) error { return nil }

type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// pipeline is the production wiring in small: store, mailer, runner, sender.
func pipeline(t *testing.T, db *store.DB, s Sender, log *logBuffer) (*Mailer, *jobs.Runner) {
	t.Helper()
	r := jobs.New(db, jobs.Options{Workers: 2, PollInterval: 20 * time.Millisecond, Lease: time.Minute,
		Backoff: func(int) time.Duration { return 30 * time.Millisecond },
		Logger:  slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	r.Handle(JobKind, Handler(s))
	tpl, err := LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	// Many attempts: at 30 ms apart, the default would run out during a
	// test's outage.
	m, err := NewMailer(db, tpl, Config{From: Address{Name: "Sceau", Email: "no-reply@sceau.example"}, Notify: r.Notify, MaxAttempts: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return m, r
}

func run(t *testing.T, r *jobs.Runner) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// An award e-mail queued while the SMTP server is down is retried and
// delivered once it is back; so are messages queued before a restart of the
// process. None is lost, none is sent twice.
func TestQueuedMailSurvivesOutageAndRestart(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := smtptest.Start(t)
		var log logBuffer
		mailer, runner := pipeline(t, db, sender(t, srv), &log)
		srv.Close() // the SMTP server is down

		var sent []*Message
		for i, to := range []string{"ana@example.org", "bob@example.org", "chloé@example.org"} {
			lang := []string{"fr", "en", "fr"}[i]
			m, err := mailer.Enqueue(ctx, Address{Email: to}, lang, award)
			if err != nil {
				t.Fatal(err)
			}
			sent = append(sent, m)
		}
		// The process stops before anything was sent…
		stop := run(t, runner)
		deadline := time.Now().Add(10 * time.Second)
		for {
			jobsList, err := db.ListJobs(ctx, store.JobFilter{Kind: JobKind})
			if err != nil {
				t.Fatal(err)
			}
			retried := 0
			for _, j := range jobsList {
				if j.Attempts >= 2 {
					retried++
				}
			}
			if retried == len(sent) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("jobs not retried: %+v", jobsList)
			}
			time.Sleep(10 * time.Millisecond)
		}
		stop()
		if n := len(srv.Messages()); n != 0 {
			t.Fatalf("%d messages received while the server was down", n)
		}
		// …and a new process starts, with the server back.
		srv.Restart()
		_, runner2 := pipeline(t, db, sender(t, srv), &log)
		run(t, runner2)
		for _, m := range sent {
			got, err := srv.WaitFor(10*time.Second, smtptest.To(m.To.Email))
			if err != nil {
				all, _ := db.ListJobs(ctx, store.JobFilter{})
				for _, j := range all {
					t.Logf("job %s: %s, %d attempts, run at %v, error %q", j.ID, j.State, j.Attempts, j.RunAt, j.LastError)
				}
				t.Fatalf("%s: %v", m.To.Email, err)
			}
			if got.Header.Get("Message-Id") != "<"+m.MessageID+">" || got.Subject != m.Subject {
				t.Errorf("%s: received %s %q", m.To.Email, got.Header.Get("Message-Id"), got.Subject)
			}
		}
		waitCount(t, db, store.JobDone, len(sent))
		if n := len(srv.Messages()); n != len(sent) {
			t.Errorf("%d messages received, want %d", n, len(sent))
		}
		if strings.Contains(log.String(), "tok_3fj29XkQ") {
			t.Errorf("the log shows a claim token:\n%s", log.String())
		}
	})
}

func waitCount(t *testing.T, db *store.DB, state store.JobState, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		counts, err := db.CountJobs(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if counts[state] == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("job counts %v, want %d %s", counts, want, state)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestQueuedMailTemporaryFailures(t *testing.T) {
	db := storetest.SQLite(t)
	srv := smtptest.Start(t)
	srv.FailNext(2)
	var log logBuffer
	mailer, runner := pipeline(t, db, sender(t, srv), &log)
	run(t, runner)
	m, err := mailer.Enqueue(context.Background(), Address{Email: "ana@example.org"}, "en", PasswordReset{ResetURL: "https://sceau.example/reset/r"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := srv.WaitFor(10*time.Second, smtptest.To("ana@example.org"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "Reset your password" || got.Header.Get("Message-Id") != "<"+m.MessageID+">" {
		t.Fatalf("received %q %s", got.Subject, got.Header.Get("Message-Id"))
	}
	waitCount(t, db, store.JobDone, 1)
	jobsList, _ := db.ListJobs(context.Background(), store.JobFilter{})
	if j := jobsList[0]; j.Attempts != 3 || string(j.Payload) != "{}" {
		t.Errorf("done job: %d attempts, payload %s; want 3 and cleared", j.Attempts, j.Payload)
	}
	if n := strings.Count(log.String(), "will retry"); n != 2 {
		t.Errorf("%d retries logged, want 2", n)
	}
}

func TestQueuedMailRejectedFailsAtOnce(t *testing.T) {
	db := storetest.SQLite(t)
	srv := smtptest.Start(t)
	srv.RejectRecipient("gone@example.org")
	var log logBuffer
	mailer, runner := pipeline(t, db, sender(t, srv), &log)
	run(t, runner)
	if _, err := mailer.Enqueue(context.Background(), Address{Email: "gone@example.org"}, "fr", award); err != nil {
		t.Fatal(err)
	}
	waitCount(t, db, store.JobFailed, 1)
	j, _ := db.ListJobs(context.Background(), store.JobFilter{State: store.JobFailed})
	if j[0].Attempts != 1 || !strings.Contains(j[0].LastError, "550") {
		t.Errorf("failed job: attempts %d, error %q", j[0].Attempts, j[0].LastError)
	}
}

// EnqueueTx: the e-mail exists only if the caller's transaction commits.
func TestEnqueueTx(t *testing.T) {
	db := storetest.SQLite(t)
	var log logBuffer
	mailer, _ := pipeline(t, db, nil, &log)
	ctx := context.Background()
	for _, commit := range []bool{false, true} {
		tx, err := db.SQL().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := mailer.EnqueueTx(ctx, tx, Address{Email: "ana@example.org"}, "fr", award); err != nil {
			t.Fatal(err)
		}
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	counts, err := db.CountJobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts[store.JobQueued] != 1 {
		t.Fatalf("counts %v, want the committed e-mail only", counts)
	}
	j, _ := db.ListJobs(ctx, store.JobFilter{})
	var m Message
	if err := json.Unmarshal(j[0].Payload, &m); err != nil || m.To.Email != "ana@example.org" || m.Language != "fr" || !strings.Contains(m.Text, award.ClaimURL) {
		t.Fatalf("payload %s (%v)", j[0].Payload, err)
	}
}

func TestHandlerBadPayloadIsPermanent(t *testing.T) {
	err := Handler(&Outbox{dir: t.TempDir(), log: slog.Default()})(context.Background(), []byte(`{"to":`))
	if !jobs.IsPermanent(err) {
		t.Fatalf("error %v, want permanent", err)
	}
}

func TestOutbox(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "outbox")
	var log logBuffer
	o, err := NewOutbox(dir, slog.New(slog.NewTextHandler(&log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), dir) {
		t.Errorf("the log does not say where the outbox is:\n%s", log.String())
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("outbox dir: %v %v", fi.Mode(), err)
	}
	c := composer(t)
	for _, lang := range Languages {
		msg, err := c.Compose(Address{Name: "Léa Dupré", Email: "lea@example.org"}, lang, award)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // a retried message replaces its copy
			if err := o.Send(context.Background(), msg); err != nil {
				t.Fatal(err)
			}
		}
		want := filepath.Join(dir, "20260301T093000Z-"+fileSafe(msg.MessageID)+".eml")
		if !strings.Contains(log.String(), want) {
			t.Errorf("the log does not name %s", want)
		}
		data, err := os.ReadFile(want)
		if err != nil {
			t.Fatal(err)
		}
		got, err := smtptest.ParseMessage(data)
		if err != nil {
			t.Fatal(err)
		}
		if got.Subject != msg.Subject || got.Text != msg.Text || got.HTML != msg.HTML ||
			!strings.HasPrefix(got.Header.Get("Content-Type"), "multipart/alternative;") ||
			got.Header.Get("Content-Language") != lang {
			t.Errorf("%s: .eml does not hold the message: subject %q", lang, got.Subject)
		}
		if !bytes.Contains(data, []byte("\r\n")) {
			t.Errorf(".eml lines do not end with CRLF")
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("outbox holds %d files, want 2 (no temporary files)", len(entries))
	}
}

func TestMessageValidate(t *testing.T) {
	good := Message{MessageID: "a@b", Date: time.Unix(1, 0), From: Address{Email: "f@example.org"}, To: Address{Email: "t@example.org"},
		Subject: "s", Text: "t", Language: "fr"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func(*Message)
	}{
		{"no to", func(m *Message) { m.To.Email = "" }},
		{"to with name", func(m *Message) { m.To.Email = "Ana <a@example.org>" }},
		{"to not an address", func(m *Message) { m.To.Email = "ana" }},
		{"name with newline", func(m *Message) { m.To.Name = "Ana\r\nBcc: x@y" }},
		{"subject with newline", func(m *Message) { m.Subject = "a\nb" }},
		{"no subject", func(m *Message) { m.Subject = "" }},
		{"no text", func(m *Message) { m.Text = "" }},
		{"huge text", func(m *Message) { m.Text = strings.Repeat("a", maxBody+1) }},
		{"bad message id", func(m *Message) { m.MessageID = "<a@b>" }},
		{"no date", func(m *Message) { m.Date = time.Time{} }},
		{"bad reply-to", func(m *Message) { m.ReplyTo = &Address{Email: "x"} }},
		{"bad language", func(m *Message) { m.Language = "fr\r\nX: y" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := good
			tc.edit(&m)
			if err := m.Validate(); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

package webhooks

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/fetch"
	"github.com/sceau/sceau/internal/jobs"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
)

// plainPoster posts with a plain client: the tests' endpoints are on
// loopback. The SSRF-safe client's own behaviour is TestSSRFRefused's.
type plainPoster struct{}

func (plainPoster) Post(ctx context.Context, url, contentType string, body []byte, headers http.Header) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header = headers.Clone()
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// receiver is an endpoint that answers the statuses given in turn (then
// 200), verifying every delivery's signature.
type receiver struct {
	t        *testing.T
	secret   string
	mu       sync.Mutex
	statuses []int
	got      []received
	srv      *httptest.Server
}

type received struct {
	body          []byte
	event, id     string
	signatureErr  error
	contentType   string
	signatureTime string
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{t: t, statuses: statuses}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		sig := req.Header.Get(HeaderSignature)
		r.got = append(r.got, received{body: body, event: req.Header.Get(HeaderEvent), id: req.Header.Get(HeaderEventID),
			signatureErr: Verify(r.secret, sig, body, time.Now(), DefaultTolerance), contentType: req.Header.Get("Content-Type"),
			signatureTime: sig})
		status := http.StatusOK
		if len(r.statuses) > 0 {
			status, r.statuses = r.statuses[0], r.statuses[1:]
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) deliveries() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

type env struct {
	db  *store.DB
	iss *badge.Issuer
	em  *Emitter
	d   *Deliverer
}

func newEnv(t *testing.T, db *store.DB) *env {
	ctx := context.Background()
	iss := &badge.Issuer{Slug: "formation", Name: "Formation", URL: "https://formation.example", Language: "fr"}
	if err := db.CreateIssuer(ctx, iss); err != nil {
		t.Fatal(err)
	}
	return &env{db: db, iss: iss,
		em: NewEmitter(db, EmitterOptions{BaseURL: "https://badges.example/"}),
		d:  NewDeliverer(db, plainPoster{}, DelivererOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})}
}

func (e *env) hook(t *testing.T, url string, events ...string) *store.Webhook {
	secret, err := NewSecret(nil)
	if err != nil {
		t.Fatal(err)
	}
	w := &store.Webhook{IssuerID: e.iss.ID, URL: url, Secret: secret, Events: events}
	if err := e.db.CreateWebhook(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	return w
}

func (e *env) deliveryJobs(t *testing.T) []*store.Job {
	js, err := e.db.ListJobs(context.Background(), store.JobFilter{Kind: KindDeliver})
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func sampleAward(issuerID string) *badge.Award {
	return &badge.Award{ID: "0b7d3f0e-4a8b-4c1d-9e2f-3a4b5c6d7e8f", BadgeID: "b1", IssuerID: issuerID, Status: badge.StatusRevoked,
		StatusReason: "erreur", Recipient: badge.Recipient{Email: "marie@exemple.ca", Name: "Marie"},
		AwardedAt: time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)}
}

func TestRetriesThenSuccess(t *testing.T) { storetest.ForEach(t, testRetriesThenSuccess) }

// An endpoint failing twice with 500 gets the same signed event three
// times; the job is done after the third, and the webhook shows 200.
func testRetriesThenSuccess(t *testing.T, db *store.DB) {
	ctx := context.Background()
	e := newEnv(t, db)
	rcv := newReceiver(t, 500, 503)
	h := e.hook(t, rcv.srv.URL+"/sceau", store.EventAwardRevoked)
	rcv.secret = h.Secret
	e.hook(t, rcv.srv.URL+"/claims-only", store.EventAwardClaimed)

	if err := e.em.EmitAward(ctx, nil, store.EventAwardRevoked, sampleAward(e.iss.ID)); err != nil {
		t.Fatal(err)
	}
	js := e.deliveryJobs(t)
	if len(js) != 1 {
		t.Fatalf("%d jobs queued, want 1 (one subscriber)", len(js))
	}
	r := jobs.New(db, jobs.Options{PollInterval: 10 * time.Millisecond, Backoff: func(int) time.Duration { return 0 },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	e.d.Register(r)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(runCtx) }()
	defer func() { cancel(); <-done }()

	deadline := time.Now().Add(10 * time.Second)
	var job *store.Job
	for {
		var err error
		if job, err = db.GetJob(ctx, js[0].ID); err != nil {
			t.Fatal(err)
		}
		if job.State == store.JobDone || job.State == store.JobFailed || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if job.State != store.JobDone || job.Attempts != 3 {
		t.Fatalf("job %s after %d attempts (%s), want done after 3", job.State, job.Attempts, job.LastError)
	}
	got := rcv.deliveries()
	if len(got) != 3 {
		t.Fatalf("%d deliveries, want 3", len(got))
	}
	for i, d := range got {
		if d.signatureErr != nil {
			t.Errorf("delivery %d: signature: %v", i, d.signatureErr)
		}
		if !bytes.Equal(d.body, got[0].body) || d.id != got[0].id || d.event != store.EventAwardRevoked || d.contentType != "application/json" {
			t.Errorf("delivery %d differs: %s %s %s", i, d.id, d.event, d.body)
		}
	}
	var ev struct {
		Event
		Data AwardData `json:"data"`
	}
	if err := json.Unmarshal(got[0].body, &ev); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ev.ID, "evt_") || ev.ID != got[0].id || ev.Type != store.EventAwardRevoked || ev.Issuer != e.iss.ID ||
		ev.Data.Award.Status != "revoked" || ev.Data.Award.URL != "https://badges.example/awards/0b7d3f0e-4a8b-4c1d-9e2f-3a4b5c6d7e8f" ||
		ev.Data.Award.API != "https://badges.example/api/v1/awards/0b7d3f0e-4a8b-4c1d-9e2f-3a4b5c6d7e8f" || ev.Data.Award.Recipient.Email != "marie@exemple.ca" {
		t.Errorf("event: %s", got[0].body)
	}
	w, _ := db.GetWebhook(ctx, h.ID)
	if w.LastStatus != 200 || w.LastError != "" || w.LastDeliveryAt == nil {
		t.Errorf("webhook record: %d %q %v", w.LastStatus, w.LastError, w.LastDeliveryAt)
	}
}

func TestDeliveryOutcomes(t *testing.T) { storetest.ForEach(t, testDeliveryOutcomes) }

func testDeliveryOutcomes(t *testing.T, db *store.DB) {
	ctx := context.Background()
	e := newEnv(t, db)
	for _, tc := range []struct {
		name      string
		status    int
		delete    bool
		wantErr   bool
		permanent bool
		record    int
	}{
		{"2xx", 204, false, false, false, 204},
		{"500 retried", 500, false, true, false, 500},
		{"429 retried", 429, false, true, false, 429},
		{"410 gone for good", 410, false, true, true, 410},
		{"deleted webhook for good", 200, true, true, true, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rcv := newReceiver(t, tc.status)
			h := e.hook(t, rcv.srv.URL, store.EventAwardClaimed)
			rcv.secret = h.Secret
			if err := e.em.Emit(ctx, nil, e.iss.ID, store.EventAwardClaimed, map[string]string{"x": "y"}); err != nil {
				t.Fatal(err)
			}
			job := e.deliveryJobs(t)[0]
			if tc.delete {
				db.DeleteWebhook(ctx, e.iss.ID, h.ID)
			}
			err := e.d.Handle(ctx, job.Payload)
			if (err != nil) != tc.wantErr || jobs.IsPermanent(err) != tc.permanent {
				t.Fatalf("Handle = %v (permanent %v)", err, jobs.IsPermanent(err))
			}
			if !tc.delete {
				w, _ := db.GetWebhook(ctx, h.ID)
				if w.LastStatus != tc.record {
					t.Errorf("recorded status %d, want %d", w.LastStatus, tc.record)
				}
				db.DeleteWebhook(ctx, e.iss.ID, h.ID)
			}
		})
	}
	if err := e.d.Handle(ctx, []byte(`{"nonsense":true}`)); !jobs.IsPermanent(err) {
		t.Errorf("malformed payload: %v", err)
	}
}

func TestEmitInTransaction(t *testing.T) { storetest.ForEach(t, testEmitInTransaction) }

// Events emitted in a transaction exist only if it commits; OnAward emits
// award.created for new awards only (not for re-sent announcements).
func testEmitInTransaction(t *testing.T, db *store.DB) {
	ctx := context.Background()
	e := newEnv(t, db)
	e.hook(t, "https://lms.example/hook", store.EventAwardCreated)
	a := sampleAward(e.iss.ID)
	var announced int
	hook := e.em.OnAward(func(context.Context, *sql.Tx, *badge.Award, string, string) error { announced++; return nil })

	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := hook(ctx, tx, a, "Badge", "Org"); err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	if n := len(e.deliveryJobs(t)); n != 0 {
		t.Fatalf("%d jobs after rollback", n)
	}
	tx, _ = db.SQL().BeginTx(ctx, nil)
	if err := hook(ctx, tx, a, "Badge", "Org"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := len(e.deliveryJobs(t)); n != 1 {
		t.Fatalf("%d jobs after commit, want 1", n)
	}
	if err := hook(ctx, nil, a, "Badge", "Org"); err != nil {
		t.Fatal(err)
	}
	if n := len(e.deliveryJobs(t)); n != 1 || announced != 3 {
		t.Fatalf("re-send: %d jobs (want 1), %d announcements (want 3)", n, announced)
	}
	if err := e.em.OnAward(nil)(ctx, nil, a, "", ""); err != nil {
		t.Fatal(err)
	}
}

// TestSSRFRefused delivers to loopback and to the metadata address
// through the SSRF-safe client without an allow-list: refused for good.
// It runs once internal/fetch's Client has the Post method this package
// needs (see Poster).
func TestSSRFRefused(t *testing.T) { storetest.ForEach(t, testSSRFRefused) }

func testSSRFRefused(t *testing.T, db *store.DB) {
	p, ok := any(fetch.New(fetch.Options{Timeout: 2 * time.Second})).(Poster)
	if !ok {
		t.Skip("fetch.Client has no Post method yet: the SSRF-safe Poster is not available")
	}
	ctx := context.Background()
	e := newEnv(t, db)
	e.d = NewDeliverer(db, p, DelivererOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	rcv := newReceiver(t)
	for _, url := range []string{"https://" + strings.TrimPrefix(rcv.srv.URL, "http://") + "/hook", "https://169.254.169.254/latest/meta-data/", rcv.srv.URL} {
		h := e.hook(t, url, store.EventAwardClaimed)
		if err := e.em.Emit(ctx, nil, e.iss.ID, store.EventAwardClaimed, map[string]int{"n": 1}); err != nil {
			t.Fatal(err)
		}
		err := e.d.Handle(ctx, e.deliveryJobs(t)[0].Payload)
		if !jobs.IsPermanent(err) || !(errors.Is(err, fetch.ErrBlocked) || errors.Is(err, fetch.ErrScheme)) {
			t.Errorf("%s: %v, want a permanent ErrBlocked or ErrScheme", url, err)
		}
		w, _ := db.GetWebhook(ctx, h.ID)
		if w.LastStatus != 0 || w.LastError == "" {
			t.Errorf("%s: recorded %d %q", url, w.LastStatus, w.LastError)
		}
		db.DeleteWebhook(ctx, e.iss.ID, h.ID)
	}
	if n := len(rcv.deliveries()); n != 0 {
		t.Errorf("the loopback endpoint received %d deliveries", n)
	}
}

func TestCheckURL(t *testing.T) {
	allowed := func(host, port string) bool { return host == "hooks.intranet" || host == "127.0.0.1" && port == "8080" }
	for _, tc := range []struct {
		url  string
		code string
	}{
		{"https://lms.example.org/hooks/sceau?x=1", ""},
		{"https://203.0.113.9/hook", ""},
		{"http://hooks.intranet/in", ""},
		{"http://127.0.0.1:8080/in", ""},
		{"", "webhook.url_required"},
		{"https://x.example/" + strings.Repeat("a", store.MaxWebhookURL), "webhook.url_too_long"},
		{"http://lms.example.org/hooks", "webhook.url_https"},
		{"ftp://lms.example.org/hooks", "webhook.url_invalid"},
		{"/relative", "webhook.url_invalid"},
		{"https://user:pw@lms.example.org/", "webhook.url_invalid"},
		{"https://lms.example.org/#frag", "webhook.url_invalid"},
		{"https://127.0.0.1/hook", "webhook.url_private"},
		{"https://127.0.0.1:9090/hook", "webhook.url_private"},
		{"https://169.254.169.254/latest/meta-data", "webhook.url_private"},
		{"https://10.0.0.8/in", "webhook.url_private"},
		{"https://[::1]/in", "webhook.url_private"},
		{"https://[::ffff:127.0.0.1]/in", "webhook.url_private"},
		{"https://localhost/in", "webhook.url_private"},
		{"https://app.localhost/in", "webhook.url_private"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			err := CheckURL(tc.url, allowed)
			if badge.ErrorCode(err) != tc.code {
				t.Errorf("CheckURL = %v, want code %q", err, tc.code)
			}
			if tc.code != "" && badge.ErrorKind(err) != badge.Invalid {
				t.Errorf("kind %s", badge.ErrorKind(err))
			}
		})
	}
}

func TestNewSecret(t *testing.T) {
	a, err := NewSecret(nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewSecret(nil)
	if !strings.HasPrefix(a, "whsec_") || len(a) != 6+43 || a == b {
		t.Errorf("secrets %q %q", a, b)
	}
	if _, err := NewSecret(strings.NewReader("short")); err == nil {
		t.Error("short random source accepted")
	}
}

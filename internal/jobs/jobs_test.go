package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
)

// syncBuffer collects log output from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fastOptions retry at once and poll often, so tests are quick; the log
// goes to buf.
func fastOptions(buf *syncBuffer) Options {
	return Options{
		Workers:      2,
		PollInterval: 10 * time.Millisecond,
		Lease:        time.Minute,
		Backoff:      func(int) time.Duration { return 0 },
		Logger:       slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

// start runs r until the test ends (or stop is called) and returns stop,
// which waits for Run to return.
func start(t *testing.T, r *Runner) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Error("Run did not return after cancel")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// waitState waits until the job reaches state.
func waitState(t *testing.T, db *store.DB, id string, state store.JobState) *store.Job {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		j, err := db.GetJob(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == state {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s is %s after 10 s (attempts %d, last error %q), want %s", id, j.State, j.Attempts, j.LastError, state)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func enqueue(t *testing.T, db *store.DB, kind, payload string, maxAttempts int) *store.Job {
	t.Helper()
	j := &store.Job{Kind: kind, Payload: json.RawMessage(payload), MaxAttempts: maxAttempts}
	if err := db.EnqueueJob(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	return j
}

const secretPayload = `{"claim":"SECRET-TOKEN-123"}`

func TestRetryThenSuccess(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		var buf syncBuffer
		r := New(db, fastOptions(&buf))
		var calls atomic.Int32
		r.Handle("test.flaky", func(ctx context.Context, payload []byte) error {
			if string(payload) != secretPayload {
				t.Errorf("payload = %s", payload)
			}
			if calls.Add(1) < 3 {
				return errors.New("451 server busy")
			}
			return nil
		})
		j := enqueue(t, db, "test.flaky", secretPayload, 5)
		start(t, r)
		got := waitState(t, db, j.ID, store.JobDone)
		if got.Attempts != 3 || calls.Load() != 3 {
			t.Fatalf("done after %d attempts, %d calls; want 3", got.Attempts, calls.Load())
		}
		log := buf.String()
		if strings.Contains(log, "SECRET-TOKEN") {
			t.Errorf("the log shows the payload:\n%s", log)
		}
		if strings.Count(log, "will retry") != 2 || !strings.Contains(log, "job done") {
			t.Errorf("log lacks the retries or the success:\n%s", log)
		}
	})
}

func TestFailureAfterMaxAttempts(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		var buf syncBuffer
		r := New(db, fastOptions(&buf))
		var calls atomic.Int32
		r.Handle("test.broken", func(ctx context.Context, payload []byte) error {
			return fmt.Errorf("attempt %d: connection refused", calls.Add(1))
		})
		j := enqueue(t, db, "test.broken", secretPayload, 3)
		start(t, r)
		got := waitState(t, db, j.ID, store.JobFailed)
		if got.Attempts != 3 || got.LastError != "attempt 3: connection refused" {
			t.Fatalf("failed job: attempts %d, last error %q", got.Attempts, got.LastError)
		}
		time.Sleep(50 * time.Millisecond) // several polls: no further attempt
		if n := calls.Load(); n != 3 {
			t.Fatalf("handler called %d times, want 3", n)
		}
		if log := buf.String(); !strings.Contains(log, "job failed for good") || strings.Contains(log, "SECRET-TOKEN") {
			t.Errorf("log:\n%s", log)
		}
	})
}

func TestPermanentAndPanic(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		var buf syncBuffer
		r := New(db, fastOptions(&buf))
		var permCalls, panicCalls atomic.Int32
		r.Handle("test.permanent", func(ctx context.Context, payload []byte) error {
			permCalls.Add(1)
			return Permanent(errors.New("550 no such user"))
		})
		r.Handle("test.panic", func(ctx context.Context, payload []byte) error {
			if panicCalls.Add(1) == 1 {
				panic("boom")
			}
			return nil
		})
		perm := enqueue(t, db, "test.permanent", `{}`, 5)
		pan := enqueue(t, db, "test.panic", `{}`, 5)
		start(t, r)
		got := waitState(t, db, perm.ID, store.JobFailed)
		if got.Attempts != 1 || permCalls.Load() != 1 || got.LastError != "550 no such user" {
			t.Fatalf("permanent failure: attempts %d, calls %d, error %q", got.Attempts, permCalls.Load(), got.LastError)
		}
		if got := waitState(t, db, pan.ID, store.JobDone); got.Attempts != 2 {
			t.Fatalf("panicking job done after %d attempts, want 2", got.Attempts)
		}
	})
}

// A job whose worker died (its lease taken but never finished) and jobs
// enqueued while no runner ran are done once a runner starts again.
func TestRestartPicksUpUnfinishedJobs(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now()
		var mu sync.Mutex
		db.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })

		orphan := enqueue(t, db, "test.work", `{"n":1}`, 5)
		claimed, err := db.ClaimJob(ctx, []string{"test.work"}, time.Minute) // then the process is killed
		if err != nil || claimed.ID != orphan.ID {
			t.Fatalf("claim: %v, %v", claimed, err)
		}
		waiting := enqueue(t, db, "test.work", `{"n":2}`, 5)

		var buf syncBuffer
		r := New(db, fastOptions(&buf))
		var seen sync.Map
		r.Handle("test.work", func(ctx context.Context, payload []byte) error {
			seen.Store(string(payload), true)
			return nil
		})
		start(t, r)
		waitState(t, db, waiting.ID, store.JobDone)
		if j, _ := db.GetJob(ctx, orphan.ID); j.State != store.JobRunning {
			t.Fatalf("orphan is %s before its lease ended, want running", j.State)
		}
		mu.Lock()
		now = now.Add(time.Minute)
		mu.Unlock()
		got := waitState(t, db, orphan.ID, store.JobDone)
		if got.Attempts != 2 {
			t.Errorf("orphan done after %d attempts, want 2", got.Attempts)
		}
		for _, p := range []string{`{"n":1}`, `{"n":2}`} {
			if _, ok := seen.Load(p); !ok {
				t.Errorf("handler never saw %s", p)
			}
		}
	})
}

// Stopping waits for the jobs under way, which finish and are recorded.
func TestStopWaitsForRunningJobs(t *testing.T) {
	db := storetest.SQLite(t)
	var buf syncBuffer
	r := New(db, fastOptions(&buf))
	started := make(chan struct{})
	r.Handle("test.slow", func(ctx context.Context, payload []byte) error {
		close(started)
		time.Sleep(200 * time.Millisecond)
		return ctx.Err() // the job's context outlives the runner's
	})
	j := enqueue(t, db, "test.slow", `{}`, 3)
	stop := start(t, r)
	<-started
	t0 := time.Now()
	stop()
	if d := time.Since(t0); d < 100*time.Millisecond {
		t.Errorf("Run returned after %v, before the running job ended", d)
	}
	got, err := db.GetJob(context.Background(), j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != store.JobDone {
		t.Fatalf("job is %s after stop (error %q), want done", got.State, got.LastError)
	}
}

func TestNotifyWakesIdleWorker(t *testing.T) {
	db := storetest.SQLite(t)
	var buf syncBuffer
	opts := fastOptions(&buf)
	opts.PollInterval = time.Hour
	r := New(db, opts)
	done := make(chan struct{}, 1)
	r.Handle("test.ping", func(ctx context.Context, payload []byte) error { done <- struct{}{}; return nil })
	start(t, r)
	time.Sleep(50 * time.Millisecond) // the workers' first look finds nothing; they sleep for an hour
	enqueue(t, db, "test.ping", `{}`, 1)
	r.Notify()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the notified runner did not run the job")
	}
}

func TestWorkersRunConcurrently(t *testing.T) {
	db := storetest.SQLite(t)
	var buf syncBuffer
	opts := fastOptions(&buf)
	opts.Workers = 3
	r := New(db, opts)
	var wg sync.WaitGroup
	wg.Add(3)
	all := make(chan struct{})
	go func() { wg.Wait(); close(all) }()
	r.Handle("test.barrier", func(ctx context.Context, payload []byte) error {
		wg.Done()
		select {
		case <-all: // all three jobs run at once
			return nil
		case <-time.After(5 * time.Second):
			return errors.New("the other jobs did not run alongside")
		}
	})
	var ids []string
	for range 3 {
		ids = append(ids, enqueue(t, db, "test.barrier", `{}`, 1).ID)
	}
	start(t, r)
	for _, id := range ids {
		waitState(t, db, id, store.JobDone)
	}
}

func TestRunErrors(t *testing.T) {
	db := storetest.SQLite(t)
	r := New(db, Options{})
	if err := r.Run(context.Background()); err == nil {
		t.Fatal("Run without handlers: no error")
	}
	r.Handle("a", func(context.Context, []byte) error { return nil })
	defer func() {
		if recover() == nil {
			t.Error("registering a kind twice did not panic")
		}
	}()
	r.Handle("a", func(context.Context, []byte) error { return nil })
}

func TestExponentialBackoff(t *testing.T) {
	for _, tc := range []struct {
		name    string
		random  float64
		attempt int
		want    time.Duration
	}{
		{"first, no jitter drawn", 0, 1, 15 * time.Second},
		{"first, most jitter", 0.999999, 1, 30 * time.Second},
		{"second", 0, 2, 30 * time.Second},
		{"fifth", 0.5, 5, 6 * time.Minute},
		{"capped", 0, 30, 3 * time.Hour},
		{"capped, large attempt", 0.5, 1000, 4*time.Hour + 30*time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ExponentialWith(30*time.Second, 6*time.Hour, func() float64 { return tc.random })(tc.attempt)
			if got.Round(time.Second) != tc.want {
				t.Fatalf("backoff(%d) = %v, want %v", tc.attempt, got, tc.want)
			}
		})
	}
	b := Exponential(time.Second, time.Minute)
	for range 100 {
		if d := b(3); d < 2*time.Second || d > 4*time.Second {
			t.Fatalf("jittered backoff(3) = %v, want within [2 s, 4 s]", d)
		}
	}
}

func TestPermanent(t *testing.T) {
	base := errors.New("550")
	wrapped := fmt.Errorf("send: %w", Permanent(base))
	if !IsPermanent(wrapped) || !errors.Is(wrapped, base) {
		t.Fatal("Permanent does not survive wrapping or hides its cause")
	}
	if IsPermanent(base) || Permanent(nil) != nil {
		t.Fatal("IsPermanent(plain error) or Permanent(nil) wrong")
	}
}

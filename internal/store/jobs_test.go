package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/badge"
)

// testClock is a clock tests move by hand; safe for concurrent use.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock(db *DB) *testClock {
	c := &testClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	db.SetClock(c.Now)
	return c
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func enqueue(t *testing.T, db *DB, j *Job) *Job {
	t.Helper()
	if err := db.EnqueueJob(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	return j
}

func claim(t *testing.T, db *DB, kinds ...string) *Job {
	t.Helper()
	j, err := db.ClaimJob(context.Background(), kinds, time.Minute)
	if err != nil {
		t.Fatalf("claim %v: %v", kinds, err)
	}
	return j
}

func wantNoJobDue(t *testing.T, db *DB, kinds ...string) {
	t.Helper()
	j, err := db.ClaimJob(context.Background(), kinds, time.Minute)
	if err == nil {
		t.Fatalf("claim %v: got %s, want none due", kinds, j)
	}
	wantKind(t, err, badge.NotFound, "job.none_due")
}

func TestJobLifecycle(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := newTestClock(db)
		j := enqueue(t, db, &Job{Kind: "mail.send", Payload: json.RawMessage(`{"to":"ana@example.org","token":"secret"}`)})
		if j.ID == "" || j.State != JobQueued || j.MaxAttempts != DefaultJobMaxAttempts || !j.RunAt.Equal(clock.Now()) {
			t.Fatalf("enqueued job = %+v", j)
		}
		got, err := db.GetJob(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if string(got.Payload) != `{"to":"ana@example.org","token":"secret"}` || got.State != JobQueued || got.Attempts != 0 {
			t.Fatalf("stored job = %+v", got)
		}

		wantNoJobDue(t, db, "other.kind")
		c := claim(t, db, "other.kind", "mail.send")
		if c.ID != j.ID || c.State != JobRunning || c.Attempts != 1 || c.LockedUntil == nil ||
			!c.LockedUntil.Equal(clock.Now().Add(time.Minute)) || string(c.Payload) != string(j.Payload) {
			t.Fatalf("claimed job = %+v", c)
		}
		wantNoJobDue(t, db, "mail.send") // leased

		clock.Advance(time.Second)
		if err := db.CompleteJob(ctx, c.ID, c.Attempts); err != nil {
			t.Fatal(err)
		}
		done, err := db.GetJob(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if done.State != JobDone || done.DoneAt == nil || !done.DoneAt.Equal(clock.Now()) || done.LockedUntil != nil ||
			strings.Contains(string(done.Payload), "secret") {
			t.Fatalf("done job = %+v (payload %s)", done, done.Payload)
		}
		wantNoJobDue(t, db, "mail.send")
		// Completing twice: the lease is gone.
		wantKind(t, db.CompleteJob(ctx, c.ID, c.Attempts), badge.Conflict, "job.lease_lost")
		wantKind(t, db.CompleteJob(ctx, "nosuchjob", 1), badge.NotFound, "job.not_found")
		wantKind(t, db.FailJob(ctx, "nosuchjob", 1, "x", clock.Now()), badge.NotFound, "job.not_found")
	})
}

func TestEnqueueJobInvalid(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		for _, tc := range []struct {
			name string
			job  Job
			code string
		}{
			{"no kind", Job{Payload: json.RawMessage(`{}`)}, "job.kind_required"},
			{"payload not JSON", Job{Kind: "k", Payload: json.RawMessage(`{"a":`)}, "job.payload_not_json"},
			{"payload too large", Job{Kind: "k", Payload: json.RawMessage(`"` + strings.Repeat("a", MaxJobPayload) + `"`)}, "job.payload_too_large"},
			{"negative attempts", Job{Kind: "k", MaxAttempts: -1}, "job.max_attempts_negative"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantKind(t, db.EnqueueJob(ctx, &tc.job), badge.Invalid, tc.code)
			})
		}
		j := enqueue(t, db, &Job{Kind: "k"})
		if string(j.Payload) != `{}` {
			t.Errorf("empty payload stored as %s, want {}", j.Payload)
		}
		wantKind(t, db.EnqueueJob(ctx, &Job{ID: j.ID, Kind: "k"}), badge.Conflict, "job.id_taken")
		if _, err := db.ClaimJob(ctx, nil, time.Minute); badge.ErrorKind(err) != badge.Invalid {
			t.Errorf("claim without kinds: %v, want invalid", err)
		}
		if _, err := db.ClaimJob(ctx, []string{"k"}, 0); badge.ErrorKind(err) != badge.Invalid {
			t.Errorf("claim with zero lease: %v, want invalid", err)
		}
	})
}

func TestEnqueueJobTx(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		errAbort := errors.New("abort")
		rolledBack := &Job{Kind: "mail.send"}
		err := db.inTx(ctx, func(tx *sql.Tx) error {
			if err := db.EnqueueJobTx(ctx, tx, rolledBack); err != nil {
				return err
			}
			return errAbort
		})
		if !errors.Is(err, errAbort) {
			t.Fatalf("inTx = %v", err)
		}
		if _, err := db.GetJob(ctx, rolledBack.ID); !badge.IsNotFound(err) {
			t.Fatalf("job of a rolled back transaction: %v, want not found", err)
		}
		committed := &Job{Kind: "mail.send"}
		if err := db.inTx(ctx, func(tx *sql.Tx) error { return db.EnqueueJobTx(ctx, tx, committed) }); err != nil {
			t.Fatal(err)
		}
		if c := claim(t, db, "mail.send"); c.ID != committed.ID {
			t.Fatalf("claimed %s, want %s", c.ID, committed.ID)
		}
	})
}

func TestClaimJobOrder(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		clock := newTestClock(db)
		now := clock.Now()
		later := enqueue(t, db, &Job{Kind: "k", RunAt: now.Add(time.Hour)})
		second := enqueue(t, db, &Job{Kind: "k", RunAt: now.Add(-time.Minute)})
		first := enqueue(t, db, &Job{Kind: "k", RunAt: now.Add(-time.Hour)})
		for _, want := range []*Job{first, second} {
			c := claim(t, db, "k")
			if c.ID != want.ID {
				t.Fatalf("claimed %s, want the oldest due %s", c.ID, want.ID)
			}
			if err := db.CompleteJob(context.Background(), c.ID, c.Attempts); err != nil {
				t.Fatal(err)
			}
		}
		wantNoJobDue(t, db, "k")
		clock.Advance(time.Hour)
		if c := claim(t, db, "k"); c.ID != later.ID {
			t.Fatalf("claimed %s once due, want %s", c.ID, later.ID)
		}
	})
}

func TestFailJobRetriesThenFails(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := newTestClock(db)
		j := enqueue(t, db, &Job{Kind: "k", MaxAttempts: 3})
		for attempt := 1; attempt <= 3; attempt++ {
			c := claim(t, db, "k")
			if c.ID != j.ID || c.Attempts != attempt {
				t.Fatalf("attempt %d: claimed %+v", attempt, c)
			}
			retryAt := clock.Now().Add(10 * time.Minute)
			if err := db.FailJob(ctx, c.ID, c.Attempts, fmt.Sprintf("451 try later (%d)", attempt), retryAt); err != nil {
				t.Fatal(err)
			}
			got, err := db.GetJob(ctx, j.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.LastError != fmt.Sprintf("451 try later (%d)", attempt) || got.LockedUntil != nil {
				t.Fatalf("after attempt %d: %+v", attempt, got)
			}
			if attempt < 3 {
				if got.State != JobQueued || !got.RunAt.Equal(retryAt) || got.DoneAt != nil {
					t.Fatalf("after attempt %d: %+v, want queued until %v", attempt, got, retryAt)
				}
				wantNoJobDue(t, db, "k")
				clock.Advance(10 * time.Minute)
			} else if got.State != JobFailed || got.DoneAt == nil {
				t.Fatalf("after the last attempt: %+v, want failed", got)
			}
		}
		clock.Advance(time.Hour)
		wantNoJobDue(t, db, "k")
		// Failed jobs keep their payload and can be retried by an operator.
		if err := db.RetryJob(ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		if c := claim(t, db, "k"); c.ID != j.ID || c.Attempts != 1 {
			t.Fatalf("after retry: claimed %+v", c)
		}
		wantKind(t, db.RetryJob(ctx, j.ID), badge.Conflict, "job.not_failed")
	})
}

func TestFailJobPermanent(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		newTestClock(db)
		j := enqueue(t, db, &Job{Kind: "k", MaxAttempts: 5})
		c := claim(t, db, "k")
		long := strings.Repeat("é", maxJobError) // cut inside a UTF-8 sequence
		if err := db.FailJob(ctx, c.ID, c.Attempts, long, time.Time{}); err != nil {
			t.Fatal(err)
		}
		got, err := db.GetJob(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != JobFailed || got.Attempts != 1 {
			t.Fatalf("permanently failed job = %+v", got)
		}
		if len(got.LastError) > maxJobError+len("…") || !strings.HasPrefix(got.LastError, "éé") || !strings.HasSuffix(got.LastError, "…") {
			t.Fatalf("last error not cut cleanly: %d bytes, %q…", len(got.LastError), got.LastError[:10])
		}
	})
}

func TestJobLeaseExpiry(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := newTestClock(db)
		j := enqueue(t, db, &Job{Kind: "k", MaxAttempts: 2})
		dead := claim(t, db, "k") // this worker is killed
		clock.Advance(59 * time.Second)
		wantNoJobDue(t, db, "k")
		clock.Advance(time.Second)
		taken := claim(t, db, "k")
		if taken.ID != j.ID || taken.Attempts != 2 || !strings.Contains(taken.LastError, "lease expired") {
			t.Fatalf("taken over job = %+v", taken)
		}
		// The first worker comes back: its lease is gone, it cannot finish.
		wantKind(t, db.CompleteJob(ctx, dead.ID, dead.Attempts), badge.Conflict, "job.lease_lost")
		wantKind(t, db.FailJob(ctx, dead.ID, dead.Attempts, "late", clock.Now()), badge.Conflict, "job.lease_lost")
		// The second worker dies too, on the last attempt: the job fails.
		clock.Advance(time.Hour)
		wantNoJobDue(t, db, "k")
		got, err := db.GetJob(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != JobFailed || got.DoneAt == nil || !strings.Contains(got.LastError, "last attempt") {
			t.Fatalf("abandoned job = %+v, want failed", got)
		}
	})
}

func TestClaimJobConcurrent(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		const jobs, workers = 60, 6
		for i := range jobs {
			enqueue(t, db, &Job{Kind: "k", Payload: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))})
		}
		var (
			mu      sync.Mutex
			claimed = map[string]int{}
			wg      sync.WaitGroup
			errs    = make(chan error, workers)
		)
		for range workers {
			wg.Go(func() {
				for {
					j, err := db.ClaimJob(ctx, []string{"k"}, time.Minute)
					if badge.IsNotFound(err) {
						return
					}
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					claimed[j.ID]++
					mu.Unlock()
					if err := db.CompleteJob(ctx, j.ID, j.Attempts); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(claimed) != jobs {
			t.Fatalf("%d jobs claimed, want %d", len(claimed), jobs)
		}
		for id, n := range claimed {
			if n != 1 {
				t.Errorf("job %s claimed %d times", id, n)
			}
		}
		counts, err := db.CountJobs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts[JobDone] != jobs || len(counts) != 1 {
			t.Fatalf("counts = %v, want %d done", counts, jobs)
		}
	})
}

func TestListCountPurgeJobs(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		clock := newTestClock(db)
		a := enqueue(t, db, &Job{Kind: "mail.send"})
		clock.Advance(time.Second)
		b := enqueue(t, db, &Job{Kind: "reverify"})
		clock.Advance(time.Second)
		enqueue(t, db, &Job{Kind: "mail.send"})
		c := claim(t, db, "mail.send")
		if c.ID != a.ID {
			t.Fatalf("claimed %s, want %s", c.ID, a.ID)
		}
		if err := db.CompleteJob(ctx, c.ID, c.Attempts); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			f    JobFilter
			want int
		}{
			{"all", JobFilter{}, 3},
			{"queued", JobFilter{State: JobQueued}, 2},
			{"done", JobFilter{State: JobDone}, 1},
			{"kind", JobFilter{Kind: "reverify"}, 1},
			{"queued mail", JobFilter{State: JobQueued, Kind: "mail.send"}, 1},
			{"limit", JobFilter{Limit: 2}, 2},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := db.ListJobs(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != tc.want {
					t.Fatalf("%d jobs, want %d", len(got), tc.want)
				}
			})
		}
		all, err := db.ListJobs(ctx, JobFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if all[1].ID != b.ID {
			t.Errorf("list order: second is %s, want %s (newest first)", all[1].ID, b.ID)
		}
		counts, err := db.CountJobs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts[JobQueued] != 2 || counts[JobDone] != 1 || counts[JobRunning] != 0 {
			t.Fatalf("counts = %v", counts)
		}
		if n, err := db.PurgeJobs(ctx, clock.Now()); err != nil || n != 0 {
			t.Fatalf("purge before done: %d, %v", n, err)
		}
		clock.Advance(time.Second)
		if n, err := db.PurgeJobs(ctx, clock.Now()); err != nil || n != 1 {
			t.Fatalf("purge: %d, %v, want 1", n, err)
		}
		if _, err := db.GetJob(ctx, a.ID); !badge.IsNotFound(err) {
			t.Fatalf("purged job: %v", err)
		}
	})
}

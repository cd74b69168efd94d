// Package jobs runs durable background work (e-mail sending,
// re-verification) stored as rows of the jobs table: a Runner polls the
// store for due jobs of the kinds it has handlers for, runs them on a few
// workers, retries failures with exponential backoff, and takes over jobs
// whose worker died once their lease ends. Work is done at least once: a
// handler must tolerate running twice (a second e-mail is acceptable, a
// lost one is not).
//
// Payloads may hold secrets (claim tokens), so nothing here logs them.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
)

// Handler does one job. It returns nil when the work is done, an error to
// have the job retried later, or an error wrapped with Permanent when
// retrying cannot help. The context ends with the job's lease.
type Handler func(ctx context.Context, payload []byte) error

// Queue is the part of the store the runner uses; *store.DB satisfies it.
type Queue interface {
	ClaimJob(ctx context.Context, kinds []string, lease time.Duration) (*store.Job, error)
	CompleteJob(ctx context.Context, id string, attempt int) error
	FailJob(ctx context.Context, id string, attempt int, errText string, retryAt time.Time) error
}

// permanentError marks a failure retrying cannot fix.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent wraps err so that the runner fails the job for good instead of
// retrying it (a recipient address the server rejects).
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was wrapped with Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// Options tune a Runner; zero fields take the defaults.
type Options struct {
	Workers      int                             // concurrent jobs; default 2
	PollInterval time.Duration                   // how often idle workers look for due jobs; default 5 s
	Lease        time.Duration                   // how long a job may run before another worker may take it over; default 5 min
	Backoff      func(attempt int) time.Duration // delay before retrying after the given failed attempt (from 1); default Exponential(30 s, 6 h)
	Now          func() time.Time                // default time.Now
	Logger       *slog.Logger                    // default slog.Default()
}

// claimTimeout bounds one claim query.
const claimTimeout = 30 * time.Second

// Runner runs jobs. Register handlers with Handle, then call Run.
type Runner struct {
	q        Queue
	opts     Options
	log      *slog.Logger
	mu       sync.Mutex
	handlers map[string]Handler
	kinds    []string
	running  bool
	wake     chan struct{}
}

// New returns a runner taking jobs from q.
func New(q Queue, opts Options) *Runner {
	if opts.Workers <= 0 {
		opts.Workers = 2
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 5 * time.Second
	}
	if opts.Lease <= 0 {
		opts.Lease = 5 * time.Minute
	}
	if opts.Backoff == nil {
		opts.Backoff = Exponential(30*time.Second, 6*time.Hour)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Runner{q: q, opts: opts, log: log.With("component", "jobs"), handlers: map[string]Handler{},
		wake: make(chan struct{}, 1)}
}

// Handle registers the handler of a kind. It panics when the kind already
// has one or the runner is running: both are wiring mistakes.
func (r *Runner) Handle(kind string, h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running {
		panic("jobs: Handle called while running")
	}
	if _, ok := r.handlers[kind]; ok {
		panic(fmt.Sprintf("jobs: kind %q registered twice", kind))
	}
	r.handlers[kind] = h
	r.kinds = append(r.kinds, kind)
}

// Notify wakes an idle worker at once, so that a job just enqueued does not
// wait for the next poll. It never blocks; several notifications before a
// worker wakes count as one, which is enough: a worker that found a job
// looks for another before sleeping again.
func (r *Runner) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run runs jobs until ctx ends, then waits for the jobs under way to finish
// (each within its lease) and returns nil. It returns an error at once if
// no handler is registered or it is already running.
func (r *Runner) Run(ctx context.Context) error {
	r.mu.Lock()
	if r.running {
		r.mu.Unlock()
		return errors.New("jobs: runner already running")
	}
	if len(r.kinds) == 0 {
		r.mu.Unlock()
		return errors.New("jobs: no handler registered")
	}
	r.running = true
	r.mu.Unlock()

	r.log.Info("job runner started", "workers", r.opts.Workers, "kinds", r.kinds)
	var wg sync.WaitGroup
	for range r.opts.Workers {
		wg.Go(func() { r.work(ctx) })
	}
	wg.Wait()
	r.mu.Lock()
	r.running = false
	r.mu.Unlock()
	r.log.Info("job runner stopped")
	return nil
}

// work is one worker's loop: take a due job and run it, or sleep until the
// next poll, a notification or the end.
func (r *Runner) work(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		if ctx.Err() != nil {
			return
		}
		ran, err := r.runOne(ctx)
		if ran {
			continue
		}
		if err != nil && ctx.Err() == nil {
			r.log.Error("claim job", "err", err)
		}
		timer.Reset(r.opts.PollInterval)
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-timer.C:
		}
	}
}

// runOne claims one due job and runs it; it reports whether it found one.
func (r *Runner) runOne(ctx context.Context) (bool, error) {
	// The claim is not cancelled half-way by a stop: on PostgreSQL the
	// commit could reach the server while the client gives up waiting, and
	// the job would sit leased to nobody until its lease ends.
	cctx, ccancel := context.WithTimeout(context.WithoutCancel(ctx), claimTimeout)
	job, err := r.q.ClaimJob(cctx, r.kinds, r.opts.Lease)
	ccancel()
	if err != nil {
		if badge.IsNotFound(err) {
			return false, nil
		}
		return false, err
	}
	r.mu.Lock()
	h := r.handlers[job.Kind]
	r.mu.Unlock()

	// The job runs to its end even when the runner is stopping: a message
	// half-sent is worse than a short wait. The lease bounds it.
	jctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.opts.Lease)
	defer cancel()
	log := r.log.With("job", job.ID, "kind", job.Kind, "attempt", job.Attempts, "max_attempts", job.MaxAttempts)
	start := r.opts.Now()
	err = safeCall(jctx, h, job.Payload)
	elapsed := r.opts.Now().Sub(start)
	if err == nil {
		if err := r.q.CompleteJob(jctx, job.ID, job.Attempts); err != nil {
			log.Error("record job done", "err", err)
			return true, nil
		}
		log.Info("job done", "duration", elapsed)
		return true, nil
	}
	var retryAt time.Time
	final := IsPermanent(err) || job.Attempts >= job.MaxAttempts
	if !final {
		retryAt = r.opts.Now().Add(r.opts.Backoff(job.Attempts))
	}
	if ferr := r.q.FailJob(jctx, job.ID, job.Attempts, err.Error(), retryAt); ferr != nil {
		log.Error("record job failure", "err", ferr, "job_err", err)
		return true, nil
	}
	if final {
		log.Error("job failed for good", "err", err, "permanent", IsPermanent(err), "duration", elapsed)
	} else {
		log.Warn("job failed, will retry", "err", err, "retry_at", retryAt, "duration", elapsed)
	}
	return true, nil
}

// safeCall runs h, turning a panic into an error so that one bad job does
// not stop the worker.
func safeCall(ctx context.Context, h Handler, payload []byte) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panicked: %v", p)
		}
	}()
	return h(ctx, payload)
}

// Exponential returns a backoff doubling from base after each failed attempt
// up to max, with "equal jitter": the delay is between half and all of the
// exponential value, so that jobs that failed together (a server down) do
// not all retry at the same instant.
func Exponential(base, max time.Duration) func(attempt int) time.Duration {
	return ExponentialWith(base, max, rand.Float64)
}

// ExponentialWith is Exponential with the source of jitter given: a
// function returning numbers in [0, 1) (tests pass a constant).
func ExponentialWith(base, max time.Duration, random func() float64) func(attempt int) time.Duration {
	return func(attempt int) time.Duration {
		d := base
		for i := 1; i < attempt && d < max; i++ {
			d *= 2
		}
		d = min(d, max)
		half := d / 2
		return half + time.Duration(random()*float64(d-half))
	}
}

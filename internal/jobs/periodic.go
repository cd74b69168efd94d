package jobs

import (
	"context"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
)

// Enqueuer is the part of the store Periodic uses; *store.DB satisfies it.
type Enqueuer interface {
	EnqueueJob(ctx context.Context, j *store.Job) error
}

// Periodic queues the runs of a job that comes back every Every. The runner
// has no clock of its own, so each run first queues the next (Next). Job
// ids name their time slot, so that several servers starting (each calling
// Schedule) or a run retried after a crash queue one job per slot, never a
// growing number of chains; the queue's claim then gives each slot to one
// worker of one server.
type Periodic struct {
	Kind     string // the job kind
	IDPrefix string // job ids are IDPrefix + the slot's start, e.g. "portfolio-recheck-"
	Every    time.Duration
}

// Schedule queues the run of the slot now falls in (at start-up).
func (p Periodic) Schedule(ctx context.Context, q Enqueuer, now time.Time) error {
	return p.enqueue(ctx, q, now.Truncate(p.Every))
}

// Next queues the run of the slot after the one now falls in (first thing
// in a run).
func (p Periodic) Next(ctx context.Context, q Enqueuer, now time.Time) error {
	return p.enqueue(ctx, q, now.Truncate(p.Every).Add(p.Every))
}

// enqueue queues the run of the slot starting at slot; a slot already
// queued (or run) is not an error.
func (p Periodic) enqueue(ctx context.Context, q Enqueuer, slot time.Time) error {
	j := &store.Job{ID: p.IDPrefix + slot.UTC().Format("20060102T150405Z"), Kind: p.Kind, RunAt: slot, MaxAttempts: 3}
	err := q.EnqueueJob(ctx, j)
	if badge.ErrorKind(err) == badge.Conflict {
		return nil
	}
	return err
}

package issuing

import (
	"context"
	"fmt"
	"time"

	"github.com/sceau/sceau/did"
	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/jobs"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/verify"
)

// Badges imported into portfolios came from elsewhere: their issuers may
// revoke them at any time. A periodic job verifies them again, the ones
// checked longest ago first, and records the verdict that the portfolio
// and public pages show.

// RecheckJobKind is the job that re-verifies imported badges.
const RecheckJobKind = "portfolio.recheck"

// Import states, as stored in portfolio_imports.state.
const (
	ImportValid     = "valid"
	ImportExpired   = "expired"
	ImportRevoked   = "revoked"
	ImportSuspended = "suspended"
	ImportInvalid   = "invalid"
)

// ImportState maps a verification report to the state stored for an
// imported badge, with the issuer's reason for a revocation or suspension.
// conclusive is false when the verification could not reach a verdict
// (nothing failed, but a server did not answer): a re-check then keeps
// the state it had, rather than calling a badge invalid because its
// issuer's server was down for a moment.
func ImportState(rep *verify.Report) (state, reason string, conclusive bool) {
	switch rep.Verdict {
	case verify.Valid:
		return ImportValid, "", true
	case verify.Expired:
		return ImportExpired, "", true
	case verify.Revoked:
		return ImportRevoked, rep.StatusReason, true
	case verify.Suspended:
		return ImportSuspended, rep.StatusReason, true
	}
	for _, c := range rep.Checks {
		if c.Outcome == verify.Fail {
			return ImportInvalid, "", true
		}
	}
	return ImportInvalid, "", false
}

// RecheckOptions configure RecheckImports.
type RecheckOptions struct {
	// Fetcher reaches issuers' documents: the SSRF-safe client.
	Fetcher did.Fetcher
	// MaxAge is how old a verification may be before it is done again
	// (default 24 h).
	MaxAge time.Duration
	// Limit is how many badges one call verifies (default 50): a batch
	// small enough that one job stays short.
	Limit int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (o *RecheckOptions) defaults() {
	if o.MaxAge <= 0 {
		o.MaxAge = 24 * time.Hour
	}
	if o.Limit <= 0 {
		o.Limit = 50
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// RecheckImports verifies again up to opts.Limit imported badges whose
// last verification is older than opts.MaxAge and records each verdict.
// It returns how many it checked. A badge that cannot be verified now
// (its issuer's server does not answer) keeps its state, checked again at
// the next round after MaxAge.
func RecheckImports(ctx context.Context, db *store.DB, opts RecheckOptions) (int, error) {
	opts.defaults()
	now := opts.Now()
	due, err := db.DueImports(ctx, now.Add(-opts.MaxAge), opts.Limit)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range due {
		if err := ctx.Err(); err != nil {
			return n, fmt.Errorf("recheck imports: %w", err)
		}
		rep := verify.Verify(ctx, c.Credential, verify.Options{Fetcher: opts.Fetcher, Now: now})
		if err := ctx.Err(); err != nil {
			// Cut short: the report says nothing about the badge.
			return n, fmt.Errorf("recheck imports: %w", err)
		}
		state, reason, conclusive := ImportState(rep)
		if !conclusive {
			state, reason = c.State, ""
		}
		err := db.RecordImportCheck(ctx, c.ItemID, state, reason)
		if err != nil && !badge.IsNotFound(err) { // removed meanwhile: nothing to record
			return n, err
		}
		n++
	}
	return n, nil
}

// Rechecker runs RecheckImports as a durable job that comes back every
// Every (jobs.Periodic: one job per time slot).
type Rechecker struct {
	Store   *store.DB
	Options RecheckOptions
	// Every is the time between two runs (default 1 h).
	Every time.Duration
	// Budget bounds one run (default 3 min, within the runner's lease):
	// batches follow one another until none is due or time is up.
	Budget time.Duration
}

func (rc *Rechecker) every() time.Duration {
	if rc.Every <= 0 {
		return time.Hour
	}
	return rc.Every
}

func (rc *Rechecker) now() time.Time {
	if rc.Options.Now != nil {
		return rc.Options.Now()
	}
	return time.Now()
}

// periodic is the run's schedule: one job per slot of Every.
func (rc *Rechecker) periodic() jobs.Periodic {
	return jobs.Periodic{Kind: RecheckJobKind, IDPrefix: "portfolio-recheck-", Every: rc.every()}
}

// Schedule queues the run of the current slot, at start-up.
func (rc *Rechecker) Schedule(ctx context.Context) error {
	return rc.periodic().Schedule(ctx, rc.Store, rc.now())
}

// RunJob is the job's handler: it queues the next slot, then re-checks
// batches until none is due or its budget is spent (what remains waits
// for the next run).
func (rc *Rechecker) RunJob(ctx context.Context, _ []byte) error {
	if err := rc.periodic().Next(ctx, rc.Store, rc.now()); err != nil {
		return err
	}
	budget := rc.Budget
	if budget <= 0 {
		budget = 3 * time.Minute
	}
	run, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	opts := rc.Options
	opts.defaults()
	// Bounded too by a count of batches: should the store's clock lag
	// behind opts.Now, checked badges would stay due.
	for range 100 {
		n, err := RecheckImports(run, rc.Store, opts)
		switch {
		case err != nil && ctx.Err() == nil && run.Err() != nil:
			return nil // the budget, not the caller, ended the run
		case err != nil:
			return err
		case n < opts.Limit:
			return nil
		}
	}
	return nil
}

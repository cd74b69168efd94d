package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sceau/sceau/internal/badge"
)

// JobState is where a job is in its life.
type JobState string

// The job states. A queued job waits for run_at; a running one is held by a
// worker until locked_until; done and failed are final.
const (
	JobQueued  JobState = "queued"
	JobRunning JobState = "running"
	JobDone    JobState = "done"
	JobFailed  JobState = "failed"
)

// DefaultJobMaxAttempts is the number of attempts a job gets when
// Job.MaxAttempts is zero.
const DefaultJobMaxAttempts = 10

// MaxJobPayload bounds a job's payload: jobs carry small JSON documents (a
// rendered e-mail), never files.
const MaxJobPayload = 1 << 20

// maxJobError bounds the stored last error, which comes from remote servers.
const maxJobError = 2000

// Job is one unit of background work, stored so that it survives restarts.
type Job struct {
	ID          string
	Kind        string          // e.g. "mail.send": which handler runs it
	Payload     json.RawMessage // the handler's input; cleared once done
	State       JobState
	Attempts    int // attempts started so far, the running one included
	MaxAttempts int
	RunAt       time.Time  // when the job is next due (the lease end while running)
	LockedUntil *time.Time // lease end while running
	LastError   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DoneAt      *time.Time // when it became done or failed
}

const jobColumns = `id, kind, payload, state, attempts, max_attempts, run_at, locked_until, last_error,
	created_at, updated_at, done_at`

func scanJob(row interface{ Scan(...any) error }) (*Job, error) {
	var (
		j              Job
		payload, state string
		locked, done   sql.NullTime
	)
	if err := row.Scan(&j.ID, &j.Kind, &payload, &state, &j.Attempts, &j.MaxAttempts, &j.RunAt, &locked,
		&j.LastError, &j.CreatedAt, &j.UpdatedAt, &done); err != nil {
		return nil, err
	}
	j.Payload = json.RawMessage(payload)
	j.State = JobState(state)
	j.RunAt, j.CreatedAt, j.UpdatedAt = j.RunAt.UTC(), j.CreatedAt.UTC(), j.UpdatedAt.UTC()
	j.LockedUntil, j.DoneAt = timePtr(locked), timePtr(done)
	return &j, nil
}

// EnqueueJob stores a new queued job. It sets ID (when empty), State,
// MaxAttempts (when zero), RunAt (when zero: now), CreatedAt and UpdatedAt.
func (s *DB) EnqueueJob(ctx context.Context, j *Job) error {
	return s.enqueueJob(ctx, s.db, j)
}

// EnqueueJobTx stores a new job inside the caller's transaction, so that the
// job exists if and only if the work that asked for it is committed (an
// award and its announcement e-mail).
func (s *DB) EnqueueJobTx(ctx context.Context, tx *sql.Tx, j *Job) error {
	return s.enqueueJob(ctx, tx, j)
}

func (s *DB) enqueueJob(ctx context.Context, ex execer, j *Job) error {
	if j.Kind == "" {
		return badge.Invalidf("kind", "job.kind_required", "a job needs a kind")
	}
	if len(j.Payload) == 0 {
		j.Payload = json.RawMessage(`{}`)
	}
	if len(j.Payload) > MaxJobPayload {
		return badge.Invalidf("payload", "job.payload_too_large", "job payload is %d bytes, more than %d", len(j.Payload), MaxJobPayload)
	}
	if !json.Valid(j.Payload) {
		return badge.Invalidf("payload", "job.payload_not_json", "job payload is not valid JSON")
	}
	if j.MaxAttempts < 0 {
		return badge.Invalidf("max_attempts", "job.max_attempts_negative", "max attempts must not be negative")
	}
	if j.MaxAttempts == 0 {
		j.MaxAttempts = DefaultJobMaxAttempts
	}
	if j.ID == "" {
		id, err := s.newID()
		if err != nil {
			return badge.Internalf(err, "new job id")
		}
		j.ID = id
	}
	now := s.timestamp()
	if j.RunAt.IsZero() {
		j.RunAt = now
	}
	j.RunAt = storedTime(j.RunAt)
	j.State, j.Attempts, j.LockedUntil, j.LastError, j.DoneAt = JobQueued, 0, nil, "", nil
	j.CreatedAt, j.UpdatedAt = now, now
	_, err := ex.ExecContext(ctx, `INSERT INTO jobs (id, kind, payload, state, attempts, max_attempts, run_at,
		last_error, created_at, updated_at) VALUES ($1, $2, $3, $4, 0, $5, $6, '', $7, $7)`,
		j.ID, j.Kind, string(j.Payload), string(JobQueued), j.MaxAttempts, j.RunAt, now)
	if err != nil {
		if constraintOf(err) == uniqueViolation {
			return badge.Conflictf("id", "job.id_taken", "a job with ID %s exists", j.ID)
		}
		return badge.Internalf(err, "enqueue %s job", j.Kind)
	}
	return nil
}

// ClaimJob takes the oldest due job of one of the given kinds and leases it
// to the caller until now+lease: it becomes running, its attempts count goes
// up by one and, should the caller die, it is due again when the lease ends.
// It returns a NotFound error when no job is due. Two callers never get the
// same job while its lease runs: PostgreSQL skips rows other transactions
// have locked (FOR UPDATE SKIP LOCKED), SQLite has one writer at a time.
//
// A running job whose lease ended on its last attempt is marked failed on
// the way, since nobody will finish it.
func (s *DB) ClaimJob(ctx context.Context, kinds []string, lease time.Duration) (*Job, error) {
	if len(kinds) == 0 {
		return nil, badge.Invalidf("kinds", "job.kinds_required", "claim needs at least one job kind")
	}
	if lease <= 0 {
		return nil, badge.Invalidf("lease", "job.lease_not_positive", "the lease must be positive")
	}
	now := s.timestamp()
	until := storedTime(now.Add(lease))
	// $1 now, $2 lease end, $3… kinds: placeholders, never values, in the text.
	args := []any{now, until}
	ph := make([]string, len(kinds))
	for i, k := range kinds {
		args = append(args, k)
		ph[i] = "$" + strconv.Itoa(i+3)
	}
	in := strings.Join(ph, ", ")
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	// A job taken over from an expired lease says so in last_error.
	claim := `UPDATE jobs SET state = 'running', attempts = attempts + 1, run_at = $2, locked_until = $2, updated_at = $1,
		last_error = CASE WHEN state = 'running' THEN 'lease expired (worker stopped?)' ELSE last_error END
		WHERE id = (SELECT id FROM jobs
			WHERE state IN ('queued', 'running') AND run_at <= $1 AND attempts < max_attempts AND kind IN (` + in + `)
			ORDER BY run_at, id LIMIT 1` + lock + `)
		RETURNING ` + jobColumns
	// Expired leases on a last attempt: nobody will finish those jobs. Rows
	// another claimer holds are skipped, so claimers never wait on each other.
	if _, err := s.db.ExecContext(ctx, `UPDATE jobs SET state = 'failed', locked_until = NULL, done_at = $1, updated_at = $1,
		last_error = 'lease expired on the last attempt (worker stopped?)'
		WHERE id IN (SELECT id FROM jobs WHERE state = 'running' AND run_at <= $1 AND attempts >= max_attempts`+lock+`)`,
		now); err != nil {
		return nil, badge.Internalf(err, "fail abandoned jobs")
	}
	var job *Job
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		j, err := scanJob(tx.QueryRowContext(ctx, claim, args...))
		if errors.Is(err, sql.ErrNoRows) {
			return badge.NotFoundf("job.none_due", "no job due")
		}
		if err != nil {
			return badge.Internalf(err, "claim job")
		}
		job = j
		return nil
	})
	if err != nil {
		return nil, err
	}
	return job, nil
}

// CompleteJob marks a job done. attempt is the Attempts value ClaimJob
// returned: it identifies the lease, so that a worker whose lease expired and
// whose job another worker took over cannot finish it (a Conflict error
// "job.lease_lost"). The payload is cleared: e-mail payloads hold claim
// tokens, which should not outlive their delivery in the database.
func (s *DB) CompleteJob(ctx context.Context, id string, attempt int) error {
	now := s.timestamp()
	res, err := s.db.ExecContext(ctx, `UPDATE jobs SET state = 'done', payload = '{}', locked_until = NULL, last_error = '',
		done_at = $1, updated_at = $1 WHERE id = $2 AND state = 'running' AND attempts = $3`, now, id, attempt)
	if err != nil {
		return badge.Internalf(err, "complete job %s", id)
	}
	return s.leaseHeld(ctx, res, id)
}

// FailJob records a failed attempt. The job is queued again to run at
// retryAt, unless it has used all its attempts or retryAt is zero (a
// permanent failure): then it is failed for good. attempt identifies the
// lease, as in CompleteJob.
func (s *DB) FailJob(ctx context.Context, id string, attempt int, errText string, retryAt time.Time) error {
	if len(errText) > maxJobError {
		errText = strings.ToValidUTF8(errText[:maxJobError], "") + "…"
	}
	now := s.timestamp()
	permanent := retryAt.IsZero()
	if permanent {
		retryAt = now
	}
	res, err := s.db.ExecContext(ctx, `UPDATE jobs SET
			state = CASE WHEN $4 OR attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
			done_at = CASE WHEN $4 OR attempts >= max_attempts THEN $1 ELSE done_at END, -- typed by the column on PostgreSQL
			run_at = $5, locked_until = NULL, last_error = $6, updated_at = $1
		WHERE id = $2 AND state = 'running' AND attempts = $3`,
		now, id, attempt, permanent, storedTime(retryAt), errText)
	if err != nil {
		return badge.Internalf(err, "fail job %s", id)
	}
	return s.leaseHeld(ctx, res, id)
}

// leaseHeld tells apart, after an update guarded by the lease, a job that
// does not exist from one whose lease the caller no longer holds.
func (s *DB) leaseHeld(ctx context.Context, res sql.Result, id string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return badge.Internalf(err, "update job %s", id)
	}
	if n == 1 {
		return nil
	}
	if _, err := s.GetJob(ctx, id); err != nil {
		return err
	}
	return badge.Conflictf("", "job.lease_lost", "job %s is no longer held by this worker", id)
}

// RetryJob queues a failed job again, now, with a fresh set of attempts
// (operators, once the cause is fixed).
func (s *DB) RetryJob(ctx context.Context, id string) error {
	now := s.timestamp()
	res, err := s.db.ExecContext(ctx, `UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, done_at = NULL,
		updated_at = $1 WHERE id = $2 AND state = 'failed'`, now, id)
	if err != nil {
		return badge.Internalf(err, "retry job %s", id)
	}
	if n, err := res.RowsAffected(); err != nil {
		return badge.Internalf(err, "retry job %s", id)
	} else if n == 1 {
		return nil
	}
	if _, err := s.GetJob(ctx, id); err != nil {
		return err
	}
	return badge.Conflictf("", "job.not_failed", "job %s has not failed", id)
}

// GetJob reads one job.
func (s *DB) GetJob(ctx context.Context, id string) (*Job, error) {
	j, err := scanJob(s.db.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "job.not_found", "job "+id)
	}
	return j, nil
}

// JobFilter selects jobs for ListJobs; zero fields select all.
type JobFilter struct {
	State JobState
	Kind  string
	Limit int // at most 1000; 0 means 100
}

// ListJobs lists jobs, newest first.
func (s *DB) ListJobs(ctx context.Context, f JobFilter) ([]*Job, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	rows, err := s.db.QueryContext(ctx, `SELECT `+jobColumns+` FROM jobs
		WHERE ($1 = '' OR state = $1) AND ($2 = '' OR kind = $2)
		ORDER BY created_at DESC, id DESC LIMIT $3`, string(f.State), f.Kind, limit)
	if err != nil {
		return nil, badge.Internalf(err, "list jobs")
	}
	defer rows.Close()
	var jobs []*Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, badge.Internalf(err, "list jobs")
		}
		jobs = append(jobs, j)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "list jobs")
	}
	return jobs, nil
}

// CountJobs counts jobs by state; states without jobs are absent.
func (s *DB) CountJobs(ctx context.Context) (map[JobState]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT state, COUNT(*) FROM jobs GROUP BY state`)
	if err != nil {
		return nil, badge.Internalf(err, "count jobs")
	}
	defer rows.Close()
	counts := map[JobState]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, badge.Internalf(err, "count jobs")
		}
		counts[JobState(st)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "count jobs")
	}
	return counts, nil
}

// PurgeJobs deletes the done jobs that finished before t and returns how
// many; failed jobs stay for operators to look at or retry.
func (s *DB) PurgeJobs(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM jobs WHERE state = 'done' AND done_at < $1`, storedTime(before))
	if err != nil {
		return 0, badge.Internalf(err, "purge jobs")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, badge.Internalf(err, "purge jobs")
	}
	return int(n), nil
}

// String names a job in logs: kind and ID, never the payload.
func (j *Job) String() string { return fmt.Sprintf("%s job %s", j.Kind, j.ID) }

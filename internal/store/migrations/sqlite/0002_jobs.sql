-- Durable background jobs (e-mail sending, re-verification). A job is
-- queued until a worker claims it: it is then running under a lease until
-- locked_until; a worker that dies leaves the lease to expire, after which
-- another worker takes the job over. run_at is when the job is next due: its
-- scheduled time while queued, the end of its lease while running, so one
-- index on run_at serves the claim query for both cases.

CREATE TABLE jobs (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '{}',
    state        TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL CHECK (max_attempts > 0),
    run_at       TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    done_at      TIMESTAMP
);

CREATE INDEX jobs_due ON jobs (run_at, id) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_state ON jobs (state, created_at);

-- A badge definition may be open to applications from the catalogue; an
-- award is claimed by the account that accepts it.
ALTER TABLE badges ADD COLUMN applications_open BOOLEAN NOT NULL DEFAULT FALSE;
-- How many awards a badge has: kept with each award stored or deleted, so
-- that lists filtered by badge need not count a hundred thousand rows.
ALTER TABLE badges ADD COLUMN awards_count INTEGER NOT NULL DEFAULT 0;
UPDATE badges SET awards_count = (SELECT COUNT(*) FROM awards WHERE awards.badge_id = badges.id);
ALTER TABLE awards ADD COLUMN claimed_by TEXT REFERENCES users (id);
ALTER TABLE awards ADD COLUMN claimed_at TIMESTAMP;
CREATE INDEX awards_claimed_by ON awards (claimed_by) WHERE claimed_by IS NOT NULL;

-- Lists page through an issuer's or a badge's awards newest first. A bulk
-- award gives thousands the same awarded_at, so the id breaks ties and is
-- in the index: the page is read from it in order, never sorted.
DROP INDEX awards_issuer_awarded;
DROP INDEX awards_badge_awarded;
CREATE INDEX awards_issuer_awarded ON awards (issuer_id, awarded_at, id);
CREATE INDEX awards_badge_awarded ON awards (badge_id, issuer_id, awarded_at, id);
-- The workspace's recipient search reads this narrow index, not the rows,
-- for searches shorter than three letters; longer ones use the trigram
-- full-text index below, kept in step with the table by triggers.
CREATE INDEX awards_issuer_search ON awards (issuer_id, recipient_email, recipient_name, awarded_at, id);
CREATE VIRTUAL TABLE awards_fts USING fts5(recipient_email, recipient_name, content='awards', content_rowid='rowid', tokenize='trigram');
INSERT INTO awards_fts (rowid, recipient_email, recipient_name) SELECT rowid, recipient_email, recipient_name FROM awards;
CREATE TRIGGER awards_fts_insert AFTER INSERT ON awards BEGIN
    INSERT INTO awards_fts (rowid, recipient_email, recipient_name) VALUES (new.rowid, new.recipient_email, new.recipient_name);
END;
CREATE TRIGGER awards_fts_delete AFTER DELETE ON awards BEGIN
    INSERT INTO awards_fts (awards_fts, rowid, recipient_email, recipient_name) VALUES ('delete', old.rowid, old.recipient_email, old.recipient_name);
END;
CREATE TRIGGER awards_fts_update AFTER UPDATE OF recipient_email, recipient_name ON awards BEGIN
    INSERT INTO awards_fts (awards_fts, rowid, recipient_email, recipient_name) VALUES ('delete', old.rowid, old.recipient_email, old.recipient_name);
    INSERT INTO awards_fts (rowid, recipient_email, recipient_name) VALUES (new.rowid, new.recipient_email, new.recipient_name);
END;

-- Bulk awards from a recipients file: the checked rows wait here for the
-- issuer's go-ahead, then a durable job awards them chunk by chunk,
-- recording its progress.
CREATE TABLE award_batches (
    id          TEXT PRIMARY KEY,
    issuer_id   TEXT NOT NULL REFERENCES issuers (id),
    badge_id    TEXT NOT NULL REFERENCES badges (id),
    created_by  TEXT REFERENCES users (id),
    file_name   TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL CHECK (state IN ('preview', 'queued', 'running', 'done', 'failed')),
    rows        TEXT NOT NULL,
    row_errors  TEXT NOT NULL DEFAULT '[]',
    total       INTEGER NOT NULL,
    done        INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX award_batches_issuer ON award_batches (issuer_id, created_at);

-- Applications for badges open to them: what the applicant submitted
-- (text, links, files as blob keys, in JSON), the reviewers' decisions
-- in order, and the award made on acceptance.
CREATE TABLE applications (
    id          TEXT PRIMARY KEY,
    badge_id    TEXT NOT NULL REFERENCES badges (id),
    issuer_id   TEXT NOT NULL REFERENCES issuers (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    email       TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('submitted', 'returned', 'accepted', 'rejected')),
    text        TEXT NOT NULL DEFAULT '',
    links       TEXT NOT NULL DEFAULT '[]',
    files       TEXT NOT NULL DEFAULT '[]',
    history     TEXT NOT NULL DEFAULT '[]',
    award_id    TEXT REFERENCES awards (id),
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX applications_issuer_state ON applications (issuer_id, state, updated_at);
CREATE INDEX applications_user ON applications (user_id, updated_at);

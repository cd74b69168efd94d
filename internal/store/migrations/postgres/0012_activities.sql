-- The professional-development backpack: activities a teacher records
-- besides badges (a reading, a podcast, a conference…), and the requests
-- to a mentor or counsellor to attest one.
--
-- activity_date is an ISO date (YYYY-MM-DD) as text: a day, not an
-- instant, the same on both databases. hours_centi is the duration in
-- hundredths of an hour, exact where a float would not be.
CREATE TABLE activities (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    activity_date TEXT NOT NULL,
    hours_centi  INTEGER NOT NULL,
    reflection   TEXT NOT NULL DEFAULT '',
    links        TEXT NOT NULL DEFAULT '[]',
    files        TEXT NOT NULL DEFAULT '[]',
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX activities_user ON activities (user_id, activity_date);

-- token_hash is the SHA-256 of the secret in the e-mailed link: the
-- secret itself is never stored. item_id is the portfolio item holding
-- the signed attestation once confirmed.
CREATE TABLE activity_attestations (
    id             TEXT PRIMARY KEY,
    activity_id    TEXT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    attester_name  TEXT NOT NULL,
    attester_email TEXT NOT NULL,
    token_hash     TEXT NOT NULL UNIQUE,
    state          TEXT NOT NULL,
    expires_at     TIMESTAMPTZ NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    decided_at     TIMESTAMPTZ,
    item_id        TEXT REFERENCES portfolio_items (id) ON DELETE SET NULL
);
CREATE INDEX activity_attestations_activity ON activity_attestations (activity_id);

-- The integration API: API tokens of organisations, idempotency keys of
-- the requests made with them, and the webhooks organisations register.

-- Only the SHA-256 of a token is kept; prefix is its first characters,
-- shown in lists so that owners can tell their tokens apart. scopes is a
-- space-separated list ("award read").
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    issuer_id    TEXT NOT NULL REFERENCES issuers (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    scopes       TEXT NOT NULL,
    created_by   TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_issuer ON api_tokens (issuer_id, created_at);

-- One row per Idempotency-Key of an organisation: the hash of the request
-- it came with and, once done, the response to replay. status 0 means the
-- first request is still running (or died: see store/idempotency.go).
CREATE TABLE idempotency_keys (
    issuer_id    TEXT NOT NULL REFERENCES issuers (id) ON DELETE CASCADE,
    idem_key     TEXT NOT NULL,
    token_id     TEXT REFERENCES api_tokens (id) ON DELETE SET NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    response     TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    completed_at TIMESTAMP,
    PRIMARY KEY (issuer_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Webhook endpoints. The secret signs deliveries (HMAC-SHA256), so it is
-- kept as is; events is a space-separated list. The last_* columns show
-- the owner how the latest delivery went.
CREATE TABLE webhooks (
    id               TEXT PRIMARY KEY,
    issuer_id        TEXT NOT NULL REFERENCES issuers (id) ON DELETE CASCADE,
    url              TEXT NOT NULL,
    secret           TEXT NOT NULL,
    events           TEXT NOT NULL,
    created_by       TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at       TIMESTAMP NOT NULL,
    last_delivery_at TIMESTAMP,
    last_status      INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhooks_issuer ON webhooks (issuer_id, created_at);

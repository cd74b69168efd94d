-- OAuth 2.0 for the Open Badges 3.0 API: clients registered dynamically
-- (RFC 7591), authorization codes (single use, PKCE S256) and the access
-- and refresh tokens issued from them. Only SHA-256 hashes of secrets,
-- codes and tokens are kept.

-- redirect_uris is one URI per line; scope, grant_types and
-- response_types are space-separated lists.
CREATE TABLE oauth_clients (
    id             TEXT PRIMARY KEY,
    secret_hash    TEXT NOT NULL,
    auth_method    TEXT NOT NULL,
    name           TEXT NOT NULL,
    client_uri     TEXT NOT NULL DEFAULT '',
    logo_uri       TEXT NOT NULL DEFAULT '',
    policy_uri     TEXT NOT NULL DEFAULT '',
    tos_uri        TEXT NOT NULL DEFAULT '',
    redirect_uris  TEXT NOT NULL,
    scope          TEXT NOT NULL,
    grant_types    TEXT NOT NULL,
    response_types TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);

-- A code is used once: used_at is set by the exchange, which names the
-- grant (grant_id) its tokens belong to, so that a second use can revoke
-- them (RFC 6749, section 4.1.2).
CREATE TABLE oauth_codes (
    hash           TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri   TEXT NOT NULL,
    scope          TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    expires_at     TIMESTAMP NOT NULL,
    used_at        TIMESTAMP,
    grant_id       TEXT
);
CREATE INDEX oauth_codes_expiry ON oauth_codes (expires_at);

-- Tokens of one grant (one code exchange and its refreshes) share
-- grant_id: revoking a grant revokes them all. kind is access or refresh.
CREATE TABLE oauth_tokens (
    hash       TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    grant_id   TEXT NOT NULL,
    client_id  TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX oauth_tokens_grant ON oauth_tokens (grant_id);
CREATE INDEX oauth_tokens_expiry ON oauth_tokens (expires_at);

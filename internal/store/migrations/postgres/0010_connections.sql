-- Connections of a portfolio to other Open Badges 3.0 hosts (the consumer
-- side of the OB 3.0 API): the client this server registered there, the
-- tokens the recipient granted it, and what the last pull found.
--
-- client_secret, access_token and refresh_token are the values the other
-- host gave: this server presents them back to it, so they cannot be
-- hashed. They are never shown on a page.
CREATE TABLE connections (
    id                TEXT PRIMARY KEY,
    user_id           TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    base_url          TEXT NOT NULL,
    name              TEXT NOT NULL,
    authorize_url     TEXT NOT NULL,
    token_url         TEXT NOT NULL,
    revoke_url        TEXT NOT NULL DEFAULT '',
    client_id         TEXT NOT NULL,
    client_secret     TEXT NOT NULL DEFAULT '',
    auth_method       TEXT NOT NULL,
    access_token      TEXT NOT NULL DEFAULT '',
    access_expires_at TIMESTAMPTZ,
    refresh_token     TEXT NOT NULL DEFAULT '',
    scope             TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMPTZ NOT NULL,
    last_pull_at      TIMESTAMPTZ,
    pulled_count      INTEGER NOT NULL DEFAULT 0,
    last_error        TEXT NOT NULL DEFAULT '',
    UNIQUE (user_id, base_url)
);

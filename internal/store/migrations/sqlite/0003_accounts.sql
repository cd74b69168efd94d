-- Accounts, their e-mail addresses, sessions, one-time tokens, and the
-- members of each organisation (an organisation is an issuer).

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    handle        TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    language      TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

-- Addresses are stored lower-cased; one address belongs to one account.
-- An unverified address reserves nothing: confirming it elsewhere first
-- wins, and the unverified row is removed then.
CREATE TABLE user_emails (
    email       TEXT NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    is_primary  BOOLEAN NOT NULL DEFAULT FALSE,
    verified_at TIMESTAMP,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, email)
);
CREATE UNIQUE INDEX user_emails_verified ON user_emails (email) WHERE verified_at IS NOT NULL;
CREATE INDEX user_emails_email ON user_emails (email);

-- One-time tokens (address confirmation, password reset, invitation,
-- claim): only the SHA-256 of the token is kept, so a copy of the
-- database does not let anyone use them.
CREATE TABLE tokens (
    hash       TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    user_id    TEXT REFERENCES users (id) ON DELETE CASCADE,
    email      TEXT NOT NULL DEFAULT '',
    data       TEXT NOT NULL DEFAULT '{}',
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX tokens_expiry ON tokens (expires_at);

-- Sessions (scs): the key is the SHA-256 of the cookie's token.
CREATE TABLE sessions (
    token  TEXT PRIMARY KEY,
    data   BLOB NOT NULL,
    expiry TIMESTAMP NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);

CREATE TABLE memberships (
    issuer_id  TEXT NOT NULL REFERENCES issuers (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'reviewer', 'awarder')),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (issuer_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- Badges imported into a portfolio from elsewhere. Their original bytes
-- stay in portfolio_items.credential (exported unchanged); this table
-- holds what the import read from them, to list them without parsing,
-- and what the last verification said, which a periodic job refreshes.
CREATE TABLE portfolio_imports (
    item_id        TEXT PRIMARY KEY REFERENCES portfolio_items (id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The credential's id (an OB 2.0 assertion's id), else "sha256:" and
    -- the hash of the bytes: one account imports a badge once.
    credential_key TEXT NOT NULL,
    format         TEXT NOT NULL,               -- png, svg, json or jwt
    standard       TEXT NOT NULL DEFAULT '',    -- "Open Badges 2.0"… ("" for 3.0)
    issuer_name    TEXT NOT NULL DEFAULT '',
    issuer_url     TEXT NOT NULL DEFAULT '',
    description    TEXT NOT NULL DEFAULT '',
    issued_at      TIMESTAMP,
    valid_until    TIMESTAMP,
    -- The verdict of the last verification: valid, expired, revoked,
    -- suspended or invalid; state_reason is the issuer's stated reason.
    state          TEXT NOT NULL,
    state_reason   TEXT NOT NULL DEFAULT '',
    checked_at     TIMESTAMP NOT NULL,
    -- The image shown for the badge (a PNG without its baked credential,
    -- or the achievement's embedded image), last: it may be large.
    image_type     TEXT NOT NULL DEFAULT '',
    image          BLOB
);
CREATE UNIQUE INDEX portfolio_imports_key ON portfolio_imports (user_id, credential_key);
-- The re-check job reads the items checked longest ago.
CREATE INDEX portfolio_imports_due ON portfolio_imports (checked_at);

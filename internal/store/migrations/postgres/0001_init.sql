-- Issuers, their keys, badge definitions, awards and status list counters.
-- Times are TIMESTAMPTZ; credentials are BYTEA, never jsonb, so their bytes stay as signed.
-- Lists inside a row (tags, alignments, evidence…) are JSON text: they are
-- read and written whole, never queried.

CREATE TABLE issuers (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    url         TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    image_key   TEXT NOT NULL DEFAULT '',
    language    TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE issuer_keys (
    id                    TEXT PRIMARY KEY,
    issuer_id             TEXT NOT NULL REFERENCES issuers (id),
    key_id                TEXT NOT NULL,
    public_key_multibase  TEXT NOT NULL,
    encrypted_private_key BYTEA NOT NULL,
    created_at            TIMESTAMPTZ NOT NULL,
    retired_at            TIMESTAMPTZ,
    UNIQUE (issuer_id, key_id)
);

CREATE TABLE badges (
    id                  TEXT PRIMARY KEY,
    issuer_id           TEXT NOT NULL REFERENCES issuers (id),
    slug                TEXT NOT NULL,
    name                TEXT NOT NULL,
    description         TEXT NOT NULL,
    criteria_narrative  TEXT NOT NULL DEFAULT '',
    criteria_url        TEXT NOT NULL DEFAULT '',
    image_key           TEXT NOT NULL DEFAULT '',
    image_type          TEXT NOT NULL DEFAULT '',
    achievement_type    TEXT NOT NULL DEFAULT '',
    tags                TEXT NOT NULL DEFAULT '[]',
    alignments          TEXT NOT NULL DEFAULT '[]',
    language            TEXT NOT NULL,
    result_descriptions TEXT NOT NULL DEFAULT '[]',
    validity_days       BIGINT NOT NULL DEFAULT 0,
    creator_issuer_id   TEXT REFERENCES issuers (id),
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    UNIQUE (issuer_id, slug),
    -- Target of awards' (badge_id, issuer_id) reference: an award's issuer is its badge's.
    UNIQUE (id, issuer_id)
);

-- One row per issuer: the next status list index to hand out. It only grows,
-- so an index is never given to two awards, even after deletions.
CREATE TABLE status_lists (
    issuer_id  TEXT PRIMARY KEY REFERENCES issuers (id),
    next_index BIGINT NOT NULL DEFAULT 0,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE awards (
    id                      TEXT PRIMARY KEY,
    badge_id                TEXT NOT NULL,
    issuer_id               TEXT NOT NULL REFERENCES issuers (id),
    recipient_email         TEXT NOT NULL DEFAULT '',
    recipient_did           TEXT NOT NULL DEFAULT '',
    recipient_name          TEXT NOT NULL DEFAULT '',
    recipient_salt          TEXT NOT NULL DEFAULT '',
    recipient_identity_hash TEXT NOT NULL DEFAULT '',
    narrative               TEXT NOT NULL DEFAULT '',
    evidence                TEXT NOT NULL DEFAULT '[]',
    awarded_at              TIMESTAMPTZ NOT NULL,
    valid_from              TIMESTAMPTZ NOT NULL,
    valid_until             TIMESTAMPTZ,
    language                TEXT NOT NULL DEFAULT '',
    credential              BYTEA NOT NULL,
    credential_jwt          TEXT NOT NULL DEFAULT '',
    status_index            BIGINT NOT NULL,
    status                  TEXT NOT NULL DEFAULT 'active'
                            CHECK (status IN ('active', 'revoked', 'suspended')),
    status_reason           TEXT NOT NULL DEFAULT '',
    status_changed_at       TIMESTAMPTZ,
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL,
    UNIQUE (issuer_id, status_index),
    FOREIGN KEY (badge_id, issuer_id) REFERENCES badges (id, issuer_id)
);

CREATE INDEX awards_badge_awarded ON awards (badge_id, awarded_at);
CREATE INDEX awards_issuer_awarded ON awards (issuer_id, awarded_at);
-- Status lists read only the few awards that are not active.
CREATE INDEX awards_issuer_inactive ON awards (issuer_id, status) WHERE status <> 'active';
CREATE INDEX awards_recipient_email ON awards (recipient_email) WHERE recipient_email <> '';
CREATE INDEX awards_recipient_did ON awards (recipient_did) WHERE recipient_did <> '';

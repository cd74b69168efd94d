-- Portfolios: every badge an account holds, in themes (collections) the
-- recipient names and orders. An item is an award made here and accepted
-- (award_id) or, later, a badge imported from elsewhere (its original
-- bytes in credential, where it came from in source). Items are private
-- until the recipient makes them public; evidence shows only on request.

-- An award the recipient declined stays out of the portfolio and out of
-- the "to accept" list.
ALTER TABLE awards ADD COLUMN declined_at TIMESTAMPTZ;

CREATE TABLE portfolio_collections (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    position   INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX portfolio_collections_user ON portfolio_collections (user_id, position);

CREATE TABLE portfolio_items (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    award_id      TEXT REFERENCES awards (id) ON DELETE CASCADE,
    credential    BYTEA,
    source        TEXT NOT NULL DEFAULT '',
    name          TEXT NOT NULL,
    slug          TEXT NOT NULL,
    public        BOOLEAN NOT NULL DEFAULT FALSE,
    show_evidence BOOLEAN NOT NULL DEFAULT FALSE,
    collection_id TEXT REFERENCES portfolio_collections (id) ON DELETE SET NULL,
    position      INTEGER NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, slug),
    CHECK (award_id IS NOT NULL OR credential IS NOT NULL)
);
-- An award sits in one portfolio at most.
CREATE UNIQUE INDEX portfolio_items_award ON portfolio_items (award_id) WHERE award_id IS NOT NULL;
-- The portfolio pages read one account's items in order.
CREATE INDEX portfolio_items_user ON portfolio_items (user_id, position);

-- Competency frameworks an organisation imported (CSV or CASE JSON).
-- items holds the tree as a JSON array of {code, name, parent,
-- description, url}, checked when imported and read whole: a framework
-- is shown and measured as one piece.
CREATE TABLE frameworks (
    id          TEXT PRIMARY KEY,
    issuer_id   TEXT NOT NULL REFERENCES issuers (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    url         TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL,
    items       TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX frameworks_issuer ON frameworks (issuer_id, created_at);

-- A recipient's choice to show their coverage of a framework publicly.
CREATE TABLE framework_shares (
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    framework_id TEXT NOT NULL REFERENCES frameworks (id) ON DELETE CASCADE,
    public       BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (user_id, framework_id)
);

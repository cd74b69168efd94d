-- Pathways ("parcours"), delegated issuing and endorsements.

-- A pathway is an issuer's named tree of requirements (tree: JSON, read and
-- written whole; see internal/pathways), with an optional completion badge
-- (one of the issuer's definitions).
CREATE TABLE pathways (
    id                  TEXT PRIMARY KEY,
    issuer_id           TEXT NOT NULL REFERENCES issuers (id),
    slug                TEXT NOT NULL,
    name                TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    language            TEXT NOT NULL,
    tree                TEXT NOT NULL,
    completion_badge_id TEXT REFERENCES badges (id),
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    UNIQUE (issuer_id, slug)
);

-- Partner issuers of a pathway: they may add requirements.
CREATE TABLE pathway_partners (
    pathway_id TEXT NOT NULL REFERENCES pathways (id) ON DELETE CASCADE,
    issuer_id  TEXT NOT NULL REFERENCES issuers (id),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (pathway_id, issuer_id)
);
CREATE INDEX pathway_partners_issuer ON pathway_partners (issuer_id);

-- The keys of a pathway's leaves ("badge:" + a badge id, "ext:" + an
-- achievement id or badge class URL), rewritten with the tree: they find
-- the pathways a recipient's badges count toward.
CREATE TABLE pathway_requirements (
    pathway_id TEXT NOT NULL REFERENCES pathways (id) ON DELETE CASCADE,
    ref        TEXT NOT NULL,
    PRIMARY KEY (pathway_id, ref)
);
CREATE INDEX pathway_requirements_ref ON pathway_requirements (ref);

-- A recipient's completion of a pathway, with the completion badge awarded
-- for it. review is the issuer's decision once a badge it rests on stopped
-- counting: '' (none yet), kept or revoked.
CREATE TABLE pathway_completions (
    id           TEXT PRIMARY KEY,
    pathway_id   TEXT NOT NULL REFERENCES pathways (id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    award_id     TEXT REFERENCES awards (id) ON DELETE SET NULL,
    completed_at TIMESTAMPTZ NOT NULL,
    review       TEXT NOT NULL DEFAULT '' CHECK (review IN ('', 'kept', 'revoked')),
    reviewed_at  TIMESTAMPTZ,
    reviewed_by  TEXT NOT NULL DEFAULT '',
    UNIQUE (pathway_id, user_id)
);

-- The badges a completion rests on: an award made here or an imported
-- portfolio item (ref_id), and what the completion credential cites (url).
CREATE TABLE pathway_completion_basis (
    completion_id TEXT NOT NULL REFERENCES pathway_completions (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('award', 'import')),
    ref_id        TEXT NOT NULL,
    url           TEXT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (completion_id, kind, ref_id)
);
CREATE INDEX pathway_completion_basis_ref ON pathway_completion_basis (ref_id);

-- Organisation A (issuer_id) authorises B (delegate_id) to award one of
-- its badge definitions (badge_id). B awards it through its own copy
-- (delegate_badge_id, created with the grant, A as creator), so that the
-- credential is B's: signed by B, in B's status lists. A withdrawal is
-- dated, never deleted: A's published authorisations list both dates, and
-- badges awarded before stay valid.
CREATE TABLE delegations (
    id                TEXT PRIMARY KEY,
    issuer_id         TEXT NOT NULL REFERENCES issuers (id),
    delegate_id       TEXT NOT NULL REFERENCES issuers (id),
    badge_id          TEXT NOT NULL REFERENCES badges (id),
    delegate_badge_id TEXT NOT NULL REFERENCES badges (id),
    granted_at        TIMESTAMPTZ NOT NULL,
    granted_by        TEXT NOT NULL DEFAULT '',
    withdrawn_at      TIMESTAMPTZ,
    withdrawn_by      TEXT NOT NULL DEFAULT '',
    CHECK (issuer_id <> delegate_id)
);
CREATE UNIQUE INDEX delegations_active ON delegations (badge_id, delegate_id) WHERE withdrawn_at IS NULL;
CREATE INDEX delegations_issuer ON delegations (issuer_id, granted_at);
CREATE INDEX delegations_delegate ON delegations (delegate_id, granted_at);
CREATE INDEX delegations_delegate_badge ON delegations (delegate_badge_id);

-- An organisation's endorsement of an issuer (badge_id NULL) or of one of
-- its badge definitions: the EndorsementCredential the endorser signed,
-- shown once the endorsed issuer accepts it.
CREATE TABLE endorsements (
    id          TEXT PRIMARY KEY,
    endorser_id TEXT NOT NULL REFERENCES issuers (id),
    issuer_id   TEXT NOT NULL REFERENCES issuers (id),
    badge_id    TEXT REFERENCES badges (id),
    comment     TEXT NOT NULL,
    credential  BYTEA NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'declined')),
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    decided_at  TIMESTAMPTZ,
    CHECK (endorser_id <> issuer_id)
);
CREATE INDEX endorsements_issuer ON endorsements (issuer_id, state, created_at);
CREATE INDEX endorsements_badge ON endorsements (badge_id, state) WHERE badge_id IS NOT NULL;
CREATE INDEX endorsements_endorser ON endorsements (endorser_id, created_at);

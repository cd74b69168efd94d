-- An endorsement carries an entry in its endorser's status lists: its
-- index comes from the endorser's status_lists counter, the one awards
-- use, so the endorser's list covers both. Withdrawing an endorsement
-- dates it (the row stays, the bit is set): verifiers of badges that embed
-- it see it revoked. Endorsements signed before this migration have no
-- index (status_index NULL): withdrawing them only stops showing them.
ALTER TABLE endorsements ADD COLUMN status_index INTEGER;
ALTER TABLE endorsements ADD COLUMN withdrawn_at TIMESTAMP;
ALTER TABLE endorsements ADD COLUMN withdrawn_by TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX endorsements_status ON endorsements (endorser_id, status_index) WHERE status_index IS NOT NULL;

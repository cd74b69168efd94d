-- A badge definition may be open to applications from the catalogue; an
-- award is claimed by the account that accepts it.
ALTER TABLE badges ADD COLUMN applications_open BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE awards ADD COLUMN claimed_by TEXT REFERENCES users (id);
ALTER TABLE awards ADD COLUMN claimed_at TIMESTAMP;
CREATE INDEX awards_claimed_by ON awards (claimed_by) WHERE claimed_by IS NOT NULL;

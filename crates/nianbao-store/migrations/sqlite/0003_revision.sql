-- Every change to an org unit's year (a value, an explanation) bumps its data revision inside the
-- writing transaction; a submission compares the revision its check was made on, so no write can
-- slip between the check and the transition.
CREATE TABLE data_revision (
    org_id TEXT NOT NULL REFERENCES org_unit (id),
    year INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    PRIMARY KEY (org_id, year)
);

-- An explanation answers a warning about particular values: the values it was written for.
ALTER TABLE explanation ADD COLUMN values_seen TEXT NOT NULL DEFAULT '';

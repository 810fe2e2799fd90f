-- Stored aggregates that may no longer match the approved data below them: a school's approval
-- changed, or a unit below was re-aggregated with different figures. Marked rather than
-- recomputed (re-aggregating one unit's subtree does not read the rest of the nation); cleared
-- when the unit itself is re-aggregated.
CREATE TABLE aggregate_stale (
    org_id TEXT NOT NULL REFERENCES org_unit (id),
    year INTEGER NOT NULL,
    cause TEXT NOT NULL CHECK (cause IN ('approval', 'below_aggregated')),
    cause_org_id TEXT NOT NULL,
    marked_at TEXT NOT NULL,
    PRIMARY KEY (org_id, year)
);

-- Where an org unit above the schools has its own entered figure and the schools' roll-up says
-- otherwise, the editor decides which one the report prints: the aggregate, or the entered
-- figure with a reason. Every decision is also in the audit trail.
CREATE TABLE figure_choice (
    org_id TEXT NOT NULL REFERENCES org_unit (id),
    year INTEGER NOT NULL,
    indicator_id TEXT NOT NULL,
    choice TEXT NOT NULL CHECK (choice IN ('aggregate', 'entered')),
    reason TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (org_id, year, indicator_id)
);

-- nianbao storage schema, PostgreSQL. Decimals are stored as text so that they stay exact.
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE org_unit (
    id TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    level TEXT NOT NULL,
    parent_id TEXT REFERENCES org_unit (id),
    ownership TEXT,
    designations TEXT NOT NULL DEFAULT '',
    provincial_grade TEXT,
    school_type TEXT
);

CREATE TABLE report_year (
    year BIGINT PRIMARY KEY,
    closed BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE value (
    org_id TEXT NOT NULL REFERENCES org_unit (id),
    year BIGINT NOT NULL,
    indicator_id TEXT NOT NULL,
    layer TEXT NOT NULL CHECK (layer IN ('reported', 'aggregated')),
    value TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('number', 'not_applicable', 'text')),
    provenance TEXT NOT NULL CHECK (provenance IN ('entered', 'imported', 'aggregated', 'computed')),
    note TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    version BIGINT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    reporting BIGINT,
    schools BIGINT,
    PRIMARY KEY (org_id, year, indicator_id, layer)
);

CREATE TABLE value_history (
    id BIGSERIAL PRIMARY KEY,
    org_id TEXT NOT NULL,
    year BIGINT NOT NULL,
    indicator_id TEXT NOT NULL,
    layer TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    old_version BIGINT,
    new_version BIGINT NOT NULL,
    provenance TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT ''
);

CREATE INDEX value_history_cell ON value_history (org_id, year, indicator_id, layer);

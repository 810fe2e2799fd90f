-- nianbao storage schema, SQLite. Decimals are stored as text so that they stay exact.
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE org_unit (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
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
    year INTEGER PRIMARY KEY,
    closed INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE value (
    org_id TEXT NOT NULL REFERENCES org_unit (id),
    year INTEGER NOT NULL,
    indicator_id TEXT NOT NULL,
    layer TEXT NOT NULL CHECK (layer IN ('reported', 'aggregated')),
    value TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('number', 'not_applicable', 'text')),
    provenance TEXT NOT NULL CHECK (provenance IN ('entered', 'imported', 'aggregated', 'computed')),
    note TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    version INTEGER NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    reporting INTEGER,
    schools INTEGER,
    PRIMARY KEY (org_id, year, indicator_id, layer)
);

CREATE TABLE value_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    indicator_id TEXT NOT NULL,
    layer TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    old_version INTEGER,
    new_version INTEGER NOT NULL,
    provenance TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT ''
);

CREATE INDEX value_history_cell ON value_history (org_id, year, indicator_id, layer);

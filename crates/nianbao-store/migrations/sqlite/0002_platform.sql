-- nianbao web platform, SQLite: accounts, sessions, API tokens, the review workflow, the audit
-- trail, case studies with photos, narrative edits and published report versions.
CREATE TABLE account (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'city', 'county', 'school')),
    org_id TEXT NOT NULL REFERENCES org_unit (id),
    display_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE session (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES account (username),
    csrf TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE api_token (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES account (username),
    label TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE submission (
    org_id TEXT NOT NULL REFERENCES org_unit (id),
    year INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'approved')),
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, year)
);

CREATE TABLE explanation (
    org_id TEXT NOT NULL REFERENCES org_unit (id),
    year INTEGER NOT NULL,
    rule_id TEXT NOT NULL,
    text TEXT NOT NULL CHECK (length(text) <= 2000),
    written_by TEXT NOT NULL,
    written_at TEXT NOT NULL,
    PRIMARY KEY (org_id, year, rule_id)
);

CREATE TABLE audit_event (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    org_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_event_org ON audit_event (org_id, year);

CREATE TABLE photo (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL REFERENCES org_unit (id),
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);

CREATE TABLE case_study (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL REFERENCES org_unit (id),
    year INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    photo_id INTEGER REFERENCES photo (id),
    photo_caption TEXT NOT NULL DEFAULT '',
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE narrative (
    org_id TEXT NOT NULL REFERENCES org_unit (id),
    year INTEGER NOT NULL,
    section TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (org_id, year, section)
);

CREATE TABLE publication (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL REFERENCES org_unit (id),
    year INTEGER NOT NULL,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL,
    change_note TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    html BLOB NOT NULL,
    docx BLOB NOT NULL,
    pdf BLOB NOT NULL,
    xlsx BLOB NOT NULL,
    UNIQUE (org_id, year, version)
);

-- A published version never changes: a correction is a new version.
CREATE TRIGGER publication_no_update BEFORE UPDATE ON publication
BEGIN SELECT RAISE(ABORT, 'published report versions are immutable'); END;
CREATE TRIGGER publication_no_delete BEFORE DELETE ON publication
BEGIN SELECT RAISE(ABORT, 'published report versions are immutable'); END;

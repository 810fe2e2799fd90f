-- Accounts: an administrator's reset makes the user choose a new password at the next sign-in,
-- and the time of the last change is kept. Sessions are found by account (a change of password
-- ends them all). Deadlines: the day by which a level's work of a year is due (`submit`: schools
-- submit their returns; `review`: reviewers approve them), set for an org unit and everything
-- below it; the nearest setting above a school applies.
ALTER TABLE account ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE account ADD COLUMN password_changed_at TEXT NOT NULL DEFAULT '';
CREATE INDEX session_username ON session (username);

CREATE TABLE deadline (
    org_id TEXT NOT NULL REFERENCES org_unit (id),
    year INTEGER NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('submit', 'review')),
    due_on TEXT NOT NULL CHECK (length(due_on) = 10),
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL,
    PRIMARY KEY (org_id, year, stage)
);

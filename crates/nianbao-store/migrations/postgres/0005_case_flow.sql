-- Case studies flow up: a school's case keeps any number of photos, each with its caption (the
-- single photo of 0002 moves here), and the editor of a county, city or province report picks
-- cases of its schools into the report, in order, each placed after one narrative section.
CREATE TABLE case_photo (
    case_id BIGINT NOT NULL REFERENCES case_study (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    photo_id BIGINT NOT NULL REFERENCES photo (id),
    caption TEXT NOT NULL DEFAULT '' CHECK (length(caption) <= 200),
    PRIMARY KEY (case_id, position)
);
INSERT INTO case_photo (case_id, position, photo_id, caption)
    SELECT id, 1, photo_id, photo_caption FROM case_study WHERE photo_id IS NOT NULL;
UPDATE case_study SET photo_id = NULL, photo_caption = '';

CREATE TABLE case_pick (
    org_id TEXT NOT NULL REFERENCES org_unit (id),
    year BIGINT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES case_study (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    section TEXT NOT NULL CHECK (length(section) <= 100),
    picked_by TEXT NOT NULL,
    picked_at TEXT NOT NULL,
    PRIMARY KEY (org_id, year, case_id)
);

-- The chapter a school places its case in (a narrative section key of the report templates);
-- the editor above starts from it when picking the case.
ALTER TABLE case_study ADD COLUMN section TEXT NOT NULL DEFAULT '';

-- +goose Up
CREATE TABLE poses (
    id                   TEXT PRIMARY KEY,
    slug                 TEXT NOT NULL UNIQUE,
    english_name         TEXT NOT NULL,
    sanskrit_name        TEXT NOT NULL DEFAULT '',
    search_text          TEXT NOT NULL, -- both names, lower-case, without diacritics
    category             TEXT NOT NULL,
    difficulty           TEXT NOT NULL,
    description          TEXT NOT NULL DEFAULT '',
    instructions         TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    benefits             TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    two_sided            BOOLEAN NOT NULL DEFAULT FALSE,
    default_hold_seconds INTEGER NOT NULL,
    image_url            TEXT,
    seed_hash            TEXT NOT NULL DEFAULT '', -- '' once an editor changed it
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE INDEX poses_name ON poses (english_name, id);
CREATE INDEX poses_category ON poses (category, english_name, id);
CREATE INDEX poses_difficulty ON poses (difficulty, english_name, id);

CREATE TABLE pose_contraindications (
    pose_id TEXT NOT NULL REFERENCES poses (id) ON DELETE CASCADE,
    tag     TEXT NOT NULL,
    PRIMARY KEY (pose_id, tag)
);
CREATE INDEX pose_contraindications_tag ON pose_contraindications (tag, pose_id);

CREATE TABLE sequences (
    id                     TEXT PRIMARY KEY,
    slug                   TEXT NOT NULL UNIQUE,
    name                   TEXT NOT NULL,
    description            TEXT NOT NULL DEFAULT '',
    difficulty             TEXT NOT NULL,
    style                  TEXT NOT NULL,
    focus_area             TEXT NOT NULL,
    owner_id               TEXT REFERENCES users (id) ON DELETE CASCADE, -- NULL for presets
    total_duration_seconds INTEGER NOT NULL,
    seed_hash              TEXT NOT NULL DEFAULT '',
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL
);
-- Lists read presets (owner_id IS NULL) and one user's own, by name: each
-- is one range of this index, however many sequences other users have.
CREATE INDEX sequences_owner_name ON sequences (owner_id, name, id);

CREATE TABLE sequence_steps (
    sequence_id      TEXT NOT NULL REFERENCES sequences (id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    pose_id          TEXT NOT NULL REFERENCES poses (id), -- no cascade: a used pose cannot go
    duration_seconds INTEGER NOT NULL,
    side             TEXT NOT NULL CHECK (side IN ('left', 'right', 'both')),
    cue              TEXT,
    PRIMARY KEY (sequence_id, position)
);
CREATE INDEX sequence_steps_pose ON sequence_steps (pose_id);

-- A counter per cached kind of content: readers key cached responses by
-- it, editorial writes bump it, so every instance sees a change at once.
CREATE TABLE cache_versions (
    name    TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);

-- +goose Down
DROP TABLE cache_versions;
DROP TABLE sequence_steps;
DROP TABLE sequences;
DROP TABLE pose_contraindications;
DROP TABLE poses;

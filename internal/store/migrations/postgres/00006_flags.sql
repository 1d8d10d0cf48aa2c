-- +goose Up
-- Feature flags. Variants and roles are JSON arrays: a flag is always read
-- and written whole, and every instance keeps all of them in memory.
CREATE TABLE flags (
    key             TEXT PRIMARY KEY,
    description     TEXT NOT NULL DEFAULT '',
    enabled         BOOLEAN NOT NULL DEFAULT FALSE,
    rollout_percent INTEGER NOT NULL CHECK (rollout_percent BETWEEN 0 AND 100),
    variants        TEXT NOT NULL DEFAULT '[]', -- JSON array of {name, weight}
    default_variant TEXT NOT NULL,
    roles           TEXT NOT NULL DEFAULT '[]', -- JSON array of role names
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

-- The variant of each enabled flag a practitioner held when a session
-- started: experiment results group sessions by it. A flag's exposures go
-- with the flag, a session's with the session.
CREATE TABLE session_flag_variants (
    flag_key   TEXT NOT NULL REFERENCES flags (key) ON DELETE CASCADE,
    session_id TEXT NOT NULL REFERENCES practice_sessions (id) ON DELETE CASCADE,
    variant    TEXT NOT NULL,
    PRIMARY KEY (flag_key, session_id)
);
CREATE INDEX session_flag_variants_session ON session_flag_variants (session_id);

-- +goose Down
DROP TABLE session_flag_variants;
DROP TABLE flags;

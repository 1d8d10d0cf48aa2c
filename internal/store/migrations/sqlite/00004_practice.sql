-- +goose Up
CREATE TABLE practice_sessions (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sequence_id    TEXT REFERENCES sequences (id) ON DELETE SET NULL, -- history outlives the sequence
    sequence_name  TEXT NOT NULL,
    style          TEXT,                      -- the sequence's, for stats by style
    local_day      INTEGER NOT NULL,          -- days since 1970-01-01 of started_at in the user's time zone
    status         TEXT NOT NULL CHECK (status IN ('in_progress', 'paused', 'completed', 'abandoned')),
    started_at     TIMESTAMP NOT NULL,
    ended_at       TIMESTAMP,
    active_ms      BIGINT NOT NULL DEFAULT 0, -- active time banked before stretch_start
    paused_ms      BIGINT NOT NULL DEFAULT 0, -- paused time banked before stretch_start
    stretch_start  TIMESTAMP NOT NULL,        -- when the present status began
    current_step   INTEGER NOT NULL DEFAULT 1,
    step_count     INTEGER NOT NULL,
    rating         INTEGER CHECK (rating BETWEEN 1 AND 5),
    notes          TEXT,
    updated_at     TIMESTAMP NOT NULL
);
-- One active session per user, guaranteed by the schema, not by a
-- read-then-write check: concurrent starts cannot both insert.
CREATE UNIQUE INDEX practice_sessions_one_active ON practice_sessions (user_id)
    WHERE status IN ('in_progress', 'paused');
CREATE INDEX practice_sessions_history ON practice_sessions (user_id, started_at DESC, id DESC);
-- Stats group a user's sessions by local day.
CREATE INDEX practice_sessions_days ON practice_sessions (user_id, local_day);

-- +goose Down
DROP TABLE practice_sessions;

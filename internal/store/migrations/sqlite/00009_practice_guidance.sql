-- +goose Up
-- Where a practice stands, for resuming it exactly on any device: the side
-- of the step being practised, the active time into that step banked when
-- the present stretch began, and the plan the session follows (the seconds
-- and sides of each step, copied from the sequence at the start, so the
-- server can walk the practice along it and bound its active time).
ALTER TABLE practice_sessions ADD COLUMN current_side TEXT CHECK (current_side IN ('left', 'right'));
ALTER TABLE practice_sessions ADD COLUMN step_elapsed_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE practice_sessions ADD COLUMN plan TEXT;
-- The player that reported last (an ID the client chose), so another one
-- learns that the practice moved to it.
ALTER TABLE practice_sessions ADD COLUMN device_id TEXT;
-- How the player guides a practitioner, kept with the account so it follows
-- them to another device.
ALTER TABLE users ADD COLUMN practice_voice BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE users ADD COLUMN practice_chime BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN practice_breath_pacing BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN practice_breaths_per_minute INTEGER NOT NULL DEFAULT 6
    CHECK (practice_breaths_per_minute BETWEEN 3 AND 20);

-- +goose Down
ALTER TABLE users DROP COLUMN practice_breaths_per_minute;
ALTER TABLE users DROP COLUMN practice_breath_pacing;
ALTER TABLE users DROP COLUMN practice_chime;
ALTER TABLE users DROP COLUMN practice_voice;
ALTER TABLE practice_sessions DROP COLUMN device_id;
ALTER TABLE practice_sessions DROP COLUMN plan;
ALTER TABLE practice_sessions DROP COLUMN step_elapsed_ms;
ALTER TABLE practice_sessions DROP COLUMN current_side;

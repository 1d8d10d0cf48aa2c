-- +goose Up
-- Active users (the yogaflow_active_users gauge) count the people with a
-- session started in the last day or week: a range of this index, read
-- without touching the table, however long the history.
CREATE INDEX practice_sessions_started ON practice_sessions (started_at, user_id);

-- +goose Down
DROP INDEX practice_sessions_started;

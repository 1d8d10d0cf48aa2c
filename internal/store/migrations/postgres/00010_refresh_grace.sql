-- +goose Up
-- The token that replaced a rotated refresh token, sealed with a key only
-- the service holds: a reuse within the grace window gets the same one.
ALTER TABLE refresh_tokens ADD COLUMN successor_sealed TEXT;

-- +goose Down
ALTER TABLE refresh_tokens DROP COLUMN successor_sealed;

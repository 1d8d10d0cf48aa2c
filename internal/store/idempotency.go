package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/yogaflow/yogaflow/internal/platform/idempotency"
)

// Idempotency is the idempotency.Store on this database.
type Idempotency struct{ db *DB }

var _ idempotency.Store = (*Idempotency)(nil)

// Idempotency returns the idempotency key store.
func (db *DB) Idempotency() *Idempotency { return &Idempotency{db: db} }

// claimAttempts bounds how often Claim tries again when the record it
// found is gone before it could be read (released by its request).
const claimAttempts = 3

func (s *Idempotency) Claim(ctx context.Context, userID, key, requestHash string, now time.Time) (idempotency.Claim, error) {
	// Forget an expired record first, so its key can be claimed again.
	if _, err := s.db.write.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND created_at < $3`,
		userID, key, now.Add(-idempotency.TTL)); err != nil {
		return idempotency.Claim{}, err
	}
	for range claimAttempts {
		// The primary key makes the claim atomic: of two concurrent
		// requests with one key, one inserts and the other finds its record.
		_, err := s.db.write.ExecContext(ctx, `INSERT INTO idempotency_keys (user_id, key, request_hash, created_at) VALUES ($1, $2, $3, $4)`,
			userID, key, requestHash, now)
		if err == nil {
			return idempotency.Claim{Outcome: idempotency.Claimed}, nil
		}
		if !isUniqueViolation(err) {
			return idempotency.Claim{}, err
		}
		var r idempotency.Record
		err = s.db.write.QueryRowContext(ctx, `SELECT request_hash, done, status, content_type, body FROM idempotency_keys
WHERE user_id = $1 AND key = $2`, userID, key).Scan(&r.RequestHash, &r.Done, &r.Status, &r.ContentType, &r.Body)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			continue // released between the two statements: claim it now
		case err != nil:
			return idempotency.Claim{}, err
		case r.RequestHash != requestHash:
			return idempotency.Claim{Outcome: idempotency.Mismatch}, nil
		case r.Done:
			return idempotency.Claim{Outcome: idempotency.Replay, Record: r}, nil
		}
		return idempotency.Claim{Outcome: idempotency.Pending}, nil
	}
	return idempotency.Claim{Outcome: idempotency.Pending}, nil
}

func (s *Idempotency) Finish(ctx context.Context, userID, key string, status int, contentType string, body []byte) error {
	_, err := s.db.write.ExecContext(ctx, `UPDATE idempotency_keys SET done = TRUE, status = $3, content_type = $4, body = $5
WHERE user_id = $1 AND key = $2`, userID, key, status, contentType, body)
	return err
}

func (s *Idempotency) Release(ctx context.Context, userID, key string) error {
	_, err := s.db.write.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2`, userID, key)
	return err
}

// Package idempotency defines how a client's retry of a POST is recognised
// and answered with the first response, for clients on bad networks.
package idempotency

import (
	"context"
	"time"
)

// TTL is how long a key is remembered.
const TTL = 24 * time.Hour

// Record is what is kept of a request made with a key.
type Record struct {
	RequestHash string // of method, path and body: the same key with another request is refused
	Done        bool   // false while the first request is still being served
	Status      int
	ContentType string
	Body        []byte
}

// Store keeps records per user and key.
type Store interface {
	// Claim makes the caller the owner of (user, key), returning nil; or
	// returns the record of the request that owns it. A record older than
	// TTL is forgotten first.
	Claim(ctx context.Context, userID, key, requestHash string, now time.Time) (*Record, error)
	// Finish keeps the response of a claimed key.
	Finish(ctx context.Context, userID, key string, status int, contentType string, body []byte) error
	// Release forgets a claimed key whose request failed on our side, so a
	// retry runs again.
	Release(ctx context.Context, userID, key string) error
}

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

// Outcome is what a Claim found.
type Outcome int

const (
	// Claimed: the caller owns the key; it serves the request, then
	// calls Finish or Release.
	Claimed Outcome = iota + 1
	// Pending: another request owns the key and is still being served
	// (or the key changed hands while it was claimed): ask again shortly.
	Pending
	// Replay: the key's request was served; Claim.Record holds its
	// response.
	Replay
	// Mismatch: the key was used with another request.
	Mismatch
)

// Claim is the answer of Store.Claim.
type Claim struct {
	Outcome Outcome
	Record  Record // for Replay
}

// Store keeps records per user and key.
type Store interface {
	// Claim tries to make the caller the owner of (user, key) for a
	// request whose hash is requestHash, forgetting first a record older
	// than TTL.
	Claim(ctx context.Context, userID, key, requestHash string, now time.Time) (Claim, error)
	// Finish keeps the response of a claimed key.
	Finish(ctx context.Context, userID, key string, status int, contentType string, body []byte) error
	// Release forgets a claimed key whose request failed on our side, so a
	// retry runs again.
	Release(ctx context.Context, userID, key string) error
}

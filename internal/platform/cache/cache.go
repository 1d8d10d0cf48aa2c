// Package cache is a small byte cache with one interface and two backends:
// in-process (Memory) for a single embedded instance, and Redis for many
// instances that must see each other's invalidations.
package cache

import (
	"context"
	"errors"
	"time"
)

// Cache stores opaque bytes under string keys for a bounded time.
//
// Callers own correctness: a cache may lose any entry at any moment, so a
// miss or an error must always fall back to the source of truth.
type Cache interface {
	// Get returns the value and true, or nil and false on a miss. An error
	// means the cache could not be asked (Redis down); callers then go to the
	// database. The value may be shared with other readers: never modify it.
	Get(ctx context.Context, key string) ([]byte, bool, error)
	// Set stores value under key for ttl, replacing any previous value and
	// its ttl. The ttl must be positive (ErrInvalidTTL otherwise): every
	// entry expires, so an invalidation that was missed heals by itself.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Add stores value only if key holds nothing, and reports whether it
	// did. A reader that loaded a value before an invalidation wrote its
	// marker cannot then put the stale value back.
	Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	// Delete removes keys; deleting a missing key is not an error.
	Delete(ctx context.Context, keys ...string) error
	// Ping checks the backend, for the readiness endpoint.
	Ping(ctx context.Context) error
	// Kind names the backend ("memory" or "redis"), for logs and readiness.
	Kind() string
}

// ErrInvalidTTL is returned by Set for a ttl that is zero or negative. Both
// backends would otherwise read such a ttl as "keep forever" (or, for an
// existing otter entry, "keep the old deadline").
var ErrInvalidTTL = errors.New("cache: ttl must be positive")

var (
	_ Cache = (*Memory)(nil)
	_ Cache = (*Redis)(nil)
)

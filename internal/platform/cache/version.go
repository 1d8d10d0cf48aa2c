package cache

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

// Version is a counter that every instance sharing it agrees on: readers
// put it in their cache keys, writers bump it, and entries of older
// versions are never read again.
type Version interface {
	Current(ctx context.Context) (int64, error)
	Bump(ctx context.Context) error
}

// MemoryVersion is a Version for a single instance.
type MemoryVersion struct{ n atomic.Int64 }

// Current returns the version.
func (v *MemoryVersion) Current(context.Context) (int64, error) { return v.n.Load(), nil }

// Bump moves the version on.
func (v *MemoryVersion) Bump(context.Context) error { v.n.Add(1); return nil }

// RedisVersion is a Version shared through Redis.
type RedisVersion struct {
	client *redis.Client
	key    string
}

// NewRedisVersion keeps the counter at key (prefixed like the cache's).
func NewRedisVersion(client *redis.Client, key string) *RedisVersion {
	return &RedisVersion{client: client, key: key}
}

// Current returns the version; a counter never bumped is 0.
func (v *RedisVersion) Current(ctx context.Context) (int64, error) {
	n, err := v.client.Get(ctx, v.key).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("cache: redis version: %w", err)
	}
	return n, nil
}

// Bump increments the counter atomically on the server.
func (v *RedisVersion) Bump(ctx context.Context) error {
	if err := v.client.Incr(ctx, v.key).Err(); err != nil {
		return fmt.Errorf("cache: redis version bump: %w", err)
	}
	return nil
}

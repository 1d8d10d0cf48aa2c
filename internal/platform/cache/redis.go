package cache

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a Cache shared by every instance that uses the same server and
// prefix.
type Redis struct {
	client *redis.Client
	prefix string
}

// NewRedis returns a Redis cache that puts prefix (e.g. "yogaflow:") before
// every key, so the application's keys cannot collide with others' on a
// shared server. The caller owns client and closes it.
func NewRedis(client *redis.Client, prefix string) *Redis {
	return &Redis{client: client, prefix: prefix}
}

// Get returns the value under key; a missing key is a miss, not an error.
// Errors never name the key, which may be derived from a session.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := r.client.Get(ctx, r.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("cache: redis get: %w", err)
	}
	return b, true, nil
}

// Set stores value under key with SET PX, replacing value and ttl.
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return ErrInvalidTTL
	}
	if err := r.client.Set(ctx, r.prefix+key, value, ttl).Err(); err != nil {
		return fmt.Errorf("cache: redis set: %w", err)
	}
	return nil
}

// Add is SET NX: atomic on the server, whatever the number of instances.
func (r *Redis) Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, ErrInvalidTTL
	}
	stored, err := r.client.SetNX(ctx, r.prefix+key, value, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("cache: redis add: %w", err)
	}
	return stored, nil
}

// Delete removes keys in one DEL.
func (r *Redis) Delete(ctx context.Context, keys ...string) error {
	// DEL with no keys is a Redis syntax error, not a no-op.
	if len(keys) == 0 {
		return nil
	}
	prefixed := make([]string, len(keys))
	for i, k := range keys {
		prefixed[i] = r.prefix + k
	}
	if err := r.client.Del(ctx, prefixed...).Err(); err != nil {
		return fmt.Errorf("cache: redis delete: %w", err)
	}
	return nil
}

// Ping sends PING to the server.
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("cache: redis ping: %w", err)
	}
	return nil
}

// Kind returns "redis".
func (r *Redis) Kind() string { return "redis" }

// Defaults for a client that must fail fast: a slow cache is worse than
// none, because every request waits on it before going to the database.
const (
	redisDialTimeout  = 500 * time.Millisecond
	redisIOTimeout    = 500 * time.Millisecond
	redisPoolTimeout  = time.Second
	redisMaxRetries   = 1 // one retry replaces a pooled connection the server dropped
	redisDialAttempts = 1 // go-redis would otherwise try 5 dials, 100 ms apart, per command
)

// NewRedisClient makes a client of the Redis at rawURL (redis://,
// rediss:// or unix://, as redis.ParseURL reads them) without reaching it:
// it connects at its first command. Timeouts, retries and dial attempts
// the URL does not set get short defaults. The caller closes the client.
func NewRedisClient(rawURL string) (*redis.Client, error) {
	opt, err := redisOptions(rawURL)
	if err != nil {
		return nil, err
	}
	return redis.NewClient(opt), nil
}

// OpenRedis is NewRedisClient that pings the server once.
func OpenRedis(ctx context.Context, rawURL string) (*redis.Client, error) {
	client, err := NewRedisClient(rawURL)
	if err != nil {
		return nil, err
	}
	if err := client.Ping(ctx).Err(); err != nil {
		addr := client.Options().Addr
		_ = client.Close()
		return nil, fmt.Errorf("cache: redis ping %s: %w", addr, err)
	}
	return client, nil
}

// redisOptions parses rawURL and fills in the fail-fast defaults.
func redisOptions(rawURL string) (*redis.Options, error) {
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		// A *url.Error quotes the whole URL, password included; keep only
		// its cause so the error is safe to log.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return nil, fmt.Errorf("cache: redis URL: %w", err)
	}
	setDefault(&opt.DialTimeout, redisDialTimeout)
	setDefault(&opt.ReadTimeout, redisIOTimeout)
	setDefault(&opt.WriteTimeout, redisIOTimeout)
	setDefault(&opt.PoolTimeout, redisPoolTimeout)
	setDefault(&opt.MaxRetries, redisMaxRetries)
	setDefault(&opt.DialerRetries, redisDialAttempts)
	// Let a request's deadline cut a command short too.
	opt.ContextTimeoutEnabled = true
	return opt, nil
}

// setDefault sets *p to v when the URL left it zero (go-redis's "unset").
func setDefault[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}

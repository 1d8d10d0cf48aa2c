// Package ratelimit counts requests against limits (N in a sliding window)
// in the process, or in Redis so every instance shares them, without a
// request waiting for Redis, and on the process's own counts while Redis
// is away.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/httprate"
	"github.com/redis/go-redis/v9"
)

// Rate is a limit: Limit requests in each Window.
type Rate struct {
	Limit  int
	Window time.Duration
}

// ParseRate reads "5/1m", "1000/1h": requests, a slash, a duration.
func ParseRate(s string) (Rate, error) {
	n, w, ok := strings.Cut(strings.TrimSpace(s), "/")
	limit, err := strconv.Atoi(n)
	if !ok || err != nil || limit < 1 {
		return Rate{}, fmt.Errorf("%q is not a rate like 5/1m (requests/window)", s)
	}
	window, err := time.ParseDuration(w)
	if err != nil || window < time.Second {
		return Rate{}, fmt.Errorf("%q is not a rate like 5/1m: the window must be a duration of 1s or more", s)
	}
	return Rate{Limit: limit, Window: window}, nil
}

func (r Rate) String() string { return fmt.Sprintf("%d/%s", r.Limit, r.Window) }

// UnmarshalText lets configuration read a Rate.
func (r *Rate) UnmarshalText(b []byte) error {
	v, err := ParseRate(string(b))
	*r = v
	return err
}

// headers are the names of the headers a limited response carries.
var headers = httprate.ResponseHeaders{
	Limit:      "RateLimit-Limit",
	Remaining:  "RateLimit-Remaining",
	Reset:      "RateLimit-Reset",
	RetryAfter: "Retry-After",
}

// Store makes limiters on one backend.
type Store struct {
	client *redis.Client
	prefix string
	shared *shared // nil: counted in the process
}

// NewStore counts in the process when client is nil; otherwise in Redis
// under prefix, with onChange told when the limits stop or start being
// shared (Redis went away or came back); it is called with the Store's
// lock held, and must not call the Store. Close stops it.
func NewStore(client *redis.Client, prefix string, onChange func(shared bool)) *Store {
	s := &Store{client: client, prefix: prefix}
	if client != nil {
		s.shared = newShared(client, onChange)
	}
	return s
}

// Close sends the last counts to Redis and stops sending.
func (s *Store) Close() {
	if s.shared != nil {
		s.shared.close()
	}
}

// Shared says whether limits are counted across instances right now.
func (s *Store) Shared() bool { return s.shared != nil && s.shared.isShared() }

// ErrNotShared is what a readiness check reports while Redis is away.
var ErrNotShared = errors.New("redis is unreachable: each instance counts its own requests")

// Check reports ErrNotShared while limits are per instance for want of
// Redis, and asks Redis when they are not: gone since the last request
// counted, it is not yet known to be.
func (s *Store) Check(ctx context.Context) error {
	if s.client == nil {
		return nil
	}
	if !s.Shared() {
		return ErrNotShared
	}
	if err := s.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrNotShared, err)
	}
	return nil
}

// Limiter is one policy.
type Limiter struct {
	name   string
	window time.Duration
	rl     *httprate.RateLimiter
}

// Limiter makes the limiter of the policy name.
func (s *Store) Limiter(name string, rate Rate) *Limiter {
	// httprate's own default counter shifts windows off the wall clock by
	// a private offset; Reserve must know the window it counted in.
	var counter httprate.LimitCounter = httprate.NewLocalLimitCounter(rate.Window)
	if s.shared != nil {
		counter = s.shared.counter(s.prefix+"ratelimit:"+name, rate.Window)
	}
	opts := []httprate.Option{
		httprate.WithResponseHeaders(headers),
		httprate.WithLimitCounter(counter),
		// Neither counter fails.
		httprate.WithErrorHandler(func(http.ResponseWriter, *http.Request, error) {}),
	}
	return &Limiter{name: name, window: rate.Window, rl: httprate.NewRateLimiter(rate.Limit, rate.Window, opts...)}
}

// Name is the policy's name.
func (l *Limiter) Name() string { return l.name }

// Allow counts a request against key and says whether it is within the
// limit, with the headers that tell the client where it stands:
// RateLimit-* (RateLimit-Reset in seconds from now), and Retry-After when
// it is not within.
func (l *Limiter) Allow(r *http.Request, key string) (bool, http.Header) {
	w := headerRecorder{http.Header{}}
	limited := l.rl.OnLimit(w, r, key)
	if at, err := strconv.ParseInt(w.h.Get(headers.Reset), 10, 64); err == nil {
		reset := max(0, at-time.Now().Unix())
		w.h.Set(headers.Reset, strconv.FormatInt(reset, 10))
		if limited {
			// The window's end, as RateLimit-Reset says, not httprate's
			// whole window length from now.
			w.h.Set(headers.RetryAfter, strconv.FormatInt(max(1, reset), 10))
		}
	}
	return !limited, w.h
}

// Reserve is Allow for a limit on failures: it counts the attempt at once,
// so attempts in flight together cannot slip past the limit, and returns
// refund, which takes the attempt back. The caller refunds the attempts
// that succeeded.
func (l *Limiter) Reserve(r *http.Request, key string) (ok bool, h http.Header, refund func()) {
	window := time.Now().UTC().Truncate(l.window)
	ok, h = l.Allow(r, key)
	return ok, h, func() {
		// Within the window counted in only: an older window is not the
		// counter's to change (it holds the newest two). A refund missed
		// only makes the limit stricter.
		if ok && time.Now().UTC().Truncate(l.window).Equal(window) {
			_ = l.rl.Counter().IncrementBy(key, window, -1)
		}
	}
}

// headerRecorder keeps the headers httprate sets, so that of several
// limits the client hears about the one nearest its end.
type headerRecorder struct{ h http.Header }

func (w headerRecorder) Header() http.Header         { return w.h }
func (w headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (w headerRecorder) WriteHeader(int)             {}

// Remaining reads RateLimit-Remaining back from Allow's headers.
func Remaining(h http.Header) int {
	n, err := strconv.Atoi(h.Get(headers.Remaining))
	if err != nil {
		return 0
	}
	return n
}

// NewRedisClient is a client for limits: short timeouts and no retries, so
// a Redis that stops answering is noticed, and the limits counted in the
// process, within a quarter of a second.
func NewRedisClient(url string) (*redis.Client, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, err
	}
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = 500*time.Millisecond, 250*time.Millisecond, 250*time.Millisecond
	opts.MaxRetries = -1
	opts.DisableIdentity = true
	return redis.NewClient(opts), nil
}

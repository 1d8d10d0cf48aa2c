package ratelimit

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/go-chi/httprate"
	"github.com/redis/go-redis/v9"
)

const (
	// retryEvery is how often counts are sent again, and Redis asked,
	// while it does not answer.
	retryEvery = 200 * time.Millisecond
	// freshFor is how long what Redis last said of a key is believed
	// without asking again.
	freshFor = time.Second
	// nearLimit is the share of a limit past which a check asks Redis.
	nearLimit = 0.9
)

// shared holds the counts of every limiter of a Store in Redis, so all
// instances share them, while sparing most requests a round trip: a check
// well below its limit is made against what Redis said of the key within
// the last second plus this instance's increments since, and increments
// go to Redis in the background, as one pipeline of all that was counted
// while the last one was in flight. Near its limit, a check asks Redis
// first and its increment is in Redis before the request goes on, as
// every check did before; so does a check on a key not heard of lately. While
// Redis is away each instance counts alone, and sends what it counted
// when Redis answers again.
type shared struct {
	client   *redis.Client
	onChange func(shared bool)

	mu      sync.Mutex
	counts  map[string]*count // by Redis key: prefix, limiter, key, window
	dirty   []string          // keys of counts with increments to send
	reached bool              // Redis answered the last time it was asked

	wake chan struct{} // a send asks the sender to send now
	stop chan struct{}
	done chan struct{}
}

// count is one key's count in one window.
type count struct {
	known   int           // the total in Redis when it last answered
	pending int           // counted here and not sent yet
	sending int           // counted here and in the pipeline in flight
	heard   time.Time     // when Redis last answered about it
	flight  chan struct{} // closed when the pipeline in flight has its answer
	expires time.Time     // when the window no longer counts, even as the previous one
	queued  bool          // in dirty
}

func (n *count) total() int { return n.known + n.sending + n.pending }

func newShared(client *redis.Client, onChange func(bool)) *shared {
	s := &shared{client: client, onChange: onChange, counts: map[string]*count{}, reached: true,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go s.run()
	return s
}

// counter is the httprate.LimitCounter of one limiter.
func (s *shared) counter(prefix string, window time.Duration) httprate.LimitCounter {
	return &sharedCounter{s: s, prefix: prefix, window: window}
}

type sharedCounter struct {
	s      *shared
	prefix string
	window time.Duration
	limit  int
}

func (c *sharedCounter) key(key string, window time.Time) string {
	return c.prefix + ":" + key + ":" + strconv.FormatInt(window.Unix(), 10)
}

// Config is told the limit by httprate.
func (c *sharedCounter) Config(limit int, _ time.Duration) { c.limit = limit }

func (c *sharedCounter) Increment(key string, window time.Time) error {
	return c.IncrementBy(key, window, 1)
}

func (c *sharedCounter) IncrementBy(key string, window time.Time, amount int) error {
	s := c.s
	k := c.key(key, window)
	s.mu.Lock()
	n := s.count(k, window.Add(2*c.window))
	n.pending += amount
	if s.reached && c.near(n.total()) {
		// Near the limit the count is in Redis before the request goes on,
		// so that another instance's next check sees it.
		s.settle(n)
		s.exchange([]string{k})
		s.mu.Unlock()
		return nil
	}
	s.queue(n, k)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default: // a send is already due
	}
	return nil
}

// Get is the count of key in the current and the previous window.
func (c *sharedCounter) Get(key string, current, previous time.Time) (int, int, error) {
	s := c.s
	cur, prev := c.key(key, current), c.key(key, previous)
	s.mu.Lock()
	defer s.mu.Unlock()
	nc := s.count(cur, current.Add(2*c.window))
	np := s.count(prev, previous.Add(2*c.window))
	if s.reached && (time.Since(nc.heard) > freshFor || c.near(nc.total()+np.total()+1)) {
		s.settle(nc, np)
		s.exchange([]string{cur, prev})
	}
	return nc.total(), np.total(), nil
}

// count is the count under k, made if missing. s.mu is held.
func (s *shared) count(k string, expires time.Time) *count {
	n := s.counts[k]
	if n == nil {
		n = &count{expires: expires}
		s.counts[k] = n
	}
	return n
}

// queue marks n, under k, as having increments to send. s.mu is held.
func (s *shared) queue(n *count, k string) {
	if !n.queued {
		n.queued = true
		s.dirty = append(s.dirty, k)
	}
}

// near says whether a count is near enough the limit to ask Redis.
func (c *sharedCounter) near(total int) bool { return float64(total) > nearLimit*float64(c.limit) }

// settle waits until no pipeline is in flight for any of ns: one may
// start while another is waited for. s.mu is held, and let go while it
// waits.
func (s *shared) settle(ns ...*count) {
	for i := 0; i < len(ns); {
		if ch := ns[i].flight; ch != nil {
			s.mu.Unlock()
			<-ch
			s.mu.Lock()
			i = 0 // look at every one again
			continue
		}
		i++
	}
}

// exchange sends the pending increments of keys and takes in the totals
// Redis answers; when Redis does not answer, they are kept to send again.
// s.mu is held, and let go while Redis is asked; no pipeline is in flight
// for any of keys.
func (s *shared) exchange(keys []string) {
	ctx := context.Background() // the client's own timeouts bound it
	pipe := s.client.Pipeline()
	type sent struct {
		key  string
		n    *count
		incr *redis.IntCmd
	}
	batch := make([]sent, 0, len(keys))
	flight := make(chan struct{})
	for _, k := range keys {
		n := s.counts[k]
		n.sending, n.pending, n.flight = n.pending, 0, flight
		batch = append(batch, sent{k, n, pipe.IncrBy(ctx, k, int64(n.sending))})
		pipe.ExpireAt(ctx, k, n.expires)
	}
	if len(keys) == 0 {
		pipe.Ping(ctx) // nothing to send: is Redis back?
	}
	s.mu.Unlock()
	_, err := pipe.Exec(ctx)
	now := time.Now()
	s.mu.Lock()

	for _, b := range batch {
		b.n.flight = nil
		if err == nil {
			b.n.known, b.n.sending, b.n.heard = int(b.incr.Val()), 0, now
			continue
		}
		b.n.pending, b.n.sending = b.n.pending+b.n.sending, 0
		s.queue(b.n, b.key)
	}
	close(flight)
	if s.reached != (err == nil) {
		s.reached = err == nil
		if s.onChange != nil {
			s.onChange(s.reached)
		}
	}
}

// isShared says whether Redis answered the last time it was asked.
func (s *shared) isShared() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reached
}

func (s *shared) run() {
	defer close(s.done)
	retry := time.NewTicker(retryEvery)
	defer retry.Stop()
	prune := time.NewTicker(10 * time.Second)
	defer prune.Stop()
	for {
		select {
		case <-s.stop:
			s.send() // what was counted last, on a clean shutdown
			return
		case <-s.wake:
			if !s.isShared() {
				continue // while Redis is away, sent only as often as retried
			}
		case <-retry.C:
			if s.isShared() {
				continue
			}
		case now := <-prune.C:
			s.prune(now)
			continue
		}
		s.send()
	}
}

// send sends the increments counted since the last pipeline; a key with a
// pipeline in flight (a check asking Redis) waits for the next one.
func (s *shared) send() {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys, later []string
	for _, k := range s.dirty {
		n := s.counts[k]
		if n.flight != nil {
			later = append(later, k)
			continue
		}
		n.queued = false
		keys = append(keys, k)
	}
	s.dirty = later
	s.exchange(keys)
}

// prune forgets the counts of windows that no longer count.
func (s *shared) prune(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, n := range s.counts {
		if now.After(n.expires) && !n.queued && n.flight == nil {
			delete(s.counts, k)
		}
	}
}

// close sends what is left and stops the sender.
func (s *shared) close() {
	close(s.stop)
	<-s.done
}

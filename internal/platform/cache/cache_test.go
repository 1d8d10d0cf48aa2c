package cache

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

const redisURLEnv = "YOGAFLOW_TEST_REDIS_URL"

// backend opens a fresh, empty cache for one test.
type backend struct {
	name string
	open func(t *testing.T) Cache
}

var backends = []backend{
	{"memory", func(*testing.T) Cache { return NewMemory(1000) }},
	{"redis", func(t *testing.T) Cache { return openTestRedis(t) }},
}

// openTestRedis returns a Redis cache under a prefix of its own, whose keys
// are deleted when the test ends. It skips only when no Redis is configured:
// a configured Redis that cannot be reached fails the test.
func openTestRedis(t *testing.T) *Redis {
	t.Helper()
	rawURL := os.Getenv(redisURLEnv)
	if rawURL == "" {
		t.Skip(redisURLEnv + " is not set")
	}
	client, err := OpenRedis(t.Context(), rawURL)
	if err != nil {
		t.Fatalf("OpenRedis(%s): %v", redisURLEnv, err)
	}
	prefix := "yogaflow-test:" + rand.Text() + ":"
	t.Cleanup(func() {
		// t.Context is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		iter := client.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			if err := client.Del(ctx, iter.Val()).Err(); err != nil {
				t.Errorf("cleanup: del: %v", err)
			}
		}
		if err := iter.Err(); err != nil {
			t.Errorf("cleanup: scan: %v", err)
		}
		if err := client.Close(); err != nil {
			t.Errorf("cleanup: close: %v", err)
		}
	})
	return NewRedis(client, prefix)
}

// Bounds for TTL tests: entries live short, and the machine may be slow, so
// expiry is polled for up to expiryBound instead of slept for.
const (
	shortTTL    = 100 * time.Millisecond
	longTTL     = time.Minute
	expiryBound = 5 * time.Second
)

var behaviour = []struct {
	name string
	run  func(t *testing.T, c Cache)
}{
	{"miss", func(t *testing.T, c Cache) {
		mustMiss(t, c, "absent")
	}},
	{"set and get", func(t *testing.T, c Cache) {
		mustSet(t, c, "k", []byte("v"), longTTL)
		mustHit(t, c, "k", "v")
	}},
	{"empty value is a hit", func(t *testing.T, c Cache) {
		mustSet(t, c, "k", []byte{}, longTTL)
		mustHit(t, c, "k", "")
	}},
	{"keys are distinct", func(t *testing.T, c Cache) {
		mustSet(t, c, "a", []byte("1"), longTTL)
		mustSet(t, c, "b", []byte("2"), longTTL)
		mustHit(t, c, "a", "1")
		mustHit(t, c, "b", "2")
	}},
	{"overwrite", func(t *testing.T, c Cache) {
		mustSet(t, c, "k", []byte("old"), longTTL)
		mustSet(t, c, "k", []byte("new"), longTTL)
		mustHit(t, c, "k", "new")
	}},
	{"delete one", func(t *testing.T, c Cache) {
		mustSet(t, c, "k", []byte("v"), longTTL)
		mustSet(t, c, "other", []byte("v"), longTTL)
		mustDelete(t, c, "k")
		mustMiss(t, c, "k")
		mustHit(t, c, "other", "v")
	}},
	{"delete many", func(t *testing.T, c Cache) {
		for _, k := range []string{"a", "b", "c", "keep"} {
			mustSet(t, c, k, []byte(k), longTTL)
		}
		mustDelete(t, c, "a", "b", "c")
		for _, k := range []string{"a", "b", "c"} {
			mustMiss(t, c, k)
		}
		mustHit(t, c, "keep", "keep")
	}},
	{"delete missing", func(t *testing.T, c Cache) {
		mustDelete(t, c, "absent")
		mustSet(t, c, "k", []byte("v"), longTTL)
		mustDelete(t, c, "k", "absent")
		mustMiss(t, c, "k")
	}},
	{"delete no keys", func(t *testing.T, c Cache) {
		mustDelete(t, c)
	}},
	{"ttl expiry", func(t *testing.T, c Cache) {
		set := time.Now()
		mustSet(t, c, "short", []byte("v"), shortTTL)
		mustSet(t, c, "long", []byte("v"), longTTL)
		_, ok, err := c.Get(t.Context(), "short")
		// Only a read that surely came before the deadline must hit.
		if err == nil && !ok && time.Since(set) < shortTTL {
			t.Error("Get before the ttl passed: miss, want hit")
		}
		waitMiss(t, c, "short", set)
		mustHit(t, c, "long", "v")
	}},
	{"overwrite with a longer ttl extends", func(t *testing.T, c Cache) {
		mustSet(t, c, "k", []byte("old"), shortTTL)
		mustSet(t, c, "k", []byte("new"), longTTL)
		time.Sleep(3 * shortTTL) // past the first ttl: nothing to poll for
		mustHit(t, c, "k", "new")
	}},
	{"overwrite with a shorter ttl shortens", func(t *testing.T, c Cache) {
		mustSet(t, c, "k", []byte("old"), longTTL)
		set := time.Now()
		mustSet(t, c, "k", []byte("new"), shortTTL)
		waitMiss(t, c, "k", set)
	}},
	{"non-positive ttl is rejected", func(t *testing.T, c Cache) {
		for _, ttl := range []time.Duration{0, -time.Second} {
			if err := c.Set(t.Context(), "k", []byte("v"), ttl); !errors.Is(err, ErrInvalidTTL) {
				t.Errorf("Set(ttl %v) = %v, want ErrInvalidTTL", ttl, err)
			}
		}
		mustMiss(t, c, "k")
	}},
	{"set copies the value", func(t *testing.T, c Cache) {
		v := []byte("abc")
		mustSet(t, c, "k", v, longTTL)
		v[0] = 'X'
		mustHit(t, c, "k", "abc")
	}},
	{"add stores only into an empty key", func(t *testing.T, c Cache) {
		for _, tc := range []struct {
			value string
			want  bool
		}{{"first", true}, {"second", false}} {
			stored, err := c.Add(t.Context(), "k", []byte(tc.value), longTTL)
			if err != nil || stored != tc.want {
				t.Fatalf("Add(%q) = %v, %v; want %v", tc.value, stored, err, tc.want)
			}
		}
		mustHit(t, c, "k", "first")
		mustDelete(t, c, "k")
		if stored, err := c.Add(t.Context(), "k", []byte("third"), longTTL); err != nil || !stored {
			t.Fatalf("Add after Delete = %v, %v; want true", stored, err)
		}
		mustHit(t, c, "k", "third")
	}},
	{"add after expiry stores", func(t *testing.T, c Cache) {
		set := time.Now()
		mustSet(t, c, "k", []byte("old"), shortTTL)
		waitMiss(t, c, "k", set)
		if stored, err := c.Add(t.Context(), "k", []byte("new"), longTTL); err != nil || !stored {
			t.Fatalf("Add after expiry = %v, %v; want true", stored, err)
		}
		mustHit(t, c, "k", "new")
	}},
	{"ping", func(t *testing.T, c Cache) {
		if err := c.Ping(t.Context()); err != nil {
			t.Errorf("Ping: %v", err)
		}
	}},
}

func TestBehaviour(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			for _, tc := range behaviour {
				t.Run(tc.name, func(t *testing.T) {
					c := b.open(t)
					if got := c.Kind(); got != b.name {
						t.Errorf("Kind() = %q, want %q", got, b.name)
					}
					tc.run(t, c)
				})
			}
		})
	}
}

func TestMemorySizeBound(t *testing.T) {
	const maxEntries, written = 100, 2000
	c := NewMemory(maxEntries)
	for i := range written {
		mustSet(t, c, fmt.Sprint(i), []byte("v"), longTTL)
	}
	// Eviction runs in otter's background maintenance; finish it first.
	c.c.CleanUp()
	hits := 0
	for i := range written {
		if _, ok, _ := c.Get(t.Context(), fmt.Sprint(i)); ok {
			hits++
		}
	}
	// otter may briefly overshoot or evict early; "about" maxEntries is the
	// promise.
	if hits > maxEntries*11/10 {
		t.Errorf("%d of %d entries still cached, want at most about %d", hits, written, maxEntries)
	}
	if hits == 0 {
		t.Error("no entry cached at all")
	}
}

func TestNewMemoryRejectsNonPositiveSize(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewMemory(0) did not panic")
		}
	}()
	NewMemory(0)
}

func TestRedisPrefixesKeys(t *testing.T) {
	c := openTestRedis(t)
	mustSet(t, c, "k", []byte("v"), longTTL)
	got, err := c.client.Get(t.Context(), c.prefix+"k").Result()
	if err != nil || got != "v" {
		t.Errorf("raw GET prefix+key = %q, %v; want \"v\"", got, err)
	}
	if n, err := c.client.Exists(t.Context(), "k").Result(); err != nil || n != 0 {
		t.Errorf("raw EXISTS of the bare key = %d, %v; want 0", n, err)
	}
	other := NewRedis(c.client, c.prefix+"other:")
	mustMiss(t, other, "k")
}

// A cache whose server is gone must answer with an error at once: requests
// wait on it before they fall back to the database.
func TestRedisServerGoneFailsFast(t *testing.T) {
	opt, err := redisOptions("redis://127.0.0.1:1/0") // nothing listens on port 1
	if err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(opt)
	t.Cleanup(func() { _ = client.Close() })
	c := NewRedis(client, "yogaflow-test:")
	// No deadline on the context: the client's own settings must bound it.
	ctx := context.Background()
	ops := map[string]func() error{
		"Get": func() error {
			_, ok, err := c.Get(ctx, "k")
			if ok {
				t.Error("Get: hit from a dead server")
			}
			return err
		},
		"Set":    func() error { return c.Set(ctx, "k", []byte("v"), longTTL) },
		"Delete": func() error { return c.Delete(ctx, "k") },
		"Ping":   func() error { return c.Ping(ctx) },
	}
	for name, op := range ops {
		start := time.Now()
		err := op()
		if took := time.Since(start); took > time.Second {
			t.Errorf("%s took %v, want under 1s", name, took)
		}
		if err == nil {
			t.Errorf("%s: nil error from a dead server", name)
		}
	}
}

// A server that accepts connections but never answers (hung, or a full
// network path) must cost a request no more than the client's timeouts.
func TestRedisServerHungTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		// Hold accepted connections open and silent until the listener closes.
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				_ = c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	opt, err := redisOptions("redis://" + ln.Addr().String() + "/0")
	if err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(opt)
	t.Cleanup(func() { _ = client.Close() })
	c := NewRedis(client, "yogaflow-test:")
	ctx := context.Background()
	start := time.Now()
	if _, _, err := c.Get(ctx, "k"); err == nil {
		t.Error("Get: nil error from a silent server")
	}
	if err := c.Set(ctx, "k", []byte("v"), longTTL); err == nil {
		t.Error("Set: nil error from a silent server")
	}
	// Each op costs about one read timeout (500 ms); the bound leaves room
	// for a slow machine, not for a default 5 s timeout or a hang.
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Get and Set took %v, want about 1s", took)
	}
}

func TestOpenRedisUnreachable(t *testing.T) {
	start := time.Now()
	client, err := OpenRedis(t.Context(), "redis://127.0.0.1:1/0")
	if err == nil {
		_ = client.Close()
		t.Fatal("OpenRedis of a closed port: nil error")
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("OpenRedis took %v, want under 1s", took)
	}
}

func TestOpenRedisRejectsBadURL(t *testing.T) {
	for _, rawURL := range []string{
		"",
		"127.0.0.1:6379",
		"http://127.0.0.1:6379",
		"postgres://user:pw@127.0.0.1/db",
		"redis://127.0.0.1:6379/notanumber",
		"redis://user:hunter2@127.0.0.1:6379/0?unknown_option=1",
		"redis://user:hunter2@[::1", // url.Parse fails, and would quote it all
	} {
		client, err := OpenRedis(t.Context(), rawURL)
		if err == nil {
			_ = client.Close()
			t.Errorf("OpenRedis(%q): nil error", rawURL)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("OpenRedis(%q) error leaks the password: %v", rawURL, err)
		}
	}
}

func TestRedisOptionsDefaults(t *testing.T) {
	opt, err := redisOptions("rediss://127.0.0.1:6380/2")
	if err != nil {
		t.Fatal(err)
	}
	if opt.TLSConfig == nil || opt.DB != 2 {
		t.Errorf("rediss URL: TLS %v, DB %d; want TLS and DB 2", opt.TLSConfig != nil, opt.DB)
	}
	if opt.DialTimeout != redisDialTimeout || opt.ReadTimeout != redisIOTimeout ||
		opt.WriteTimeout != redisIOTimeout || opt.MaxRetries != redisMaxRetries ||
		opt.DialerRetries != redisDialAttempts || !opt.ContextTimeoutEnabled {
		t.Errorf("defaults not applied: %+v", opt)
	}
	opt, err = redisOptions("redis://127.0.0.1/0?dial_timeout=3s&read_timeout=2s")
	if err != nil {
		t.Fatal(err)
	}
	if opt.DialTimeout != 3*time.Second || opt.ReadTimeout != 2*time.Second {
		t.Errorf("URL timeouts overridden: dial %v, read %v", opt.DialTimeout, opt.ReadTimeout)
	}
}

func BenchmarkMemoryGet(b *testing.B) {
	const keys = 1024
	c := NewMemory(keys * 2)
	ctx := context.Background()
	value := bytes.Repeat([]byte("r"), 64) // about a session's roles
	names := make([]string, keys)
	for i := range names {
		names[i] = fmt.Sprint("session:", i)
		if err := c.Set(ctx, names[i], value, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, ok, _ := c.Get(ctx, names[i%keys]); !ok {
				b.Fatal("miss")
			}
			i++
		}
	})
}

func mustSet(t *testing.T, c Cache, key string, value []byte, ttl time.Duration) {
	t.Helper()
	if err := c.Set(t.Context(), key, value, ttl); err != nil {
		t.Fatalf("Set(%q): %v", key, err)
	}
}

func mustDelete(t *testing.T, c Cache, keys ...string) {
	t.Helper()
	if err := c.Delete(t.Context(), keys...); err != nil {
		t.Fatalf("Delete(%q): %v", keys, err)
	}
}

func mustHit(t *testing.T, c Cache, key, want string) {
	t.Helper()
	got, ok, err := c.Get(t.Context(), key)
	if err != nil || !ok || string(got) != want {
		t.Errorf("Get(%q) = %q, %v, %v; want %q, true, nil", key, got, ok, err, want)
	}
}

func mustMiss(t *testing.T, c Cache, key string) {
	t.Helper()
	got, ok, err := c.Get(t.Context(), key)
	if err != nil || ok || got != nil {
		t.Errorf("Get(%q) = %q, %v, %v; want nil, false, nil", key, got, ok, err)
	}
}

// waitMiss polls until key is gone, failing if that takes past expiryBound
// after set.
func waitMiss(t *testing.T, c Cache, key string, set time.Time) {
	t.Helper()
	for {
		_, ok, err := c.Get(t.Context(), key)
		if err != nil {
			t.Fatalf("Get(%q): %v", key, err)
		}
		if !ok {
			return
		}
		if time.Since(set) > expiryBound {
			t.Fatalf("Get(%q) still hits %v after a %v ttl", key, expiryBound, shortTTL)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestVersions(t *testing.T) {
	versions := map[string]Version{"memory": &MemoryVersion{}}
	if os.Getenv(redisURLEnv) != "" {
		c := openTestRedis(t)
		versions["redis"] = NewRedisVersion(c.client, c.prefix+"version")
	}
	for name, v := range versions {
		t.Run(name, func(t *testing.T) {
			before, err := v.Current(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				if err := v.Bump(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			after, err := v.Current(t.Context())
			if err != nil || after != before+3 {
				t.Fatalf("after three bumps: %d, %v; want %d", after, err, before+3)
			}
		})
	}
}

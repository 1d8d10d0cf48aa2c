package cache

import (
	"bytes"
	"context"
	"time"

	"github.com/maypok86/otter/v2"
)

// Memory is an in-process Cache for a single instance, bounded in entries.
type Memory struct {
	c *otter.Cache[string, memoryEntry]
}

// memoryEntry carries its own ttl because otter takes per-entry expiry from
// a calculator that sees only the entry, not the Set call.
type memoryEntry struct {
	value []byte
	ttl   time.Duration
}

// NewMemory returns a Memory holding at most about maxEntries entries; past
// that, otter evicts the entries least likely to be used again. It panics if
// maxEntries is not positive, since an unbounded cache is a memory leak.
func NewMemory(maxEntries int) *Memory {
	if maxEntries <= 0 {
		panic("cache: NewMemory: maxEntries must be positive")
	}
	return &Memory{c: otter.Must(&otter.Options[string, memoryEntry]{
		MaximumSize: maxEntries,
		// Writing (not Accessing): reads must not extend an entry's life,
		// matching Redis SET PX.
		ExpiryCalculator: otter.ExpiryWritingFunc(func(e otter.Entry[string, memoryEntry]) time.Duration {
			return e.Value.ttl
		}),
	})}
}

// Get returns the stored bytes themselves: a hit costs no copy (cached
// responses are tens of kilobytes), so callers must not modify them.
func (m *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	e, ok := m.c.GetIfPresent(key)
	if !ok {
		return nil, false, nil
	}
	return e.value, true, nil
}

// Set stores a copy of value, so the caller may reuse its slice.
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return ErrInvalidTTL
	}
	m.c.Set(key, memoryEntry{value: bytes.Clone(value), ttl: ttl})
	return nil
}

// Add stores a copy of value unless key holds an unexpired entry.
func (m *Memory) Add(_ context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, ErrInvalidTTL
	}
	_, stored := m.c.SetIfAbsent(key, memoryEntry{value: bytes.Clone(value), ttl: ttl})
	return stored, nil
}

// Delete removes keys.
func (m *Memory) Delete(_ context.Context, keys ...string) error {
	for _, k := range keys {
		m.c.Invalidate(k)
	}
	return nil
}

// Ping always succeeds: the cache lives in this process.
func (m *Memory) Ping(context.Context) error { return nil }

// Kind returns "memory".
func (m *Memory) Kind() string { return "memory" }

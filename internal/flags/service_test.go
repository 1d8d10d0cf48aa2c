package flags

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/platform/cache"
)

// memStore holds flags for the tests of what the Service keeps in memory;
// loads counts AllFlags calls.
type memStore struct {
	Store
	flags []Flag
	loads int
}

func (m *memStore) AllFlags(context.Context) ([]Flag, error) {
	m.loads++
	return m.flags, nil
}

// failingVersion is a shared version that cannot be read (Redis away).
type failingVersion struct{ cache.Version }

func (failingVersion) Current(context.Context) (int64, error) {
	return 0, errors.New("connection refused")
}

func TestFlagsReloadWhenTheVersionMoves(t *testing.T) {
	ctx := t.Context()
	store := &memStore{flags: []Flag{{Key: "calm_mode", Enabled: true, RolloutPercent: 100, DefaultVariant: Off}}}
	version := &cache.MemoryVersion{}
	now := time.Date(2026, 1, 31, 7, 0, 0, 0, time.UTC)
	s := NewService(store, version, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), func() time.Time { return now })
	u := User{ID: "user-1"}

	if v := s.Variant(ctx, u, "calm_mode"); v != On || store.loads != 1 {
		t.Fatalf("first evaluation: %q after %d loads, want on after 1", v, store.loads)
	}
	// Another instance changes the flag and bumps the version.
	store.flags = []Flag{{Key: "calm_mode", DefaultVariant: Off}}
	_ = version.Bump(ctx)
	if v := s.Variant(ctx, u, "calm_mode"); v != On || store.loads != 1 {
		t.Errorf("within the interval: %q after %d loads, want what was loaded", v, store.loads)
	}
	now = now.Add(refreshInterval)
	if v := s.Variant(ctx, u, "calm_mode"); v != Off || store.loads != 2 {
		t.Errorf("after the interval: %q after %d loads, want the change", v, store.loads)
	}
	now = now.Add(refreshInterval)
	s.Variant(ctx, u, "calm_mode")
	if store.loads != 2 {
		t.Errorf("an unmoved version reloaded the flags: %d loads", store.loads)
	}

	// With the version unreadable, the loaded flags go on serving.
	s.version = failingVersion{}
	now = now.Add(refreshInterval)
	if v := s.Variant(ctx, u, "calm_mode"); v != Off {
		t.Errorf("version unavailable: %q", v)
	}
	if v := s.Variant(ctx, u, "no_such_flag"); v != Off {
		t.Errorf("unknown flag: %q", v)
	}
}

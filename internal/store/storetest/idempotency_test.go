package storetest_test

import (
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/platform/idempotency"
	"github.com/yogaflow/yogaflow/internal/store"
	"github.com/yogaflow/yogaflow/internal/store/storetest"
)

// TestIdempotencyClaim: each outcome of Claim, as the handler meets them.
func TestIdempotencyClaim(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		now := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
		if _, err := db.Generate(ctx, store.Workload{Users: 1, EmailPrefix: "idem", PasswordHash: "$2a$04$x", Now: now, Seed: 1}, nil); err != nil {
			t.Fatal(err)
		}
		u, _, err := db.Accounts(nil).UserCredentials(ctx, "idem-000001@example.test")
		if err != nil {
			t.Fatal(err)
		}
		s := db.Idempotency()
		claim := func(key, hash string, at time.Time) idempotency.Claim {
			t.Helper()
			c, err := s.Claim(ctx, u.ID, key, hash, at)
			if err != nil {
				t.Fatalf("Claim(%s, %s): %v", key, hash, err)
			}
			return c
		}
		want := func(c idempotency.Claim, o idempotency.Outcome, what string) {
			t.Helper()
			if c.Outcome != o {
				t.Fatalf("%s: outcome %d, want %d", what, c.Outcome, o)
			}
		}

		want(claim("k1", "h1", now), idempotency.Claimed, "a new key")
		want(claim("k1", "h1", now), idempotency.Pending, "the same request while the first is served")
		want(claim("k1", "h2", now), idempotency.Mismatch, "another request with the key")
		if err := s.Finish(ctx, u.ID, "k1", 201, "application/json", []byte(`{"id":1}`)); err != nil {
			t.Fatal(err)
		}
		c := claim("k1", "h1", now)
		want(c, idempotency.Replay, "the same request once served")
		if r := c.Record; r.Status != 201 || r.ContentType != "application/json" || string(r.Body) != `{"id":1}` || !r.Done {
			t.Fatalf("the replayed record is %+v", r)
		}
		want(claim("k1", "h2", now), idempotency.Mismatch, "another request once served")

		// Released (its request failed on our side): the next claims it.
		want(claim("k2", "h1", now), idempotency.Claimed, "a second key")
		if err := s.Release(ctx, u.ID, "k2"); err != nil {
			t.Fatal(err)
		}
		want(claim("k2", "h1", now), idempotency.Claimed, "a released key")

		// Past the TTL a key is forgotten, and any request may claim it.
		want(claim("k1", "h2", now.Add(idempotency.TTL+time.Second)), idempotency.Claimed, "an expired key")
	})
}

package httpapi_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

func TestIdempotencyKeys(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		user := practiceSetup(t, a)
		start := func(key, sequence string) *apptest.Response {
			return a.Do(t, "POST", "/api/v1/sessions", map[string]any{"sequence_id": sequence}, append(bearer(user.access), "Idempotency-Key", key)...)
		}
		first := start("start-1", "four-steps")
		first.Check(t, apptest.Scenario{Status: 201})
		retry := start("start-1", "four-steps")
		if retry.Status != 201 || string(retry.Body) != string(first.Body) || retry.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry: %d %s, want the first response replayed", retry.Status, retry.Body)
		}
		start("start-1", "tree-only").Check(t, apptest.Scenario{Status: 422, JSON: map[string]any{"errors.0.field": "header.Idempotency-Key"}})
		// Without the key, a second start is a conflict: the first acted once.
		a.Do(t, "POST", "/api/v1/sessions", map[string]any{"sequence_id": "four-steps"}, bearer(user.access)...).
			Check(t, apptest.Scenario{Status: 409, JSON: map[string]any{"code": "session_conflict"}})
		// Keys belong to their user.
		_, other := newUser(t, a)
		a.Do(t, "POST", "/api/v1/sessions", map[string]any{"sequence_id": "four-steps"}, append(bearer(other.access), "Idempotency-Key", "start-1")...).
			Check(t, apptest.Scenario{Status: 201})
		a.Do(t, "POST", "/api/v1/sessions", map[string]any{"sequence_id": "four-steps"}, append(bearer(user.access), "Idempotency-Key", "bad key with spaces")...).
			Check(t, apptest.Scenario{Status: 422})

		// Concurrent requests with one key act once and answer alike.
		id, _ := apptest.Field(first.JSON(t), "id")
		const n = 8
		results := make([]*apptest.Response, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				results[i] = a.Do(t, "POST", "/api/v1/sessions/"+id.(string)+"/pause", nil, append(bearer(user.access), "Idempotency-Key", "pause-1")...)
			})
		}
		wg.Wait()
		for _, res := range results {
			if res.Status != http.StatusOK || string(res.Body) != string(results[0].Body) {
				t.Fatalf("concurrent pause with one key: %d %s; want every answer the first 200", res.Status, res.Body)
			}
		}
		// A new key is a new request: pausing a paused session is a 409.
		a.Do(t, "POST", "/api/v1/sessions/"+id.(string)+"/pause", nil, append(bearer(user.access), "Idempotency-Key", "pause-2")...).
			Check(t, apptest.Scenario{Status: 409, JSON: map[string]any{"code": "invalid_transition"}})
	})
}

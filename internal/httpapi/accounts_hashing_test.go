package httpapi_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

// TestLoginFloodGets503NotStarvation: when every hashing slot is busy, a
// login that cannot get one in time is told to come back (503 with
// Retry-After), and requests that need no hash stay fast.
func TestLoginFloodGets503NotStarvation(t *testing.T) {
	a := apptest.New(t, sqliteEngine(t), "YOGAFLOW_BCRYPT_COST=11", "YOGAFLOW_HASH_WAIT=20ms")
	email := newEmail()
	signUp(t, a, email)

	const logins = 12
	statuses := make(chan *apptest.Response, logins)
	var wg sync.WaitGroup
	for range logins {
		wg.Go(func() {
			statuses <- a.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": goodPassword})
		})
	}

	var slowest time.Duration
	for range 20 {
		start := time.Now()
		a.Do(t, "GET", "/health", nil).Check(t, apptest.Scenario{Status: 200})
		slowest = max(slowest, time.Since(start))
	}
	wg.Wait()
	close(statuses)

	ok, busy := 0, 0
	for res := range statuses {
		switch res.Status {
		case http.StatusOK:
			ok++
		case http.StatusServiceUnavailable:
			busy++
			res.Check(t, apptest.Scenario{ContentType: "application/problem+json", Status: 503,
				JSON: map[string]any{"code": "unavailable"}, Header: map[string]string{"Retry-After": "1"}})
		default:
			t.Errorf("login: %d %s", res.Status, res.Body)
		}
	}
	if ok == 0 || busy == 0 {
		t.Fatalf("%d logins succeeded and %d were told to retry; want some of each", ok, busy)
	}
	t.Logf("%d ok, %d busy; slowest /health meanwhile %v", ok, busy, slowest)
}

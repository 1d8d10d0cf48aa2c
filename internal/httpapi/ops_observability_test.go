package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

// logLines are the service's log lines with the given message.
func logLines(t *testing.T, a *apptest.App, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(a.Logs.String(), "\n") {
		var entry map[string]any
		if json.Unmarshal([]byte(line), &entry) == nil && entry["msg"] == msg {
			out = append(out, entry)
		}
	}
	return out
}

// TestQueriesAreNamedTimedAndCountedPerRequest: each statement is counted
// in the metrics under the store method that runs it; a request's log line
// carries how many statements it ran and how long they took; and a
// statement over the threshold (here every one) is logged with its name
// and the request's ID, without its SQL or arguments.
func TestQueriesAreNamedTimedAndCountedPerRequest(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		_, user := newUser(t, a)
		res := a.Do(t, "GET", "/api/v1/history?status=completed", nil, bearer(user.access)...)
		res.Check(t, apptest.Scenario{Status: 200})
		requestID := res.Header.Get("X-Request-ID")

		var line map[string]any
		for _, l := range logLines(t, a, "request") {
			if l["request_id"] == requestID {
				line = l
			}
		}
		if n, _ := line["queries"].(float64); n < 1 || line["query_ms"] == nil {
			t.Errorf("the request's log line does not count its statements: %v", line)
		}
		var slow map[string]any
		for _, l := range logLines(t, a, "slow query") {
			if l["request_id"] == requestID && l["query"] == "Practice.History" {
				slow = l
			}
		}
		if slow == nil || slow["duration_ms"] == nil || slow["level"] != "WARN" {
			t.Fatalf("no slow query line for Practice.History in request %s:\n%s", requestID, a.Logs.String())
		}
		for _, leak := range []string{"SELECT", "completed"} {
			for k, v := range slow {
				if s, ok := v.(string); ok && strings.Contains(s, leak) {
					t.Errorf("the slow query line shows %s in %s: %v", leak, k, slow)
				}
			}
		}

		checkMetrics(t, a, `yogaflow_db_query_duration_seconds_count{query="Practice.History",result="ok"} 1`)
	}, "YOGAFLOW_SLOW_QUERY=1ns")
}

// TestOperationalMetricsAfterKnownTraffic: sign-ups, sign-ins, cache hits
// and misses, and background jobs, counted after traffic whose figures are
// known.
func TestOperationalMetricsAfterKnownTraffic(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		email, user := newUser(t, a) // a sign-up, its verification email, a sign-in
		a.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": "Wrong-password-1"}).
			Check(t, apptest.Scenario{Status: 401})
		for range 2 {
			a.Do(t, "GET", "/api/v1/poses", nil).Check(t, apptest.Scenario{Status: 200})
			a.Do(t, "GET", "/api/v1/history/stats", nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200})
		}
		want := []string{
			"yogaflow_signups_total 1",
			`yogaflow_logins_total{result="ok"} 1`,
			`yogaflow_logins_total{result="failed"} 1`,
			`yogaflow_cache_requests_total{cache="library",result="miss"} 1`,
			`yogaflow_cache_requests_total{cache="library",result="hit"} 1`,
			`yogaflow_jobs_queue_depth{state="scheduled"} 0`,
			`yogaflow_jobs_runs_total{kind="account_email",result="completed"} 1`,
		}
		if a.Config.RedisURL != "" || a.DB.Engine() == "sqlite" {
			// Stats are cached where a cache is shared: the second is a hit.
			want = append(want, `yogaflow_cache_requests_total{cache="stats",result="hit"}`)
		}
		// The verification email goes out in the background.
		deadline := time.Now().Add(10 * time.Second)
		var metrics string
		for {
			metrics = string(a.Do(t, "GET", "/metrics", nil).Body)
			if strings.Contains(metrics, `yogaflow_jobs_runs_total{kind="account_email",result="completed"} 1`) || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		for _, line := range want {
			if !strings.Contains(metrics, line) {
				t.Errorf("/metrics lacks %q", line)
			}
		}
		a.Do(t, "GET", "/health/ready", nil).Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"checks.jobs.status": "ok"}})
	})
}

// TestReadinessAnswersAreReused: /health/ready is open to anyone, so one
// answer serves every probe for a second instead of running the checks
// (a query, pings, an SMTP dial) each time.
func TestReadinessAnswersAreReused(t *testing.T) {
	a := apptest.New(t, sqliteEngine(t))
	a.Do(t, "GET", "/health/ready", nil).Check(t, apptest.Scenario{Status: 200})
	before := a.DB.QueryCount()
	for range 20 {
		a.Do(t, "GET", "/health/ready", nil).Check(t, apptest.Scenario{Status: 200})
	}
	if n := a.DB.QueryCount() - before; n != 0 {
		t.Errorf("20 probes within a second ran %d queries", n)
	}
}

package httpapi_test

import (
	"strings"
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
	"github.com/yogaflow/yogaflow/internal/store"
)

func TestMetricsCountKnownTraffic(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		for range 3 {
			a.Do(t, "GET", "/health", nil)
		}
		a.Do(t, "GET", "/no/such/page/123", nil)
		a.Do(t, "POST", "/health", nil)
		a.Do(t, "BREW", "/health", nil) // any token is a method to the server

		res := a.Do(t, "GET", "/metrics", nil)
		if res.Status != 200 {
			t.Fatalf("/metrics: %d", res.Status)
		}
		text := string(res.Body)
		want := []string{
			`yogaflow_http_requests_total{method="GET",route="/health",status="200"} 3`,
			`yogaflow_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
			`yogaflow_http_requests_total{method="POST",route="unmatched",status="405"} 1`,
			`yogaflow_http_requests_total{method="_OTHER",route="unmatched",status="405"} 1`,
			`yogaflow_http_request_duration_seconds_count{method="GET",route="/health",status="200"} 3`,
			// The scrape itself is in flight while the gauge is read.
			`yogaflow_http_requests_in_flight 1`,
		}
		if a.DB.Engine() == store.SQLite {
			want = append(want, `yogaflow_db_connections_max_open{pool="write"} 1`, `yogaflow_db_connections_open{pool="read"}`)
		} else {
			want = append(want, `yogaflow_db_connections_open{pool="main"}`)
		}
		for _, line := range want {
			if !strings.Contains(text, line) {
				t.Errorf("/metrics lacks %q", line)
			}
		}
		if strings.Contains(text, "/no/such/page/123") || strings.Contains(text, "BREW") {
			t.Error("a raw path or a made-up method became a metric label")
		}
	})
}

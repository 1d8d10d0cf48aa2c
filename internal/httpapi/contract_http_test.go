package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

func TestOperationsEndpoints(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		a.RunScenarios(t, []apptest.Scenario{
			{Name: "liveness", Method: "GET", Path: "/health", Status: 200,
				ContentType: "application/json", JSON: map[string]any{"status": "ok"}},
			{Name: "readiness", Method: "GET", Path: "/health/ready", Status: 200,
				JSON: map[string]any{"status": "ok", "checks.database.status": "ok", "checks.database.critical": true}},
			{Name: "metrics", Method: "GET", Path: "/metrics", Status: 200, ContentType: "text/plain"},
			{Name: "openapi", Method: "GET", Path: "/openapi.json", Status: 200,
				ContentType: "application/", JSON: map[string]any{"openapi": "3.1.0"}},
			{Name: "swagger ui", Method: "GET", Path: "/docs", Status: 200, ContentType: "text/html"},
			{Name: "redoc", Method: "GET", Path: "/redoc", Status: 200, ContentType: "text/html"},
			{Name: "unknown path", Method: "GET", Path: "/api/v1/nothing-here", Status: 404,
				ContentType: "application/problem+json", JSON: map[string]any{"code": "not_found", "status": 404}},
			{Name: "HEAD where GET is served", Method: "HEAD", Path: "/docs", Status: 200},
			{Name: "favicon", Method: "GET", Path: "/favicon.ico", Status: 200, ContentType: "image/png"},
			{Name: "wrong method", Method: "POST", Path: "/health", Status: 405,
				ContentType: "application/problem+json", JSON: map[string]any{"code": "method_not_allowed"},
				Header: map[string]string{"Allow": "GET, HEAD"}},
		})
	})
}

func TestReadinessFailsWhenTheDatabaseIsGone(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		// The job queue stops first: once its database is gone, River spends
		// seven seconds of backoff resigning its leadership at shutdown,
		// which readiness has nothing to do with.
		if err := a.StopWorkers(); err != nil {
			t.Fatal(err)
		}
		if err := a.DB.Close(); err != nil {
			t.Fatal(err)
		}
		res := a.Do(t, "GET", "/health/ready", nil)
		res.Check(t, apptest.Scenario{Status: 503, JSON: map[string]any{
			"status": "unavailable", "checks.database.status": "down", "checks.database.error": "unreachable",
		}})
		if strings.Contains(string(res.Body), "closed") {
			t.Errorf("readiness body carries the driver's error: %s", res.Body)
		}
		// Liveness does not depend on the database.
		a.Do(t, "GET", "/health", nil).Check(t, apptest.Scenario{Status: 200})
	})
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	a := apptest.New(t, sqliteEngine(t))
	want := map[string]string{
		"X-Content-Type-Options":    "nosniff",
		"X-Frame-Options":           "DENY",
		"Referrer-Policy":           "no-referrer",
		"Strict-Transport-Security": "max-age=31536000; includeSubDomains",
	}
	for _, path := range []string{"/health", "/health/ready", "/metrics", "/openapi.json", "/docs", "/nowhere"} {
		res := a.Do(t, "GET", path, nil)
		for name, value := range want {
			if got := res.Header.Get(name); got != value {
				t.Errorf("GET %s: %s = %q, want %q", path, name, got, value)
			}
		}
	}
}

func TestRequestID(t *testing.T) {
	a := apptest.New(t, sqliteEngine(t))
	tests := []struct {
		name     string
		incoming string
		echoed   bool
	}{
		{"none", "", false},
		{"sane", "req-42.abc:7_X", true},
		{"too long", strings.Repeat("a", 129), false},
		{"header injection", "abc\r\nSet-Cookie: x=1", false},
		{"spaces", "a b", false},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var headers []string
			if tc.incoming != "" {
				headers = []string{"X-Request-ID", tc.incoming}
			}
			got := a.Do(t, "GET", "/health", nil, headers...).Header.Get("X-Request-ID")
			switch {
			case tc.echoed && got != tc.incoming:
				t.Fatalf("X-Request-ID %q, want the incoming %q echoed", got, tc.incoming)
			case !tc.echoed && (got == "" || got == tc.incoming || len(got) > 128):
				t.Fatalf("X-Request-ID %q, want a fresh one", got)
			}
			if seen[got] {
				t.Fatalf("X-Request-ID %q given twice", got)
			}
			seen[got] = true
		})
	}
}

func TestOneLogLinePerRequest(t *testing.T) {
	a := apptest.New(t, sqliteEngine(t))
	res := a.Do(t, "GET", "/health?token=secret-token-value", nil, "X-Request-ID", "log-line-test",
		"Authorization", "Bearer secret-bearer-value")
	if res.Status != http.StatusOK {
		t.Fatalf("status %d", res.Status)
	}
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(a.Logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		if m["request_id"] == "log-line-test" && m["msg"] == "request" {
			lines = append(lines, m)
		}
	}
	if len(lines) != 1 {
		t.Fatalf("%d request log lines for one request, want 1:\n%s", len(lines), a.Logs)
	}
	line := lines[0]
	for field, want := range map[string]any{"method": "GET", "route": "/health", "status": float64(200)} {
		if line[field] != want {
			t.Errorf("log %s = %v, want %v", field, line[field], want)
		}
	}
	for _, field := range []string{"duration_ms", "bytes"} {
		if _, ok := line[field].(float64); !ok {
			t.Errorf("log line lacks a numeric %s: %v", field, line)
		}
	}
	for _, secret := range []string{"secret-token-value", "secret-bearer-value"} {
		if strings.Contains(a.Logs.String(), secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

// Another site's scripts may read our responses, credentials included, only
// when its origin is one configured: anything else gets no CORS header at
// all, and a wildcard never comes with credentials (production refuses a
// wildcard at start: see the config tests).
func TestCORSAllowsOnlyConfiguredOrigins(t *testing.T) {
	const allowed = "https://app.yogaflow.example"
	preflight := func(a *apptest.App, origin, method string) *apptest.Response {
		return a.Do(t, "OPTIONS", "/api/v1/users/me", nil,
			"Origin", origin, "Access-Control-Request-Method", method, "Access-Control-Request-Headers", "authorization")
	}
	noCORS := func(t *testing.T, what string, res *apptest.Response) {
		t.Helper()
		for _, h := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers"} {
			if v := res.Header.Get(h); v != "" {
				t.Errorf("%s: %s %q", what, h, v)
			}
		}
	}

	t.Run("no origins configured: no cross-origin access", func(t *testing.T) {
		a := apptest.New(t, sqliteEngine(t))
		noCORS(t, "preflight", preflight(a, allowed, "GET"))
		noCORS(t, "simple request", a.Do(t, "GET", "/health", nil, "Origin", allowed))
	})

	t.Run("configured origin is echoed, with credentials", func(t *testing.T) {
		a := apptest.New(t, sqliteEngine(t), "YOGAFLOW_CORS_ORIGINS="+allowed+",https://other.example")
		res := preflight(a, allowed, "DELETE")
		if res.Status >= 300 {
			t.Errorf("preflight: status %d", res.Status)
		}
		if res.Header.Get("Access-Control-Allow-Origin") != allowed || res.Header.Get("Access-Control-Allow-Credentials") != "true" {
			t.Fatalf("preflight from %s: headers %v", allowed, res.Header)
		}
		if !strings.Contains(strings.ToLower(res.Header.Get("Access-Control-Allow-Headers")), "authorization") {
			t.Errorf("preflight does not allow Authorization: %v", res.Header)
		}
		if res.Header.Get("Access-Control-Allow-Methods") != "DELETE" {
			t.Errorf("preflight for DELETE: Access-Control-Allow-Methods %q", res.Header.Get("Access-Control-Allow-Methods"))
		}
		if res.Header.Get("Access-Control-Max-Age") == "" {
			t.Errorf("preflight is not cacheable: %v", res.Header)
		}
		res = a.Do(t, "GET", "/health", nil, "Origin", allowed)
		if res.Header.Get("Access-Control-Allow-Origin") != allowed {
			t.Fatalf("simple request from %s: headers %v", allowed, res.Header)
		}
		// The answer depends on the origin: a shared cache must not hand one
		// origin's answer to another.
		if !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Origin") {
			t.Errorf("Vary lacks Origin: %v", res.Header)
		}
		if !strings.Contains(res.Header.Get("Access-Control-Expose-Headers"), "X-Request-Id") {
			t.Errorf("X-Request-ID not exposed: %v", res.Header)
		}
	})

	t.Run("other origins get nothing", func(t *testing.T) {
		a := apptest.New(t, sqliteEngine(t), "YOGAFLOW_CORS_ORIGINS="+allowed)
		for _, origin := range []string{
			"https://evil.example",
			"http://app.yogaflow.example",               // same host, other scheme
			"https://app.yogaflow.example.evil.example", // configured origin as a prefix
			"https://evil-app.yogaflow.example",
			"https://app.yogaflow.example:8443",
			"null", // sandboxed frames and file: pages
		} {
			noCORS(t, "preflight from "+origin, preflight(a, origin, "GET"))
			noCORS(t, "request from "+origin, a.Do(t, "GET", "/health", nil, "Origin", origin))
		}
	})

	t.Run("a method not allowed is not granted", func(t *testing.T) {
		a := apptest.New(t, sqliteEngine(t), "YOGAFLOW_CORS_ORIGINS="+allowed)
		res := preflight(a, allowed, "TRACE")
		if m := res.Header.Get("Access-Control-Allow-Methods"); m != "" {
			t.Errorf("preflight for TRACE: Access-Control-Allow-Methods %q", m)
		}
		if res.Status == http.StatusOK && res.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight for TRACE granted: %v", res.Header)
		}
	})

	t.Run("wildcard in development never comes with credentials", func(t *testing.T) {
		a := apptest.New(t, sqliteEngine(t), "YOGAFLOW_CORS_ORIGINS=*")
		for _, res := range []*apptest.Response{preflight(a, "https://anything.example", "GET"), a.Do(t, "GET", "/health", nil, "Origin", "https://anything.example")} {
			if res.Header.Get("Access-Control-Allow-Credentials") == "true" {
				t.Fatalf("wildcard CORS with credentials: %v", res.Header)
			}
		}
	})
}

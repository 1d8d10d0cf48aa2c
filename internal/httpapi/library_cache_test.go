package httpapi_test

import (
	"strings"
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
	"github.com/yogaflow/yogaflow/internal/platform/testdb"
)

func TestLibraryETagsAndInvalidation(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		admin := newAdmin(t, a)
		editorPoses(t, a, admin)
		for _, path := range []string{"/api/v1/poses", "/api/v1/poses/tree", "/api/v1/sequences"} {
			first := a.Do(t, "GET", path, nil)
			etag := first.Header.Get("ETag")
			if first.Status != 200 || etag == "" || first.Header.Get("Cache-Control") != "public, no-cache" {
				t.Fatalf("GET %s: %d, ETag %q, Cache-Control %q", path, first.Status, etag, first.Header.Get("Cache-Control"))
			}
			again := a.Do(t, "GET", path, nil, "If-None-Match", etag)
			if again.Status != 304 || len(again.Body) != 0 || again.Header.Get("ETag") != etag {
				t.Fatalf("GET %s with its ETag: %d %q", path, again.Status, again.Body)
			}
			if res := a.Do(t, "GET", path, nil, "If-None-Match", `"something-else"`); res.Status != 200 || string(res.Body) != string(first.Body) {
				t.Fatalf("GET %s with another ETag: %d", path, res.Status)
			}
		}

		before := a.Do(t, "GET", "/api/v1/poses?category=balancing", nil)
		a.Do(t, "PATCH", "/api/v1/admin/poses/tree", map[string]any{"english_name": "Tree (Vrksasana)"}, bearer(admin.access)...).
			Check(t, apptest.Scenario{Status: 200})
		after := a.Do(t, "GET", "/api/v1/poses?category=balancing", nil, "If-None-Match", before.Header.Get("ETag"))
		after.Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"items.0.english_name": "Tree (Vrksasana)"}})
		if after.Header.Get("ETag") == before.Header.Get("ETag") {
			t.Fatal("the ETag did not change with the content")
		}

		// A signed-in caller's own sequences are not shared with others.
		_, alice := newUser(t, a)
		a.Do(t, "POST", "/api/v1/sequences", map[string]any{"name": "Alice Only", "difficulty": "beginner", "style": "yin", "focus_area": "hips",
			"steps": []map[string]any{{"pose_slug": "corpse", "duration_seconds": 60}}}, bearer(alice.access)...).Check(t, apptest.Scenario{Status: 201})
		mine := a.Do(t, "GET", "/api/v1/sequences", nil, bearer(alice.access)...)
		if !strings.Contains(string(mine.Body), "Alice Only") || mine.Header.Get("Cache-Control") != "no-store" || mine.Header.Get("ETag") == "" {
			t.Fatalf("alice's list: Cache-Control %q ETag %q: %s", mine.Header.Get("Cache-Control"), mine.Header.Get("ETag"), mine.Body)
		}
		if anon := a.Do(t, "GET", "/api/v1/sequences", nil); strings.Contains(string(anon.Body), "Alice Only") {
			t.Fatal("an anonymous caller was served alice's sequences")
		}
		// The library read with a credential is the same for everyone, but
		// only the caller's own cache may keep it.
		for _, path := range []string{"/api/v1/poses", "/api/v1/poses/tree", "/api/v1/sequences?preset=true"} {
			if cc := a.Do(t, "GET", path, nil, bearer(alice.access)...).Header.Get("Cache-Control"); cc != "private, no-cache" {
				t.Errorf("GET %s with a token: Cache-Control %q, want private, no-cache", path, cc)
			}
		}

		// Served from the cache, and counted under the route all the same.
		checkMetrics(t, a, `yogaflow_http_requests_total{method="GET",route="/api/v1/poses/{pose}",status="304"}`)
	})
}

// TestLibraryEditShowsOnEveryInstance: two instances on one database (and
// one Redis when configured) never serve a cached page older than an edit.
func TestLibraryEditShowsOnEveryInstance(t *testing.T) {
	for name, env := range instanceSetups(t) {
		t.Run(name, func(t *testing.T) {
			e := testdb.New(t, "postgres")
			one, two := apptest.New(t, e, env...), apptest.New(t, e, env...)
			admin := newAdmin(t, one)
			editorPoses(t, one, admin)
			two.Do(t, "GET", "/api/v1/poses/tree", nil).Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"difficulty": "beginner"}})
			one.Do(t, "PATCH", "/api/v1/admin/poses/tree", map[string]any{"difficulty": "advanced"}, bearer(admin.access)...).
				Check(t, apptest.Scenario{Status: 200})
			two.Do(t, "GET", "/api/v1/poses/tree", nil).Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"difficulty": "advanced"}})
		})
	}
}

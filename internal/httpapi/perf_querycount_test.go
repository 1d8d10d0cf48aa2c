package httpapi_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

// TestLibraryReadsCostFixedQueries: a sequence with many steps, and a page
// of many sequences, cost as many queries as a small one (no N+1). Each
// read is a signed-in caller's, so it is not served from the cache.
func TestLibraryReadsCostFixedQueries(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		admin := newAdmin(t, a)
		editorPoses(t, a, admin)
		_, user := newUser(t, a)
		create := func(name string, steps int) string {
			t.Helper()
			var st []map[string]any
			for i := range steps {
				st = append(st, map[string]any{"pose_slug": []string{"tree", "corpse", "crow", "downward-facing-dog"}[i%4], "duration_seconds": 30})
			}
			res := a.Do(t, "POST", "/api/v1/sequences", map[string]any{"name": name, "difficulty": "beginner", "style": "hatha",
				"focus_area": "balance", "steps": st}, bearer(user.access)...)
			if res.Status != 201 {
				t.Fatalf("create: %d %s", res.Status, res.Body)
			}
			slug, _ := apptest.Field(res.JSON(t), "slug")
			return slug.(string)
		}
		cost := func(path string) int64 {
			t.Helper()
			// Warm the principal cache, so only the read itself is counted.
			a.Do(t, "GET", "/api/v1/users/me", nil, bearer(user.access)...)
			// The count is the database's: background work (the email
			// worker) can only add to it, so the least of a few tries is
			// the request's own.
			least := int64(1 << 62)
			for try := range 3 {
				before := a.DB.QueryCount()
				// A parameter of its own keeps each try out of the response cache.
				busted := fmt.Sprintf("%s%stry=%d", path, map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")], try)
				if res := a.Do(t, "GET", busted, nil, bearer(user.access)...); res.Status != 200 {
					t.Fatalf("GET %s: %d %s", path, res.Status, res.Body)
				}
				least = min(least, a.DB.QueryCount()-before)
			}
			return least
		}

		short, long := create("Short", 1), create("Long", 40)
		if s, l := cost("/api/v1/sequences/"+short), cost("/api/v1/sequences/"+long); s != l {
			t.Errorf("a 1-step sequence costs %d queries, a 40-step one %d: want the same", s, l)
		}
		one := cost("/api/v1/sequences?mine=true&limit=1")
		for i := range 15 {
			create(fmt.Sprintf("More %02d", i), 5)
		}
		if many := cost("/api/v1/sequences?mine=true&limit=17"); many != one {
			t.Errorf("a page of 1 sequence costs %d queries, a page of 17 costs %d: want the same", one, many)
		}
		if p1, p4 := cost("/api/v1/poses?limit=1"), cost("/api/v1/poses?limit=4&q=a"); p1 != p4 {
			t.Errorf("a page of 1 pose costs %d queries, of 4 costs %d", p1, p4)
		}
		// Dates are days in the user's zone, read once for both bounds.
		dates := cost("/api/v1/history?from=2026-01-01&to=2026-02-01")
		instants := cost("/api/v1/history?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z")
		if dates != instants+1 {
			t.Errorf("history between two dates costs %d queries, between two instants %d: want one more, the time zone", dates, instants)
		}
	})
}

package httpapi_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

func TestHistory(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		user := practiceSetup(t, a)
		// The user lives in Tokyo: their days begin at 15:00 UTC.
		a.Do(t, "PATCH", "/api/v1/users/me", map[string]any{"timezone": "Asia/Tokyo"}, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200})
		log := func(started string, title string, seconds int) {
			t.Helper()
			a.Do(t, "POST", "/api/v1/history", map[string]any{"title": title, "started_at": started, "duration_seconds": seconds, "rating": 4},
				bearer(user.access)...).Check(t, apptest.Scenario{Status: 201, JSON: map[string]any{"status": "completed",
				"duration_seconds": seconds, "sequence_name": title, "sequence_id": nil}})
		}
		log("2026-01-30T14:30:00Z", "Before Tokyo's 31st", 600)  // 23:30 on the 30th in Tokyo
		log("2026-01-30T15:30:00Z", "Tokyo's 31st, early", 900)  // 00:30 on the 31st in Tokyo
		log("2026-01-31T14:30:00Z", "Tokyo's 31st, late", 1200)  // 23:30 on the 31st in Tokyo
		log("2026-01-31T15:30:00Z", "Tokyo's February 1st", 300) // 00:30 on the 1st
		id := startSession(t, a, user)
		a.Do(t, "POST", "/api/v1/sessions/"+id+"/abandon", nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200})

		titles := func(query string) string {
			t.Helper()
			return strings.Join(a.Do(t, "GET", "/api/v1/history?"+query, nil, bearer(user.access)...).Column(t, "sequence_name"), "|")
		}
		for _, tc := range []struct{ query, want string }{
			{"from=2026-01-31&to=2026-01-31", "Tokyo's 31st, late|Tokyo's 31st, early"},
			{"from=" + url.QueryEscape("2026-01-31T00:00:00Z") + "&to=" + url.QueryEscape("2026-02-01T00:00:00Z"), "Tokyo's February 1st|Tokyo's 31st, late"},
			{"status=abandoned", "Four Steps"},
			{"status=completed&limit=2", "Tokyo's February 1st|Tokyo's 31st, late"},
			{"to=2026-01-30", "Before Tokyo's 31st"},
		} {
			if got := titles(tc.query); got != tc.want {
				t.Errorf("?%s: %q, want %q", tc.query, got, tc.want)
			}
		}

		// Paging newest first visits each once.
		var all []string
		path := "/api/v1/history?limit=2"
		for range 5 {
			doc := a.Do(t, "GET", path, nil, bearer(user.access)...).JSON(t)
			items, _ := apptest.Field(doc, "items")
			for _, it := range items.([]any) {
				all = append(all, it.(map[string]any)["id"].(string))
			}
			next, _ := apptest.Field(doc, "next_cursor")
			if next == nil {
				break
			}
			path = "/api/v1/history?limit=2&cursor=" + url.QueryEscape(next.(string))
		}
		if len(all) != 5 {
			t.Errorf("paging visited %d sessions, want 5", len(all))
		}

		future := a.Clock.Now().Add(time.Hour).Format(time.RFC3339)
		a.RunScenarios(t, []apptest.Scenario{
			{Name: "future", Method: "POST", Path: "/api/v1/history", Headers: bearer(user.access),
				Body: map[string]any{"title": "x", "started_at": future, "duration_seconds": 60}, Status: 422, JSON: map[string]any{"errors.0.field": "started_at"}},
			{Name: "too long", Method: "POST", Path: "/api/v1/history", Headers: bearer(user.access),
				Body: map[string]any{"title": "x", "started_at": "2026-01-01T00:00:00Z", "duration_seconds": 90000}, Status: 422},
			{Name: "no title or sequence", Method: "POST", Path: "/api/v1/history", Headers: bearer(user.access),
				Body: map[string]any{"started_at": "2026-01-01T00:00:00Z", "duration_seconds": 60}, Status: 201,
				JSON: map[string]any{"sequence_name": "Practice", "sequence_id": nil, "status": "completed", "duration_seconds": 60}},
			{Name: "blank title", Method: "POST", Path: "/api/v1/history", Headers: bearer(user.access),
				Body: map[string]any{"title": "  ", "started_at": "2026-01-01T01:00:00Z", "duration_seconds": 60}, Status: 201,
				JSON: map[string]any{"sequence_name": "Practice"}},
			{Name: "title too long", Method: "POST", Path: "/api/v1/history", Headers: bearer(user.access),
				Body: map[string]any{"title": strings.Repeat("x", 101), "started_at": "2026-01-01T00:00:00Z", "duration_seconds": 60}, Status: 422},
			{Name: "with a sequence", Method: "POST", Path: "/api/v1/history", Headers: bearer(user.access),
				Body: map[string]any{"sequence_id": "four-steps", "started_at": "2026-01-02T07:00:00Z", "duration_seconds": 600}, Status: 201,
				JSON: map[string]any{"sequence_name": "Four Steps", "current_step": 4}},
			{Name: "bad date", Method: "GET", Path: "/api/v1/history?from=yesterday", Headers: bearer(user.access), Status: 422},
			{Name: "anonymous", Method: "GET", Path: "/api/v1/history", Status: 401},
		})

		// The export holds every practice session.
		if n := len(a.Do(t, "GET", "/api/v1/users/me/export", nil, bearer(user.access)...).JSON(t).(map[string]any)["sessions"].([]any)); n != 8 {
			t.Errorf("the export holds %d practice sessions, want 8", n)
		}

		// Another user sees none of it.
		_, other := newUser(t, a)
		a.Do(t, "GET", "/api/v1/history", nil, bearer(other.access)...).Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"items": []any{}}})

		// Offline logging honours Idempotency-Key.
		body := map[string]any{"title": "Retried", "started_at": "2026-01-03T07:00:00Z", "duration_seconds": 60}
		first := a.Do(t, "POST", "/api/v1/history", body, append(bearer(user.access), "Idempotency-Key", "log-1")...)
		again := a.Do(t, "POST", "/api/v1/history", body, append(bearer(user.access), "Idempotency-Key", "log-1")...)
		if first.Status != 201 || string(first.Body) != string(again.Body) {
			t.Fatalf("retried log: %d / %d", first.Status, again.Status)
		}
		if got := titles("from=2026-01-03&to=2026-01-03"); got != "Retried" {
			t.Fatalf("a retried log was recorded as %q", got)
		}
	})
}

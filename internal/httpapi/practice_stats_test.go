package httpapi_test

import (
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

// logAt records an offline practice that started at t.
func logAt(t *testing.T, a *apptest.App, user tokens, at time.Time, seconds int) {
	t.Helper()
	a.Do(t, "POST", "/api/v1/history", map[string]any{"title": "Logged", "started_at": at.UTC().Format(time.RFC3339), "duration_seconds": seconds},
		bearer(user.access)...).Check(t, apptest.Scenario{Status: 201})
}

func setZone(t *testing.T, a *apptest.App, user tokens, zone string) *time.Location {
	t.Helper()
	a.Do(t, "PATCH", "/api/v1/users/me", map[string]any{"timezone": zone}, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200})
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestStatsAgainstHandComputedFigures(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		user := practiceSetup(t, a)
		tokyo := setZone(t, a, user, "Asia/Tokyo")
		today := a.Clock.Now().In(tokyo)
		day := func(offset int, hour int) time.Time {
			return time.Date(today.Year(), today.Month(), today.Day()+offset, hour, 0, 0, 0, tokyo)
		}
		logAt(t, a, user, day(-5, 7), 600)
		logAt(t, a, user, day(-4, 7), 900)
		logAt(t, a, user, day(-2, 7), 1200)
		logAt(t, a, user, day(-1, 7), 300)
		logAt(t, a, user, day(-1, 21), 600)
		id := startSession(t, a, user)
		a.Clock.Advance(90 * time.Second)
		a.Do(t, "POST", "/api/v1/sessions/"+id+"/abandon", nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200})

		res := a.Do(t, "GET", "/api/v1/history/stats", nil, bearer(user.access)...)
		res.Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{
			"total_sessions": 6, "completed_sessions": 5, "abandoned_sessions": 1, "completion_rate": 0.833,
			"total_duration_seconds":   600 + 900 + 1200 + 300 + 600 + 90,
			"average_duration_seconds": (600 + 900 + 1200 + 300 + 600) / 5,
			// Completed practice on days -5, -4, -2 and -1: two runs of two,
			// the last ending yesterday, so still alive.
			"longest_streak_days": 2, "current_streak_days": 2,
			"minutes_by_day.0.date": day(-5, 0).Format(time.DateOnly), "minutes_by_day.0.minutes": 10,
			"minutes_by_day.3.date": day(-1, 0).Format(time.DateOnly), "minutes_by_day.3.minutes": 15,
			"minutes_by_day.4.minutes": 1.5,
			"top_sequences.0.name":     "Four Steps", "top_sequences.0.sessions": 1,
			"by_style.0.style": "hatha", "by_style.0.sessions": 1, "by_style.0.duration_seconds": 90,
		}})
		ranged := a.Do(t, "GET", "/api/v1/history/stats?from="+day(-2, 0).Format(time.DateOnly)+"&to="+day(-1, 0).Format(time.DateOnly), nil, bearer(user.access)...)
		ranged.Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"total_sessions": 3, "longest_streak_days": 2}})

		// A day without practice breaks the run: the streak ended.
		a.Clock.Advance(48 * time.Hour)
		a.Do(t, "GET", "/api/v1/history/stats", nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200,
			JSON: map[string]any{"current_streak_days": 0, "longest_streak_days": 2}})
	}, "YOGAFLOW_ACCESS_TOKEN_TTL=240h")
}

func TestStatsCountDaysInEachUsersZone(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		practiceSetup(t, a)
		_, kiritimati := newUser(t, a)
		_, losAngeles := newUser(t, a)
		setZone(t, a, kiritimati, "Pacific/Kiritimati") // UTC+14
		setZone(t, a, losAngeles, "America/Los_Angeles")
		instant := time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)
		logAt(t, a, kiritimati, instant, 600)
		logAt(t, a, losAngeles, instant, 600)
		const path = "/api/v1/history/stats?from=2026-02-01"
		a.Do(t, "GET", path, nil, bearer(kiritimati.access)...).Check(t, apptest.Scenario{Status: 200,
			JSON: map[string]any{"minutes_by_day.0.date": "2026-03-02"}})
		a.Do(t, "GET", path, nil, bearer(losAngeles.access)...).Check(t, apptest.Scenario{Status: 200,
			JSON: map[string]any{"minutes_by_day.0.date": "2026-03-01"}})
	})
}

func TestStreakSurvivesDaylightSavingTime(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		practiceSetup(t, a)
		_, user := newUser(t, a)
		la := setZone(t, a, user, "America/Los_Angeles")
		// 23:30 every evening from 6 to 10 March 2026; clocks spring
		// forward on the 8th, so the UTC gaps are not all 24 hours.
		for d := 6; d <= 10; d++ {
			logAt(t, a, user, time.Date(2026, 3, d, 23, 30, 0, 0, la), 900)
		}
		a.Do(t, "GET", "/api/v1/history/stats?from=2026-03-01", nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200,
			JSON: map[string]any{"longest_streak_days": 5, "minutes_by_day.0.date": "2026-03-06", "minutes_by_day.4.date": "2026-03-10"}})
	})
}

// TestStatsListMinutesOfRecentDays: without from, the totals cover the
// whole history but minutes_by_day only the last 90 days, so the answer
// does not grow with years of practice; from asks for more.
func TestStatsListMinutesOfRecentDays(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		user := practiceSetup(t, a)
		now := a.Clock.Now()
		logAt(t, a, user, now.AddDate(0, 0, -120), 600)
		logAt(t, a, user, now.AddDate(0, 0, -89), 300)
		logAt(t, a, user, now.AddDate(0, 0, -3), 900)
		day := func(offset int) string { return now.AddDate(0, 0, offset).Format(time.DateOnly) }
		a.Do(t, "GET", "/api/v1/history/stats", nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200,
			JSON: map[string]any{"total_sessions": 3, "total_duration_seconds": 1800, "minutes_by_day": []any{
				map[string]any{"date": day(-89), "minutes": 5}, map[string]any{"date": day(-3), "minutes": 15}}}})
		a.Do(t, "GET", "/api/v1/history/stats?from="+day(-200), nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200,
			JSON: map[string]any{"total_sessions": 3, "minutes_by_day.0.date": day(-120), "minutes_by_day.2.date": day(-3)}})
		// to moves the window with it.
		a.Do(t, "GET", "/api/v1/history/stats?to="+day(-100), nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200,
			JSON: map[string]any{"total_sessions": 1, "minutes_by_day": []any{map[string]any{"date": day(-120), "minutes": 10}}}})
	})
}

// TestStatsAreNeverStaleAfterMyOwnAction: stats are cached, but each of the
// user's own session writes is seen by their next read.
func TestStatsAreNeverStaleAfterMyOwnAction(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		user := practiceSetup(t, a)
		get := func(want int) {
			t.Helper()
			a.Do(t, "GET", "/api/v1/history/stats", nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200,
				JSON: map[string]any{"total_sessions": want}})
		}
		get(0)
		get(0) // now served from the cache, where there is one
		logAt(t, a, user, a.Clock.Now().Add(-time.Hour), 600)
		get(1)
		id := startSession(t, a, user)
		get(2)
		a.Do(t, "POST", "/api/v1/sessions/"+id+"/complete", nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200})
		a.Do(t, "GET", "/api/v1/history/stats", nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200,
			JSON: map[string]any{"completed_sessions": 2}})
	})
}

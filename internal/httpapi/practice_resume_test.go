package httpapi_test

import (
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

// Four Steps (practiceSetup) is Tree on both sides (30 s each), Crow 30 s,
// Downward-Facing Dog 30 s and Corpse 60 s: 180 s in all.

// TestSessionKeepsStepSideAndSecond: the server walks the practice along
// its plan by its own clock, pauses excluded, and a report places it at a
// step, side and second, so a second device resumes exactly there.
func TestSessionKeepsStepSideAndSecond(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		user := practiceSetup(t, a)
		id := startSession(t, a, user)
		path := "/api/v1/sessions/" + id
		at := func(advance time.Duration, want map[string]any) {
			t.Helper()
			a.Clock.Advance(advance)
			a.Do(t, "GET", "/api/v1/sessions/current", nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200, JSON: want})
		}
		report := func(body, want map[string]any) {
			t.Helper()
			a.Do(t, "POST", path+"/progress", body, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200, JSON: want})
		}
		at(0, map[string]any{"current_step": 1, "current_side": "right", "step_elapsed_seconds": 0})
		at(10*time.Second, map[string]any{"current_step": 1, "current_side": "right", "step_elapsed_seconds": 10})
		at(25*time.Second, map[string]any{"current_step": 1, "current_side": "left", "step_elapsed_seconds": 35})
		// The player is a little behind the server: its word is taken.
		report(map[string]any{"step_position": 1, "side": "left", "step_elapsed_seconds": 2},
			map[string]any{"current_step": 1, "current_side": "left", "step_elapsed_seconds": 32, "duration_seconds": 35})
		report(map[string]any{"step_position": 1, "side": "left", "step_elapsed_seconds": 33},
			map[string]any{"current_side": "left", "step_elapsed_seconds": 33})
		// A side alone is the start of that side.
		report(map[string]any{"step_position": 1, "side": "left"}, map[string]any{"current_side": "left", "step_elapsed_seconds": 30})
		a.Do(t, "POST", path+"/pause", nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200})
		at(10*time.Minute, map[string]any{"status": "paused", "current_step": 1, "current_side": "left", "step_elapsed_seconds": 30})
		a.Do(t, "POST", path+"/resume", nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200})
		// 30 s finish the left side; 5 more are in Crow, a pose with no sides.
		at(35*time.Second, map[string]any{"current_step": 2, "current_side": nil, "step_elapsed_seconds": 5})
		// Re-reporting the present step with nothing more keeps the place.
		report(map[string]any{"step_position": 2}, map[string]any{"current_step": 2, "step_elapsed_seconds": 5})
		report(map[string]any{"step_position": 4, "step_elapsed_seconds": 59}, map[string]any{"current_step": 4, "step_elapsed_seconds": 59})
		report(map[string]any{"step_position": 3}, map[string]any{"current_step": 3, "current_side": nil, "step_elapsed_seconds": 0})

		a.RunScenarios(t, []apptest.Scenario{
			{Name: "a side on a pose with none", Method: "POST", Path: path + "/progress", Headers: bearer(user.access),
				Body: map[string]any{"step_position": 2, "side": "left"}, Status: 422, JSON: map[string]any{"errors.0.field": "side"}},
			{Name: "an unknown side", Method: "POST", Path: path + "/progress", Headers: bearer(user.access),
				Body: map[string]any{"step_position": 1, "side": "up"}, Status: 422},
			{Name: "past the step", Method: "POST", Path: path + "/progress", Headers: bearer(user.access),
				Body: map[string]any{"step_position": 2, "step_elapsed_seconds": 31}, Status: 422,
				JSON: map[string]any{"errors.0.field": "step_elapsed_seconds"}},
			{Name: "past the side", Method: "POST", Path: path + "/progress", Headers: bearer(user.access),
				Body: map[string]any{"step_position": 1, "side": "right", "step_elapsed_seconds": 31}, Status: 422,
				JSON: map[string]any{"errors.0.field": "step_elapsed_seconds"}},
			{Name: "negative time", Method: "POST", Path: path + "/progress", Headers: bearer(user.access),
				Body: map[string]any{"step_position": 1, "step_elapsed_seconds": -1}, Status: 422},
		})
		// Nothing refused moved the practice.
		at(0, map[string]any{"current_step": 3, "step_elapsed_seconds": 0, "device_id": nil})

		// A player names itself; another taking over is seen by the first.
		a.Clock.Advance(4 * time.Second)
		report(map[string]any{"step_position": 3, "device_id": "laptop-1"}, map[string]any{"device_id": "laptop-1", "step_elapsed_seconds": 4})
		report(map[string]any{"step_position": 3, "step_elapsed_seconds": 4, "device_id": "phone-2"},
			map[string]any{"device_id": "phone-2", "current_step": 3, "step_elapsed_seconds": 4})
		a.Do(t, "POST", path+"/progress", map[string]any{"step_position": 3, "device_id": "not a name"}, bearer(user.access)...).
			Check(t, apptest.Scenario{Status: 422})
	}, "YOGAFLOW_ACCESS_TOKEN_TTL=24h")
}

// TestIdleSessionStopsCounting: a practice left open counts no more active
// time than what was left of its plan plus the tolerance, and is then
// paused, from the moment it reached that bound.
func TestIdleSessionStopsCounting(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		user := practiceSetup(t, a)
		// 24 s: Tree on both sides, 12 s each.
		res := a.Do(t, "POST", "/api/v1/sequences", map[string]any{"name": "Short Tree", "difficulty": "beginner", "style": "hatha",
			"focus_area": "balance", "steps": []map[string]any{{"pose_slug": "tree", "duration_seconds": 12}}}, bearer(user.access)...)
		res.Check(t, apptest.Scenario{Status: 201, JSON: map[string]any{"total_duration_seconds": 24}})
		seq, _ := apptest.Field(res.JSON(t), "id")
		res = a.Do(t, "POST", "/api/v1/sessions", map[string]any{"sequence_id": seq}, bearer(user.access)...)
		res.Check(t, apptest.Scenario{Status: 201})
		id, _ := apptest.Field(res.JSON(t), "id")
		path := "/api/v1/sessions/" + id.(string)

		a.Clock.Advance(4 * time.Minute)
		a.Do(t, "GET", path, nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{
			"status": "paused", "duration_seconds": 84, "paused_seconds": 156,
			"current_step": 1, "current_side": "left", "step_elapsed_seconds": 24}})
		// Paused by the server, it resumes like any pause, with one more
		// tolerance to finish in.
		a.Do(t, "POST", path+"/resume", nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200,
			JSON: map[string]any{"status": "in_progress", "duration_seconds": 84}})
		a.Clock.Advance(10 * time.Minute)
		a.Do(t, "POST", path+"/complete", nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200,
			JSON: map[string]any{"status": "completed", "duration_seconds": 144, "paused_seconds": 696}})
		a.Do(t, "GET", "/api/v1/history/stats", nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200,
			JSON: map[string]any{"total_duration_seconds": 144}})

		// A report moves the bound: what is left counts from there.
		res = a.Do(t, "POST", "/api/v1/sessions", map[string]any{"sequence_id": seq}, bearer(user.access)...)
		id, _ = apptest.Field(res.JSON(t), "id")
		path = "/api/v1/sessions/" + id.(string)
		a.Clock.Advance(10 * time.Second)
		a.Do(t, "POST", path+"/progress", map[string]any{"step_position": 1, "side": "right", "step_elapsed_seconds": 0},
			bearer(user.access)...).Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"duration_seconds": 10}})
		a.Clock.Advance(time.Hour)
		a.Do(t, "POST", path+"/complete", nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200,
			JSON: map[string]any{"duration_seconds": 10 + 24 + 60}})
	}, "YOGAFLOW_ACCESS_TOKEN_TTL=24h")
}

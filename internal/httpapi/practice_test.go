package httpapi_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

// practiceSetup gives a library with the test poses, a preset of four
// steps, and a signed-in user.
func practiceSetup(t *testing.T, a *apptest.App) tokens {
	t.Helper()
	admin := newAdmin(t, a)
	editorPoses(t, a, admin)
	a.Do(t, "POST", "/api/v1/admin/sequences", map[string]any{"name": "Four Steps", "difficulty": "beginner", "style": "hatha",
		"focus_area": "balance", "steps": []map[string]any{{"pose_slug": "tree", "duration_seconds": 30}, {"pose_slug": "crow", "duration_seconds": 30},
			{"pose_slug": "downward-facing-dog", "duration_seconds": 30}, {"pose_slug": "corpse", "duration_seconds": 60}}},
		bearer(admin.access)...).Check(t, apptest.Scenario{Status: 201})
	_, user := newUser(t, a)
	return user
}

func startSession(t *testing.T, a *apptest.App, user tokens) string {
	t.Helper()
	res := a.Do(t, "POST", "/api/v1/sessions", map[string]any{"sequence_id": "four-steps"}, bearer(user.access)...)
	res.Check(t, apptest.Scenario{Status: 201, JSON: map[string]any{"status": "in_progress", "current_step": 1,
		"duration_seconds": 0, "paused_seconds": 0, "sequence_name": "Four Steps"}})
	id, _ := apptest.Field(res.JSON(t), "id")
	return id.(string)
}

func TestSessionClockAcrossPauses(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		user := practiceSetup(t, a)
		id := startSession(t, a, user)
		path := "/api/v1/sessions/" + id
		step := func(verb string, advance time.Duration, want map[string]any) {
			t.Helper()
			a.Clock.Advance(advance)
			a.Do(t, "POST", path+"/"+verb, nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200, JSON: want})
		}
		step("pause", 100*time.Second, map[string]any{"status": "paused", "duration_seconds": 100, "paused_seconds": 0})
		step("resume", 30*time.Second, map[string]any{"status": "in_progress", "duration_seconds": 100, "paused_seconds": 30})
		step("pause", 50*time.Second, map[string]any{"status": "paused", "duration_seconds": 150, "paused_seconds": 30})
		a.Clock.Advance(20 * time.Second)
		// Reading does not change the clock, but shows it running.
		a.Do(t, "GET", path, nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200,
			JSON: map[string]any{"duration_seconds": 150, "paused_seconds": 50}})
		step("resume", 0, map[string]any{"status": "in_progress", "duration_seconds": 150, "paused_seconds": 50})
		a.Do(t, "POST", path+"/progress", map[string]any{"step_position": 3}, bearer(user.access)...).
			Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"current_step": 3}})
		// Downward-Facing Dog is 30 s: the clock walks on into Corpse.
		a.Clock.Advance(40 * time.Second)
		a.Do(t, "GET", "/api/v1/sessions/current", nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200,
			JSON: map[string]any{"id": id, "current_step": 4, "step_elapsed_seconds": 10, "duration_seconds": 190}})
		a.Do(t, "POST", path+"/complete", map[string]any{"rating": 5, "notes": "Steady."}, bearer(user.access)...).
			Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"status": "completed", "duration_seconds": 190,
				"paused_seconds": 50, "rating": 5, "notes": "Steady."}})
		// A finished session's clock has stopped.
		a.Clock.Advance(time.Hour)
		a.Do(t, "GET", path, nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200,
			JSON: map[string]any{"duration_seconds": 190, "paused_seconds": 50}})
		a.Do(t, "GET", "/api/v1/sessions/current", nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 404})
	}, "YOGAFLOW_ACCESS_TOKEN_TTL=24h") // the fake clock moves past the default 15 minutes
}

func TestSessionTransitions(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		user := practiceSetup(t, a)
		type move struct {
			verb   string
			status int
			to     string
		}
		for _, tc := range []struct {
			name  string
			moves []move
		}{
			{"in progress", []move{{"resume", 409, ""}, {"pause", 200, "paused"}}},
			{"paused", []move{{"pause", 200, "paused"}, {"pause", 409, ""}, {"resume", 200, "in_progress"}}},
			{"completed", []move{{"complete", 200, "completed"}, {"pause", 409, ""}, {"resume", 409, ""}, {"complete", 409, ""}, {"abandon", 409, ""}}},
			{"abandoned from paused", []move{{"pause", 200, "paused"}, {"abandon", 200, "abandoned"}, {"resume", 409, ""}, {"complete", 409, ""}}},
			{"completed from paused", []move{{"pause", 200, "paused"}, {"complete", 200, "completed"}, {"abandon", 409, ""}}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				id := startSession(t, a, user)
				for _, m := range tc.moves {
					want := apptest.Scenario{Status: m.status, JSON: map[string]any{"status": m.to}}
					if m.status == 409 {
						want.JSON = map[string]any{"code": "invalid_transition"}
					}
					a.Do(t, "POST", "/api/v1/sessions/"+id+"/"+m.verb, nil, bearer(user.access)...).Check(t, want)
				}
				// End it, so the next case may start.
				a.Do(t, "POST", "/api/v1/sessions/"+id+"/abandon", nil, bearer(user.access)...)
			})
		}
		id := startSession(t, a, user)
		a.RunScenarios(t, []apptest.Scenario{
			{Name: "step 0", Method: "POST", Path: "/api/v1/sessions/" + id + "/progress", Headers: bearer(user.access),
				Body: map[string]any{"step_position": 0}, Status: 422},
			{Name: "step past the end", Method: "POST", Path: "/api/v1/sessions/" + id + "/progress", Headers: bearer(user.access),
				Body: map[string]any{"step_position": 5}, Status: 422, JSON: map[string]any{"errors.0.field": "step_position"}},
			{Name: "rating 6", Method: "POST", Path: "/api/v1/sessions/" + id + "/complete", Headers: bearer(user.access),
				Body: map[string]any{"rating": 6}, Status: 422},
			{Name: "unknown sequence", Method: "POST", Path: "/api/v1/sessions", Headers: bearer(user.access),
				Body: map[string]any{"sequence_id": "no-such-flow"}, Status: 422},
			{Name: "anonymous", Method: "POST", Path: "/api/v1/sessions", Body: map[string]any{"sequence_id": "four-steps"}, Status: 401},
		})
	})
}

func TestOneActiveSessionUnderConcurrency(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		user := practiceSetup(t, a)
		const n = 10
		results := make([]*apptest.Response, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				results[i] = a.Do(t, "POST", "/api/v1/sessions", map[string]any{"sequence_id": "four-steps"}, bearer(user.access)...)
			})
		}
		wg.Wait()
		var created string
		conflicts := 0
		for _, res := range results {
			switch res.Status {
			case http.StatusCreated:
				if created != "" {
					t.Fatal("two sessions started")
				}
				id, _ := apptest.Field(res.JSON(t), "id")
				created = id.(string)
			case http.StatusConflict:
				conflicts++
			default:
				t.Fatalf("start: %d %s", res.Status, res.Body)
			}
		}
		if created == "" || conflicts != n-1 {
			t.Fatalf("%d conflicts and created %q; want one 201 and %d 409", conflicts, created, n-1)
		}
		for _, res := range results {
			if res.Status == http.StatusConflict {
				res.Check(t, apptest.Scenario{Status: 409, JSON: map[string]any{"code": "session_conflict", "active_session_id": created}})
			}
		}
	})
}

func TestSessionEventsInMetricsAndLog(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		user := practiceSetup(t, a)
		first := startSession(t, a, user)
		a.Clock.Advance(100 * time.Second)
		a.Do(t, "POST", "/api/v1/sessions/"+first+"/complete", nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200})
		second := startSession(t, a, user)
		a.Clock.Advance(30 * time.Second)
		a.Do(t, "POST", "/api/v1/sessions/"+second+"/abandon", nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200})
		a.Do(t, "POST", "/api/v1/history", map[string]any{"title": "Offline", "started_at": "2026-01-01T07:00:00Z", "duration_seconds": 600},
			bearer(user.access)...).Check(t, apptest.Scenario{Status: 201})
		// Another practised three days ago: active this week, not today.
		_, other := newUser(t, a)
		logAt(t, a, other, a.Clock.Now().Add(-72*time.Hour), 300)

		checkMetrics(t, a,
			"yogaflow_sessions_started_total 2", "yogaflow_sessions_completed_total 3",
			"yogaflow_sessions_abandoned_total 1", "yogaflow_practice_seconds_total 1030",
			`yogaflow_active_users{window="day"} 1`, `yogaflow_active_users{window="week"} 2`)
		for _, want := range []string{`"msg":"session started"`, `"msg":"session completed"`, `"msg":"session abandoned"`, `"duration_seconds":100`} {
			if !strings.Contains(a.Logs.String(), want) {
				t.Errorf("the log lacks %s", want)
			}
		}
	})
}

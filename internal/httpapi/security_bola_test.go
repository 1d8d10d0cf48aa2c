package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

// Broken object-level authorisation: holding the real ID of someone else's
// object gets nothing. Another user's session or private sequence is a 404,
// as if it did not exist (a 403 would confirm it does), through every route
// that takes its ID in the path, the body or the query; objects only admins
// manage (roles, API keys, presets, poses, flags) are refused to a plain
// user. The routes come from the OpenAPI document: a new one with an ID in
// its path fails this test until a case covers it.
func TestBrokenObjectLevelAuthorisationIsRefused(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		alice := practiceSetup(t, a)
		_, bob := newUser(t, a)
		admin := newAdmin(t, a)
		aliceID := secMe(t, a, alice.access)

		res := a.Do(t, "POST", "/api/v1/sequences", map[string]any{"name": "Alice's Wind-Down", "difficulty": "beginner", "style": "yin",
			"focus_area": "hips", "steps": []map[string]any{{"pose_slug": "corpse", "duration_seconds": 60}}}, bearer(alice.access)...)
		if res.Status != http.StatusCreated {
			t.Fatalf("creating a private sequence: %d %s", res.Status, res.Body)
		}
		seq := secString(t, res, "id")
		res = a.Do(t, "POST", "/api/v1/sessions", map[string]any{"sequence_id": seq}, bearer(alice.access)...)
		if res.Status != http.StatusCreated {
			t.Fatalf("starting a session: %d %s", res.Status, res.Body)
		}
		session := secString(t, res, "id")
		res = a.Do(t, "POST", "/api/v1/admin/api-keys", map[string]any{"name": "nightly", "scopes": []string{"content:write"}}, bearer(admin.access)...)
		if res.Status != http.StatusCreated {
			t.Fatalf("creating an API key: %d %s", res.Status, res.Body)
		}
		keyID, key := secString(t, res, "id"), secString(t, res, "key")

		type attempt struct {
			route  string // "METHOD /path/{param}" as in the OpenAPI document
			path   string
			body   any
			who    []string // headers: the intruder's credentials
			status int
			code   string
		}
		anonymous := []string(nil)
		sessionPath := "/api/v1/sessions/" + session
		attempts := []attempt{
			{"GET /api/v1/sessions/{id}", sessionPath, nil, bearer(bob.access), 404, "not_found"},
			{"POST /api/v1/sessions/{id}/pause", sessionPath + "/pause", nil, bearer(bob.access), 404, "not_found"},
			{"POST /api/v1/sessions/{id}/resume", sessionPath + "/resume", nil, bearer(bob.access), 404, "not_found"},
			{"POST /api/v1/sessions/{id}/abandon", sessionPath + "/abandon", nil, bearer(bob.access), 404, "not_found"},
			{"POST /api/v1/sessions/{id}/complete", sessionPath + "/complete", map[string]any{"rating": 1}, bearer(bob.access), 404, "not_found"},
			{"POST /api/v1/sessions/{id}/progress", sessionPath + "/progress", map[string]any{"step_position": 1}, bearer(bob.access), 404, "not_found"},
			{"GET /api/v1/sequences/{sequence}", "/api/v1/sequences/" + seq, nil, bearer(bob.access), 404, "not_found"},
			{"GET /api/v1/sequences/{sequence}", "/api/v1/sequences/" + seq, nil, anonymous, 404, "not_found"},
			{"PATCH /api/v1/sequences/{sequence}", "/api/v1/sequences/" + seq, map[string]any{"name": "Bob's now"}, bearer(bob.access), 404, "not_found"},
			{"DELETE /api/v1/sequences/{sequence}", "/api/v1/sequences/" + seq, nil, bearer(bob.access), 404, "not_found"},
			// The editors' routes reach presets only, not a user's sequence.
			{"PATCH /api/v1/admin/sequences/{sequence}", "/api/v1/admin/sequences/" + seq, map[string]any{"name": "x"}, bearer(admin.access), 404, "not_found"},
			{"DELETE /api/v1/admin/sequences/{sequence}", "/api/v1/admin/sequences/" + seq, nil, bearer(admin.access), 404, "not_found"},
			{"PATCH /api/v1/admin/sequences/{sequence}", "/api/v1/admin/sequences/four-steps", map[string]any{"name": "x"}, bearer(bob.access), 403, "forbidden"},
			{"DELETE /api/v1/admin/sequences/{sequence}", "/api/v1/admin/sequences/four-steps", nil, bearer(bob.access), 403, "forbidden"},
			{"PATCH /api/v1/admin/poses/{pose}", "/api/v1/admin/poses/tree", map[string]any{"english_name": "Bush"}, bearer(bob.access), 403, "forbidden"},
			{"DELETE /api/v1/admin/poses/{pose}", "/api/v1/admin/poses/tree", nil, bearer(bob.access), 403, "forbidden"},
			{"PUT /api/v1/admin/users/{id}/roles", "/api/v1/admin/users/" + aliceID + "/roles", map[string]any{"roles": []string{"user", "admin"}}, bearer(alice.access), 403, "forbidden"},
			{"PUT /api/v1/admin/users/{id}/roles", "/api/v1/admin/users/" + aliceID + "/roles", map[string]any{"roles": []string{"user"}}, bearer(bob.access), 403, "forbidden"},
			{"DELETE /api/v1/admin/api-keys/{id}", "/api/v1/admin/api-keys/" + keyID, nil, bearer(bob.access), 403, "forbidden"},
			{"DELETE /api/v1/admin/api-keys/{id}", "/api/v1/admin/api-keys/" + keyID, nil, []string{"X-API-Key", key}, 403, "forbidden"},
			{"GET /api/v1/admin/flags/{key}", "/api/v1/admin/flags/any-flag", nil, bearer(bob.access), 403, "forbidden"},
			{"PATCH /api/v1/admin/flags/{key}", "/api/v1/admin/flags/any-flag", map[string]any{"rollout_percent": 100}, bearer(bob.access), 403, "forbidden"},
			{"DELETE /api/v1/admin/flags/{key}", "/api/v1/admin/flags/any-flag", nil, bearer(bob.access), 403, "forbidden"},
			{"GET /api/v1/admin/flags/{key}/results", "/api/v1/admin/flags/any-flag/results", nil, bearer(bob.access), 403, "forbidden"},
			// IDs in a body: practising or logging another user's private
			// sequence is refused like an unknown one.
			{"POST /api/v1/sessions", "/api/v1/sessions", map[string]any{"sequence_id": seq}, bearer(bob.access), 422, "validation_failed"},
			{"POST /api/v1/history", "/api/v1/history", map[string]any{"sequence_id": seq, "started_at": a.Clock.Now().Add(-2 * time.Hour).Format(time.RFC3339),
				"duration_seconds": 600}, bearer(bob.access), 422, "validation_failed"},
		}
		// Readable by anyone by design: the public pose library and its
		// pictures.
		public := []string{"GET /api/v1/poses/{pose}", "GET /media/poses/{pose}.svg"}

		t.Run("every route with an ID in its path is covered", func(t *testing.T) {
			doc, _ := a.Do(t, "GET", "/openapi.json", nil).JSON(t).(map[string]any)
			paths, _ := doc["paths"].(map[string]any)
			for path, item := range paths {
				if !strings.Contains(path, "{") {
					continue
				}
				for method := range item.(map[string]any) {
					route := strings.ToUpper(method) + " " + path
					if !slices.Contains(public, route) && !slices.ContainsFunc(attempts, func(at attempt) bool { return at.route == route }) {
						t.Errorf("%s takes an ID and no case here tries it with someone else's", route)
					}
				}
			}
		})

		for _, at := range attempts {
			t.Run(at.route, func(t *testing.T) {
				res := a.Do(t, strings.Fields(at.route)[0], at.path, at.body, at.who...)
				secProblem(t, res, at.status, at.code)
				noSecretsIn(t, res)
			})
		}

		t.Run("another user's session shows in no list of mine", func(t *testing.T) {
			res := a.Do(t, "GET", "/api/v1/history?sequence_id="+seq, nil, bearer(bob.access)...)
			if res.Status != http.StatusOK || strings.Contains(string(res.Body), session) {
				t.Errorf("history filtered by another user's sequence: %d %s", res.Status, res.Body)
			}
			secProblem(t, a.Do(t, "GET", "/api/v1/sessions/current", nil, bearer(bob.access)...), http.StatusNotFound, "not_found")
		})

		t.Run("nothing changed for the owners", func(t *testing.T) {
			a.Do(t, "GET", sessionPath, nil, bearer(alice.access)...).Check(t, apptest.Scenario{Status: 200,
				JSON: map[string]any{"status": "in_progress", "current_step": 1}})
			a.Do(t, "GET", "/api/v1/sequences/"+seq, nil, bearer(alice.access)...).Check(t, apptest.Scenario{Status: 200,
				JSON: map[string]any{"name": "Alice's Wind-Down"}})
			a.Do(t, "GET", "/api/v1/users/me", nil, bearer(alice.access)...).Check(t, apptest.Scenario{Status: 200,
				JSON: map[string]any{"roles": []string{"user"}}})
			a.Do(t, "GET", "/api/v1/poses/tree", nil).Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"english_name": "Tree"}})
			// The key still works, where its scope allows.
			if res := a.Do(t, "GET", "/api/v1/admin/users", nil, "X-API-Key", key); res.Status != http.StatusForbidden {
				t.Errorf("the API key after the attempts: %d %s, want 403 (alive, but without users:manage)", res.Status, res.Body)
			}
		})
	})
}

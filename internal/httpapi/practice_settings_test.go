package httpapi_test

import (
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

// TestPracticeSettingsFollowTheUser: the player's settings are kept with the
// account, changed one at a time by PATCH /users/me, and read back by any
// device that signs in.
func TestPracticeSettingsFollowTheUser(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		email, user := newUser(t, a)
		defaults := map[string]any{"practice_settings.voice": true, "practice_settings.chime": false,
			"practice_settings.breath_pacing": false, "practice_settings.breaths_per_minute": 6}
		a.Do(t, "GET", "/api/v1/users/me", nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200, JSON: defaults})

		a.Do(t, "PATCH", "/api/v1/users/me", map[string]any{"practice_settings": map[string]any{"chime": true, "breath_pacing": true}},
			bearer(user.access)...).Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"practice_settings.voice": true,
			"practice_settings.chime": true, "practice_settings.breath_pacing": true, "practice_settings.breaths_per_minute": 6}})
		a.Do(t, "PATCH", "/api/v1/users/me", map[string]any{"display_name": "Ana", "practice_settings": map[string]any{"voice": false, "breaths_per_minute": 4}},
			bearer(user.access)...).Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"display_name": "Ana",
			"practice_settings.voice": false, "practice_settings.chime": true, "practice_settings.breaths_per_minute": 4}})

		// Another device: a new sign-in reads the same.
		other := signIn(t, a, email, goodPassword)
		a.Do(t, "GET", "/api/v1/users/me", nil, bearer(other.access)...).Check(t, apptest.Scenario{Status: 200,
			JSON: map[string]any{"practice_settings.voice": false, "practice_settings.chime": true,
				"practice_settings.breath_pacing": true, "practice_settings.breaths_per_minute": 4}})

		for _, tc := range []struct {
			name string
			body map[string]any
		}{
			{"too slow", map[string]any{"breaths_per_minute": 2}},
			{"too fast", map[string]any{"breaths_per_minute": 21}},
			{"not a bool", map[string]any{"voice": "yes"}},
			{"unknown setting", map[string]any{"volume": 11}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a.Do(t, "PATCH", "/api/v1/users/me", map[string]any{"practice_settings": tc.body}, bearer(user.access)...).
					Check(t, apptest.Scenario{Status: 422})
			})
		}
		// Nothing refused changed a setting.
		a.Do(t, "GET", "/api/v1/users/me", nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200,
			JSON: map[string]any{"practice_settings.voice": false, "practice_settings.breaths_per_minute": 4}})
		a.Do(t, "GET", "/api/v1/users/me/export", nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200,
			JSON: map[string]any{"user.practice_settings.chime": true}})
	})
}

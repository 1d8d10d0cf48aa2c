package httpapi_test

import (
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

func TestGenerateSequence(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		if _, _, err := a.Library.Seed(t.Context(), false); err != nil {
			t.Fatal(err)
		}
		_, user := newUser(t, a)
		auth := bearer(user.access)
		const path = "/api/v1/sequences/generate"
		ask := map[string]any{"minutes": 20, "difficulty": "beginner", "focus_area": "back", "avoid": []string{"knee_injury"}, "seed": 42}

		preview := a.Do(t, "POST", path+"?save=false", ask, auth...)
		preview.Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"id": "", "slug": "", "seed": 42,
			"is_preset": false, "difficulty": "beginner", "style": "hatha", "focus_area": "back", "total_duration_seconds": 1200,
			"name": "20-minute back practice"}})
		tags, _ := apptest.Field(preview.JSON(t), "contraindications")
		for _, tag := range tags.([]any) {
			if tag == "knee_injury" {
				t.Errorf("the practice holds a pose not advised with a knee injury: %s", preview.Body)
			}
		}
		if mine := a.Do(t, "GET", "/api/v1/sequences?mine=true", nil, auth...).Column(t, "id"); len(mine) != 0 {
			t.Errorf("a preview was stored: %v", mine)
		}

		saved := a.Do(t, "POST", path, ask, auth...)
		saved.Check(t, apptest.Scenario{Status: 201, JSON: map[string]any{"seed": 42, "total_duration_seconds": 1200}})
		id, _ := apptest.Field(saved.JSON(t), "id")
		if id == "" {
			t.Fatalf("saved without an id: %s", saved.Body)
		}
		// Saved, it is the preview's practice: the same seed, the same steps.
		previewSteps, _ := apptest.Field(preview.JSON(t), "steps")
		savedSteps, _ := apptest.Field(a.Do(t, "GET", "/api/v1/sequences/"+id.(string), nil, auth...).JSON(t), "steps")
		if len(previewSteps.([]any)) != len(savedSteps.([]any)) {
			t.Errorf("the preview has %d steps, the saved practice %d", len(previewSteps.([]any)), len(savedSteps.([]any)))
		}
		for i := range savedSteps.([]any) {
			p, _ := apptest.Field(previewSteps.([]any)[i], "pose.slug")
			s, _ := apptest.Field(savedSteps.([]any)[i], "pose.slug")
			if p != s {
				t.Errorf("step %d: %v in the preview, %v saved", i+1, p, s)
			}
		}
		if mine := a.Do(t, "GET", "/api/v1/sequences?mine=true", nil, auth...).Column(t, "id"); len(mine) != 1 || mine[0] != id {
			t.Errorf("my sequences are %v, want the one saved (%v)", mine, id)
		}

		bad := func(name string, body map[string]any, field string) apptest.Scenario {
			return apptest.Scenario{Name: name, Method: "POST", Path: path, Headers: auth, Body: body, Status: 422,
				JSON: map[string]any{"code": "validation_failed", "errors.0.field": field}}
		}
		a.RunScenarios(t, []apptest.Scenario{
			{Name: "signed out", Method: "POST", Path: path, Body: ask, Status: 401},
			bad("4 minutes", map[string]any{"minutes": 4, "difficulty": "beginner"}, "minutes"),
			bad("91 minutes", map[string]any{"minutes": 91, "difficulty": "beginner"}, "minutes"),
			bad("no difficulty", map[string]any{"minutes": 30}, "difficulty"),
			bad("unknown difficulty", map[string]any{"minutes": 30, "difficulty": "expert"}, "difficulty"),
			bad("unknown focus", map[string]any{"minutes": 30, "difficulty": "beginner", "focus_area": "toes"}, "focus_area"),
			bad("unknown style", map[string]any{"minutes": 30, "difficulty": "beginner", "style": "hot"}, "style"),
			bad("unknown tag", map[string]any{"minutes": 30, "difficulty": "beginner", "avoid": []string{"sore_toe"}}, "avoid[0]"),
			bad("negative seed", map[string]any{"minutes": 30, "difficulty": "beginner", "seed": -1}, "seed"),
			bad("seed past 2^53", map[string]any{"minutes": 30, "difficulty": "beginner", "seed": 9007199254740992}, "seed"),
			{Name: "no seed draws one", Method: "POST", Path: path + "?save=false", Headers: auth,
				Body: map[string]any{"minutes": 5, "difficulty": "advanced"}, Status: 200, JSON: map[string]any{"focus_area": "full_body"}},
		})
	})
}

package httpapi_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

// editorPoses adds poses as an admin would, returning their slugs.
func editorPoses(t *testing.T, a *apptest.App, admin tokens) {
	t.Helper()
	poses := []map[string]any{
		{"english_name": "Downward-Facing Dog", "sanskrit_name": "Adho Mukha Śvānāsana", "category": "inversion", "difficulty": "beginner",
			"instructions": []string{"Hands and knees.", "Hips up."}, "contraindications": []string{"wrist_injury", "high_blood_pressure"}},
		{"english_name": "Tree", "sanskrit_name": "Vṛkṣāsana", "category": "balancing", "difficulty": "beginner", "two_sided": true,
			"instructions": []string{"Stand.", "Foot to thigh."}, "contraindications": []string{"vertigo"}},
		{"english_name": "Crow", "sanskrit_name": "Bakāsana", "category": "arm_balance", "difficulty": "intermediate",
			"instructions": []string{"Squat.", "Knees to arms.", "Lean."}, "contraindications": []string{"wrist_injury", "pregnancy"}},
		{"english_name": "Corpse", "sanskrit_name": "Śavāsana", "category": "restorative", "difficulty": "beginner",
			"instructions": []string{"Lie down.", "Rest."}},
	}
	for _, p := range poses {
		a.Do(t, "POST", "/api/v1/admin/poses", p, bearer(admin.access)...).Check(t, apptest.Scenario{Status: 201})
	}
}

func TestPoseLibrary(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		admin := newAdmin(t, a)
		editorPoses(t, a, admin)
		names := func(path string) []string {
			t.Helper()
			return a.Do(t, "GET", path, nil).Column(t, "slug")
		}
		for _, tc := range []struct {
			query string
			want  string
		}{
			{"", "corpse,crow,downward-facing-dog,tree"},
			{"category=balancing", "tree"},
			{"difficulty=beginner", "corpse,downward-facing-dog,tree"},
			{"q=" + url.QueryEscape("svanasana"), "downward-facing-dog"},
			{"q=" + url.QueryEscape("ŚVĀNĀ"), "downward-facing-dog"},
			{"q=" + url.QueryEscape("vrksa"), "tree"},
			{"q=dog", "downward-facing-dog"},
			{"q=" + url.QueryEscape("50%_"), ""},
			{"avoid=wrist_injury", "corpse,tree"},
			{"avoid=wrist_injury,vertigo", "corpse"},
			// Best match first: "Adho..." begins with a, "Śavāsana" holds one.
			{"difficulty=beginner&avoid=vertigo&q=a", "downward-facing-dog,corpse"},
		} {
			if got := strings.Join(names("/api/v1/poses?"+tc.query), ","); got != tc.want {
				t.Errorf("?%s: %q, want %q", tc.query, got, tc.want)
			}
		}

		a.RunScenarios(t, []apptest.Scenario{
			{Name: "by slug", Method: "GET", Path: "/api/v1/poses/downward-facing-dog", Status: 200,
				JSON: map[string]any{"sanskrit_name": "Adho Mukha Śvānāsana", "contraindications": []string{"high_blood_pressure", "wrist_injury"}, "two_sided": false}},
			{Name: "unknown", Method: "GET", Path: "/api/v1/poses/levitation", Status: 404, JSON: map[string]any{"code": "not_found"}},
			{Name: "bad category", Method: "GET", Path: "/api/v1/poses?category=flying", Status: 422},
			{Name: "bad avoid tag", Method: "GET", Path: "/api/v1/poses?avoid=clumsiness", Status: 422},
			{Name: "limit 0", Method: "GET", Path: "/api/v1/poses?limit=0", Status: 422},
			{Name: "duplicate slug", Method: "POST", Path: "/api/v1/admin/poses", Headers: bearer(admin.access), Status: 409,
				Body: map[string]any{"english_name": "Tree", "category": "balancing", "difficulty": "beginner", "instructions": []string{"x"}},
				JSON: map[string]any{"code": "conflict"}},
			{Name: "edit", Method: "PATCH", Path: "/api/v1/admin/poses/tree", Headers: bearer(admin.access), Status: 200,
				Body: map[string]any{"difficulty": "intermediate"}, JSON: map[string]any{"difficulty": "intermediate", "english_name": "Tree"}},
		})

		// Paging visits each pose once.
		var seen []string
		path := "/api/v1/poses?limit=3"
		for range 5 {
			doc := a.Do(t, "GET", path, nil).JSON(t)
			items, _ := apptest.Field(doc, "items")
			for _, it := range items.([]any) {
				seen = append(seen, it.(map[string]any)["slug"].(string))
			}
			next, _ := apptest.Field(doc, "next_cursor")
			if next == nil {
				break
			}
			path = "/api/v1/poses?limit=3&cursor=" + url.QueryEscape(next.(string))
		}
		if strings.Join(seen, ",") != "corpse,crow,downward-facing-dog,tree" {
			t.Errorf("paging visited %v", seen)
		}
	})
}

func TestSequences(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		admin := newAdmin(t, a)
		editorPoses(t, a, admin)
		dog, _ := apptest.Field(a.Do(t, "GET", "/api/v1/poses/downward-facing-dog", nil).JSON(t), "id")

		preset := map[string]any{"name": "Morning Balance", "difficulty": "beginner", "style": "hatha", "focus_area": "balance",
			"steps": []map[string]any{
				{"pose_id": dog, "duration_seconds": 30},
				{"pose_slug": "tree", "duration_seconds": 20, "side": "left", "cue": "Find a still point."},
				{"pose_slug": "tree", "duration_seconds": 20, "side": "right"},
				{"pose_slug": "tree", "duration_seconds": 15, "side": "both"},
				{"pose_id": "corpse", "duration_seconds": 120, "side": "both"},
			}}
		res := a.Do(t, "POST", "/api/v1/admin/sequences", preset, bearer(admin.access)...)
		res.Check(t, apptest.Scenario{Status: 201, JSON: map[string]any{
			"slug": "morning-balance", "is_preset": true, "owner_id": nil,
			// a both step counts twice only on a two-sided pose (tree):
			// 30 + 20 + 20 + 2*15 + 120
			"total_duration_seconds": 220,
			"contraindications":      []string{"high_blood_pressure", "vertigo", "wrist_injury"},
			"steps.1.position":       2, "steps.1.pose.slug": "tree", "steps.1.side": "left", "steps.1.cue": "Find a still point.",
			"steps.4.pose.english_name": "Corpse",
		}})

		_, alice := newUser(t, a)
		_, bob := newUser(t, a)
		mine := map[string]any{"name": "My Wind-Down", "difficulty": "beginner", "style": "restorative", "focus_area": "sleep",
			"steps": []map[string]any{{"pose_slug": "corpse", "duration_seconds": 300}}}
		res = a.Do(t, "POST", "/api/v1/sequences", mine, bearer(alice.access)...)
		res.Check(t, apptest.Scenario{Status: 201, JSON: map[string]any{"is_preset": false, "total_duration_seconds": 300}})
		slug, _ := apptest.Field(res.JSON(t), "slug")
		own := "/api/v1/sequences/" + slug.(string)

		list := func(token, query string) string {
			t.Helper()
			var headers []string
			if token != "" {
				headers = bearer(token)
			}
			return strings.Join(a.Do(t, "GET", "/api/v1/sequences?"+query, nil, headers...).Column(t, "name"), ",")
		}
		for _, tc := range []struct{ who, token, query, want string }{
			{"anonymous", "", "", "Morning Balance"},
			{"alice", alice.access, "", "Morning Balance,My Wind-Down"},
			{"bob", bob.access, "", "Morning Balance"},
			{"alice mine", alice.access, "mine=true", "My Wind-Down"},
			{"alice presets", alice.access, "preset=true", "Morning Balance"},
			{"alice own via preset=false", alice.access, "preset=false", "My Wind-Down"},
			{"avoid vertigo", alice.access, "avoid=vertigo", "My Wind-Down"},
			{"max duration", alice.access, "max_duration=250", "Morning Balance"},
			{"style", alice.access, "style=restorative", "My Wind-Down"},
			{"focus and difficulty", alice.access, "focus_area=balance&difficulty=beginner", "Morning Balance"},
		} {
			if got := list(tc.token, tc.query); got != tc.want {
				t.Errorf("%s ?%s: %q, want %q", tc.who, tc.query, got, tc.want)
			}
		}

		a.RunScenarios(t, []apptest.Scenario{
			{Name: "mine without a token", Method: "GET", Path: "/api/v1/sequences?mine=true", Status: 401},
			{Name: "owner reads", Method: "GET", Path: own, Headers: bearer(alice.access), Status: 200},
			{Name: "other user gets 404", Method: "GET", Path: own, Headers: bearer(bob.access), Status: 404},
			{Name: "anonymous gets 404", Method: "GET", Path: own, Status: 404},
			{Name: "other user cannot edit", Method: "PATCH", Path: own, Headers: bearer(bob.access), Body: map[string]any{"name": "Mine now"}, Status: 404},
			{Name: "other user cannot delete", Method: "DELETE", Path: own, Headers: bearer(bob.access), Status: 404},
			{Name: "editor endpoint cannot touch a user's sequence", Method: "PATCH", Path: "/api/v1/admin" + strings.TrimPrefix(own, "/api/v1"),
				Headers: bearer(admin.access), Body: map[string]any{"name": "x"}, Status: 404},
			{Name: "user endpoint cannot touch a preset", Method: "DELETE", Path: "/api/v1/sequences/morning-balance", Headers: bearer(alice.access), Status: 404},
			{Name: "unknown pose names the step", Method: "POST", Path: "/api/v1/sequences", Headers: bearer(alice.access),
				Body: map[string]any{"name": "x", "difficulty": "beginner", "style": "yin", "focus_area": "hips",
					"steps": []map[string]any{{"pose_slug": "tree", "duration_seconds": 10}, {"pose_slug": "levitation", "duration_seconds": 10}}},
				Status: 422, JSON: map[string]any{"errors.0.field": "steps[1].pose"}},
			{Name: "owner edits", Method: "PATCH", Path: own, Headers: bearer(alice.access), Status: 200,
				Body: map[string]any{"steps": []map[string]any{{"pose_slug": "corpse", "duration_seconds": 100, "side": "left"}}},
				JSON: map[string]any{"total_duration_seconds": 100, "name": "My Wind-Down"}},
			{Name: "user cannot create a preset", Method: "POST", Path: "/api/v1/admin/sequences", Headers: bearer(alice.access), Body: preset, Status: 403},
			{Name: "anonymous cannot create", Method: "POST", Path: "/api/v1/sequences", Body: mine, Status: 401},
			{Name: "pose in use cannot be deleted", Method: "DELETE", Path: "/api/v1/admin/poses/tree", Headers: bearer(admin.access), Status: 409,
				JSON: map[string]any{"code": "conflict"}},
			{Name: "unused pose can", Method: "DELETE", Path: "/api/v1/admin/poses/crow", Headers: bearer(admin.access), Status: 204},
			{Name: "a pose made two-sided", Method: "PATCH", Path: "/api/v1/admin/poses/corpse", Headers: bearer(admin.access),
				Body: map[string]any{"two_sided": true}, Status: 200},
			{Name: "changes the totals of sequences that use it", Method: "GET", Path: "/api/v1/sequences/morning-balance", Status: 200,
				JSON: map[string]any{"total_duration_seconds": 340}},
			{Name: "the export holds my sequences", Method: "GET", Path: "/api/v1/users/me/export", Headers: bearer(alice.access), Status: 200,
				JSON: map[string]any{"sequences.0.name": "My Wind-Down"}},
			{Name: "owner deletes", Method: "DELETE", Path: own, Headers: bearer(alice.access), Status: 204},
			{Name: "editorial writes are audited", Method: "GET", Path: "/api/v1/admin/audit-log?action=pose.delete", Headers: bearer(admin.access),
				Status: 200, JSON: map[string]any{"items.0.details.slug": "crow", "items.0.target_type": "pose"}},
		})
	})
}

func TestSeedKeepsEditorsChanges(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		if _, _, err := a.Library.Seed(t.Context(), false); err != nil {
			t.Fatal(err)
		}
		admin := newAdmin(t, a)
		a.Do(t, "PATCH", "/api/v1/admin/poses/tree-pose", map[string]any{"description": "Our own words."}, bearer(admin.access)...).
			Check(t, apptest.Scenario{Status: 200})
		poses, _, err := a.Library.Seed(t.Context(), false)
		if err != nil || poses.KeptEdited != 1 || poses.Updated != 0 {
			t.Fatalf("seed after an edit: %+v, %v; want the edit kept", poses, err)
		}
		a.Do(t, "GET", "/api/v1/poses/tree-pose", nil).Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"description": "Our own words."}})
		if poses, _, err = a.Library.Seed(t.Context(), true); err != nil || poses.Updated != 1 {
			t.Fatalf("forced seed: %+v, %v; want the edit overwritten", poses, err)
		}
		res := a.Do(t, "GET", "/api/v1/poses/tree-pose", nil)
		if d, _ := apptest.Field(res.JSON(t), "description"); d == "Our own words." {
			t.Fatal("a forced seed kept the editor's text")
		}
	})
}

// TestPagingIsStableWhileRowsAreAdded: following next_cursor visits every
// pose that was there once, whatever is added between pages.
func TestPagingIsStableWhileRowsAreAdded(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		admin := newAdmin(t, a)
		editorPoses(t, a, admin)
		seen := map[string]int{}
		path := "/api/v1/poses?limit=2"
		for page := 0; ; page++ {
			doc := a.Do(t, "GET", path, nil).JSON(t)
			items, _ := apptest.Field(doc, "items")
			for _, it := range items.([]any) {
				seen[it.(map[string]any)["slug"].(string)]++
			}
			// Between pages, add poses that sort before and after the cursor.
			for _, name := range []string{"Aaa " + string(rune('a'+page)), "Zzz " + string(rune('a'+page))} {
				a.Do(t, "POST", "/api/v1/admin/poses", map[string]any{"english_name": name, "category": "standing",
					"difficulty": "beginner", "instructions": []string{"Stand."}}, bearer(admin.access)...).Check(t, apptest.Scenario{Status: 201})
			}
			next, _ := apptest.Field(doc, "next_cursor")
			if next == nil || page > 20 {
				break
			}
			path = "/api/v1/poses?limit=2&cursor=" + url.QueryEscape(next.(string))
		}
		for _, slug := range []string{"corpse", "crow", "downward-facing-dog", "tree"} {
			if seen[slug] != 1 {
				t.Errorf("%s visited %d times, want once", slug, seen[slug])
			}
		}
		for slug, n := range seen {
			if n > 1 {
				t.Errorf("%s visited %d times", slug, n)
			}
		}
	})
}

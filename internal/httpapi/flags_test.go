package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/apptest"
	"github.com/yogaflow/yogaflow/internal/platform/testdb"
)

// newUserWithRoles makes a verified account holding roles, and returns
// its email.
func newUserWithRoles(t *testing.T, a *apptest.App, roles ...string) string {
	t.Helper()
	email := newEmail()
	if _, err := a.Accounts.CreateUser(t.Context(), email, goodPassword, roles); err != nil {
		t.Fatal(err)
	}
	return email
}

func createFlag(t *testing.T, a *apptest.App, admin tokens, body map[string]any) {
	t.Helper()
	a.Do(t, "POST", "/api/v1/admin/flags", body, bearer(admin.access)...).Check(t, apptest.Scenario{Status: 201})
}

// feature is the caller's evaluation of flag key, from GET /features.
func feature(t *testing.T, a *apptest.App, key string, headers ...string) (bool, string) {
	t.Helper()
	res := a.Do(t, "GET", "/api/v1/features", nil, headers...)
	if res.Status != 200 {
		t.Fatalf("GET /features: %d %s", res.Status, res.Body)
	}
	doc := res.JSON(t)
	enabled, ok1 := apptest.Field(doc, "flags."+key+".enabled")
	variant, ok2 := apptest.Field(doc, "flags."+key+".variant")
	if !ok1 || !ok2 {
		t.Fatalf("no flag %s in %s", key, res.Body)
	}
	return enabled.(bool), variant.(string)
}

func TestFlagAdministration(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		admin := newAdmin(t, a)
		_, user := newUser(t, a)
		adm := bearer(admin.access)
		res := a.Do(t, "POST", "/api/v1/admin/flags", map[string]any{"key": "short_holds", "description": "Shorter default holds."}, adm...)
		res.Check(t, apptest.Scenario{Status: 201, JSON: map[string]any{"key": "short_holds", "enabled": false, "rollout_percent": 100,
			"variants": []any{}, "default_variant": "off", "roles": []any{}, "description": "Shorter default holds."}})

		a.RunScenarios(t, []apptest.Scenario{
			{Name: "duplicate key", Method: "POST", Path: "/api/v1/admin/flags", Headers: adm, Body: map[string]any{"key": "short_holds"},
				Status: 409, JSON: map[string]any{"code": "conflict"}},
			{Name: "key with capitals", Method: "POST", Path: "/api/v1/admin/flags", Headers: adm, Body: map[string]any{"key": "Short-Holds"},
				Status: 422, JSON: map[string]any{"code": "validation_failed", "errors.0.field": "key"}},
			{Name: "one-letter key", Method: "POST", Path: "/api/v1/admin/flags", Headers: adm, Body: map[string]any{"key": "s"},
				Status: 422, JSON: map[string]any{"errors.0.field": "key"}},
			{Name: "zero weight", Method: "POST", Path: "/api/v1/admin/flags", Headers: adm,
				Body: map[string]any{"key": "ab", "variants": []map[string]any{{"name": "a", "weight": 0}}}, Status: 422,
				JSON: map[string]any{"errors.0.field": "variants[0].weight"}},
			{Name: "a variant named twice", Method: "POST", Path: "/api/v1/admin/flags", Headers: adm,
				Body: map[string]any{"key": "ab", "variants": []map[string]any{{"name": "a", "weight": 1}, {"name": "a", "weight": 2}}}, Status: 422,
				JSON: map[string]any{"errors.0.field": "variants[1].name"}},
			{Name: "rollout over 100", Method: "PATCH", Path: "/api/v1/admin/flags/short_holds", Headers: adm,
				Body: map[string]any{"rollout_percent": 101}, Status: 422, JSON: map[string]any{"errors.0.field": "rollout_percent"}},
			{Name: "unknown role", Method: "PATCH", Path: "/api/v1/admin/flags/short_holds", Headers: adm,
				Body: map[string]any{"roles": []string{"owner"}}, Status: 422},
			{Name: "the key cannot change", Method: "PATCH", Path: "/api/v1/admin/flags/short_holds", Headers: adm,
				Body: map[string]any{"key": "other"}, Status: 422},
			{Name: "unknown flag", Method: "GET", Path: "/api/v1/admin/flags/no_such_flag", Headers: adm, Status: 404,
				JSON: map[string]any{"code": "not_found"}},
			{Name: "results of an unknown flag", Method: "GET", Path: "/api/v1/admin/flags/no_such_flag/results", Headers: adm, Status: 404},
			{Name: "results with a bad date", Method: "GET", Path: "/api/v1/admin/flags/short_holds/results?from=yesterday", Headers: adm,
				Status: 422, JSON: map[string]any{"errors.0.field": "from"}},
		})

		a.Do(t, "PATCH", "/api/v1/admin/flags/short_holds", map[string]any{"enabled": true, "rollout_percent": 30,
			"variants": []map[string]any{{"name": "control", "weight": 1}, {"name": "short", "weight": 1}}, "default_variant": "classic"}, adm...).
			Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"enabled": true, "rollout_percent": 30, "variants.1.name": "short",
				"default_variant": "classic", "description": "Shorter default holds."}})
		createFlag(t, a, admin, map[string]any{"key": "calm_mode"})
		a.Do(t, "GET", "/api/v1/admin/flags?limit=1", nil, adm...).Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"items.0.key": "calm_mode"}})
		next, _ := apptest.Field(a.Do(t, "GET", "/api/v1/admin/flags?limit=1", nil, adm...).JSON(t), "next_cursor")
		a.Do(t, "GET", "/api/v1/admin/flags?limit=1&cursor="+next.(string), nil, adm...).
			Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"items.0.key": "short_holds", "next_cursor": nil}})
		a.Do(t, "DELETE", "/api/v1/admin/flags/calm_mode", nil, adm...).Check(t, apptest.Scenario{Status: 204})
		a.Do(t, "GET", "/api/v1/admin/flags/calm_mode", nil, adm...).Check(t, apptest.Scenario{Status: 404})

		actions := a.Do(t, "GET", "/api/v1/admin/audit-log?limit=3", nil, adm...).Column(t, "action")
		if strings.Join(actions, " ") != "flag.delete flag.create flag.update" {
			t.Errorf("audit log: %v, want the flag changes newest first", actions)
		}

		// Only flags:manage may manage flags; everyone may read their features.
		for _, op := range []struct{ method, path string }{
			{"GET", "/api/v1/admin/flags"}, {"POST", "/api/v1/admin/flags"}, {"GET", "/api/v1/admin/flags/short_holds"},
			{"PATCH", "/api/v1/admin/flags/short_holds"}, {"DELETE", "/api/v1/admin/flags/short_holds"},
			{"GET", "/api/v1/admin/flags/short_holds/results"},
		} {
			var body any
			if op.method == "POST" || op.method == "PATCH" {
				body = map[string]any{"key": "sneaky", "enabled": true}
			}
			a.Do(t, op.method, op.path, body, bearer(user.access)...).Check(t, apptest.Scenario{Status: 403, JSON: map[string]any{"code": "forbidden"}})
			a.Do(t, op.method, op.path, body).Check(t, apptest.Scenario{Status: 401})
		}
		if enabled, variant := feature(t, a, "short_holds"); enabled || variant != "classic" {
			t.Errorf("anonymous caller: %v %q, want the default", enabled, variant)
		}
	})
}

func TestFlagAssignment(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		admin := newAdmin(t, a)
		createFlag(t, a, admin, map[string]any{"key": "reminders", "enabled": true, "rollout_percent": 20,
			"variants": []map[string]any{{"name": "morning", "weight": 1}, {"name": "evening", "weight": 1}}})
		var users []tokens
		for range 30 {
			_, u := newUser(t, a)
			users = append(users, u)
		}
		type held struct {
			enabled bool
			variant string
		}
		at20 := make([]held, len(users))
		for i, u := range users {
			e, v := feature(t, a, "reminders", bearer(u.access)...)
			at20[i] = held{e, v}
			if again, w := feature(t, a, "reminders", bearer(u.access)...); again != e || w != v {
				t.Fatalf("user %d: %v %q, then %v %q", i, e, v, again, w)
			}
			if !e && v != "off" {
				t.Errorf("user %d is outside the rollout with %q, want off", i, v)
			}
		}

		a.Do(t, "PATCH", "/api/v1/admin/flags/reminders", map[string]any{"rollout_percent": 50}, bearer(admin.access)...).
			Check(t, apptest.Scenario{Status: 200})
		in20, in50 := 0, 0
		for i, u := range users {
			e, v := feature(t, a, "reminders", bearer(u.access)...)
			if at20[i].enabled {
				in20++
				if !e || v != at20[i].variant {
					t.Errorf("user %d held %q at 20%%, and %v %q at 50%%", i, at20[i].variant, e, v)
				}
			}
			if e {
				in50++
			}
		}
		if in50 < in20 || in50 == 0 {
			t.Errorf("%d users in at 20%%, %d at 50%%", in20, in50)
		}

		a.Do(t, "PATCH", "/api/v1/admin/flags/reminders", map[string]any{"enabled": false}, bearer(admin.access)...).
			Check(t, apptest.Scenario{Status: 200})
		for i, u := range users {
			if e, v := feature(t, a, "reminders", bearer(u.access)...); e || v != "off" {
				t.Errorf("user %d, flag disabled: %v %q, want the default", i, e, v)
			}
		}

		// Role targeting: only editors are in the rollout.
		createFlag(t, a, admin, map[string]any{"key": "editor_tools", "enabled": true, "roles": []string{"editor"}})
		editor := signIn(t, a, newUserWithRoles(t, a, "user", "editor"), goodPassword)
		if e, v := feature(t, a, "editor_tools", bearer(editor.access)...); !e || v != "on" {
			t.Errorf("editor: %v %q, want on", e, v)
		}
		if e, v := feature(t, a, "editor_tools", bearer(users[0].access)...); e || v != "off" {
			t.Errorf("user: %v %q, want off", e, v)
		}

		checkMetrics(t, a, `yogaflow_flag_evaluations_total{flag="editor_tools",variant="on"} 1`)
	})
}

// TestFlagsAgreeAcrossInstances: two instances on one database give each
// user the same variant, and a change made on one reaches the other within
// the refresh interval (a second).
func TestFlagsAgreeAcrossInstances(t *testing.T) {
	for name, env := range instanceSetups(t) {
		t.Run(name, func(t *testing.T) {
			e := testdb.New(t, "postgres")
			one, two := apptest.New(t, e, env...), apptest.New(t, e, env...)
			admin := newAdmin(t, one)
			var users []tokens
			for range 12 {
				_, u := newUser(t, one)
				users = append(users, u)
			}
			// Instance two loads its flags before the flag exists.
			two.Do(t, "GET", "/api/v1/features", nil).Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"flags": map[string]any{}}})
			createFlag(t, one, admin, map[string]any{"key": "new_beginner_sequence", "enabled": true, "rollout_percent": 60,
				"variants": []map[string]any{{"name": "a", "weight": 1}, {"name": "b", "weight": 2}}})
			two.Clock.Advance(time.Second)
			for i, u := range users {
				e1, v1 := feature(t, one, "new_beginner_sequence", bearer(u.access)...)
				e2, v2 := feature(t, two, "new_beginner_sequence", bearer(u.access)...)
				if e1 != e2 || v1 != v2 {
					t.Errorf("user %d: %v %q on one, %v %q on two", i, e1, v1, e2, v2)
				}
			}

			one.Do(t, "PATCH", "/api/v1/admin/flags/new_beginner_sequence", map[string]any{"enabled": false}, bearer(admin.access)...).
				Check(t, apptest.Scenario{Status: 200})
			two.Clock.Advance(time.Second)
			if e, v := feature(t, two, "new_beginner_sequence", bearer(users[0].access)...); e || v != "off" {
				t.Errorf("instance two still evaluates the flag as enabled: %v %q", e, v)
			}
		})
	}
}

// TestFlagResults scripts a small experiment: editors hold treatment,
// everyone else control (the default), and sessions of known length are
// started, completed and abandoned.
func TestFlagResults(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		_ = practiceSetup(t, a)
		// Access tokens last 15 minutes and the clock moves hours: each
		// request signs in afresh.
		as := func(email string) []string { return bearer(signIn(t, a, email, goodPassword).access) }
		admin := newUserWithRoles(t, a, "user", "admin")
		// One long rest, so that no session below outlasts its plan and is
		// paused as idle.
		a.Do(t, "POST", "/api/v1/admin/sequences", map[string]any{"name": "Long Rest", "difficulty": "beginner", "style": "restorative",
			"focus_area": "relaxation", "steps": []map[string]any{{"pose_slug": "corpse", "duration_seconds": 1500}}}, as(admin)...).
			Check(t, apptest.Scenario{Status: 201})
		start := func(u string) string {
			t.Helper()
			res := a.Do(t, "POST", "/api/v1/sessions", map[string]any{"sequence_id": "long-rest"}, as(u)...)
			res.Check(t, apptest.Scenario{Status: 201})
			id, _ := apptest.Field(res.JSON(t), "id")
			return id.(string)
		}
		e1, e2 := newUserWithRoles(t, a, "user", "editor"), newUserWithRoles(t, a, "user", "editor")
		u1, u2, u3 := newUserWithRoles(t, a, "user"), newUserWithRoles(t, a, "user"), newUserWithRoles(t, a, "user")
		practise := func(u string, d time.Duration, end string) {
			t.Helper()
			id := start(u)
			a.Clock.Advance(d)
			a.Do(t, "POST", "/api/v1/sessions/"+id+"/"+end, nil, as(u)...).Check(t, apptest.Scenario{Status: 200})
		}
		practise(u3, 700*time.Second, "complete") // before the experiment: not in it

		a.Do(t, "POST", "/api/v1/admin/flags", map[string]any{"key": "short_holds", "enabled": true, "roles": []string{"editor"},
			"variants": []map[string]any{{"name": "treatment", "weight": 1}}, "default_variant": "control"}, as(admin)...).
			Check(t, apptest.Scenario{Status: 201})
		a.Do(t, "POST", "/api/v1/admin/flags", map[string]any{"key": "not_running"}, as(admin)...).Check(t, apptest.Scenario{Status: 201})
		practise(u1, 500*time.Second, "complete") // before the range asked for below
		a.Clock.Advance(time.Hour)
		from := a.Clock.Now().UTC().Format(time.RFC3339)
		a.Clock.Advance(time.Second)

		practise(e1, 600*time.Second, "complete")
		practise(e1, 300*time.Second, "abandon")
		practise(e2, 900*time.Second, "complete")
		practise(u1, 1200*time.Second, "complete")
		practise(u2, 100*time.Second, "abandon")
		practise(u2, 200*time.Second, "abandon")
		start(u3) // still going: started, banked nothing

		a.Do(t, "GET", "/api/v1/admin/flags/short_holds/results?from="+from, nil, as(admin)...).Check(t, apptest.Scenario{
			Status: 200, JSON: map[string]any{"key": "short_holds", "from": from, "to": nil, "variants": []map[string]any{
				{"variant": "treatment", "users": 2, "sessions_started": 3, "sessions_completed": 2, "completion_rate": 0.667,
					"practice_seconds": 1800, "average_duration_seconds": 750},
				{"variant": "control", "users": 3, "sessions_started": 4, "sessions_completed": 1, "completion_rate": 0.25,
					"practice_seconds": 1500, "average_duration_seconds": 1200},
			}}})
		// Without a range, u1's first session counts too.
		a.Do(t, "GET", "/api/v1/admin/flags/short_holds/results", nil, as(admin)...).Check(t, apptest.Scenario{
			Status: 200, JSON: map[string]any{"variants.1.users": 3, "variants.1.sessions_started": 5, "variants.1.sessions_completed": 2,
				"variants.1.practice_seconds": 2000, "variants.1.average_duration_seconds": 850}})
		// A day that ended before the experiment has nothing.
		yesterday := a.Clock.Now().UTC().AddDate(0, 0, -2).Format(time.DateOnly)
		a.Do(t, "GET", fmt.Sprintf("/api/v1/admin/flags/short_holds/results?from=%s&to=%s", yesterday, yesterday), nil, as(admin)...).
			Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"variants.0.sessions_started": 0, "variants.1.sessions_started": 0}})
		// A disabled flag records no exposures.
		a.Do(t, "GET", "/api/v1/admin/flags/not_running/results", nil, as(admin)...).Check(t, apptest.Scenario{
			Status: 200, JSON: map[string]any{"variants": []map[string]any{
				{"variant": "on", "users": 0, "sessions_started": 0, "sessions_completed": 0, "completion_rate": 0, "practice_seconds": 0, "average_duration_seconds": 0},
				{"variant": "off", "users": 0, "sessions_started": 0, "sessions_completed": 0, "completion_rate": 0, "practice_seconds": 0, "average_duration_seconds": 0},
			}}})
	})
}

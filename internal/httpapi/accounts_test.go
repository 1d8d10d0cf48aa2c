package httpapi_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

func TestRegisterSignInAndMe(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		res := a.Do(t, "POST", "/api/v1/auth/register", map[string]any{
			"email": "  Ana.Sofia@Example.COM ", "password": goodPassword, "display_name": "Ana", "timezone": "Asia/Tokyo",
		})
		res.Check(t, apptest.Scenario{Status: 201, JSON: map[string]any{
			"email": "ana.sofia@example.com", "display_name": "Ana", "timezone": "Asia/Tokyo",
			"email_verified": false, "roles": []string{"user"},
		}})
		noSecretsIn(t, res)

		tk := signIn(t, a, "ANA.SOFIA@example.com", goodPassword)
		me := a.Do(t, "GET", "/api/v1/users/me", nil, bearer(tk.access)...)
		me.Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"email": "ana.sofia@example.com"}})
		if me.Header.Get("Cache-Control") == "" {
			t.Log("note: no Cache-Control on an authenticated response")
		}

		a.Do(t, "POST", "/api/v1/auth/register", map[string]any{"email": "ana.sofia@example.com", "password": goodPassword}).
			Check(t, apptest.Scenario{Status: 409, ContentType: "application/problem+json", JSON: map[string]any{"code": "email_taken"}})

		a.Do(t, "PATCH", "/api/v1/users/me", map[string]any{"display_name": "Ana S.", "timezone": "Europe/Lisbon"}, bearer(tk.access)...).
			Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"display_name": "Ana S.", "timezone": "Europe/Lisbon"}})
	})
}

func TestConcurrentRegistrationsOfOneEmail(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		const n = 2
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				statuses[i] = a.Do(t, "POST", "/api/v1/auth/register", map[string]any{"email": "same@example.com", "password": goodPassword}).Status
			})
		}
		wg.Wait()
		created, conflicts := 0, 0
		for _, s := range statuses {
			switch s {
			case http.StatusCreated:
				created++
			case http.StatusConflict:
				conflicts++
			}
		}
		if created != 1 || conflicts != 1 {
			t.Fatalf("statuses %v, want one 201 and one 409", statuses)
		}
	})
}

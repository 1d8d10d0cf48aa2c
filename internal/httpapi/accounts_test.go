package httpapi_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

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
		me.Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"email": "ana.sofia@example.com", "permissions": []string{}}})
		if me.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("authenticated response Cache-Control %q, want no-store", me.Header.Get("Cache-Control"))
		}

		a.Do(t, "POST", "/api/v1/auth/register", map[string]any{"email": "ana.sofia@example.com", "password": goodPassword}).
			Check(t, apptest.Scenario{Status: 409, ContentType: "application/problem+json", JSON: map[string]any{"code": "email_taken"}})

		a.Do(t, "PATCH", "/api/v1/users/me", map[string]any{"display_name": "Ana S.", "timezone": "Europe/Lisbon"}, bearer(tk.access)...).
			Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"display_name": "Ana S.", "timezone": "Europe/Lisbon", "permissions": []string{}}})

		// An editor may change the library, and is told so.
		editor := signIn(t, a, newUserWithRoles(t, a, "user", "editor"), goodPassword)
		a.Do(t, "GET", "/api/v1/users/me", nil, bearer(editor.access)...).
			Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"permissions": []string{"content:write"}}})
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

func TestAuthEventsAreLoggedWithoutSecrets(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		email, tk := newUser(t, a)
		a.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": "Wrong-Password-9"})
		a.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": "nobody@example.com", "password": "Wrong-Password-9"})
		a.Do(t, "POST", "/api/v1/auth/password-reset/request", map[string]any{"email": email})
		admin := newAdmin(t, a)
		me, _ := apptest.Field(a.Do(t, "GET", "/api/v1/users/me", nil, bearer(tk.access)...).JSON(t), "id")
		a.Do(t, "PUT", "/api/v1/admin/users/"+me.(string)+"/roles", map[string]any{"roles": []string{"editor"}}, bearer(admin.access)...)

		// The reset request is looked up by a background job.
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(a.Logs.String(), `"msg":"password reset requested"`) &&
			time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
		logs := a.Logs.String()
		for _, event := range []string{`"msg":"login ok"`, `"msg":"login failed"`, `"reason":"unknown email"`, `"reason":"wrong password"`,
			`"msg":"password reset requested"`, `"msg":"roles changed"`} {
			if !strings.Contains(logs, event) {
				t.Errorf("no %s in the log", event)
			}
		}
		for _, secret := range []string{email, "nobody@example.com", goodPassword, "Wrong-Password-9", tk.access, tk.refresh, admin.refresh} {
			if strings.Contains(logs, secret) {
				t.Errorf("the log holds %q", secret)
			}
		}
	})
}

func TestTokenLifetimesAreConfigurable(t *testing.T) {
	a := apptest.New(t, sqliteEngine(t), "YOGAFLOW_ACCESS_TOKEN_TTL=1m", "YOGAFLOW_REFRESH_TOKEN_TTL=10m")
	email := newEmail()
	signUp(t, a, email)
	res := a.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": goodPassword})
	res.Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"expires_in": 60}})
	access, _ := apptest.Field(res.JSON(t), "access_token")
	refresh, _ := apptest.Field(res.JSON(t), "refresh_token")

	a.Clock.Advance(2 * time.Minute)
	a.Do(t, "GET", "/api/v1/users/me", nil, bearer(access.(string))...).
		Check(t, apptest.Scenario{Status: 401, JSON: map[string]any{"code": "token_expired"}})
	a.Clock.Advance(10 * time.Minute)
	a.Do(t, "POST", "/api/v1/auth/refresh", map[string]any{"refresh_token": refresh}).
		Check(t, apptest.Scenario{Status: 401, JSON: map[string]any{"code": "token_expired"}})
}

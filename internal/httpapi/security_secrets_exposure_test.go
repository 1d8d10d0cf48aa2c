package httpapi_test

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

// No response carries a password hash, a stored token hash, the signing
// secret, or a secret it is not meant to hand out.
func TestNoSecretsInResponses(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		admin := newAdmin(t, a)
		email := newEmail()
		// Not goodPassword: that one is the OpenAPI document's example.
		const pw = "Ardha-Chandra-Moon-88"
		type call struct {
			name string
			res  *apptest.Response
		}
		var calls []call
		do := func(name, method, path string, body any, headers ...string) *apptest.Response {
			res := a.Do(t, method, path, body, headers...)
			if res.Status >= 400 {
				t.Fatalf("%s: %d %s", name, res.Status, res.Body)
			}
			calls = append(calls, call{name, res})
			return res
		}

		do("register", "POST", "/api/v1/auth/register", map[string]any{"email": email, "password": pw, "display_name": "Ana"})
		first := secTokens(t, do("login", "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": pw}))
		tk := secTokens(t, do("refresh", "POST", "/api/v1/auth/refresh", map[string]any{"refresh_token": first.refresh}))
		form := secTokens(t, do("oauth token", "POST", "/api/v1/auth/token", "grant_type=password&username="+email+"&password="+pw,
			"Content-Type", "application/x-www-form-urlencoded"))
		userID := secString(t, do("me", "GET", "/api/v1/users/me", nil, bearer(tk.access)...), "id")
		do("update me", "PATCH", "/api/v1/users/me", map[string]any{"display_name": "Ana S."}, bearer(tk.access)...)
		do("set roles", "PUT", "/api/v1/admin/users/"+userID+"/roles", map[string]any{"roles": []string{"user", "admin"}}, bearer(admin.access)...)
		created := do("api key create", "POST", "/api/v1/admin/api-keys", map[string]any{"name": "nightly", "scopes": []string{"content:write"}}, bearer(tk.access)...)
		key := secString(t, created, "key")
		if created.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("the response showing a new key may be cached: Cache-Control %q", created.Header.Get("Cache-Control"))
		}
		do("api key list", "GET", "/api/v1/admin/api-keys", nil, bearer(admin.access)...)
		do("admin users list", "GET", "/api/v1/admin/users", nil, bearer(admin.access)...)
		do("audit log", "GET", "/api/v1/admin/audit-log", nil, bearer(admin.access)...)
		do("api key list by its maker", "GET", "/api/v1/admin/api-keys", nil, bearer(tk.access)...)
		export := do("export", "GET", "/api/v1/users/me/export", nil, bearer(tk.access)...)
		do("openapi", "GET", "/openapi.json", nil)

		sha := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
		// Secrets no response may hold, and where each may appear.
		secrets := []struct {
			name, value string
			allowed     []string // calls that hand it out
		}{
			{"password", pw, nil},
			{"JWT secret", secJWTSecret, nil},
			{"first refresh token", first.refresh, []string{"login"}},
			{"refresh token", tk.refresh, []string{"refresh"}},
			{"oauth refresh token", form.refresh, []string{"oauth token"}},
			{"access token", tk.access, []string{"refresh"}},
			{"API key", key, []string{"api key create"}},
			{"refresh token hash", sha(tk.refresh), nil},
			{"first refresh token hash", sha(first.refresh), nil},
			{"API key hash", sha(key), nil},
		}
		for _, c := range calls {
			t.Run(c.name, func(t *testing.T) {
				noSecretsIn(t, c.res)
				for _, s := range secrets {
					if strings.Contains(string(c.res.Body), s.value) && !slices.Contains(s.allowed, c.name) {
						t.Errorf("response holds the %s: %s", s.name, c.res.Body)
					}
				}
			})
		}
		t.Run("export holds no credential", func(t *testing.T) {
			body := string(export.Body)
			for _, marker := range []string{"$2a$", "$2b$", "$2y$", tk.refresh, first.refresh, form.refresh, key, "refresh_token", "password_hash"} {
				if strings.Contains(body, marker) {
					t.Errorf("export holds %q: %s", marker, body)
				}
			}
			// It does describe the sign-ins and the key, without their secrets.
			if !strings.Contains(body, secString(t, created, "id")) || !strings.Contains(body, `"sessions"`) {
				t.Errorf("export lacks the user's key or sessions: %s", body)
			}
		})
		t.Run("logs", func(t *testing.T) {
			logs := a.Logs.String()
			for _, s := range secrets {
				if strings.Contains(logs, s.value) {
					t.Errorf("the log holds the %s", s.name)
				}
			}
		})
	})
}

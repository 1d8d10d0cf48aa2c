package httpapi_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

func TestAPIKeysLifecycle(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		admin := newAdmin(t, a)
		res := a.Do(t, "POST", "/api/v1/admin/api-keys", map[string]any{"name": "reporting", "scopes": []string{"users:manage"}}, bearer(admin.access)...)
		res.Check(t, apptest.Scenario{Status: 201, JSON: map[string]any{"name": "reporting", "scopes": []string{"users:manage"}, "revoked_at": nil}})
		if res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("the response showing a key may be cached: Cache-Control %q", res.Header.Get("Cache-Control"))
		}
		doc := res.JSON(t)
		key, _ := apptest.Field(doc, "key")
		id, _ := apptest.Field(doc, "id")
		prefix, _ := apptest.Field(doc, "prefix")
		if !strings.HasPrefix(key.(string), prefix.(string)) || !strings.HasPrefix(key.(string), "yf_") {
			t.Fatalf("key %q does not start with its prefix %q", key, prefix)
		}

		// The key works both ways API.md names, and its use is recorded.
		a.Do(t, "GET", "/api/v1/admin/users", nil, "X-API-Key", key.(string)).Check(t, apptest.Scenario{Status: 200})
		a.Do(t, "GET", "/api/v1/admin/users", nil, bearer(key.(string))...).Check(t, apptest.Scenario{Status: 200})
		// Scopes bound it: users:manage is not flags:manage or content:write.
		list := a.Do(t, "GET", "/api/v1/admin/api-keys", nil, bearer(admin.access)...)
		list.Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"items.0.id": id, "next_cursor": nil}})
		if strings.Contains(string(list.Body), key.(string)) {
			t.Fatal("the key list shows the key itself")
		}
		if used, _ := apptest.Field(list.JSON(t), "items.0.last_used_at"); used == nil {
			t.Error("last_used_at not recorded")
		}
		noSecretsIn(t, list)

		a.Do(t, "DELETE", "/api/v1/admin/api-keys/"+id.(string), nil, bearer(admin.access)...).Check(t, apptest.Scenario{Status: 204})
		a.Do(t, "GET", "/api/v1/admin/users", nil, "X-API-Key", key.(string)).
			Check(t, apptest.Scenario{Status: 401, JSON: map[string]any{"code": "token_invalid"}})
		a.Do(t, "DELETE", "/api/v1/admin/api-keys/no-such-key", nil, bearer(admin.access)...).Check(t, apptest.Scenario{Status: 404})

		a.RunScenarios(t, []apptest.Scenario{
			{Name: "unknown scope", Method: "POST", Path: "/api/v1/admin/api-keys", Headers: bearer(admin.access),
				Body: map[string]any{"name": "x", "scopes": []string{"everything"}}, Status: 422, JSON: map[string]any{"errors.0.field": "scopes"}},
			{Name: "expiry in the past", Method: "POST", Path: "/api/v1/admin/api-keys", Headers: bearer(admin.access),
				Body: map[string]any{"name": "x", "scopes": []string{"users:manage"}, "expires_at": "2020-01-01T00:00:00Z"}, Status: 422,
				JSON: map[string]any{"errors.0.field": "expires_at"}},
		})
	})
}

func TestExpiredAPIKeyIsRefused(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		admin := newAdmin(t, a)
		expires := a.Clock.Now().Add(time.Hour).Format(time.RFC3339)
		res := a.Do(t, "POST", "/api/v1/admin/api-keys", map[string]any{"name": "short", "scopes": []string{"users:manage"}, "expires_at": expires}, bearer(admin.access)...)
		key, _ := apptest.Field(res.JSON(t), "key")
		// This use caches the key's principal.
		a.Do(t, "GET", "/api/v1/admin/users", nil, "X-API-Key", key.(string)).Check(t, apptest.Scenario{Status: 200})
		a.Clock.Advance(2 * time.Hour)
		a.Do(t, "GET", "/api/v1/admin/users", nil, "X-API-Key", key.(string)).
			Check(t, apptest.Scenario{Status: 401, JSON: map[string]any{"code": "token_invalid"}})
	})
}

func TestRolesAndAuditLog(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		admin := newAdmin(t, a)
		email, user := newUser(t, a)
		me := a.Do(t, "GET", "/api/v1/users/me", nil, bearer(user.access)...)
		id, _ := apptest.Field(me.JSON(t), "id")
		uid := id.(string)

		a.Do(t, "PUT", "/api/v1/admin/users/"+uid+"/roles", map[string]any{"roles": []string{"user", "editor"}}, append(bearer(admin.access), "X-Request-ID", "roles-req-1")...).
			Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"roles": []string{"editor", "user"}}})
		a.Do(t, "GET", "/api/v1/users/me", nil, bearer(user.access)...).
			Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"roles": []string{"editor", "user"}}})

		a.RunScenarios(t, []apptest.Scenario{
			{Name: "unknown role", Method: "PUT", Path: "/api/v1/admin/users/" + uid + "/roles", Headers: bearer(admin.access),
				Body: map[string]any{"roles": []string{"superuser"}}, Status: 422},
			{Name: "no roles", Method: "PUT", Path: "/api/v1/admin/users/" + uid + "/roles", Headers: bearer(admin.access),
				Body: map[string]any{"roles": []string{}}, Status: 422},
			{Name: "unknown user", Method: "PUT", Path: "/api/v1/admin/users/nobody/roles", Headers: bearer(admin.access),
				Body: map[string]any{"roles": []string{"user"}}, Status: 404, JSON: map[string]any{"code": "not_found"}},
			{Name: "search users", Method: "GET", Path: "/api/v1/admin/users?q=" + url.QueryEscape(email[:6]) + "&role=editor", Headers: bearer(admin.access),
				Status: 200, JSON: map[string]any{"items.0.id": uid}},
			{Name: "bad role filter", Method: "GET", Path: "/api/v1/admin/users?role=boss", Headers: bearer(admin.access), Status: 422},
			{Name: "bad cursor", Method: "GET", Path: "/api/v1/admin/users?cursor=nonsense", Headers: bearer(admin.access), Status: 422},
			{Name: "limit over 100", Method: "GET", Path: "/api/v1/admin/users?limit=101", Headers: bearer(admin.access), Status: 422},
			{Name: "audit entry", Method: "GET", Path: "/api/v1/admin/audit-log?action=user.roles.set", Headers: bearer(admin.access), Status: 200,
				JSON: map[string]any{"items.0.target_id": uid, "items.0.request_id": "roles-req-1", "items.0.details.roles": []string{"editor", "user"}}},
		})
	})
}

func TestListsPageWithCursors(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		admin := newAdmin(t, a)
		for range 4 {
			newUser(t, a)
			a.Clock.Advance(time.Second)
		}
		seen := map[string]bool{}
		path := "/api/v1/admin/users?limit=2"
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
			doc := a.Do(t, "GET", path, nil, bearer(admin.access)...).JSON(t)
			items, _ := apptest.Field(doc, "items")
			for _, it := range items.([]any) {
				id := it.(map[string]any)["id"].(string)
				if seen[id] {
					t.Fatalf("user %s on two pages", id)
				}
				seen[id] = true
			}
			next, _ := apptest.Field(doc, "next_cursor")
			if next == nil {
				break
			}
			path = "/api/v1/admin/users?limit=2&cursor=" + url.QueryEscape(next.(string))
		}
		if len(seen) != 5 {
			t.Fatalf("visited %d users, want 5 (4 users and the admin)", len(seen))
		}
	})
}

func TestPasswordChange(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		email, first := newUser(t, a)
		second := signIn(t, a, email, goodPassword)

		a.Do(t, "POST", "/api/v1/users/me/password", map[string]any{"current_password": "Wrong-Password-1", "new_password": "Vrksasana-Dawn-77"}, bearer(first.access)...).
			Check(t, apptest.Scenario{Status: 401, JSON: map[string]any{"code": "invalid_credentials"}})
		a.Do(t, "POST", "/api/v1/users/me/password", map[string]any{"current_password": goodPassword, "new_password": "short"}, bearer(first.access)...).
			Check(t, apptest.Scenario{Status: 422})
		a.Do(t, "POST", "/api/v1/users/me/password", map[string]any{"current_password": goodPassword, "new_password": "Vrksasana-Dawn-77"}, bearer(first.access)...).
			Check(t, apptest.Scenario{Status: 204})

		// This session goes on; the other one ended.
		a.Do(t, "GET", "/api/v1/users/me", nil, bearer(first.access)...).Check(t, apptest.Scenario{Status: 200})
		a.Do(t, "GET", "/api/v1/users/me", nil, bearer(second.access)...).Check(t, apptest.Scenario{Status: 401})
		a.Do(t, "POST", "/api/v1/auth/refresh", map[string]any{"refresh_token": second.refresh}).Check(t, apptest.Scenario{Status: 401})
		a.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": goodPassword}).Check(t, apptest.Scenario{Status: 401})
		signIn(t, a, email, "Vrksasana-Dawn-77")
	})
}

func TestExportAndDeleteMyAccount(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		email, tk := newUser(t, a)
		export := a.Do(t, "GET", "/api/v1/users/me/export", nil, bearer(tk.access)...)
		export.Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"user.email": email}})
		if n, _ := apptest.Field(export.JSON(t), "sign_ins"); len(n.([]any)) != 1 {
			t.Errorf("export lists %v sign-ins, want 1", n)
		}
		noSecretsIn(t, export)
		if strings.Contains(string(export.Body), tk.refresh) {
			t.Error("the export holds the refresh token")
		}

		a.Do(t, "DELETE", "/api/v1/users/me", map[string]any{"password": "Not-The-Password-9"}, bearer(tk.access)...).
			Check(t, apptest.Scenario{Status: 401, JSON: map[string]any{"code": "invalid_credentials"}})
		a.Do(t, "DELETE", "/api/v1/users/me", map[string]any{"password": goodPassword}, bearer(tk.access)...).Check(t, apptest.Scenario{Status: 204})
		a.Do(t, "GET", "/api/v1/users/me", nil, bearer(tk.access)...).Check(t, apptest.Scenario{Status: 401})
		a.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": goodPassword}).Check(t, apptest.Scenario{Status: 401})
		// The address is free again.
		signUp(t, a, email)

		admin := newAdmin(t, a)
		audit := a.Do(t, "GET", "/api/v1/admin/audit-log?action=user.delete", nil, bearer(admin.access)...)
		audit.Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"items.0.actor": "deleted-user", "items.0.target_id": "deleted-user"}})
	})
}

func TestOAuth2TokenEndpoint(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		email, _ := newUser(t, a)
		form := func(v url.Values) *apptest.Response {
			return a.Do(t, "POST", "/api/v1/auth/token", v.Encode(), "Content-Type", "application/x-www-form-urlencoded")
		}
		res := form(url.Values{"grant_type": {"password"}, "username": {email}, "password": {goodPassword}})
		res.Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"token_type": "bearer", "expires_in": 900}})
		if res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("token response Cache-Control %q, want no-store (RFC 6749 §5.1)", res.Header.Get("Cache-Control"))
		}
		refresh, _ := apptest.Field(res.JSON(t), "refresh_token")
		form(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh.(string)}}).Check(t, apptest.Scenario{Status: 200})
		a.Clock.Advance(11 * time.Second) // past the grace window for a reuse

		for name, tc := range map[string]struct {
			v    url.Values
			code string
		}{
			"wrong password": {url.Values{"grant_type": {"password"}, "username": {email}, "password": {"Nope-Nope-123"}}, "invalid_grant"},
			"spent refresh":  {url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh.(string)}}, "invalid_grant"},
			"unknown grant":  {url.Values{"grant_type": {"client_credentials"}}, "unsupported_grant_type"},
			"missing grant":  {url.Values{"username": {email}}, "invalid_request"},
		} {
			t.Run(name, func(t *testing.T) {
				form(tc.v).Check(t, apptest.Scenario{Status: 400, ContentType: "application/json", JSON: map[string]any{"error": tc.code}})
			})
		}
		a.Do(t, "POST", "/api/v1/auth/token", `{"grant_type":"password"}`).Check(t, apptest.Scenario{Status: 415})
	})
}

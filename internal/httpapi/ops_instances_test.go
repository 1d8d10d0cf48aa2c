package httpapi_test

import (
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
	"github.com/yogaflow/yogaflow/internal/platform/testdb"
)

// TestRevocationReachesEveryInstance runs two instances on one PostgreSQL
// database, with and without a shared Redis: a sign-out or a role change on
// one is in force on the other at its very next request.
func TestRevocationReachesEveryInstance(t *testing.T) {
	for name, env := range instanceSetups(t) {
		t.Run(name, func(t *testing.T) {
			e := testdb.New(t, "postgres")
			one, two := apptest.New(t, e, env...), apptest.New(t, e, env...)

			admin := newAdmin(t, one)
			email, tk := newUser(t, one)
			me := two.Do(t, "GET", "/api/v1/users/me", nil, bearer(tk.access)...)
			me.Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"email": email, "roles": []string{"user"}}})
			id, _ := apptest.Field(me.JSON(t), "id")

			// Instance two has now seen (and may have cached) the session.
			one.Do(t, "PUT", "/api/v1/admin/users/"+id.(string)+"/roles", map[string]any{"roles": []string{"admin"}}, bearer(admin.access)...).
				Check(t, apptest.Scenario{Status: 200})
			two.Do(t, "GET", "/api/v1/admin/users", nil, bearer(tk.access)...).Check(t, apptest.Scenario{Status: 200})
			one.Do(t, "PUT", "/api/v1/admin/users/"+id.(string)+"/roles", map[string]any{"roles": []string{"user"}}, bearer(admin.access)...).
				Check(t, apptest.Scenario{Status: 200})
			two.Do(t, "GET", "/api/v1/admin/users", nil, bearer(tk.access)...).Check(t, apptest.Scenario{Status: 403})

			one.Do(t, "POST", "/api/v1/auth/logout", map[string]any{"refresh_token": tk.refresh}, bearer(tk.access)...).
				Check(t, apptest.Scenario{Status: 204})
			two.Do(t, "GET", "/api/v1/users/me", nil, bearer(tk.access)...).Check(t, apptest.Scenario{Status: 401})
		})
	}
}

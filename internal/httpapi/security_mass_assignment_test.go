package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/yogaflow/yogaflow/internal/apptest"
)

// A client cannot set what only the server or an admin may set.
func TestMassAssignmentIsRefused(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		t.Run("register", func(t *testing.T) {
			cases := []struct {
				name  string
				extra map[string]any
			}{
				{"roles", map[string]any{"roles": []string{"admin"}}},
				{"email_verified", map[string]any{"email_verified": true}},
				{"id", map[string]any{"id": uuid.NewString()}},
				{"permissions", map[string]any{"permissions": []string{"users:manage"}}},
				{"created_at", map[string]any{"created_at": "2020-01-01T00:00:00Z"}},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					email := newEmail()
					body := map[string]any{"email": email, "password": goodPassword}
					for k, v := range tc.extra {
						body[k] = v
					}
					res := a.Do(t, "POST", "/api/v1/auth/register", body)
					secProblem(t, res, http.StatusUnprocessableEntity, "validation_failed")
					if _, ok := apptest.Field(res.JSON(t), "errors.0"); !ok {
						t.Errorf("no field errors: %s", res.Body)
					}
					// No account was made: the email is still free, and the
					// account made now is a plain, unverified user.
					res = a.Do(t, "POST", "/api/v1/auth/register", map[string]any{"email": email, "password": goodPassword})
					res.Check(t, apptest.Scenario{Status: http.StatusCreated, JSON: map[string]any{
						"roles": []string{"user"}, "email_verified": false,
					}})
					if id, _ := apptest.Field(res.JSON(t), "id"); id == tc.extra["id"] {
						t.Errorf("the client chose the account's ID")
					}
				})
			}
		})

		t.Run("PATCH /users/me", func(t *testing.T) {
			email, tk := newUser(t, a)
			before := a.Do(t, "GET", "/api/v1/users/me", nil, bearer(tk.access)...)
			for _, extra := range []map[string]any{
				{"roles": []string{"user", "admin"}},
				{"email": "taken-over@example.com"},
				{"email_verified": true},
				{"id": uuid.NewString()},
			} {
				// With a legitimate change alongside: nothing at all may apply.
				body := map[string]any{"display_name": "Mallory", "timezone": "Asia/Tokyo"}
				for k, v := range extra {
					body[k] = v
				}
				res := a.Do(t, "PATCH", "/api/v1/users/me", body, bearer(tk.access)...)
				secProblem(t, res, http.StatusUnprocessableEntity, "validation_failed")
				after := a.Do(t, "GET", "/api/v1/users/me", nil, bearer(tk.access)...)
				if string(after.Body) != string(before.Body) {
					t.Errorf("PATCH with %v changed the account:\nbefore %s\nafter  %s", extra, before.Body, after.Body)
				}
			}
			// Still a plain user, still signing in with the same email.
			secProblem(t, a.Do(t, "GET", "/api/v1/admin/users", nil, bearer(tk.access)...), http.StatusForbidden, "forbidden")
			signIn(t, a, email, goodPassword)
		})
	})
}

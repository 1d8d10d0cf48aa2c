package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

// The password rules hold at the API, and a refused password makes no
// account.
func TestWeakPasswordsAreRefused(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		cases := []struct {
			name, email, password string
			rule                  []string // the message must name one of these
		}{
			{"7 bytes", "", "Abcde1x", []string{"8"}},
			{"73 bytes", "", "Aa1" + strings.Repeat("x7Q", 23) + "z", []string{"72"}},
			{"73 bytes in 38 characters", "", "Aa1" + strings.Repeat("é", 35), []string{"72 bytes"}},
			{"no digit", "", "Tadasana-Sunrise-Blue", []string{"digit"}},
			{"no upper-case letter", "", "tadasana-sunrise-42", []string{"upper"}},
			{"no lower-case letter", "", "TADASANA-SUNRISE-42", []string{"lower"}},
			{"common", "", "Password123", []string{"common"}},
			{"built from the email", "bhujanga.padmasana@example.com", "BhujangaPadmasana1", []string{"email"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				email := tc.email
				if email == "" {
					email = newEmail()
				}
				res := a.Do(t, "POST", "/api/v1/auth/register", map[string]any{"email": email, "password": tc.password})
				secProblem(t, res, http.StatusUnprocessableEntity, "validation_failed")
				doc := res.JSON(t)
				field, _ := apptest.Field(doc, "errors.0.field")
				msg, _ := apptest.Field(doc, "errors.0.message")
				if field != "password" {
					t.Errorf("errors[0].field = %v, want password: %s", field, res.Body)
				}
				m, _ := msg.(string)
				if !slices.ContainsFunc(tc.rule, func(r string) bool { return strings.Contains(strings.ToLower(m), r) }) {
					t.Errorf("errors[0].message %q names none of %q", m, tc.rule)
				}
				if strings.Contains(string(res.Body), tc.password) {
					t.Errorf("the refusal repeats the password: %s", res.Body)
				}
				// No account: the email is free and the password signs nobody in.
				secProblem(t, a.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": tc.password}),
					http.StatusUnauthorized, "invalid_credentials")
				if res := a.Do(t, "POST", "/api/v1/auth/register", map[string]any{"email": email, "password": goodPassword}); res.Status != http.StatusCreated {
					t.Errorf("registering the email afterwards: %d %s, want 201", res.Status, res.Body)
				}
			})
		}
		t.Run("control: a good password is accepted", func(t *testing.T) {
			signUp(t, a, newEmail())
		})
	})
}

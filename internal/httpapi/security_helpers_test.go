package httpapi_test

// Helpers the threat tests (security_*_test.go) share. Each of those files
// is named after the threat it covers and drives the real HTTP handler, on
// every engine. Each assertion is chosen so that removing the protection
// makes the test fail.

import (
	"net/http"
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

// secJWTSecret is the signing secret apptest gives the service.
const secJWTSecret = "test-secret-test-secret-test-secret!"

// secProblem asserts res is a problem document with status and code; a 401
// must also carry the Bearer challenge.
func secProblem(t *testing.T, res *apptest.Response, status int, code string) {
	t.Helper()
	want := apptest.Scenario{Status: status, ContentType: "application/problem+json", JSON: map[string]any{"status": status}}
	if code != "" {
		want.JSON["code"] = code
	}
	if status == http.StatusUnauthorized {
		want.Header = map[string]string{"WWW-Authenticate": "Bearer"}
	}
	res.Check(t, want)
}

// secString returns the string at a dotted path of res's JSON body.
func secString(t *testing.T, res *apptest.Response, path string) string {
	t.Helper()
	v, ok := apptest.Field(res.JSON(t), path)
	s, isString := v.(string)
	if !ok || !isString {
		t.Fatalf("%s: no string in %s", path, res.Body)
	}
	return s
}

func secRefresh(t *testing.T, a *apptest.App, refresh string) *apptest.Response {
	t.Helper()
	return a.Do(t, "POST", "/api/v1/auth/refresh", map[string]any{"refresh_token": refresh})
}

func secTokens(t *testing.T, res *apptest.Response) tokens {
	t.Helper()
	if res.Status != http.StatusOK {
		t.Fatalf("want a token pair, got %d %s", res.Status, res.Body)
	}
	return tokens{access: secString(t, res, "access_token"), refresh: secString(t, res, "refresh_token")}
}

// secMe asserts the access token works (200 on GET /users/me) and returns
// the user's ID.
func secMe(t *testing.T, a *apptest.App, access string) string {
	t.Helper()
	res := a.Do(t, "GET", "/api/v1/users/me", nil, bearer(access)...)
	if res.Status != http.StatusOK {
		t.Fatalf("GET /users/me with a live token: %d %s", res.Status, res.Body)
	}
	return secString(t, res, "id")
}

func secSetRoles(t *testing.T, a *apptest.App, admin, userID string, roles ...string) {
	t.Helper()
	res := a.Do(t, "PUT", "/api/v1/admin/users/"+userID+"/roles", map[string]any{"roles": roles}, bearer(admin)...)
	if res.Status != http.StatusOK {
		t.Fatalf("setting roles %v: %d %s", roles, res.Status, res.Body)
	}
}

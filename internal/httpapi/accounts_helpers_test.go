package httpapi_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

// A password the rules accept.
const goodPassword = "Tadasana-Sunrise-42"

var emailSeq atomic.Int64

// newEmail returns an address no other test uses.
func newEmail() string { return fmt.Sprintf("yogi%d@example.com", emailSeq.Add(1)) }

// signUp registers an account and returns its ID.
func signUp(t *testing.T, a *apptest.App, email string) string {
	t.Helper()
	res := a.Do(t, "POST", "/api/v1/auth/register", map[string]any{"email": email, "password": goodPassword})
	if res.Status != 201 {
		t.Fatalf("register %s: %d %s", email, res.Status, res.Body)
	}
	id, _ := apptest.Field(res.JSON(t), "id")
	return id.(string)
}

type tokens struct{ access, refresh string }

// signIn logs in and returns the token pair.
func signIn(t *testing.T, a *apptest.App, email, password string) tokens {
	t.Helper()
	res := a.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": password})
	if res.Status != 200 {
		t.Fatalf("login %s: %d %s", email, res.Status, res.Body)
	}
	doc := res.JSON(t)
	access, _ := apptest.Field(doc, "access_token")
	refresh, _ := apptest.Field(doc, "refresh_token")
	return tokens{access: access.(string), refresh: refresh.(string)}
}

// newUser signs up and in.
func newUser(t *testing.T, a *apptest.App) (string, tokens) {
	t.Helper()
	email := newEmail()
	signUp(t, a, email)
	return email, signIn(t, a, email, goodPassword)
}

// newAdmin makes an admin the way operators do (the command line's path)
// and signs in.
func newAdmin(t *testing.T, a *apptest.App) tokens {
	t.Helper()
	email := newEmail()
	if _, err := a.Accounts.CreateUser(t.Context(), email, goodPassword, []string{"user", "admin"}); err != nil {
		t.Fatal(err)
	}
	return signIn(t, a, email, goodPassword)
}

func bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

// noSecretsIn fails if a response body holds a password or token hash.
func noSecretsIn(t *testing.T, res *apptest.Response) {
	t.Helper()
	for _, marker := range []string{"$2a$", "$2b$", "password_hash", "token_hash", "key_hash"} {
		if strings.Contains(string(res.Body), marker) {
			t.Errorf("response holds %q: %s", marker, res.Body)
		}
	}
}

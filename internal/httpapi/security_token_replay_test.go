package httpapi_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

// An access token stops working when it expires; the refresh token
// outlives it and gets a working one.
func TestExpiredAccessTokenIsRefused(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		email, tk := newUser(t, a)
		other := signIn(t, a, email, goodPassword)
		secMe(t, a, tk.access)

		a.Clock.Advance(14 * time.Minute)
		secMe(t, a, tk.access) // still within its 15 minutes

		a.Clock.Advance(2 * time.Minute) // 16 minutes after issue
		secProblem(t, a.Do(t, "GET", "/api/v1/users/me", nil, bearer(tk.access)...), http.StatusUnauthorized, "token_expired")

		fresh := secTokens(t, secRefresh(t, a, tk.refresh))
		secMe(t, a, fresh.access)
		if fresh.refresh == tk.refresh {
			t.Error("the refresh token did not rotate")
		}

		// An unused refresh token dies after its 30 days.
		a.Clock.Advance(30 * 24 * time.Hour)
		secProblem(t, secRefresh(t, a, other.refresh), http.StatusUnauthorized, "token_expired")
	})
}

// A refresh token is single use; a replay ends the whole sign-in.
func TestRefreshTokenReplayRevokesTheFamily(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		email, first := newUser(t, a)
		bystander := signIn(t, a, email, goodPassword) // another device of the same user

		second := secTokens(t, secRefresh(t, a, first.refresh))
		secMe(t, a, second.access)
		secMe(t, a, first.access) // same session, not yet expired

		// The replay: someone else holds a copy of the spent token, and
		// uses it after the grace window that two page loads at once get.
		a.Clock.Advance(11 * time.Second)
		secProblem(t, secRefresh(t, a, first.refresh), http.StatusUnauthorized, "token_invalid")

		// The whole family is dead at once: the token the first use issued,
		// and the session's access tokens on their very next request.
		secProblem(t, secRefresh(t, a, second.refresh), http.StatusUnauthorized, "token_invalid")
		for name, access := range map[string]string{"first access token": first.access, "second access token": second.access} {
			res := a.Do(t, "GET", "/api/v1/users/me", nil, bearer(access)...)
			if res.Status != http.StatusUnauthorized || res.Header.Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("%s after the replay: %d %s, want 401 with a Bearer challenge", name, res.Status, res.Body)
			}
		}
		// And through the OAuth2 token endpoint too.
		res := a.Do(t, "POST", "/api/v1/auth/token", "grant_type=refresh_token&refresh_token="+second.refresh, "Content-Type", "application/x-www-form-urlencoded")
		if res.Status == http.StatusOK {
			t.Errorf("the revoked family's token works at /auth/token: %s", res.Body)
		}

		// The user's other sign-in is untouched.
		secMe(t, a, bystander.access)
		next := secTokens(t, secRefresh(t, a, bystander.refresh))
		secMe(t, a, next.access)
	})
}

// Logging out ends the sign-in at once, and only one's own.
func TestLogoutEndsTheSessionAtOnce(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		_, alice := newUser(t, a)
		_, bob := newUser(t, a)

		t.Run("someone else's refresh token", func(t *testing.T) {
			// 400, not 401: Alice's own sign-in is fine.
			a.Do(t, "POST", "/api/v1/auth/logout", map[string]any{"refresh_token": bob.refresh}, bearer(alice.access)...).
				Check(t, apptest.Scenario{Status: 400, JSON: map[string]any{"code": "token_invalid"}})
			// Bob's sign-in goes on.
			secMe(t, a, bob.access)
			bob = secTokens(t, secRefresh(t, a, bob.refresh))
			secMe(t, a, bob.access)
			secMe(t, a, alice.access)
		})

		t.Run("without a bearer", func(t *testing.T) {
			secProblem(t, a.Do(t, "POST", "/api/v1/auth/logout", map[string]any{"refresh_token": alice.refresh}), http.StatusUnauthorized, "unauthorized")
			secMe(t, a, alice.access)
		})

		t.Run("own refresh token", func(t *testing.T) {
			res := a.Do(t, "POST", "/api/v1/auth/logout", map[string]any{"refresh_token": alice.refresh}, bearer(alice.access)...)
			if res.Status != http.StatusNoContent {
				t.Fatalf("logout: %d %s, want 204", res.Status, res.Body)
			}
			res = a.Do(t, "GET", "/api/v1/users/me", nil, bearer(alice.access)...)
			if res.Status != http.StatusUnauthorized || res.Header.Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("access token right after logout: %d %s, want 401 with a Bearer challenge", res.Status, res.Body)
			}
			secProblem(t, secRefresh(t, a, alice.refresh), http.StatusUnauthorized, "token_invalid")
			secMe(t, a, bob.access)
		})
	})
}

// secRace runs rounds of: callers hammering path with a token while
// revoke runs, then, once revoke has returned and every caller has
// finished, one more request, which must get want. It returns how many
// rounds did not. The callers start before revoke, so some read the
// principal before the revocation is written.
func secRace(t *testing.T, a *apptest.App, rounds int, setup func() (token string), path string, revoke func(token string), want int) (stale int) {
	t.Helper()
	const callers = 16
	for range rounds {
		token := setup()
		stop := make(chan struct{})
		var started, done sync.WaitGroup
		started.Add(callers)
		for range callers {
			done.Go(func() {
				started.Done()
				for {
					a.Do(t, "GET", path, nil, bearer(token)...)
					select {
					case <-stop:
						return
					default:
					}
				}
			})
		}
		started.Wait()
		revoke(token)
		time.Sleep(time.Millisecond)
		close(stop)
		done.Wait()
		if res := a.Do(t, "GET", path, nil, bearer(token)...); res.Status != want {
			stale++
		}
	}
	return stale
}

// Logout holds against requests in flight: one that read the session
// before the revocation must not put it back in the principal cache, or
// the access token keeps working after the logout returned. (On SQLite,
// where principals are cached in process; PostgreSQL without Redis caches
// nothing.)
func TestLogoutDuringConcurrentRequestsEndsTheSession(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		email, _ := newUser(t, a)
		refreshOf := map[string]string{}
		const rounds = 40
		stale := secRace(t, a, rounds, func() string {
			tk := signIn(t, a, email, goodPassword)
			refreshOf[tk.access] = tk.refresh
			return tk.access
		}, "/api/v1/users/me", func(access string) {
			res := a.Do(t, "POST", "/api/v1/auth/logout", map[string]any{"refresh_token": refreshOf[access]}, bearer(access)...)
			if res.Status != http.StatusNoContent {
				t.Fatalf("logout: %d %s", res.Status, res.Body)
			}
		}, http.StatusUnauthorized)
		if stale > 0 {
			t.Errorf("in %d of %d rounds the access token still worked after its logout had returned 204 and every request in flight had finished", stale, rounds)
		}
	})
}

package httpapi_test

import (
	"sync"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

func refreshWith(t *testing.T, a *apptest.App, refresh string) *apptest.Response {
	t.Helper()
	return a.Do(t, "POST", "/api/v1/auth/refresh", map[string]any{"refresh_token": refresh})
}

func refreshToken(t *testing.T, res *apptest.Response) string {
	t.Helper()
	res.Check(t, apptest.Scenario{Status: 200})
	v, _ := apptest.Field(res.JSON(t), "refresh_token")
	s, _ := v.(string)
	return s
}

// TestRefreshReuseGraceWindow: two page loads that spend one refresh token
// both stay signed in, with the same new token; a reuse after the window,
// or after the chain has moved on, is a stolen copy and ends the session.
func TestRefreshReuseGraceWindow(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		signedIn := func() tokens {
			t.Helper()
			_, tok := newUser(t, a)
			return tok
		}
		meWith := func(access string) int {
			t.Helper()
			return a.Do(t, "GET", "/api/v1/users/me", nil, bearer(access)...).Status
		}

		t.Run("within the window: the same successor", func(t *testing.T) {
			first := signedIn()
			next := refreshToken(t, refreshWith(t, a, first.refresh))
			a.Clock.Advance(3 * time.Second)
			again := refreshWith(t, a, first.refresh)
			if got := refreshToken(t, again); got != next {
				t.Errorf("a reuse within the window gave another refresh token")
			}
			access, _ := apptest.Field(again.JSON(t), "access_token")
			if s := meWith(access.(string)); s != 200 {
				t.Errorf("the access token from the reuse answers %d", s)
			}
			// The successor still works, once.
			refreshToken(t, refreshWith(t, a, next))
		})

		t.Run("after the window: the family is revoked", func(t *testing.T) {
			first := signedIn()
			next := refreshToken(t, refreshWith(t, a, first.refresh))
			a.Clock.Advance(11 * time.Second)
			refreshWith(t, a, first.refresh).Check(t, apptest.Scenario{Status: 401})
			refreshWith(t, a, next).Check(t, apptest.Scenario{Status: 401})
			if s := meWith(first.access); s != 401 {
				t.Errorf("the session's access token answers %d after the reuse", s)
			}
		})

		t.Run("once the successor is spent: the family is revoked", func(t *testing.T) {
			first := signedIn()
			b := refreshToken(t, refreshWith(t, a, first.refresh))
			c := refreshToken(t, refreshWith(t, a, b))
			refreshWith(t, a, first.refresh).Check(t, apptest.Scenario{Status: 401})
			refreshWith(t, a, c).Check(t, apptest.Scenario{Status: 401})
		})

		t.Run("after logout: nothing", func(t *testing.T) {
			first := signedIn()
			next := refreshToken(t, refreshWith(t, a, first.refresh))
			a.Do(t, "POST", "/api/v1/auth/logout", map[string]any{"refresh_token": next}, bearer(first.access)...).
				Check(t, apptest.Scenario{Status: 204})
			refreshWith(t, a, first.refresh).Check(t, apptest.Scenario{Status: 401})
		})

		t.Run("at once: both answered alike", func(t *testing.T) {
			first := signedIn()
			const n = 4
			got := make([]string, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { got[i] = refreshToken(t, refreshWith(t, a, first.refresh)) })
			}
			wg.Wait()
			for i := 1; i < n; i++ {
				if got[i] == "" || got[i] != got[0] {
					t.Errorf("concurrent refreshes with one token gave different tokens")
					break
				}
			}
		})
	})
}

// With the window off, any reuse revokes the family at once.
func TestRefreshReuseWithoutGrace(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		_, first := newUser(t, a)
		next := refreshToken(t, refreshWith(t, a, first.refresh))
		refreshWith(t, a, first.refresh).Check(t, apptest.Scenario{Status: 401})
		refreshWith(t, a, next).Check(t, apptest.Scenario{Status: 401})
	}, "YOGAFLOW_REFRESH_REUSE_GRACE=0s")
}

package webapp_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestPageLoadsAtOnceStaySignedIn: a page load that spends the refresh
// token and is cut short by the next one (its answer never reaches the
// page) leaves the next load with the token just rotated. That load, and
// two more 35 ms apart, stay signed in.
func TestPageLoadsAtOnceStaySignedIn(t *testing.T) {
	s := startSite(t)
	u := newPractiser(t, s, "ana@example.com")
	b := newBrowser(t, s)
	b.signIn(u.email)

	// The cut-short load: its refresh reaches the server, its answer is
	// dropped.
	if !eval[bool](b, `fetch("/api/v1/auth/refresh", {method: "POST", headers: {"Content-Type": "application/json"},
		body: JSON.stringify({refresh_token: localStorage.getItem("yogaflow.refresh_token")})}).then((r) => r.ok)`) {
		t.Fatal("the first refresh failed")
	}
	b.do(chromedp.Reload())
	b.waitText("#nav", "Profile")
	b.waitHeading("Hello")

	eval[bool](b, `location.reload(), true`)
	time.Sleep(35 * time.Millisecond)
	b.do(chromedp.Reload())
	b.waitText("#nav", "Profile")
	b.waitHeading("Hello")
	b.open("/profile")
	b.waitHeading("Profile")
}

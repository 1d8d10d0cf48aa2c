package webapp_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestPageLoadsAtOnceStaySignedIn: a page load that spends the refresh
// token and is cut short by the next one (its answer never reaches the
// page) leaves the next load with the token just rotated. That load, and
// two tabs opened 35 ms apart, stay signed in.
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

	// Two tabs load the app 35 ms apart, each refreshing as it starts.
	tabs := []*browser{b.newTab(), b.newTab()}
	for i, tab := range tabs {
		if i > 0 {
			time.Sleep(35 * time.Millisecond)
		}
		tab.startLoading("/")
	}
	for _, tab := range tabs {
		tab.waitText("#nav", "Profile")
		tab.waitHeading("Hello")
	}
	b.open("/profile")
	b.waitHeading("Profile")
}

// newTab opens another tab of the same browser, sharing its storage; what
// goes wrong in it is noted with the first tab's problems.
func (b *browser) newTab() *browser {
	b.t.Helper()
	tab := &browser{t: b.t, origin: b.origin, first: b.first}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithListener(b.listen))
	b.t.Cleanup(cancel)
	tab.ctx = ctx
	// The first run opens the tab, whose life must not end with a deadline.
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("opening a tab: %v", err)
	}
	return tab
}

// startLoading sends the tab to path and returns without waiting for it.
func (b *browser) startLoading(path string) {
	b.t.Helper()
	b.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.Navigate, page.NavigateParams{URL: b.origin + path})
		return err
	}))
}

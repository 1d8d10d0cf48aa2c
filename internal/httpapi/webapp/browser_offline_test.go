package webapp_test

// Browser tests of the app without a connection, cut with Chromium's own
// offline emulation (the page's requests, the service worker's, and
// navigator.onLine), as DevTools' "Offline" does.

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

// setOffline cuts the network, or gives it back, as DevTools' "Offline"
// does: for the tab (its requests and navigator.onLine), unless it is
// closed, and for every service worker, whose own requests the tab's
// emulation does not reach.
func (b *browser) setOffline(offline bool) {
	b.t.Helper()
	emulate := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		rules := []*network.Conditions{}
		if offline {
			rules = append(rules, &network.Conditions{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
		}
		_, err := cdp.Call(ctx, t, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			EmulateOfflineServiceWorker: &offline, MatchedNetworkConditions: rules})
		return err
	})
	if !b.closed {
		b.do(emulate, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, network.OverrideNetworkState, network.OverrideNetworkStateParams{
				Offline: offline, DownloadThroughput: -1, UploadThroughput: -1})
			return err
		}))
	}
	if !offline {
		for _, w := range b.workers {
			if err := chromedp.Do(w, emulate); err != nil {
				b.t.Fatalf("bringing a service worker online: %v", err)
			}
		}
		b.workers = nil
		return
	}
	targets, err := chromedp.Targets(b.ctx)
	if err != nil {
		b.t.Fatalf("listing targets: %v", err)
	}
	for _, info := range targets {
		if info.Type != "service_worker" {
			continue
		}
		// Detached, not closed, at the end: the worker goes on. The
		// session outlives this tab, as the network's state does.
		ctx, cancel := chromedp.NewContext(b.first, chromedp.WithTargetID(info.TargetID), chromedp.WithDetachOnCancel())
		b.t.Cleanup(cancel)
		if err := chromedp.Do(ctx, emulate); err != nil {
			b.t.Fatalf("taking the service worker offline: %v", err)
		}
		b.workers = append(b.workers, ctx)
	}
}

// close closes the tab, as a person closing it would.
func (b *browser) close() {
	b.t.Helper()
	if err := chromedp.Cancel(b.ctx); err != nil {
		b.t.Fatalf("closing the tab: %v", err)
	}
	b.closed = true
}

// waitForServiceWorker waits until the service worker controls the page:
// from then on, what the page reads is kept for offline use.
func (b *browser) waitForServiceWorker() {
	b.t.Helper()
	b.waitFor(`navigator.serviceWorker.controller`, "the service worker to control the page")
}

// getInstallabilityErrors is Chromium's own check that the page can be
// installed as an app (a manifest it can use, a service worker in
// control); the protocol's generated code has dropped it, Chromium has
// not.
var getInstallabilityErrors = cdp.Command[cdp.Empty, struct {
	InstallabilityErrors []struct {
		ErrorID string `json:"errorId"`
	} `json:"installabilityErrors"`
}]{Method: "Page.getInstallabilityErrors"}

// installable fails the test unless Chromium would install the page.
func (b *browser) installable() {
	b.t.Helper()
	b.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		res, err := cdp.Call(ctx, t, getInstallabilityErrors, cdp.Empty{})
		if err != nil {
			return err
		}
		for _, e := range res.InstallabilityErrors {
			b.t.Errorf("Chromium would not install the app: %s", e.ErrorID)
		}
		return nil
	}))
}

// historyCount is how many completed practices the user's history holds
// (the list holds the practice under way too).
func (p practiser) historyCount(t *testing.T, s *site) int {
	t.Helper()
	res := p.do(t, s, "GET", "/api/v1/history?status=completed", nil)
	res.Check(t, apptest.Scenario{Status: 200})
	items, _ := apptest.Field(res.JSON(t), "items")
	return len(items.([]any))
}

// waitHistory waits until the user's history holds n practices.
func (p practiser) waitHistory(t *testing.T, s *site, n int, why string) {
	t.Helper()
	deadline := time.Now().Add(step)
	for p.historyCount(t, s) != n {
		if time.Now().After(deadline) {
			t.Fatalf("%s: the history does not hold %d practices", why, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// outbox is what the app keeps to send, read from IndexedDB.
const outbox = `new Promise((resolve, reject) => { const r = indexedDB.open("yogaflow", 1);
  r.onsuccess = () => { const q = r.result.transaction("outbox").objectStore("outbox").getAll();
    q.onsuccess = () => resolve(q.result); q.onerror = () => reject(q.error); };
  r.onerror = () => reject(r.error); })`

// waitOutboxEmpty waits until the outbox holds nothing.
func (b *browser) waitOutboxEmpty(why string) {
	b.t.Helper()
	deadline := time.Now().Add(step)
	for len(eval[[]any](b, outbox)) != 0 {
		if time.Now().After(deadline) {
			b.t.Fatalf("waited %s for %s", step, why)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// setLatency delays every request of the tab by d on its way, as a slow
// mobile connection does; 0 takes the delay away.
func (b *browser) setLatency(d time.Duration) {
	b.t.Helper()
	b.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		rules := []*network.Conditions{}
		if d > 0 {
			rules = append(rules, &network.Conditions{Latency: float64(d.Milliseconds()), DownloadThroughput: -1, UploadThroughput: -1})
		}
		_, err := cdp.Call(ctx, t, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: rules})
		return err
	}))
}

// TestQuickPressesOnASlowConnection: two presses of Space while the first
// is still on its way pause and then resume, on the screen and on the
// server; the second does not read the state from before the first.
func TestQuickPressesOnASlowConnection(t *testing.T) {
	s := startSite(t)
	u := newPractiser(t, s, "ana@example.com")
	seq := u.sequence(t, s, "Slow Tree", hold("tree-pose", 60), hold("corpse-pose", 60))
	b := newBrowser(t, s)
	b.beforeLoad(noSpeech)
	b.signIn(u.email)
	b.open("/sequences/" + seq)
	b.click("#start-practice")
	b.waitText("#step-count", "Get ready")
	b.key(kb.ArrowRight)
	b.waitText("#pose-side", "Right side")
	u.waitStatus(t, s, "in_progress", "started")

	b.setLatency(700 * time.Millisecond)
	b.key(" ")
	b.key(" ")
	b.waitText("#player-announce", "Resumed.")
	b.waitText("#pause", "Pause")
	b.setLatency(0)
	u.waitStatus(t, s, "in_progress", "paused and resumed")
	time.Sleep(time.Second) // nothing still on its way pauses it again
	if got := u.session(t, s)["status"]; got != "in_progress" {
		t.Fatalf("after a pause and a resume, the session is %v", got)
	}
	b.waitText("#pause", "Pause")
}

// signedInWithServiceWorker starts a site with a practitioner who has one
// sequence of steps, signed in to a browser whose service worker controls
// the page.
func signedInWithServiceWorker(t *testing.T, name string, steps ...map[string]any) (*site, practiser, string, *browser) {
	t.Helper()
	s := startSite(t)
	u := newPractiser(t, s, "ana@example.com")
	seq := u.sequence(t, s, name, steps...)
	b := newBrowser(t, s)
	b.beforeLoad(noSpeech)
	b.signIn(u.email)
	b.waitForServiceWorker()
	return s, u, seq, b
}

// TestOfflineMidPractice: the network goes mid-practice; the player goes
// on, says it is offline, and keeps the finished practice; with the
// network back it is completed on the server, once.
func TestOfflineMidPractice(t *testing.T) {
	s, u, seq, b := signedInWithServiceWorker(t, "Offline Tree", hold("tree-pose", 60), hold("corpse-pose", 60))
	b.installable()
	b.open("/sequences/" + seq)
	b.click("#start-practice")
	b.waitText("#step-count", "Get ready")
	b.key(kb.ArrowRight)
	b.waitText("#pose-side", "Right side")

	b.setOffline(true)
	b.waitText("#player-status", "Offline: saved when you are back online")
	b.waitFor(`!document.querySelector("#offline-notice").hidden`, "the offline notice")
	b.key(" ") // pause and resume, unheard by the server
	b.waitText("#pause", "Resume")
	b.key(" ")
	b.waitText("#pause", "Pause")
	b.key(kb.ArrowRight)
	b.waitText("#pose-side", "Left side")
	b.shoot("player-offline")
	b.click("#finish")
	b.waitFor(`document.querySelector("#finish-form")`, "the finish form")
	b.click("#finish-form input[name=rating][value='4']")
	b.click("#finish-form button[type=submit]")
	b.waitHeading("Well done")
	b.waitText("#practice-kept", "kept on this device")
	b.shoot("practice-kept-offline")
	if n := u.historyCount(t, s); n != 0 {
		t.Fatalf("offline, the server has %d practices", n)
	}
	if sess := u.session(t, s); sess["status"] != "in_progress" {
		t.Errorf("offline, the session on the server is %v", sess["status"])
	}

	b.setOffline(false)
	u.waitHistory(t, s, 1, "back online")
	b.waitFor(`document.querySelector("#offline-notice").hidden`, "the offline notice to go")
	b.waitText("#toast", "saved to your history")
	u.do(t, s, "GET", "/api/v1/sessions/current", nil).Check(t, apptest.Scenario{Status: 404})
	res := u.do(t, s, "GET", "/api/v1/history", nil)
	if r, _ := apptest.Field(res.JSON(t), "items.0.rating"); r != float64(4) {
		t.Errorf("the practice finished offline has rating %v, want 4", r)
	}
	b.waitOutboxEmpty("the outbox to empty after sending")
}

// TestOfflinePracticeSurvivesClosedTab: a practice begun and finished
// without a connection, in a tab closed before the network came back,
// reaches the history from the next tab opened online, through POST
// /history; sent again with its Idempotency-Key it is not logged twice.
func TestOfflinePracticeSurvivesClosedTab(t *testing.T) {
	s, u, seq, b := signedInWithServiceWorker(t, "Short Offline", hold("mountain-pose", 30), hold("corpse-pose", 30))
	b.waitFor(`localStorage.getItem("yogaflow.read-ahead")`, "the app to read ahead")

	// The practice is in a second tab, offline from the start: the page,
	// the user, the library and the sequence, never opened before, are
	// what the service worker kept. The first tab stays open, so that the
	// browser lives on when the second is closed.
	off := b.newTab()
	off.setOffline(true)
	off.open("/poses")
	off.waitFor(`document.querySelectorAll("#pose-results li").length === 20`, "the library's first page")
	off.open("/sequences/" + seq)
	off.waitHeading("Short Offline")
	off.waitFor(`((imgs) => imgs.length === 2 && imgs.every((img) => img.complete && img.naturalWidth > 0))([...document.querySelectorAll(".steps img")])`, "the figures")
	off.waitFor(`!document.querySelector("#offline-notice").hidden`, "the offline notice")
	off.shoot("sequence-offline")
	off.click("#start-practice")
	off.waitText("#player-status", "Offline")
	off.key(kb.ArrowRight)
	off.waitText("#pose-name", "Mountain Pose")
	time.Sleep(1100 * time.Millisecond)
	off.key(kb.ArrowRight)
	off.waitText("#pose-name", "Corpse Pose")
	off.click("#finish")
	off.waitFor(`document.querySelector("#finish-form")`, "the finish form")
	off.click("#finish-form button[type=submit]")
	off.waitText("#practice-kept", "kept on this device")
	kept := eval[[]map[string]any](off, outbox)
	if len(kept) != 1 || kept[0]["path"] != "/history" {
		t.Fatalf("the outbox holds %v, want one POST /history", kept)
	}
	off.close()
	off.setOffline(false)
	if n := u.historyCount(t, s); n != 0 {
		t.Fatalf("with the tab closed, the server has %d practices", n)
	}

	// The next tab, online, sends it.
	next := b.newTab()
	next.open("/")
	u.waitHistory(t, s, 1, "the next tab opened online")
	res := u.do(t, s, "GET", "/api/v1/history", nil)
	if name, _ := apptest.Field(res.JSON(t), "items.0.sequence_name"); name != "Short Offline" {
		t.Errorf("the practice is logged as %v", name)
	}
	if d, _ := apptest.Field(res.JSON(t), "items.0.duration_seconds"); d.(float64) < 1 || d.(float64) > 60 {
		t.Errorf("the practice is logged with %v s", d)
	}
	next.waitOutboxEmpty("the practice to be sent")

	// A retry of the same record, as after an answer that never came back.
	eval[bool](next, `new Promise((resolve) => { const r = indexedDB.open("yogaflow", 1); r.onsuccess = () => {
		const tx = r.result.transaction("outbox", "readwrite"); tx.objectStore("outbox").put(`+js(kept[0])+`);
		tx.oncomplete = () => resolve(true); }; })`)
	next.do(chromedp.Reload())
	next.waitHeading("Hello")
	next.waitOutboxEmpty("the retry to be sent")
	if n := u.historyCount(t, s); n != 1 {
		t.Errorf("a retry with the same Idempotency-Key left %d practices", n)
	}
}

package webapp_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestMakeMeAPractice: on the sequences page a practiser asks for 30
// minutes for the back, leaving out what a knee injury forbids, gets a new
// practice of their own that long and free of such poses, and finds the
// form set as they left it the next time.
func TestMakeMeAPractice(t *testing.T) {
	s := startSite(t)
	u := newPractiser(t, s, "ana@example.com")
	b := newBrowser(t, s)
	b.signIn(u.email)
	b.do(chromedp.EmulateViewport(phone[0], phone[1]))
	b.open("/sequences")
	b.waitText("#make-practice", "Make me a practice")
	b.waitText("#make-minutes-value", "20 min")
	b.shoot("make-practice-form")

	b.fill("#make-minutes", "30")
	b.waitText("#make-minutes-value", "30 min")
	b.fill("#make-practice select[name=focus_area]", "back")
	b.click("#make-avoid-summary")
	b.click("#make-practice input[name=avoid][value=knee_injury]")
	b.waitText("#make-avoid-summary", "Knee injury")
	b.shoot("make-practice-filled")
	b.click("#make-practice button[type=submit]")

	b.waitHeading("30-minute back practice")
	b.waitText("#total-time", "30 min")
	b.waitText("main", "Mine")
	b.waitFor(`document.querySelector("#start-practice")`, "the way into practising it")
	if text := b.text("main"); strings.Contains(text, "Knee injury") {
		t.Errorf("the practice warns of poses not advised with a knee injury, which were to be left out: %q", text)
	}
	if n := eval[int](b, `document.querySelectorAll("ol.steps > li").length`); n < 8 {
		t.Errorf("%d steps in a 30-minute practice", n)
	}
	b.shoot("make-practice-result")

	b.open("/sequences")
	b.waitText("#make-minutes-value", "30 min")
	b.waitText("#make-avoid-summary", "Knee injury")
	if got := eval[string](b, `document.querySelector("#make-practice select[name=focus_area]").value`); got != "back" {
		t.Errorf("the focus is %q the second time, want the last choice, back", got)
	}
	// The filters below keep their own state: the last ask is not a filter.
	b.waitText("#avoid-summary", "nothing")
	b.open("/sequences?scope=mine")
	b.waitText("#sequence-results", "30-minute back practice")
}

package webapp_test

// Browser tests of the guided practice: pictures, spoken guidance, exact
// resume across reloads and devices, and idle time not counted. The
// server's clock is the test's (s.Clock): it moves only when a test moves
// it, so what the server counts is exactly what the player told it.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

// speechStub stands in for the device's voices: every utterance is kept in
// window.spoken, in order.
const speechStub = `window.spoken = [];
Object.defineProperty(window, "speechSynthesis", {configurable: true, value: {
  speaking: false, pending: false, getVoices() { return []; }, cancel() {},
  speak(u) { window.spoken.push(u.text); },
}});`

// noSpeech is a browser without the Web Speech API.
const noSpeech = `Object.defineProperty(window, "speechSynthesis", {configurable: true, value: undefined});`

// beforeLoad runs script in every document the tab opens, before its own.
func (b *browser) beforeLoad(script string) {
	b.t.Helper()
	b.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: script})
		return err
	}))
}

// practiser is a signed-in user of the site with an API token.
type practiser struct {
	email, token string
}

func newPractiser(t *testing.T, s *site, email string) practiser {
	t.Helper()
	if _, err := s.Accounts.CreateUser(t.Context(), email, password, []string{"user"}); err != nil {
		t.Fatal(err)
	}
	res := s.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": password})
	res.Check(t, apptest.Scenario{Status: 200})
	tok, _ := apptest.Field(res.JSON(t), "access_token")
	return practiser{email: email, token: tok.(string)}
}

func (p practiser) do(t *testing.T, s *site, method, path string, body any) *apptest.Response {
	t.Helper()
	return s.Do(t, method, path, body, "Authorization", "Bearer "+p.token)
}

// sequence makes one of the practiser's own sequences and returns its ID.
func (p practiser) sequence(t *testing.T, s *site, name string, steps ...map[string]any) string {
	t.Helper()
	res := p.do(t, s, "POST", "/api/v1/sequences", map[string]any{"name": name, "difficulty": "beginner", "style": "hatha",
		"focus_area": "balance", "steps": steps})
	res.Check(t, apptest.Scenario{Status: 201})
	id, _ := apptest.Field(res.JSON(t), "id")
	return id.(string)
}

// waitStatus waits until the practiser's session has status.
func (p practiser) waitStatus(t *testing.T, s *site, status, why string) {
	t.Helper()
	deadline := time.Now().Add(step)
	for p.session(t, s)["status"] != status {
		if time.Now().After(deadline) {
			t.Fatalf("%s: the session is not %s", why, status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (p practiser) session(t *testing.T, s *site) map[string]any {
	t.Helper()
	res := p.do(t, s, "GET", "/api/v1/sessions/current", nil)
	res.Check(t, apptest.Scenario{Status: 200})
	return res.JSON(t).(map[string]any)
}

// keepTime moves the server's clock with the wall clock until stop is
// called, for a test that wants the server to count real time.
func keepTime(s *site) (stop func()) {
	done := make(chan struct{})
	go func() {
		last := time.Now()
		for {
			select {
			case <-done:
				return
			case now := <-time.After(50 * time.Millisecond):
				s.Clock.Advance(now.Sub(last))
				last = now
			}
		}
	}()
	return func() { close(done) }
}

func hold(pose string, seconds int) map[string]any {
	return map[string]any{"pose_slug": pose, "duration_seconds": seconds}
}

// TestGuidedPractice is a whole short practice with the voice on: the
// get-ready, each pose's name and picture, the sides (the left one
// mirrored), the count before each change, and the end, which stops the
// clock by itself so that time spent on the finish form is not practice.
func TestGuidedPractice(t *testing.T) {
	s := startSite(t)
	u := newPractiser(t, s, "ana@example.com")
	seq := u.sequence(t, s, "Little Tree", hold("mountain-pose", 3), hold("tree-pose", 6), hold("corpse-pose", 3))
	b := newBrowser(t, s)
	b.beforeLoad(speechStub)
	b.signIn(u.email)
	b.open("/sequences/" + seq)
	stopTime := keepTime(s)
	b.click("#start-practice")
	b.waitText("#step-count", "Get ready")
	b.waitText("#pose-name", "Mountain Pose")
	b.shoot("player-get-ready")

	// Each picture as its pose starts, mirrored for the left side only.
	figure := func(slug string, mirrored bool) {
		t.Helper()
		b.waitFor(fmt.Sprintf(`document.querySelector("#pose-figure").getAttribute("src") === %s && !document.querySelector("#pose-figure").hidden`,
			js("/media/poses/"+slug+".svg")), slug+"'s picture")
		b.waitFor(fmt.Sprintf(`document.querySelector("#pose-figure").complete && document.querySelector("#pose-figure").naturalWidth > 0 && document.querySelector("#pose-figure").classList.contains("mirrored") === %v`, mirrored),
			fmt.Sprintf("%s's picture loaded, mirrored %v", slug, mirrored))
		if alt := eval[string](b, `document.querySelector("#pose-figure").alt`); !strings.HasPrefix(alt, "Figure of ") {
			t.Errorf("the picture's text alternative is %q", alt)
		}
	}
	figure("mountain-pose", false)
	b.waitText("#step-count", "Pose 1 of 3")
	b.waitText("#pose-side", "Right side")
	figure("tree-pose", false)
	b.shoot("player-right-side")
	b.waitText("#pose-side", "Left side")
	figure("tree-pose", true)
	b.shoot("player-left-side")
	b.waitText("#pose-name", "Corpse Pose")
	b.waitText("#player-status", "Practice over")
	b.waitFor(`document.querySelector("#finish-form")`, "the finish form")

	spoken := eval[[]string](b, `window.spoken`)
	want := []string{
		"Get ready. We begin with Mountain Pose.", "Three", "Two", "One",
		"Mountain Pose.",
		"Tree Pose. Right side.", "Three", "Two", "One",
		"Left side.", "Three", "Two", "One",
		"Corpse Pose.",
		"That is the end of your practice. Well done.",
	}
	if strings.Join(spoken, " | ") != strings.Join(want, " | ") {
		t.Errorf("spoken:\n  %q\nwant:\n  %q", spoken, want)
	}

	// The end paused the session: minutes on the finish form are not
	// practice. The practice took its 18 s and the get-ready's 5.
	stopTime()
	// The pause is a request of its own, which may still be on its way.
	u.waitStatus(t, s, "paused", "after the last pose")
	sess := u.session(t, s)
	if sess["status"] != "paused" || sess["current_step"] != float64(3) {
		t.Errorf("after the last pose the session is %v at step %v, want paused at 3", sess["status"], sess["current_step"])
	}
	s.Clock.Advance(4 * time.Minute)
	time.Sleep(1200 * time.Millisecond)
	if got := b.text("#countdown"); got != "0:00" {
		t.Errorf("the countdown after the end reads %q", got)
	}
	b.click("#finish-form button[type=submit]")
	b.waitHeading("Well done")
	res := u.do(t, s, "GET", "/api/v1/history", nil)
	if d, _ := apptest.Field(res.JSON(t), "items.0.duration_seconds"); d.(float64) < 18 || d.(float64) > 30 {
		t.Errorf("a practice of 23 s, left open for 4 minutes on its finish form, recorded %v s", d)
	}
}

// TestPracticeAcrossDevices: a reload on the left side comes back on the
// left side at the same second; a second device opens the practice where
// the first left it, and the first stops its clock and says so; either can
// take it back.
func TestPracticeAcrossDevices(t *testing.T) {
	s := startSite(t)
	u := newPractiser(t, s, "ana@example.com")
	seq := u.sequence(t, s, "Slow Tree", hold("tree-pose", 60), hold("corpse-pose", 60))
	u.do(t, s, "POST", "/api/v1/sessions", map[string]any{"sequence_id": seq}).Check(t, apptest.Scenario{Status: 201})

	phone := newBrowser(t, s)
	phone.signIn(u.email)
	phone.open("/practice")
	phone.waitText("#step-count", "Get ready")
	phone.key(kb.ArrowRight) // past the get-ready
	phone.waitText("#pose-side", "Right side")
	phone.key(kb.ArrowRight)
	phone.waitText("#pose-side", "Left side")
	time.Sleep(2500 * time.Millisecond)
	phone.key(" ")
	phone.waitText("#pause", "Resume")
	at := phone.text("#countdown")
	if at == "1:00" {
		t.Fatalf("the countdown did not run before the pause: %s", at)
	}

	phone.do(chromedp.Reload())
	phone.waitText("#pose-side", "Left side")
	phone.waitText("#player-status", "Paused")
	if got := phone.text("#countdown"); got != at {
		t.Errorf("after a reload the countdown reads %s, want %s", got, at)
	}
	if !eval[bool](phone, `document.querySelector("#pose-figure").classList.contains("mirrored")`) {
		t.Error("after a reload on the left side the picture is not mirrored")
	}
	phone.key(" ")
	phone.waitText("#pause", "Pause")

	// Another device opens the practice: same step, side and second, as
	// the server walked it on from the phone's last word.
	sess := u.session(t, s)
	laptop := newBrowser(t, s)
	laptop.signIn(u.email)
	laptop.open("/practice")
	laptop.waitText("#pose-side", "Left side")
	laptop.waitText("#pose-name", "Tree Pose")
	if got, want := laptop.text("#countdown"), fmt.Sprintf("0:%02d", 120-int(sess["step_elapsed_seconds"].(float64))); got != want && got != at {
		t.Errorf("the second device opens at %s, want %s", got, want)
	}
	// The phone learns the practice moved: its clock stops and it says so.
	phone.waitFor(`!document.querySelector("#moved").hidden`, "the phone to say the practice moved")
	phone.waitText("#player-status", "On another device")
	stopped := phone.text("#countdown")
	time.Sleep(1500 * time.Millisecond)
	if got := phone.text("#countdown"); got != stopped {
		t.Errorf("the phone's clock runs on after the move: %s then %s", stopped, got)
	}
	phone.shoot("player-moved")
	if d := u.session(t, s)["device_id"]; d == nil {
		t.Error("the session names no device")
	}

	// Taking it back on the phone moves it away from the laptop.
	phone.click("#continue-here")
	phone.waitFor(`document.querySelector("#moved").hidden`, "the phone to take the practice back")
	laptop.waitFor(`!document.querySelector("#moved").hidden`, "the laptop to see the practice move back")
}

// TestIdlePlayerPauses: a page hidden past the end of its pose pauses the
// session on the server; Finish stops the clock behind its form, and "Back
// to practice" starts it again.
func TestIdlePlayerPauses(t *testing.T) {
	s := startSite(t)
	u := newPractiser(t, s, "ana@example.com")
	seq := u.sequence(t, s, "Two Poses", hold("mountain-pose", 4), hold("corpse-pose", 120))
	u.do(t, s, "POST", "/api/v1/sessions", map[string]any{"sequence_id": seq}).Check(t, apptest.Scenario{Status: 201})
	b := newBrowser(t, s)
	b.beforeLoad(noSpeech) // everything works without speech too
	b.signIn(u.email)
	b.open("/practice")
	b.key(kb.ArrowRight)
	b.waitText("#step-count", "Pose 1 of 2")

	// Hidden: the page has no way to know if the practitioner is still on
	// the mat after the pose ends, so it pauses.
	eval[bool](b, `Object.defineProperty(document, "visibilityState", {configurable: true, get: () => "hidden"});
		document.dispatchEvent(new Event("visibilitychange")); true`)
	u.waitStatus(t, s, "paused", "hidden past the end of its pose")
	eval[bool](b, `Object.defineProperty(document, "visibilityState", {configurable: true, get: () => "visible"});
		document.dispatchEvent(new Event("visibilitychange")); true`)
	b.waitText("#player-status", "Paused")
	b.waitText("#player-announce", "Paused while you were away")

	b.key(" ")
	b.waitText("#pause", "Pause")
	b.waitText("#pose-name", "Corpse Pose")
	b.click("#finish")
	b.waitFor(`document.querySelector("#finish-form")`, "the finish form")
	u.waitStatus(t, s, "paused", "behind the finish form")
	shown := b.text("#countdown")
	time.Sleep(1500 * time.Millisecond)
	if got := b.text("#countdown"); got != shown {
		t.Errorf("the clock runs behind the finish form: %s then %s", shown, got)
	}
	b.shoot("player-finish")
	b.click("#back-to-practice")
	b.waitFor(`!document.querySelector("#finish-form")`, "the finish form to go")
	b.waitText("#pause", "Pause")
	u.waitStatus(t, s, "in_progress", "back to practice")
	b.waitFor(fmt.Sprintf(`document.querySelector("#countdown").textContent !== %s`, js(shown)), "the clock to run again")

	// The settings follow the user: breath cues switched on here are on in
	// the profile and for the API.
	b.click(".player details summary")
	b.click("#player-breath_pacing")
	b.waitFor(`!document.querySelector("#breath").hidden`, "the breath cue")
	deadline := time.Now().Add(step)
	for {
		res := u.do(t, s, "GET", "/api/v1/users/me", nil)
		if v, _ := apptest.Field(res.JSON(t), "practice_settings.breath_pacing"); v == true {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("breath pacing was not saved on the profile")
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.open("/profile")
	b.waitFor(`document.querySelector("#profile-breath_pacing")?.checked`, "the profile to show breath cues on")
}

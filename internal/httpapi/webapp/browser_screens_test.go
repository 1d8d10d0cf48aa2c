package webapp_test

// Browser tests of the screens around the practice: lists that page, the
// builder, the stats, the filters on a phone, the way back into a practice
// under way, the pose pictures on every screen, and contrast.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

// visible is a JavaScript test that an element is drawn.
func visible(sel string) string {
	return fmt.Sprintf(`(() => { const el = document.querySelector(%s); return !!el && el.checkVisibility() })()`, js(sel))
}

// logPractice logs a practice done offline, finished at the site's now.
func (p practiser) logPractice(t *testing.T, s *site, title string, seconds int) {
	t.Helper()
	p.do(t, s, "POST", "/api/v1/history", map[string]any{"title": title, "duration_seconds": seconds,
		"started_at": s.Clock.Now().Add(-time.Duration(seconds) * time.Second).UTC().Format(time.RFC3339)}).
		Check(t, apptest.Scenario{Status: 201})
}

// TestShowMoreOnlyWithANextPage: a list that fits on one page offers no
// "Show more"; one that does not adds the next page below the first.
func TestShowMoreOnlyWithANextPage(t *testing.T) {
	s := startSite(t)
	u := newPractiser(t, s, "ana@example.com")
	u.logPractice(t, s, "Morning", 600)
	u.logPractice(t, s, "Evening", 900)
	b := newBrowser(t, s)
	b.signIn(u.email)

	b.open("/history")
	b.waitFor(`document.querySelectorAll("#history-list > li").length > 0`, "/history to list")
	time.Sleep(300 * time.Millisecond)
	if eval[bool](b, visible("button.more")) {
		t.Errorf("/history offers Show more with nothing more to show")
	}

	// The 23 presets fill a page of 20 and part of a second; once the second
	// is shown there is nothing more to offer.
	b.open("/sequences")
	b.waitFor(visible("button.more"), "Show more under the first page of presets")
	b.click("button.more")
	b.waitFor(`document.querySelectorAll("#sequence-results > li").length > 20`, "the second page of presets")
	time.Sleep(300 * time.Millisecond)
	if eval[bool](b, visible("button.more")) {
		t.Errorf("/sequences offers Show more after its last page")
	}
	if n := eval[int](b, `document.querySelectorAll("#sequence-results > li").length`); n != 23 {
		t.Errorf("%d presets listed, want the 23", n)
	}
	b.open("/history")
	b.waitText("#history-list", "Evening")
	if n := eval[int](b, `document.querySelectorAll("#history-list > li").length`); n != 2 {
		t.Errorf("%d practices in the history, want 2", n)
	}

	b.open("/poses")
	b.waitFor(visible("button.more"), "Show more under the first page of poses")
	first := eval[int](b, `document.querySelectorAll("#pose-results > li").length`)
	b.click("button.more")
	b.waitFor(fmt.Sprintf(`document.querySelectorAll("#pose-results > li").length > %d`, first), "the next page of poses")
	slugs := eval[[]string](b, `[...document.querySelectorAll("#pose-results > li a")].map((a) => a.getAttribute("href"))`)
	seen := map[string]bool{}
	for _, s := range slugs {
		if seen[s] {
			t.Errorf("%s is listed twice after Show more", s)
		}
		seen[s] = true
	}
	for eval[bool](b, visible("button.more")) {
		n := eval[int](b, `document.querySelectorAll("#pose-results > li").length`)
		b.click("button.more")
		b.waitFor(fmt.Sprintf(`document.querySelectorAll("#pose-results > li").length > %d`, n), "another page of poses")
	}
	if n := eval[int](b, `document.querySelectorAll("#pose-results > li").length`); n != 104 {
		t.Errorf("%d poses listed after the last page, want 104", n)
	}
}

// TestBuilderOffersSidesOnlyForTwoSidedPoses: a one-sided pose has no side
// to choose; a two-sided one has each side, left only or right only, and its
// picture turns with the choice.
func TestBuilderOffersSidesOnlyForTwoSidedPoses(t *testing.T) {
	s := startSite(t)
	u := newPractiser(t, s, "ana@example.com")
	b := newBrowser(t, s)
	b.signIn(u.email)
	b.open("/sequences/new")
	b.waitHeading("Build a sequence")
	b.fill("input[name=name]", "Sides")
	for _, p := range []struct{ search, name string }{{"mountain", "Mountain Pose"}, {"tree", "Tree Pose"}} {
		b.fill("#add-pose", p.search)
		b.waitText("#add-pose-results", "Add "+p.name)
		eval[bool](b, fmt.Sprintf(`[...document.querySelectorAll("#add-pose-results button")].find(x => x.textContent === %s).click() ?? true`, js("Add "+p.name)))
		b.waitText("#builder-steps", p.name)
	}
	if eval[bool](b, `!!document.querySelector('select[name="steps[0].side"]')`) {
		t.Errorf("Mountain Pose, one-sided, offers a side: %q", b.text(`select[name="steps[0].side"]`))
	}
	if got := eval[[]string](b, `[...document.querySelectorAll('select[name="steps[1].side"] option')].map((o) => o.textContent)`); strings.Join(got, ",") != "Each side,Left only,Right only" {
		t.Errorf("Tree Pose's sides: %q", got)
	}
	pic := `document.querySelector('[data-step="1"] img.thumb')`
	b.waitFor(pic+`?.getAttribute("src") === "/media/poses/tree-pose.svg" && `+pic+`.naturalWidth > 0`, "Tree Pose's picture in the builder")
	b.fill(`select[name="steps[1].side"]`, "left")
	b.waitFor(pic+`.classList.contains("mirrored") && `+pic+`.alt === "Figure of Tree Pose, left side"`, "the picture to turn to the left side")
	b.shoot("builder")
	b.fill(`input[name="steps[1].duration_seconds"]`, "30")
	b.waitText("#builder-total", "1 min") // 30 s of Mountain Pose and 30 s of Tree Pose, left only
	b.click("#sequence-form button[type=submit]")
	b.waitHeading("Sides")
	b.waitText("main .steps", "30 s, left side")
	b.waitFor(`document.querySelectorAll("main .steps img.mirrored").length === 1`, "the left-only step's picture mirrored on the sequence's page")
}

// TestOneRoundingRule: a short practice reads the same on every screen.
func TestOneRoundingRule(t *testing.T) {
	s := startSite(t)
	u := newPractiser(t, s, "ana@example.com")
	u.logPractice(t, s, "Short", 21)
	b := newBrowser(t, s)
	b.signIn(u.email)
	b.open("/stats")
	b.waitHeading("Your progress")
	for _, sel := range []string{"#week-minutes .value", "#total-time .value"} {
		b.waitText(sel, "21 s")
	}
	b.open("/history")
	b.waitText("#history-list", "21 s")
}

// TestLeaveOutIsASummary: on a phone the twelve "leave out" choices fold
// under one summary that names what is left out, and the first results are
// on the first screen.
func TestLeaveOutIsASummary(t *testing.T) {
	s := startSite(t)
	b := newBrowser(t, s)
	b.do(chromedp.EmulateViewport(phone[0], phone[1]))
	b.open("/poses")
	b.waitText("#avoid-summary", "Leave out what is not advised for: nothing")
	b.waitFor(`document.querySelector("#pose-results > li")`, "the results")
	if top := eval[float64](b, `document.querySelector("#pose-results > li").getBoundingClientRect().top`); top > float64(phone[1]) {
		t.Errorf("the first result is %v px down, below the first screen of %d px", top, phone[1])
	}
	if eval[bool](b, visible("input[name=avoid][value=pregnancy]")) {
		t.Error("the leave-out boxes are open before they are asked for")
	}
	b.shoot("poses-filters")
	b.click("#avoid-summary")
	b.click("input[name=avoid][value=pregnancy]")
	b.click("input[name=avoid][value=knee_injury]")
	b.waitText("#avoid-summary", "Leave out what is not advised for: Pregnancy, Knee injury")
	b.waitFor(`location.search.includes("knee_injury")`, "the choice in the address")
	b.do(chromedp.Reload())
	b.waitText("#avoid-summary", "Pregnancy, Knee injury")
	b.open("/sequences")
	b.waitText("#avoid-summary", "nothing")
}

// TestContinueYourPracticeCard: with a practice under way, the home and
// sequences pages lead back into it; without one they do not.
func TestContinueYourPracticeCard(t *testing.T) {
	s := startSite(t)
	u := newPractiser(t, s, "ana@example.com")
	seq := u.sequence(t, s, "Slow Tree", hold("mountain-pose", 60), hold("tree-pose", 60))
	b := newBrowser(t, s)
	b.signIn(u.email)
	if eval[bool](b, `!!document.querySelector("#continue-practice")`) {
		t.Error("the home page offers to continue a practice that is not there")
	}
	res := u.do(t, s, "POST", "/api/v1/sessions", map[string]any{"sequence_id": seq})
	res.Check(t, apptest.Scenario{Status: 201})
	id, _ := apptest.Field(res.JSON(t), "id")
	u.do(t, s, "POST", fmt.Sprintf("/api/v1/sessions/%s/progress", id), map[string]any{"step_position": 2, "side": "left"}).
		Check(t, apptest.Scenario{Status: 200})
	u.do(t, s, "POST", fmt.Sprintf("/api/v1/sessions/%s/pause", id), nil).Check(t, apptest.Scenario{Status: 200})

	for _, p := range []string{"/", "/sequences"} {
		b.open(p)
		b.waitText("#continue-practice", "Continue your practice")
		b.waitText("#continue-practice", "Slow Tree")
		b.waitText("#continue-practice", "Pose 2 of 2, Tree Pose · left side · paused")
		b.waitFor(`document.querySelector("#continue-practice img.thumb.mirrored")`, "the left side's picture")
	}
	b.shoot("continue-card")
	b.click("#continue-practice a[href='/practice']")
	b.waitText("#pose-name", "Tree Pose")
	b.waitText("#pose-side", "Left side")
}

// TestPicturesOnEveryScreen: the library, a pose's page and a sequence's
// page show each pose's own picture, loaded from this site, with a text
// alternative.
func TestPicturesOnEveryScreen(t *testing.T) {
	s := startSite(t)
	b := newBrowser(t, s)
	pictures := func(sel string) {
		t.Helper()
		// Pictures load lazily, as they come into view: load them all now.
		if !eval[bool](b, fmt.Sprintf(`(async () => { const imgs = [...document.querySelectorAll(%s)]; for (const i of imgs) i.loading = "eager";
			await Promise.all(imgs.map((i) => i.decode())); return imgs.length > 0 && imgs.every((i) => i.naturalWidth > 0) })()`, js(sel))) {
			t.Errorf("%s: no pictures, or one that does not load", sel)
		}
		bad := eval[[]string](b, fmt.Sprintf(`[...document.querySelectorAll(%s)].filter((i) => !/^\/media\/poses\/[a-z0-9-]+\.svg$/.test(i.getAttribute("src")) || !i.alt.startsWith("Figure of ")).map((i) => i.outerHTML)`, js(sel)))
		for _, img := range bad {
			t.Errorf("a picture that is not the pose's own, or has no text: %s", img)
		}
	}
	b.open("/poses")
	b.waitFor(`document.querySelectorAll("#pose-results > li").length >= 20`, "the first page of poses")
	if n := eval[int](b, `[...document.querySelectorAll("#pose-results > li")].filter((li) => !li.querySelector("img.thumb")).length`); n != 0 {
		t.Errorf("%d poses in the library without a picture", n)
	}
	pictures("#pose-results img.thumb")
	b.shoot("poses")

	b.open("/poses/warrior-ii")
	b.waitHeading("Warrior II")
	pictures("main img.hero")
	b.shoot("pose-page")

	b.open("/sequences/gentle-morning-flow")
	b.waitFor(`document.querySelector("main .steps li")`, "the steps")
	if n := eval[int](b, `[...document.querySelectorAll("main .steps li")].filter((li) => !li.querySelector("img.thumb")).length`); n != 0 {
		t.Errorf("%d steps without a picture", n)
	}
	pictures("main .steps img.thumb")
	b.shoot("sequence-page")
}

// contrastScript lists every visible piece of text whose colour against the
// background it sits on is below WCAG AA (4.5:1, or 3:1 for large text),
// and every enabled control whose border or fill stands out from the page
// by less than 3:1 (WCAG 1.4.11). Colours are composited over what is
// behind them, up the tree, so a translucent fill counts as seen.
const contrastScript = `(() => {
  const parse = (c) => { const m = c.match(/[\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const over = (top, under) => { const a = top[3]; return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat(1); };
  const lum = (c) => { const [r, g, b] = c.slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) layers.push(parse(getComputedStyle(e).backgroundColor));
    return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255, 1]);
  };
  const shown = (el) => { const st = getComputedStyle(el); return st.visibility !== "hidden" && st.opacity !== "0" && el.getClientRects().length > 0; };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "");
  const bad = [];
  for (const el of document.querySelectorAll("body *")) {
    if (!shown(el) || el.closest("[aria-hidden=true], svg, .sr-only, .skip-link, :disabled, option")) continue;
    const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const st = getComputedStyle(el);
    const bg = background(el);
    if (text) {
      const fg = over(parse(st.color), bg);
      const size = parseFloat(st.fontSize), bold = Number(st.fontWeight) >= 700;
      const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
      const r = ratio(fg, bg);
      if (r < need) bad.push(name(el) + " " + JSON.stringify(el.textContent.trim().slice(0, 30)) + " " + r.toFixed(2) + " < " + need);
    }
    if (el.matches("button, .button, input:not([type=checkbox]):not([type=radio]), select, textarea")) {
      const behind = background(el.parentElement);
      const border = over(parse(st.borderTopColor), behind);
      const fill = bg;
      if (Math.max(ratio(border, behind), ratio(fill, behind)) < 3) bad.push(name(el) + " control " + ratio(border, behind).toFixed(2) + " < 3");
    }
  }
  return bad;
})()`

// TestContrastMeetsWCAGAA checks the colours of every main screen in the
// light and the dark theme, signed in with a practice under way.
func TestContrastMeetsWCAGAA(t *testing.T) {
	s := startSite(t)
	u := newPractiser(t, s, "ana@example.com")
	u.logPractice(t, s, "Morning", 600)
	b := newBrowser(t, s)
	// The first Tab reaches the skip link, shown on the screen, and it
	// leads to the screen's content.
	b.open("/")
	b.waitHeading("Practise yoga")
	b.key(kb.Tab)
	b.waitFor(`document.activeElement.matches(".skip-link") && document.activeElement.getBoundingClientRect().top >= 0`, "the skip link, focused and on the screen")
	b.key(kb.Enter)
	b.waitFor(`document.activeElement.id === "main"`, "the skip link to move focus to the content")

	b.signIn(u.email)
	b.open("/sequences/gentle-morning-flow")
	b.click("#start-practice")
	b.waitFor(`document.querySelector("#pose-name")?.textContent`, "the player")
	b.click("#pause")
	b.waitText("#player-status", "Paused")
	for _, scheme := range []string{"light", "dark"} {
		b.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
			return err
		}))
		for _, p := range []string{"/", "/poses", "/poses/tree-pose", "/sequences", "/sequences/gentle-morning-flow", "/sequences/new",
			"/practice", "/history", "/stats", "/profile", "/sign-up"} {
			b.open(p)
			b.waitFor(`document.querySelector("main h1")`, p+" to draw")
			time.Sleep(300 * time.Millisecond)
			for _, problem := range eval[[]string](b, contrastScript) {
				t.Errorf("%s, %s theme: %s", p, scheme, problem)
			}
		}
	}
	// The script finds what it is there to find.
	eval[bool](b, `(() => { const p = document.createElement("p"); p.id = "faint"; p.textContent = "faint"; p.style.color = "#bbbbbb"; p.style.background = "#ffffff"; document.querySelector("main").append(p); return true })()`)
	if got := eval[[]string](b, contrastScript); len(got) != 1 || !strings.HasPrefix(got[0], "p#faint") {
		t.Errorf("with a faint line added, the contrast check found %q", got)
	}
}

package webapp_test

// Browser tests: the whole service on a loopback port, driven through the
// web app by headless Chromium. They run on SQLite only: the API under the
// app is tested on both engines by its own tests, and what these check is
// the app, which a second engine would only make twice as slow.

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/yogaflow/yogaflow/internal/apptest"
	"github.com/yogaflow/yogaflow/internal/platform/mailtest"
	"github.com/yogaflow/yogaflow/internal/platform/testdb"
)

const (
	password = "Tadasana-Sunrise-42"
	// step bounds one browser step: a page load, a click and what follows;
	// generous, for a machine busy with the rest of the suite under -race.
	step = 20 * time.Second
)

var (
	phone  = [2]int64{390, 844}
	laptop = [2]int64{1280, 800}
	// The main pages, shot at both widths when a test fails.
	mainPages = []string{"/", "/poses", "/sequences", "/practice", "/history", "/stats", "/profile"}
)

// chromium finds the browser. CI (where YOGAFLOW_TEST_DATABASE_URL is set)
// must run these tests, so there a missing browser fails them; a developer
// without one is told how to get it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium found (looked for /usr/bin/chromium and chromium on PATH); install it with: apt-get install -y chromium"
	if os.Getenv(testdb.EnvPostgresURL) != "" {
		t.Fatal(msg + " (.ci/run does)")
	}
	t.Skip(msg)
	return ""
}

// site is the service serving HTTP on a loopback port, with a real SMTP
// server catching its mail and the built-in library loaded.
type site struct {
	*apptest.App
	URL  string
	Mail *mailtest.Server
}

func startSite(t *testing.T) *site {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	mail := mailtest.Start(t)
	a := apptest.New(t, testdb.New(t, "sqlite"), "YOGAFLOW_SMTP_URL="+mail.URL(), "YOGAFLOW_PUBLIC_URL="+base)
	if _, err := a.Library.SeedIfEmpty(t.Context()); err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: a.Handler, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return &site{App: a, URL: base, Mail: mail}
}

// browser is one headless Chromium with one tab. It records every request
// the page makes to another origin, every uncaught exception and every
// error the console shows other than failed API responses (CSP and Trusted
// Types violations among them), and fails the test on any.
type browser struct {
	t      *testing.T
	ctx    context.Context
	origin string

	// first is the first tab's context, which lives as long as the
	// browser; closed is set once this tab is closed; workers are the
	// sessions to the service workers this tab took offline
	// (browser_offline_test.go).
	first   context.Context
	closed  bool
	workers []context.Context

	mu       sync.Mutex
	offsite  []string
	problems []string
}

// offsite says whether the page asking for target reaches outside origin.
// data: and blob: URLs are made in the page.
func offsite(origin, target string) bool {
	u, err := url.Parse(target)
	if err != nil {
		return true
	}
	switch u.Scheme {
	case "data", "blob":
		return false
	}
	return u.Scheme+"://"+u.Host != origin
}

func newBrowser(t *testing.T, s *site) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		// Without these, Chromium reaches for Google's services, and on a
		// closed network its connections are refused.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(int(laptop[0]), int(laptop[1])),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &browser{t: t, origin: s.URL}
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(b.listen))
	b.ctx, b.first = ctx, ctx
	t.Cleanup(func() {
		if t.Failed() {
			b.screenshots()
		}
		cancel()
		cancelAlloc()
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, u := range b.offsite {
			t.Errorf("the page made a request to another origin: %s", u)
		}
		for _, p := range b.problems {
			t.Errorf("in the browser: %s", p)
		}
	})
	// The first run starts the browser; it must not have a deadline.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return b
}

// listen runs on the tab's event loop: it only takes notes.
func (b *browser) listen(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		if offsite(b.origin, e.Request.URL) {
			b.offsite = append(b.offsite, e.Request.URL)
		}
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		text := d.Text
		if d.Exception != nil {
			text += " " + d.Exception.Description
		}
		b.problems = append(b.problems, fmt.Sprintf("uncaught: %s (%s:%d)", text, d.URL, d.LineNumber))
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError {
			var parts []string
			for _, a := range e.Args {
				parts = append(parts, a.Description+string(a.Value))
			}
			b.problems = append(b.problems, "console.error: "+strings.Join(parts, " "))
		}
	case *log.EventEntryAdded:
		// An API answering 404 or 401 is logged by the network source; the
		// app expects and handles those.
		if e.Entry.Level == log.EntryLevelError && e.Entry.Source != log.EntrySourceNetwork {
			b.problems = append(b.problems, fmt.Sprintf("%s: %s", e.Entry.Source, e.Entry.Text))
		}
	}
}

// expectOffsite waits for the listener to note a request to target, and
// the CSP's refusal of it, and takes both off the list of failures.
func (b *browser) expectOffsite(target string) {
	b.t.Helper()
	deadline := time.Now().Add(step)
	for {
		b.mu.Lock()
		i := slices.Index(b.offsite, target)
		j := slices.IndexFunc(b.problems, func(p string) bool { return strings.Contains(p, target) })
		if i >= 0 && j >= 0 {
			b.offsite = slices.Delete(b.offsite, i, i+1)
			b.problems = slices.Delete(b.problems, j, j+1)
		}
		b.mu.Unlock()
		if i >= 0 && j >= 0 {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("the request to %s was not seen (seen: %v, %v)", target, i >= 0, j >= 0)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, step)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v (at %s)", err, b.location())
	}
}

func (b *browser) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

func (b *browser) open(path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.origin + path))
}

// eval runs a JavaScript expression and decodes its value into T.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, step)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("browser: evaluating %s: %v", expr, err)
	}
	return v
}

func js(v any) string {
	out, _ := json.Marshal(v)
	return string(out)
}

// waitFor waits until the expression is true, and fails the test with what
// describe says when it never is.
func (b *browser) waitFor(expr, describe string) {
	b.t.Helper()
	deadline := time.Now().Add(step)
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool]("!!("+expr+")"))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("browser: waited %s for %s (at %s; %v)", step, describe, b.location(), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func textOf(sel string) string {
	return fmt.Sprintf(`(document.querySelector(%s)?.textContent ?? "")`, js(sel))
}

// waitText waits until the element's text holds want.
func (b *browser) waitText(sel, want string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf(`%s.includes(%s)`, textOf(sel), js(want)), fmt.Sprintf("%s to show %q", sel, want))
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(eval[string](b, textOf(sel)))
}

// fill sets a control's value as typing would, firing input and change.
func (b *browser) fill(sel, value string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf("document.querySelector(%s)", js(sel)), sel+" to be there")
	eval[bool](b, fmt.Sprintf(`(() => { const el = document.querySelector(%s); el.focus(); el.value = %s;
		el.dispatchEvent(new Event("input", {bubbles: true})); el.dispatchEvent(new Event("change", {bubbles: true})); return true })()`, js(sel), js(value)))
}

func (b *browser) click(sel string) {
	b.t.Helper()
	b.do(chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// key sends a key to the focused element, as a person would press it.
func (b *browser) key(k string) {
	b.t.Helper()
	b.do(chromedp.KeyEvent(k))
}

// heading is the text of the screen's h1.
func (b *browser) waitHeading(want string) {
	b.t.Helper()
	b.waitText("main h1", want)
}

// screenshot writes the screen at size as name-WIDTH.png under the test's
// artifact directory, after opening path unless it is "".
func (b *browser) screenshot(name string, size [2]int64, path string) {
	ctx, cancel := context.WithTimeout(b.ctx, step)
	defer cancel()
	err := chromedp.Do(ctx, chromedp.EmulateViewport(size[0], size[1]))
	if err == nil && path != "" {
		err = chromedp.Do(ctx, chromedp.Navigate(b.origin+path), chromedp.Sleep(700*time.Millisecond))
	}
	var png []byte
	if err == nil {
		png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(b.t.ArtifactDir(), fmt.Sprintf("%s-%d.png", name, size[0])), png, 0o644)
	}
	if err != nil {
		b.t.Logf("screenshot of %s at %d px: %v", name, size[0], err)
	}
}

// shoot writes the current screen at phone and laptop sizes, as a person
// would see it on each, and leaves the tab at laptop size. The files are
// kept with go test -artifacts, for looking at.
func (b *browser) shoot(name string) {
	b.t.Helper()
	b.screenshot(name, phone, "")
	b.screenshot(name, laptop, "")
}

// screenshots writes the current screen and the main pages at phone and
// laptop widths under the test's artifact directory.
func (b *browser) screenshots() {
	b.screenshot("failure", laptop, "")
	for _, p := range mainPages {
		name := strings.ReplaceAll(strings.Trim(p, "/"), "/", "-")
		if name == "" {
			name = "home"
		}
		for _, size := range [][2]int64{phone, laptop} {
			b.screenshot(name, size, p)
		}
	}
	b.t.Logf("screenshots in %s (kept with go test -artifacts)", b.t.ArtifactDir())
}

// signIn signs in through the sign-in page and waits for the home screen.
func (b *browser) signIn(email string) {
	b.t.Helper()
	b.open("/sign-in")
	b.fill("input[name=email]", email)
	b.fill("input[name=password]", password)
	b.click("form button[type=submit]")
	b.waitText("#nav", "Profile")
	b.waitHeading("Hello")
}

var verifyLinkRE = regexp.MustCompile(`https?://[^\s"'<>]*/verify-email\?token=[A-Za-z0-9_%\-]+`)

// TestPracticeFlow is a new user's first practice: sign up, confirm the
// email from the link in the real email, sign in, filter the library,
// build and start a short sequence, pause, reload and find the practice at
// the same step, finish it, and see it in the history and the stats.
func TestPracticeFlow(t *testing.T) {
	s := startSite(t)
	b := newBrowser(t, s)
	const email = "ana@example.com"

	b.open("/sign-up")
	b.waitHeading("Create an account")
	b.fill("input[name=email]", email)
	b.fill("input[name=password]", password)
	b.fill("input[name=display_name]", "Ana")
	b.click("form button[type=submit]")
	b.waitHeading("Check your email")

	m := s.Mail.WaitFor(t, email, step)
	link := verifyLinkRE.FindString(m.Text)
	if !strings.HasPrefix(link, s.URL+"/verify-email?token=") {
		t.Fatalf("no verification link to this site in the email:\n%s", m.Text)
	}
	b.do(chromedp.Navigate(link))
	b.waitHeading("Email confirmed")
	if loc := b.location(); strings.Contains(loc, "token=") {
		t.Errorf("the spent token stays in the address bar: %s", loc)
	}

	b.signIn(email)
	b.waitHeading("Hello, Ana")
	if nav := b.text("#nav"); strings.Contains(nav, "Editor") {
		t.Errorf("a user's navigation offers the editor: %q", nav)
	}

	// The library: a search, then leave out what is not advised in a
	// pregnancy.
	b.click("#nav a[href='/poses']")
	b.waitHeading("Pose library")
	b.do(chromedp.SendKeys(chromedp.CSS("input[name=q]"), "dog"))
	b.waitText("#pose-results", "Upward-Facing Dog")
	b.waitText("#pose-results", "Downward-Facing Dog")
	b.click("#avoid-summary")
	b.click("input[name=avoid][value=pregnancy]")
	b.waitFor(`!`+textOf("#pose-results")+`.includes("Upward-Facing Dog")`, "Upward-Facing Dog to leave the results")
	if got := b.text("#pose-results"); !strings.Contains(got, "Downward-Facing Dog") {
		t.Errorf("results after avoiding pregnancy: %q", got)
	}
	if loc := b.location(); !strings.Contains(loc, "q=dog") || !strings.Contains(loc, "avoid=pregnancy") {
		t.Errorf("the filters are not in the address: %s", loc)
	}
	b.click("#pose-results a[href='/poses/downward-facing-dog']")
	b.waitHeading("Downward-Facing Dog")
	b.waitText("main", "Not advised with")

	// A short sequence of my own: three seconds of Mountain Pose, then Tree
	// Pose on each side and Corpse Pose, long enough to pause in.
	b.open("/sequences/new")
	b.waitHeading("Build a sequence")
	b.fill("input[name=name]", "Quick test flow")
	for _, p := range []struct{ search, name string }{{"mountain", "Mountain Pose"}, {"tree", "Tree Pose"}, {"corpse", "Corpse Pose"}} {
		b.fill("#add-pose", p.search)
		b.waitText("#add-pose-results", "Add "+p.name)
		eval[bool](b, fmt.Sprintf(`[...document.querySelectorAll("#add-pose-results button")].find(x => x.textContent === %s).click() ?? true`, js("Add "+p.name)))
		b.waitText("#builder-steps", p.name)
	}
	b.fill(`input[name="steps[0].duration_seconds"]`, "3")
	b.fill(`input[name="steps[1].duration_seconds"]`, "60")
	b.fill(`input[name="steps[2].duration_seconds"]`, "780")
	b.waitText("#builder-total", "15 min") // 3 s + 60 s on each side + 13 min
	b.click("#sequence-form button[type=submit]")
	b.waitHeading("Quick test flow")
	b.waitText("#total-time", "15 min")
	b.waitText("main .steps", "1 min each side")

	b.click("#start-practice")
	b.waitText("#pose-name", "Mountain Pose")
	b.waitText("#step-count", "Pose 1 of 3")
	// The three seconds run out by themselves.
	b.waitText("#step-count", "Pose 2 of 3")
	b.waitText("#pose-name", "Tree Pose")
	b.waitText("#pose-side", "Right side")
	b.waitText("#next-pose", "Next: left side")
	b.key(" ")
	b.waitText("#player-status", "Paused")
	b.waitText("#pause", "Resume")
	paused := b.text("#countdown")

	b.do(chromedp.Reload())
	b.waitText("#pose-name", "Tree Pose")
	b.waitText("#step-count", "Pose 2 of 3")
	b.waitText("#player-status", "Paused")
	time.Sleep(1200 * time.Millisecond)
	if got := b.text("#countdown"); got != paused {
		t.Errorf("paused countdown after the reload: %q, want %q, the second it was paused at, standing still", got, paused)
	}

	b.key(" ")
	b.waitText("#pause", "Pause")
	b.waitFor(`!document.querySelector("#player-status").textContent`, "the paused mark to go")
	b.key(kb.ArrowRight)
	b.waitText("#pose-side", "Left side")
	b.key(kb.ArrowRight)
	b.waitText("#pose-name", "Corpse Pose")
	b.waitText("#step-count", "Pose 3 of 3")
	b.waitText("#next-pose", "Last pose")
	// Twelve minutes on the mat, by the server's clock; then the last pose
	// is skipped, which ends the practice.
	s.Clock.Advance(12 * time.Minute)
	b.key(kb.ArrowRight)
	b.waitFor(`document.querySelector("#finish-form")`, "the finish form")
	b.waitText("#player-status", "Practice over")
	b.click("#finish-form input[name=rating][value='4']")
	b.fill("#finish-notes", "Felt steady")
	b.click("#finish-form button[type=submit]")
	b.waitHeading("Well done")
	b.waitText("main", "12 min on the mat")

	b.click("main a[href='/history']")
	b.waitHeading("History")
	b.waitText("#history-list", "Quick test flow")
	b.waitText("#history-list", "Completed")
	b.waitText("#history-list", "Felt steady")
	b.waitFor(`document.querySelector('#history-list [aria-label="Rated 4 of 5"]')`, "the rating")
	b.fill("select[name=status]", "abandoned")
	b.waitText("main .count", "No practice here yet.")
	b.fill("select[name=status]", "completed")
	b.waitText("#history-list", "Quick test flow")

	b.click("#nav a[href='/stats']")
	b.waitHeading("Your progress")
	b.waitText("#streak", "1 day")
	b.waitText("#week-minutes", "12 min")
	b.waitText("#completed", "1")
	today := eval[string](b, `new Intl.DateTimeFormat("en-CA", {year: "numeric", month: "2-digit", day: "2-digit"}).format(new Date())`)
	b.waitFor(fmt.Sprintf(`document.querySelector('#heatmap rect[data-date=%s]')?.classList.contains("l2")`, js(today)), "today in the heatmap, at 10 to 20 minutes")
	if h := eval[float64](b, fmt.Sprintf(`+document.querySelector('#minutes-chart rect[data-date=%s]').getAttribute("height")`, js(today))); h <= 0 {
		t.Errorf("today's bar in the minutes chart has height %v", h)
	}
	if n := eval[int](b, `document.querySelectorAll("#heatmap rect.day:not(.l0)").length`); n != 1 {
		t.Errorf("%d practice days in the heatmap, want 1", n)
	}
}

// An editor adds a pose through the editorial screens; it is then in the
// library for everyone.
func TestEditorCreatesPose(t *testing.T) {
	s := startSite(t)
	if _, err := s.Accounts.CreateUser(t.Context(), "editor@example.com", password, []string{"editor"}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, s)
	b.signIn("editor@example.com")
	b.click("#nav a[href='/editor']")
	b.waitHeading("Editor")
	b.click("main a[href='/editor/poses/new']")
	b.waitHeading("New pose")
	b.fill("input[name=english_name]", "Flamingo Pose")
	b.fill("input[name=sanskrit_name]", "Flamingāsana")
	b.fill("select[name=category]", "balancing")
	b.fill("select[name=difficulty]", "intermediate")
	b.fill("input[name=default_hold_seconds]", "40")
	b.click("input[name=two_sided]")
	b.fill("textarea[name=instructions]", "Stand on one leg.\nLift the other knee high.")
	b.click("input[name=contraindications][value=knee_injury]")
	// An image elsewhere is stored, but the app must not load it.
	b.fill("input[name=image_url]", "https://cdn.example.com/flamingo.jpg")
	b.click("#pose-form button[type=submit]")
	b.waitHeading("Flamingo Pose")
	b.waitText("main", "Stand on one leg.")
	b.waitText("main", "Knee injury")
	b.waitText("main", "on each side")

	res := s.Do(t, http.MethodGet, "/api/v1/poses/flamingo-pose", nil)
	res.Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{
		"english_name": "Flamingo Pose", "category": "balancing", "difficulty": "intermediate", "two_sided": true,
		"default_hold_seconds": 40, "contraindications": []string{"knee_injury"},
		"instructions": []string{"Stand on one leg.", "Lift the other knee high."},
	}})
}

// TestNoRequestLeavesTheOrigin opens every screen of the app, signed in as
// an editor and with a practice under way, and fails on any request the
// page makes to another host (newBrowser listens to every one).
func TestNoRequestLeavesTheOrigin(t *testing.T) {
	s := startSite(t)
	if _, err := s.Accounts.CreateUser(t.Context(), "editor@example.com", password, []string{"editor"}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, s)
	b.open("/")
	b.waitHeading("Practise yoga")
	b.signIn("editor@example.com")
	// A pose whose image is on another host.
	b.open("/editor/poses/new")
	b.fill("input[name=english_name]", "Far Away Pose")
	b.fill("textarea[name=instructions]", "Stand still.")
	b.fill("input[name=image_url]", "https://images.example.net/far.jpg")
	b.click("#pose-form button[type=submit]")
	b.waitHeading("Far Away Pose")

	b.open("/sequences/gentle-morning-flow")
	b.click("#start-practice")
	b.waitFor(`document.querySelector("#pose-name")?.textContent`, "the player")
	b.click(".player details summary")
	b.click("#player-chime") // WebAudio makes the sound: nothing to fetch
	b.click("#pause")
	b.waitText("#player-status", "Paused")

	b.do(chromedp.EmulateViewport(phone[0], phone[1]))
	for _, p := range []string{
		"/", "/poses", "/poses/far-away-pose", "/poses/tree-pose", "/sequences", "/sequences/gentle-morning-flow",
		"/sequences/new", "/practice", "/history", "/stats", "/profile", "/editor", "/editor/poses/new",
		"/editor/poses/far-away-pose", "/editor/sequences/new", "/editor/sequences/gentle-morning-flow",
		"/verify-email", "/forgot-password", "/reset-password?token=x", "/sign-up", "/sign-in", "/no-such-screen",
	} {
		if p == "/no-such-screen" {
			// Not an app path: the server's JSON 404, no page at all.
			res := s.Do(t, http.MethodGet, p, nil)
			res.Check(t, apptest.Scenario{Status: 404, ContentType: "application/problem+json"})
			continue
		}
		b.open(p)
		b.waitFor(`document.querySelector("main h1")`, p+" to draw its screen")
		if h := b.text("main h1"); h == "Something went wrong" || h == "Not found" || h == "Editors only" {
			t.Errorf("%s shows %q: %s", p, h, b.text("main"))
		}
	}
	b.click("#nav a[href='/poses']")
	b.waitHeading("Pose library")

	// The listener sees what it is there to catch: an image from another
	// host, put in the page by hand (the CSP then blocks it).
	const probe = "https://probe.example.org/x.png"
	eval[bool](b, `(() => { const i = document.createElement("img"); i.src = `+js(probe)+`; document.body.append(i); return true })()`)
	b.expectOffsite(probe)
}

func TestOffsite(t *testing.T) {
	const origin = "http://127.0.0.1:8080"
	for target, want := range map[string]bool{
		origin + "/api/v1/poses":           false,
		origin + "/assets/x/app.css":       false,
		"data:image/png;base64,AAAA":       false,
		"blob:" + origin + "/a-b-c":        false,
		"http://127.0.0.1:8081/":           true,
		"https://127.0.0.1:8080/":          true,
		"https://cdn.example.com/a.jpg":    true,
		"http://localhost:8080/":           true,
		"ws://127.0.0.1:8080/socket":       true,
		"https://fonts.googleapis.com/css": true,
	} {
		if got := offsite(origin, target); got != want {
			t.Errorf("offsite(%q) = %v, want %v", target, got, want)
		}
	}
}

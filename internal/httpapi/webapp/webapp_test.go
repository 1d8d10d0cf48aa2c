package webapp

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

func router() http.Handler {
	r := chi.NewRouter()
	r.NotFound(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"code":"not_found"}`)
	})
	Routes(r)
	return r
}

func get(t *testing.T, h http.Handler, target string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec.Result(), rec.Body.String()
}

var (
	refRE    = regexp.MustCompile(`(?:src|href)="([^"]*)"`)
	scriptRE = regexp.MustCompile(`(?s)<script([^>]*)>(.*?)</script>`)
	// chi patterns in Paths, and the client router's route('...') calls.
	paramRE = regexp.MustCompile(`\{[a-z]+\}|:[a-z]+`)
	routeRE = regexp.MustCompile(`route\('([^']+)'`)
	// Static imports of the modules: import ... from './x.js'.
	importRE = regexp.MustCompile(`(?m)^(?:import|export) [^;]*? from '([^']+)';`)
)

func TestEveryAppPathServesThePage(t *testing.T) {
	h := router()
	for _, p := range Paths {
		target := paramRE.ReplaceAllString(p, "some-slug")
		res, body := get(t, h, target+"?token=abc")
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", target, res.StatusCode)
			continue
		}
		for name, want := range map[string]string{
			"Content-Type":            "text/html; charset=utf-8",
			"Content-Security-Policy": CSP,
			"Cache-Control":           "no-cache",
		} {
			if got := res.Header.Get(name); got != want {
				t.Errorf("%s: %s %q, want %q", target, name, got, want)
			}
		}
		if body != page {
			t.Errorf("%s: not the page", target)
		}
	}
}

func TestPageLoadsOnlyThisBuildsAssets(t *testing.T) {
	h := router()
	for _, m := range scriptRE.FindAllStringSubmatch(page, -1) {
		if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
			t.Errorf("inline script (CSP forbids it): %s", m[0])
		}
	}
	if strings.Contains(page, "VERSION") || strings.Contains(page, "style=") || strings.Contains(page, "<style") {
		t.Errorf("the page holds a placeholder or inline style:\n%s", page)
	}
	refs := refRE.FindAllStringSubmatch(page, -1)
	if len(refs) < 3 {
		t.Fatalf("expected the icon, the stylesheet and the script, found %v", refs)
	}
	for _, m := range refs {
		ref := m[1]
		if ref == "/" || strings.HasPrefix(ref, "#") || ref == "/manifest.webmanifest" {
			continue
		}
		if !strings.HasPrefix(ref, AssetPrefix()) {
			t.Errorf("%s is not one of this build's assets", ref)
			continue
		}
		res, _ := get(t, h, ref)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", ref, res.StatusCode)
		}
		if got := res.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", ref, got)
		}
	}
}

func TestAssetTypes(t *testing.T) {
	h := router()
	for name, want := range map[string]string{
		"js/main.js": "text/javascript", "js/pages/auth.js": "text/javascript",
		"app.css": "text/css", "icon.svg": "image/svg+xml",
	} {
		res, _ := get(t, h, AssetPrefix()+name)
		if got := res.Header.Get("Content-Type"); !strings.HasPrefix(got, want) {
			t.Errorf("%s: Content-Type %q, want %s", name, got, want)
		}
	}
}

func TestNoAssetOutsideThisBuild(t *testing.T) {
	h := router()
	for _, target := range []string{
		"/assets/0000000000000000/js/main.js", // another build
		AssetPrefix() + "index.html",          // the page is served at the app's paths only
		AssetPrefix() + "js",                  // no directory listings
		AssetPrefix() + "js/",
		AssetPrefix() + "nothing.js",
		AssetPrefix() + "../webapp.go",
		"/api/v1/nothing",
		"/unknown",
	} {
		res, body := get(t, h, target)
		if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "not_found") {
			t.Errorf("%s: %d %q, want the router's 404", target, res.StatusCode, body)
		}
	}
}

// The server hands the page out at Paths, and the client router draws
// them: the two lists must agree.
func TestClientRoutesMatchServerPaths(t *testing.T) {
	b, err := fs.ReadFile(assets, "js/main.js")
	if err != nil {
		t.Fatal(err)
	}
	var client []string
	for _, m := range routeRE.FindAllStringSubmatch(string(b), -1) {
		client = append(client, paramRE.ReplaceAllString(m[1], "*"))
	}
	var server []string
	for _, p := range Paths {
		server = append(server, paramRE.ReplaceAllString(p, "*"))
	}
	slices.Sort(client)
	slices.Sort(server)
	if !slices.Equal(client, server) {
		t.Errorf("client routes %v\nserver paths  %v", client, server)
	}
}

// Every module a module imports is there, and no file names another origin
// or uses what the CSP or Trusted Types would refuse.
func TestModules(t *testing.T) {
	forbidden := []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "setAttribute('style'", "http://", "https://"}
	err := fs.WalkDir(assets, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets, p)
		if err != nil {
			return err
		}
		src := strings.ReplaceAll(string(b), "http://www.w3.org/2000/svg", "") // the SVG namespace is a name, not a request
		for _, f := range forbidden {
			if strings.Contains(src, f) {
				t.Errorf("%s holds %q", p, f)
			}
		}
		if path.Ext(p) != ".js" {
			return nil
		}
		for _, m := range importRE.FindAllStringSubmatch(src, -1) {
			target := path.Join(path.Dir(p), m[1])
			if _, err := fs.Stat(assets, target); err != nil {
				t.Errorf("%s imports %s, which is not there", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestVersionFollowsContent(t *testing.T) {
	if len(Version) != 16 || strings.Trim(Version, "0123456789abcdef") != "" {
		t.Errorf("Version %q is not 16 hex digits", Version)
	}
}

// TestRootFiles: the service worker and the manifest are served at the
// root, revalidated like the page, naming this build's assets only.
func TestRootFiles(t *testing.T) {
	h := router()
	for _, tc := range []struct{ path, contentType string }{
		{"/sw.js", "text/javascript; charset=utf-8"},
		{"/manifest.webmanifest", "application/manifest+json"},
	} {
		res, body := get(t, h, tc.path)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != tc.contentType || res.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: %d, %q, %q", tc.path, res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
		}
		if strings.Contains(body, "'VERSION'") || strings.Contains(body, "/VERSION/") || strings.Contains(body, "ASSETS_LIST") {
			t.Errorf("%s keeps a placeholder:\n%s", tc.path, body)
		}
		if !strings.Contains(body, AssetPrefix()) {
			t.Errorf("%s names none of this build's assets", tc.path)
		}
	}
	// Every asset the service worker keeps is one this build serves.
	_, sw := get(t, h, "/sw.js")
	for _, m := range regexp.MustCompile(`"(/assets/[^"]+)"`).FindAllStringSubmatch(sw, -1) {
		if res, _ := get(t, h, m[1]); res.StatusCode != http.StatusOK {
			t.Errorf("the service worker keeps %s: status %d", m[1], res.StatusCode)
		}
	}
	if !strings.Contains(sw, AssetPrefix()+"js/outbox.js") {
		t.Error("the service worker does not keep js/outbox.js")
	}
}

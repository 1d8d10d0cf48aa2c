// Package webapp serves the practice web app: one HTML page, a stylesheet
// and JavaScript modules, all embedded in the binary (no build step, no
// CDN). The app is a client of the public API only; the server's part is
// to hand out the page at every path the app routes, and the assets.
package webapp

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"

	"github.com/go-chi/chi/v5"
)

//go:embed static
var static embed.FS

// assets is the static folder as the app sees it.
var assets = func() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the folder is embedded above: it is always there
	}
	return sub
}()

// Paths are the app's own routes, each answered with the page; the
// client-side router (js/main.js) draws the screen. Listing them, rather
// than answering every unknown path with the page, keeps the API's JSON 404
// for anything else, /api/v1/... included. The emails link to
// /verify-email and /reset-password.
var Paths = []string{
	"/",
	"/sign-in", "/sign-up", "/verify-email", "/forgot-password", "/reset-password",
	"/poses", "/poses/{pose}",
	"/sequences", "/sequences/new", "/sequences/{sequence}", "/sequences/{sequence}/edit",
	"/practice", "/history", "/stats", "/profile",
	"/editor", "/editor/poses/new", "/editor/poses/{pose}", "/editor/sequences/new", "/editor/sequences/{sequence}",
}

// CSP is the page's Content-Security-Policy. Everything comes from this
// origin: scripts (modules, no inline code, no eval), styles (a stylesheet;
// the scripts set styles only through the CSSOM, which style-src does not
// restrict), images (and data: ones), the API calls, the manifest and the
// service worker. Trusted Types make any assignment of a string to
// innerHTML and its kin throw, so the app can only build its DOM node by
// node; their one policy, yogaflow-sw (main.js), lets /sw.js and nothing
// else through to serviceWorker.register. Forms are sent by the scripts,
// never by the browser.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; manifest-src 'self'; worker-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; " +
	"require-trusted-types-for 'script'; trusted-types yogaflow-sw"

// Version names this build's assets: a digest of their content. The page
// loads them under /assets/{Version}/, so they can be cached for good and a
// new binary is never mixed with an old one's files.
var Version = func() string {
	var names []string
	_ = fs.WalkDir(assets, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, _ := fs.ReadFile(assets, n)
		_, _ = io.WriteString(h, n+"\x00")
		_, _ = h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}()

// page is index.html with its asset links pointing at this build.
var page = strings.ReplaceAll(file("index.html"), "/assets/VERSION/", AssetPrefix())

// The service worker and the manifest are served at the root, the service
// worker's scope, under names that do not change: they name this build's
// assets, and browsers revalidate them like the page.
var (
	serviceWorker = strings.NewReplacer("'VERSION'", "'"+Version+"'", "ASSETS_LIST", assetList()).Replace(file("sw.js"))
	manifest      = strings.ReplaceAll(file("manifest.webmanifest"), "/assets/VERSION/", AssetPrefix())
)

func file(name string) string {
	b, err := fs.ReadFile(assets, name)
	if err != nil {
		panic(err) // embedded above
	}
	return string(b)
}

// assetList is the JSON list of this build's asset URLs, which the
// service worker keeps for offline use.
func assetList() string {
	var urls []string
	err := fs.WalkDir(assets, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !rootFiles[p] {
			urls = append(urls, AssetPrefix()+p)
		}
		return err
	})
	if err != nil {
		panic(err) // embedded above
	}
	b, err := json.Marshal(urls)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// rootFiles are served at the root, not as assets.
var rootFiles = map[string]bool{"index.html": true, "sw.js": true, "manifest.webmanifest": true}

// AssetPrefix is where this build's assets are served.
func AssetPrefix() string { return "/assets/" + Version + "/" }

// Routes mounts the app on r, which must be the root router: a missing
// asset gets r's own not-found answer (chi's Mux has one).
func Routes(r chi.Router) {
	for _, p := range Paths {
		r.Get(p, servePage)
	}
	r.Get("/sw.js", func(w http.ResponseWriter, _ *http.Request) {
		serveRoot(w, "text/javascript; charset=utf-8", serviceWorker)
	})
	r.Get("/manifest.webmanifest", func(w http.ResponseWriter, _ *http.Request) {
		serveRoot(w, "application/manifest+json", manifest)
	})
	r.Get("/assets/{version}/*", func(w http.ResponseWriter, req *http.Request) {
		if serveAsset(w, req) {
			return
		}
		if m, ok := r.(interface{ NotFoundHandler() http.HandlerFunc }); ok {
			m.NotFoundHandler()(w, req)
			return
		}
		http.NotFound(w, req)
	})
}

// The page changes with the binary and carries no user data; browsers
// revalidate it so that a new version's assets are picked up at once.
func servePage(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", CSP)
	h.Set("Cache-Control", "no-cache")
	_, _ = io.WriteString(w, page)
}

func serveRoot(w http.ResponseWriter, contentType, body string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Security-Policy", "default-src 'self'")
	_, _ = io.WriteString(w, body)
}

// serveAsset serves the named asset of this build, or reports that there
// is none. Another version's files are not here: a 404 rather than this
// build's file cached for good under the other name.
func serveAsset(w http.ResponseWriter, r *http.Request) bool {
	name := chi.URLParam(r, "*")
	if chi.URLParam(r, "version") != Version || rootFiles[name] || !fs.ValidPath(name) {
		return false
	}
	if st, err := fs.Stat(assets, name); err != nil || st.IsDir() {
		return false
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	if path.Ext(name) == ".js" {
		// Modules must come as JavaScript; say so whatever the host's
		// MIME table holds.
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	}
	http.ServeFileFS(w, r, assets, name)
	return true
}

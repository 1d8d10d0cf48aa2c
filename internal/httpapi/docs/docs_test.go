package docs

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/yogaflow/yogaflow/third_party/redoc"
)

const specURL = "/openapi.json"

var (
	refRE    = regexp.MustCompile(`(?:src|href)\s*=\s*["']([^"']*)["']`)
	scriptRE = regexp.MustCompile(`(?s)<script([^>]*)>(.*?)</script>`)
	// jsStringRE matches a double-quoted JS string literal.
	jsStringRE = regexp.MustCompile(`"(?:[^"\\\n]|\\.)*"`)
)

func newRouter(specURL string) http.Handler {
	r := chi.NewRouter()
	Routes(r, specURL)
	return r
}

func get(t *testing.T, h http.Handler, target string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	var b bytes.Buffer
	if _, err := b.ReadFrom(res.Body); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// wantType is the Content-Type prefix expected for an asset, by its name.
func wantType(name string) string {
	switch path.Ext(name) {
	case ".css":
		return "text/css"
	case ".js":
		return "text/javascript"
	case ".png":
		return "image/png"
	default: // licence files
		return "text/plain"
	}
}

func TestPages(t *testing.T) {
	h := newRouter(specURL)
	for _, tc := range []struct {
		page, initJS, wantCSP string
	}{
		{"/docs", "/docs/init.js", swaggerCSP},
		{"/redoc", "/redoc/init.js", redocCSP},
	} {
		t.Run(tc.page, func(t *testing.T) {
			res := get(t, h, tc.page)
			html := body(t, res)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d", res.StatusCode)
			}
			if got := res.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", got)
			}
			if got := res.Header.Get("Content-Security-Policy"); got != tc.wantCSP {
				t.Errorf("Content-Security-Policy %q, want %q", got, tc.wantCSP)
			}

			// CSP script-src 'self' forbids inline scripts.
			for _, m := range scriptRE.FindAllStringSubmatch(html, -1) {
				if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
					t.Errorf("inline script: %s", m[0])
				}
			}

			initRes := get(t, h, tc.initJS)
			initJS := body(t, initRes)
			if initRes.StatusCode != http.StatusOK {
				t.Fatalf("%s: status %d", tc.initJS, initRes.StatusCode)
			}
			if !strings.Contains(initJS, `"`+specURL+`"`) {
				t.Errorf("%s does not load %s:\n%s", tc.initJS, specURL, initJS)
			}
			if !strings.Contains(html, `src="`+tc.initJS+`"`) {
				t.Errorf("page does not load %s", tc.initJS)
			}

			refs := refRE.FindAllStringSubmatch(html+initJS, -1)
			if len(refs) == 0 {
				t.Fatal("no src or href found")
			}
			for _, m := range refs {
				ref := m[1]
				if !strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "//") || strings.Contains(ref, ":") {
					t.Errorf("%q is not a local path", ref)
					continue
				}
				res := get(t, h, ref)
				if res.StatusCode != http.StatusOK {
					t.Errorf("%s: status %d", ref, res.StatusCode)
				}
				if got, want := res.Header.Get("Content-Type"), wantType(ref); !strings.HasPrefix(got, want) {
					t.Errorf("%s: Content-Type %q, want %s", ref, got, want)
				}
			}
		})
	}
}

func TestAssets(t *testing.T) {
	h := newRouter(specURL)
	for _, tc := range []struct {
		prefix string
		names  []string
	}{
		{"/docs/assets/", swaggerAssets},
		{"/redoc/", redocAssets},
	} {
		for _, name := range tc.names {
			res := get(t, h, tc.prefix+name)
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s%s: status %d", tc.prefix, name, res.StatusCode)
			}
			if got, want := res.Header.Get("Content-Type"), wantType(name); !strings.HasPrefix(got, want) {
				t.Errorf("%s%s: Content-Type %q, want %s", tc.prefix, name, got, want)
			}
			if got := res.Header.Get("Cache-Control"); got != "public, max-age=86400" {
				t.Errorf("%s%s: Cache-Control %q", tc.prefix, name, got)
			}
		}
	}
}

func TestRedocBundleServedUnmodified(t *testing.T) {
	want, err := fs.ReadFile(redoc.FS, "redoc.standalone.js")
	if err != nil {
		t.Fatal(err)
	}
	if got := body(t, get(t, newRouter(specURL), "/redoc/redoc.standalone.js")); got != string(want) {
		t.Errorf("served bundle (%d bytes) differs from the embedded one (%d bytes)", len(got), len(want))
	}
}

// A spec URL with quotes and markup must reach the UIs as the same string.
func TestSpecURLEscaped(t *testing.T) {
	const nasty = `/spec.json?q="</script><script>alert(1)//`
	h := newRouter(nasty)
	for _, p := range []string{"/docs/init.js", "/redoc/init.js"} {
		js := body(t, get(t, h, p))
		i := strings.Index(js, `"/spec.json`)
		if i < 0 {
			t.Errorf("%s has no spec URL literal:\n%s", p, js)
			continue
		}
		lit := jsStringRE.FindString(js[i:])
		var got string
		if err := json.Unmarshal([]byte(lit), &got); err != nil || got != nasty {
			t.Errorf("%s: spec URL literal %s decodes to %q (%v), want %q", p, lit, got, err, nasty)
		}
	}
}

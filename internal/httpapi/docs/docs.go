// Package docs serves the API documentation pages, Swagger UI and ReDoc,
// entirely from assets embedded in the binary: the pages make no request to
// another origin.
package docs

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"

	"github.com/go-chi/chi/v5"
	swaggerfiles "github.com/swaggo/files/v2"

	"github.com/yogaflow/yogaflow/third_party/redoc"
)

// The pages are constant and hold no inline script, so that CSP
// script-src 'self' holds; the spec URL only appears in the init scripts.
const (
	swaggerPage = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>YogaFlow API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="stylesheet" href="/docs/assets/index.css">
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png" sizes="32x32">
<link rel="icon" type="image/png" href="/docs/assets/favicon-16x16.png" sizes="16x16">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`

	redocPage = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>YogaFlow API</title>
<style>body { margin: 0; }</style>
</head>
<body>
<div id="redoc"></div>
<script src="/redoc/redoc.standalone.js"></script>
<script src="/redoc/init.js"></script>
</body>
</html>
`
)

// Policies checked in headless Chromium, including Swagger UI's OAuth2
// password login and "Try it out". Both UIs' CSS holds data: images. Swagger
// UI sets styles only through the CSSOM, which style-src does not restrict;
// ReDoc injects <style> elements and runs its search index in a Worker made
// from a blob: URL. img-src must stay same-origin: ReDoc's sidebar shows a
// logo from cdn.redoc.ly, which this policy blocks (the image then hides
// itself). connect-src 'self' lets the pages fetch the spec and call the API
// and its token endpoint on this origin.
const (
	swaggerCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	redocCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
		"connect-src 'self'; worker-src blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

// Files served from each embedded FS: what the pages load, plus ReDoc's
// licence notices, which the bundle's banner refers to.
var (
	swaggerAssets = []string{"swagger-ui.css", "index.css", "favicon-32x32.png", "favicon-16x16.png", "swagger-ui-bundle.js"}
	redocAssets   = []string{"redoc.standalone.js", "redoc.standalone.js.LICENSE.txt", "LICENSE"}
)

// Routes mounts the documentation of the OpenAPI document at specURL on r:
//
//	GET /docs                  Swagger UI
//	GET /docs/init.js          its configuration
//	GET /docs/assets/{file}    swagger-ui files from github.com/swaggo/files/v2
//	GET /redoc                 ReDoc
//	GET /redoc/init.js         its configuration
//	GET /redoc/{file}          redoc.standalone.js and its licences
//
// r must be the root router, as the pages refer to these paths absolutely.
// specURL should be on the same origin: the pages' CSP allows no other.
func Routes(r chi.Router, specURL string) {
	spec, _ := json.Marshal(specURL) // a string always marshals; the result is a safe JS literal

	r.Get("/docs", page(swaggerPage, swaggerCSP))
	// Browsers ask every page's origin for one; ReDoc's page names none.
	r.Get("/favicon.ico", asset(swaggerfiles.FS, "favicon-32x32.png"))
	r.Get("/docs/init.js", script(fmt.Sprintf(`"use strict";
window.ui = SwaggerUIBundle({
  url: %s,
  dom_id: "#swagger-ui",
  validatorUrl: null,
  deepLinking: true,
  persistAuthorization: true,
});
`, spec)))
	for _, name := range swaggerAssets {
		r.Get("/docs/assets/"+name, asset(swaggerfiles.FS, name))
	}

	r.Get("/redoc", page(redocPage, redocCSP))
	r.Get("/redoc/init.js", script(fmt.Sprintf(`"use strict";
Redoc.init(%s, {}, document.getElementById("redoc"));
`, spec)))
	for _, name := range redocAssets {
		r.Get("/redoc/"+name, asset(redoc.FS, name))
	}
}

// Pages and init scripts depend on configuration, not only on the binary,
// so browsers must revalidate them.
func page(html, csp string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = io.WriteString(w, html)
	}
}

func script(js string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = io.WriteString(w, js)
	}
}

// Embedded assets change only with the binary.
func asset(fsys fs.FS, name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		http.ServeFileFS(w, r, fsys, name)
	}
}

// Package httpapi is YogaFlow's HTTP layer: the router, the middleware, the
// handlers and their request and response types, the mapping of errors to
// problem documents, and the OpenAPI document and its pages.
package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humachi"
	"github.com/getsentry/sentry-go"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/yogaflow/yogaflow/internal/account"
	"github.com/yogaflow/yogaflow/internal/flags"
	"github.com/yogaflow/yogaflow/internal/httpapi/docs"
	"github.com/yogaflow/yogaflow/internal/httpapi/webapp"
	"github.com/yogaflow/yogaflow/internal/library"
	"github.com/yogaflow/yogaflow/internal/platform/cache"
	"github.com/yogaflow/yogaflow/internal/platform/idempotency"
	"github.com/yogaflow/yogaflow/internal/platform/metrics"
	"github.com/yogaflow/yogaflow/internal/practice"
)

// BasePath is the prefix of every versioned API route.
const BasePath = "/api/v1"

// MaxBodyBytes is the largest request body accepted (API.md: 1 MiB), on
// the operations that take content (poses, sequences).
const MaxBodyBytes = 1 << 20

// SmallBodyBytes is the largest body of every other operation: sign-ins,
// sessions, settings, all a few hundred bytes.
const SmallBodyBytes = 64 << 10

// Deps is what the HTTP layer needs from the rest of the service.
type Deps struct {
	Logger      *slog.Logger
	Metrics     *metrics.Metrics
	Version     string
	CORSOrigins []string
	// Checks are run by /health/ready.
	Checks   []Check
	Accounts *account.Service
	Library  *library.Service
	Practice *practice.Service
	Flags    *flags.Service
	// LibraryCache keeps encoded library responses, keyed by
	// LibraryVersion, which the library bumps on every editorial write.
	LibraryCache   cache.Cache
	LibraryVersion cache.Version
	// Idempotency keeps the first responses of POSTs made with an
	// Idempotency-Key.
	Idempotency idempotency.Store
	// Limits are the request limits; nil counts nothing.
	Limits *Limits
	// TrustedProxies are the peers whose X-Forwarded-For names the client.
	TrustedProxies []netip.Prefix
	// Tracing, when set, gives each request a server span, continuing the
	// caller's W3C trace context; nil costs the requests nothing.
	Tracing trace.TracerProvider
	// Sentry, when set, receives panics and 5xx responses.
	Sentry *sentry.Client
}

func init() {
	// huma's documented hook for a custom error type. Set once, here: it is
	// the same for every API this process serves.
	huma.NewErrorWithContext = humaError
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		return humaError(nil, status, msg, errs...)
	}
}

// New returns the service's whole HTTP handler.
func New(d Deps) http.Handler {
	routes := operations(d)
	r, api := newRouter(d, addressLimited(routes))
	registerAll(api, routes, operationDocs())
	if d.Tracing == nil {
		return r
	}
	// Outside the router, so that observe, the outermost middleware, finds
	// the span to name after the route and its trace ID for the log line.
	return otelhttp.NewHandler(r, "http.server",
		otelhttp.WithTracerProvider(d.Tracing),
		otelhttp.WithPropagators(propagation.TraceContext{}),
		otelhttp.WithMeterProvider(noop.NewMeterProvider()), // the metrics are Prometheus's
		otelhttp.WithFilter(func(r *http.Request) bool { return !polled[r.URL.Path] }),
	)
}

// polled are the paths probes and scrapers ask every few seconds: a trace
// each would bury the ones that matter.
var polled = map[string]bool{"/health": true, "/health/ready": true, "/metrics": true}

// newRouter builds the router, its middleware and fallbacks, the pages that
// are not operations, and the huma API that operations are registered on;
// limited are the operations that count per client address.
func newRouter(d Deps, limited map[routeKey]limitClass) (chi.Router, huma.API) {
	r := chi.NewRouter()
	r.Use(
		observe(d.Logger, d.Metrics, newErrorTracker(d.Sentry)),
		middleware.GetHead, // HEAD wherever GET is served, as HTTP expects
		securityHeaders,
		corsPolicy(d.CORSOrigins),
		limitBody(MaxBodyBytes),
		resolveClientIP(d.TrustedProxies),
		authenticate(d.Accounts),
		limitRequests(d.Limits, limited, d.Metrics),
		refuseBadCredentials,
	)
	// Cached library responses are keyed by the API's shape too (a hash of
	// its document, taken once every operation is registered), so instances
	// of two builds sharing one Redis never serve each other's encoding.
	var api huma.API
	shape := sync.OnceValue(func() string {
		doc, _ := json.Marshal(api.OpenAPI())
		sum := sha256.Sum256(doc)
		return hex.EncodeToString(sum[:6])
	})
	r.Use(libraryCache(r, d.LibraryCache, d.LibraryVersion, shape, d.Logger), idempotent(d.Idempotency))
	r.NotFound(func(w http.ResponseWriter, _ *http.Request) {
		writeProblem(w, newProblem(http.StatusNotFound, "", "There is nothing at this path."))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Allow", strings.Join(allowedMethods(r, req.URL.Path), ", "))
		writeProblem(w, newProblem(http.StatusMethodNotAllowed, "",
			"This path does not support "+req.Method+"; the Allow header lists what it does."))
	})
	r.Method(http.MethodGet, "/metrics", d.Metrics.Handler())
	docs.Routes(r, "/openapi.json")
	webapp.Routes(r)
	api = humachi.New(r, apiConfig(d.Version))
	api.UseMiddleware(authorize(api), requireJSONType(api))
	return r, api
}

func apiConfig(version string) huma.Config {
	cfg := huma.DefaultConfig("YogaFlow API", version)
	cfg.Info.Description = "The HTTP API of YogaFlow, a yoga practice service. " +
		"Errors are RFC 9457 problem documents with a stable `code`. Request bodies may be up to 1 MiB where they carry " +
		"content (poses, sequences) and 64 KiB elsewhere; larger ones are refused with 413 before they are read. " +
		"A body is UTF-8 JSON sent as application/json (415 without a Content-Type), and none of its objects names a key twice (400)."
	// Our own pages serve the docs from the binary; no $schema links in bodies.
	cfg.DocsPath = ""
	cfg.SchemasPath = ""
	cfg.CreateHooks = nil
	cfg.Formats = map[string]huma.Format{
		"application/json": strictJSON,
		"json":             strictJSON,
	}
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {
			Type: "http", Scheme: "bearer", BearerFormat: "JWT",
			Description: "An access token from /api/v1/auth/login, or an API key. An access token whose lifetime (exp - iat) " +
				"is longer than the access token TTL (YOGAFLOW_ACCESS_TOKEN_TTL, 15 minutes by default) is refused with 401, however it is signed.",
		},
		"apiKey": {Type: "apiKey", In: "header", Name: "X-API-Key", Description: "An API key for a service account."},
		"oauth2": {
			Type:        "oauth2",
			Description: "The OAuth2 password flow, for the docs page's Authorize button.",
			Flows: &huma.OAuthFlows{Password: &huma.OAuthFlow{
				TokenURL: BasePath + "/auth/token",
				Scopes:   map[string]string{},
			}},
		},
	}
	return cfg
}

// register adds an operation with the error responses every operation of
// its shape can give, so the document never under-promises.
func register[I, O any](api huma.API, op huma.Operation, handler func(context.Context, *I) (*O, error)) {
	in := reflect.TypeFor[I]()
	errs := []int{http.StatusInternalServerError}
	_, body := in.FieldByName("Body")
	_, raw := in.FieldByName("RawBody")
	if body || raw {
		errs = append(errs, http.StatusBadRequest, http.StatusRequestEntityTooLarge,
			http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity)
		if op.MaxBodyBytes == 0 {
			op.MaxBodyBytes = SmallBodyBytes
		}
		op.MaxBodyBytes++ // huma refuses a body of exactly MaxBodyBytes
	} else if hasParams(in) {
		errs = append(errs, http.StatusUnprocessableEntity)
	}
	limited := strings.HasPrefix(op.Path, BasePath+"/")
	if limited {
		// Every API operation reads the database: while it is away, 503.
		errs = append(errs, http.StatusTooManyRequests, http.StatusServiceUnavailable)
	}
	for _, s := range errs {
		if !slices.Contains(op.Errors, s) {
			op.Errors = append(op.Errors, s)
		}
	}
	slices.Sort(op.Errors)
	huma.Register(api, op, handler)
	if body {
		documentBodyErrors(documented(api, op))
	}
	if limited {
		documentLimitHeaders(documented(api, op))
	}
}

// documented is op as the OpenAPI document holds it once registered.
func documented(api huma.API, op huma.Operation) *huma.Operation {
	item := api.OpenAPI().Paths[op.Path]
	return map[string]*huma.Operation{http.MethodGet: item.Get, http.MethodPost: item.Post, http.MethodPut: item.Put,
		http.MethodPatch: item.Patch, http.MethodDelete: item.Delete}[op.Method]
}

// bodyErrors say when an operation that takes JSON answers each error of
// its body (strictJSON, requireJSONType, validation.Line and Text).
var bodyErrors = map[int]string{
	http.StatusBadRequest: "malformed_request: the body is not JSON, is not UTF-8 (or escapes half of a UTF-16 surrogate pair), " +
		"or an object in it names the same key twice.",
	http.StatusUnsupportedMediaType: "unsupported_media_type: the body is not sent as application/json, or is sent without a Content-Type.",
	http.StatusUnprocessableEntity: "validation_failed: a value breaks its rules; errors names each field. Free text (names, titles, " +
		"descriptions, cues, notes) must hold no control character (descriptions and notes may hold line feeds and tabs) and no " +
		"bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069).",
}

// documentBodyErrors puts what they mean in place of huma's bare status
// texts for the errors of a JSON body; a description an operation wrote
// for itself stays.
func documentBodyErrors(op *huma.Operation) {
	for status, doc := range bodyErrors {
		if resp := op.Responses[strconv.Itoa(status)]; resp != nil && resp.Description == http.StatusText(status) {
			resp.Description = doc
		}
	}
}

// documentLimitHeaders declares the headers of limitRequests on an
// operation's responses: RateLimit-* on every one it answers, and
// Retry-After on the 429; and the Retry-After of every 503.
func documentLimitHeaders(op *huma.Operation) {
	integer := func(doc string) *huma.Header {
		return &huma.Header{Description: doc, Schema: &huma.Schema{Type: huma.TypeInteger, Minimum: new(0.0)}}
	}
	for status, resp := range op.Responses {
		if !strings.HasPrefix(status, "2") && status != "429" && status != "503" {
			continue
		}
		if resp.Headers == nil {
			resp.Headers = map[string]*huma.Header{}
		}
		if status == "503" {
			resp.Headers["Retry-After"] = integer("Seconds to wait before trying again: a dependency (the database) is away for a moment.")
			continue
		}
		resp.Headers["RateLimit-Limit"] = integer("Requests allowed in the window of the strictest limit that applies.")
		resp.Headers["RateLimit-Remaining"] = integer("Requests left in that window.")
		resp.Headers["RateLimit-Reset"] = integer("Seconds until the window resets.")
		if status == "429" {
			resp.Headers["Retry-After"] = integer("Seconds to wait before trying again: the same as RateLimit-Reset.")
		}
	}
}

// documentDeviceCookie declares the device cookie a sign-in sets.
func documentDeviceCookie(op *huma.Operation) {
	for status, resp := range op.Responses {
		if strings.HasPrefix(status, "2") {
			resp.Headers["Set-Cookie"] = &huma.Header{Schema: &huma.Schema{Type: huma.TypeString},
				Description: "On a sign-in from a browser the account does not know yet: `" + deviceCookieName + "`, HttpOnly, Secure, SameSite=Strict, " +
					"for a year, on " + BasePath + "/auth. Sent back with later logins, it marks a known device: its failed logins are counted on their own, " +
					"so guesses from other addresses, which stop at the account's ceiling, cannot lock it out."}
		}
	}
}

func hasParams(t reflect.Type) bool {
	for f := range t.Fields() {
		for _, tag := range []string{"path", "query", "header"} {
			if _, ok := f.Tag.Lookup(tag); ok {
				return true
			}
		}
	}
	return false
}

// allowedMethods lists the methods the router serves at path, for a 405's
// Allow header; HEAD comes with GET (middleware.GetHead).
func allowedMethods(r chi.Routes, path string) []string {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if r.Match(chi.NewRouteContext(), m, path) {
			allowed = append(allowed, m)
			if m == http.MethodGet {
				allowed = append(allowed, http.MethodHead)
			}
		}
	}
	return allowed
}

package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/rs/cors"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/yogaflow/yogaflow/internal/platform/metrics"
)

// requestInfo is what the middleware learns about a request as it is
// served, for its one log line.
type requestInfo struct {
	id     string
	userID string
	err    error
	// The statements run for the request and their total time, so that
	// an N+1 shows in its log line.
	queries    atomic.Int64
	queryNanos atomic.Int64
}

// NoteQuery adds a statement that took d to the request being served.
func NoteQuery(ctx context.Context, d time.Duration) {
	if info := infoFrom(ctx); info != nil {
		info.queries.Add(1)
		info.queryNanos.Add(int64(d))
	}
}

type requestInfoKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return info
}

// RequestID returns the ID of the request being served, or "".
func RequestID(ctx context.Context) string {
	if info := infoFrom(ctx); info != nil {
		return info.id
	}
	return ""
}

// noteError records an unexpected error for the request's log line.
func noteError(ctx context.Context, err error) {
	if info := infoFrom(ctx); info != nil && err != nil {
		info.err = errors.Join(info.err, err)
	}
}

const maxRequestIDLen = 128

// saneRequestID accepts an incoming ID that is short and made of characters
// that cannot break a log line or a header.
func saneRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// statusWriter records what was written, for the log line and metrics, and
// adds the header every 401 (a challenge) and 503 (Retry-After) must carry,
// wherever they were produced.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
		if status == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
			w.Header().Set("WWW-Authenticate", "Bearer")
		}
		if status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
			w.Header().Set("Retry-After", "1")
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe is the outermost middleware: it gives the request its ID, recovers
// a panic into a 500 problem, and when the response is done writes the one
// log line and the metrics of the request, names its span after the route,
// and tells errors the tracker (nil: none) must hear about.
func observe(logger *slog.Logger, m *metrics.Metrics, tracker *errorTracker) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			id := r.Header.Get("X-Request-ID")
			if !saneRequestID(id) {
				id = uuid.Must(uuid.NewV7()).String()
			}
			w.Header().Set("X-Request-ID", id)
			info := &requestInfo{id: id}
			r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info))
			r, tx := tracker.start(r)
			sw := &statusWriter{ResponseWriter: w}

			m.HTTPInFlight.Inc()
			defer func() {
				m.HTTPInFlight.Dec()
				recovered := recover()
				if recovered != nil {
					if recovered == http.ErrAbortHandler {
						panic(recovered)
					}
					info.err = errors.Join(info.err, fmt.Errorf("panic: %v\n%s", recovered, debug.Stack()))
					if sw.status == 0 {
						writeProblem(sw, newProblem(http.StatusInternalServerError, "", internalDetail))
					}
				}
				if sw.status == 0 {
					sw.status = http.StatusOK
				}
				route, method := routePattern(r), methodName(r.Method)
				elapsed := time.Since(start)
				status := strconv.Itoa(sw.status)
				m.HTTPRequests.WithLabelValues(method, route, status).Inc()
				m.HTTPDuration.WithLabelValues(method, route, status).Observe(elapsed.Seconds())
				m.HTTPResponseSize.WithLabelValues(route).Observe(float64(sw.bytes))

				level := slog.LevelInfo
				attrs := []slog.Attr{
					slog.String("method", method),
					slog.String("route", route),
					slog.Int("status", sw.status),
					slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
					slog.Int("bytes", sw.bytes),
					slog.String("request_id", id),
					slog.Int64("queries", info.queries.Load()),
					slog.Float64("query_ms", float64(info.queryNanos.Load()/1000)/1000),
				}
				if info.userID != "" {
					attrs = append(attrs, slog.String("user_id", info.userID))
				}
				if span := trace.SpanFromContext(r.Context()); span.IsRecording() {
					// The server span began before routing, without a route.
					span.SetName(method + " " + route)
					span.SetAttributes(semconv.HTTPRoute(route))
					attrs = append(attrs, slog.String("trace_id", span.SpanContext().TraceID().String()))
				}
				if info.err != nil {
					level = slog.LevelError
					attrs = append(attrs, slog.String("error", info.err.Error()))
				}
				logger.LogAttrs(r.Context(), level, "request", attrs...)
				tracker.finish(r, tx, route, sw.status, info, recovered)
			}()
			next.ServeHTTP(sw, r)
		})
	}
}

// methodName is the request's method as metrics, spans and error reports
// name it: the server accepts any token as a method, and each made-up one
// would otherwise be a new time series.
func methodName(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
		http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "_OTHER"
}

// routePattern is the chi pattern that served r ("/api/v1/poses/{pose}"),
// never the raw path: it keeps IDs out of metric labels.
func routePattern(r *http.Request) string {
	if rctx := chi.RouteContext(r.Context()); rctx != nil {
		if p := rctx.RoutePattern(); p != "" {
			return p
		}
	}
	return "unmatched"
}

// securityHeaders sets the headers API.md requires on every response.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		next.ServeHTTP(w, r)
	})
}

// corsPolicy echoes only the configured origins. With none configured it
// adds nothing at all: no cross-origin access. A wildcard (refused in
// production by config) never comes with credentials.
func corsPolicy(origins []string) func(http.Handler) http.Handler {
	if len(origins) == 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	wildcard := false
	for _, o := range origins {
		wildcard = wildcard || o == "*"
	}
	return cors.New(cors.Options{
		AllowedOrigins:   origins,
		AllowCredentials: !wildcard,
		AllowedMethods:   []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete},
		AllowedHeaders:   []string{"Authorization", "Content-Type", "X-API-Key", "X-Request-ID", "Idempotency-Key", "If-None-Match"},
		ExposedHeaders:   []string{"X-Request-ID", "ETag", "Location", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"},
		MaxAge:           600,
	}).Handler
}

// limitBody refuses a declared body over limit at once, and caps one whose
// length is not declared. The cap is one byte over the limit so the JSON
// decoder, reading at most limit+1 bytes, is the one that reports it.
func limitBody(limit int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > limit {
				writeProblem(w, newProblem(http.StatusRequestEntityTooLarge, "",
					fmt.Sprintf("The request body is larger than %d bytes.", limit)))
				return
			}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(w, r.Body, limit+1)
			}
			next.ServeHTTP(w, r)
		})
	}
}

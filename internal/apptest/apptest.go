// Package apptest builds the whole service (real router, real store) on a
// fresh database for a test, and drives it with HTTP requests and
// table-driven scenarios.
package apptest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/app"
	"github.com/yogaflow/yogaflow/internal/config"
	"github.com/yogaflow/yogaflow/internal/platform/cache"
	"github.com/yogaflow/yogaflow/internal/platform/logging"
	"github.com/yogaflow/yogaflow/internal/platform/testdb"
)

// App is the service under test.
type App struct {
	*app.App
	// Clock is the service's clock; tests move it forward.
	Clock *Clock
	// Logs holds everything the service logged, for tests that check it
	// (benchmarks keep nothing).
	Logs *Buffer
}

// Run runs fn as a subtest per engine, each with a service of its own.
func Run(t *testing.T, fn func(t *testing.T, a *App), env ...string) {
	t.Helper()
	testdb.Run(t, func(t *testing.T, e testdb.Engine) { fn(t, New(t, e, env...)) })
}

// New builds the service on database e. env holds extra YOGAFLOW_*
// variables as "NAME=value" pairs; tests hash at the lowest bcrypt cost.
func New(tb testing.TB, e testdb.Engine, env ...string) *App {
	tb.Helper()
	return NewWith(tb, e, nil, env...)
}

// NewWith is New with options for app.New.
func NewWith(tb testing.TB, e testdb.Engine, opts []app.Option, env ...string) *App {
	tb.Helper()
	environ := map[string]string{
		"YOGAFLOW_DATABASE_URL": e.URL,
		"YOGAFLOW_JWT_SECRET":   "test-secret-test-secret-test-secret!",
		"YOGAFLOW_BCRYPT_COST":  "4",
		"YOGAFLOW_LOG_LEVEL":    "debug",
		// Tests share one Redis: each service keeps to keys of its own,
		// unless a test names a prefix for instances that share them.
		"YOGAFLOW_REDIS_PREFIX": "yogaflow-test:" + rand.Text() + ":",
		// Tests send many requests from one address; those of the limits
		// set their own.
		"YOGAFLOW_RATE_LIMIT_AUTH":            "100000/1m",
		"YOGAFLOW_RATE_LIMIT_ACCOUNT":         "100000/1m",
		"YOGAFLOW_RATE_LIMIT_ACCOUNT_CEILING": "100000/1m",
		"YOGAFLOW_RATE_LIMIT_RESET":           "100000/1m",
		"YOGAFLOW_RATE_LIMIT_PUBLIC":          "100000/1m",
		"YOGAFLOW_RATE_LIMIT_USER":            "100000/1m",
	}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		environ[k] = v
	}
	cfg, err := config.Load(environ)
	if err != nil {
		tb.Fatalf("apptest: %v", err)
	}
	logs := &Buffer{}
	var w io.Writer = logs
	if _, ok := tb.(*testing.B); ok {
		w = io.Discard // a benchmark pays for encoding log lines, not for keeping them
	}
	clock := &Clock{now: time.Now().UTC()}
	a, err := app.New(tb.Context(), cfg, logging.New(w, "json", slog.LevelDebug), clock.Now, opts...)
	if err != nil {
		tb.Fatalf("apptest: %v", err)
	}
	tb.Cleanup(func() {
		_ = a.Close()
		dropRedisKeys(tb, cfg)
	})
	// The workers outlive the test's context: Close stops them.
	if err := a.Start(context.Background()); err != nil {
		tb.Fatalf("apptest: starting workers: %v", err)
	}
	return &App{App: a, Clock: clock, Logs: logs}
}

// dropRedisKeys removes what the service kept in Redis under its prefix.
func dropRedisKeys(tb testing.TB, cfg config.Config) {
	if cfg.RedisURL == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	client, err := cache.OpenRedis(ctx, cfg.RedisURL)
	if err != nil {
		// A Redis the test took away (or never had) holds nothing to clean.
		tb.Logf("apptest: not cleaning Redis: %v", err)
		return
	}
	defer client.Close()
	iter := client.Scan(ctx, 0, cfg.RedisPrefix+"*", 100).Iterator()
	for iter.Next(ctx) {
		client.Del(ctx, iter.Val())
	}
}

// Response is a served response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do serves one request through the real handler. body is sent as is when
// it is a string or []byte, and as JSON otherwise; headers are name, value
// pairs.
func (a *App) Do(tb testing.TB, method, path string, body any, headers ...string) *Response {
	tb.Helper()
	return a.DoFrom(tb, "192.0.2.1:1234", method, path, body, headers...)
}

// DoFrom is Do from the peer at remoteAddr ("host:port").
func (a *App) DoFrom(tb testing.TB, remoteAddr, method, path string, body any, headers ...string) *Response {
	tb.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			tb.Fatalf("apptest: encoding body: %v", err)
		}
		r = bytes.NewReader(buf)
	}
	req := httptest.NewRequestWithContext(tb.Context(), method, path, r)
	req.RemoteAddr = remoteAddr
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if len(headers)%2 != 0 {
		tb.Fatalf("apptest: headers must come in name, value pairs")
	}
	for i := 0; i < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	a.Handler.ServeHTTP(rec, req)
	return &Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// JSON decodes the body as JSON, failing the test if it is not.
func (r *Response) JSON(tb testing.TB) any {
	tb.Helper()
	var v any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		tb.Fatalf("response body is not JSON (%v): %s", err, r.Body)
	}
	return v
}

// Column returns one string field of every item of a list response
// ({"items": [...]}), failing the test unless the response is a 200.
func (r *Response) Column(tb testing.TB, field string) []string {
	tb.Helper()
	if r.Status != http.StatusOK {
		tb.Fatalf("status %d, want 200: %s", r.Status, r.Body)
	}
	items, ok := Field(r.JSON(tb), "items")
	list, isList := items.([]any)
	if !ok || !isList {
		tb.Fatalf("no items in %s", r.Body)
	}
	out := make([]string, 0, len(list))
	for _, it := range list {
		v, _ := it.(map[string]any)[field].(string)
		out = append(out, v)
	}
	return out
}

// Field returns the value at a dotted path ("errors.0.field") of a JSON
// document, and whether it is there.
func Field(doc any, path string) (any, bool) {
	cur := doc
	for _, part := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[part]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// Scenario is one request and what its response must be.
type Scenario struct {
	Name    string
	Method  string
	Path    string
	Headers []string // name, value pairs
	Body    any      // as for Do
	Status  int
	// ContentType, when set, must prefix the response's Content-Type.
	ContentType string
	// JSON maps dotted paths of the response body to their expected values
	// (compared after a JSON round trip, so numbers are float64).
	JSON map[string]any
	// Header maps response header names to expected values.
	Header map[string]string
}

// RunScenarios runs each scenario as a subtest.
func (a *App) RunScenarios(t *testing.T, scenarios []Scenario) {
	t.Helper()
	for _, s := range scenarios {
		t.Run(s.Name, func(t *testing.T) {
			t.Helper()
			res := a.Do(t, s.Method, s.Path, s.Body, s.Headers...)
			res.Check(t, s)
		})
	}
}

// Check asserts the parts of s that concern the response.
func (r *Response) Check(tb testing.TB, s Scenario) {
	tb.Helper()
	if r.Status != s.Status {
		tb.Errorf("status %d, want %d; body: %s", r.Status, s.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); s.ContentType != "" && !strings.HasPrefix(ct, s.ContentType) {
		tb.Errorf("Content-Type %q, want %q", ct, s.ContentType)
	}
	for name, want := range s.Header {
		if got := r.Header.Get(name); got != want {
			tb.Errorf("header %s = %q, want %q", name, got, want)
		}
	}
	if len(s.JSON) == 0 {
		return
	}
	doc := r.JSON(tb)
	for path, want := range s.JSON {
		got, ok := Field(doc, path)
		if !ok {
			tb.Errorf("%s: missing from %s", path, r.Body)
			continue
		}
		if !jsonEqual(got, want) {
			tb.Errorf("%s = %#v, want %#v", path, got, want)
		}
	}
}

// jsonEqual compares as JSON, so 422 matches the decoded float64 422.
func jsonEqual(got, want any) bool {
	gb, err1 := json.Marshal(got)
	wb, err2 := json.Marshal(want)
	return err1 == nil && err2 == nil && bytes.Equal(gb, wb)
}

// Clock is a fake clock that only moves when told to.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Buffer is a bytes.Buffer safe for the concurrent writes of a logger.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/app"
	"github.com/yogaflow/yogaflow/internal/apptest"
	"github.com/yogaflow/yogaflow/internal/config"
	"github.com/yogaflow/yogaflow/internal/platform/testdb"
)

// TestGracefulShutdown: when serving stops, a request in flight finishes,
// new connections are refused, and the database closes last.
func TestGracefulShutdown(t *testing.T) {
	a := apptest.New(t, testdb.New(t, "sqlite"))
	entered := make(chan struct{})
	release := make(chan struct{})
	real := a.Handler
	a.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(entered)
			<-release
			// The database is still open while requests finish.
			if err := a.DB.Ping(r.Context()); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		real.ServeHTTP(w, r)
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ctx, stop := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()

	slow := make(chan *http.Response, 1)
	go func() {
		res, err := http.Get("http://" + addr + "/slow")
		if err != nil {
			t.Errorf("in-flight request failed: %v", err)
			close(slow)
			return
		}
		slow <- res
	}()
	<-entered
	stop()

	// New connections are refused once shutdown has begun.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err != nil {
			break
		}
		_ = c.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections after shutdown began")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-served:
		t.Fatalf("Serve returned (%v) while a request was in flight", err)
	default:
	}

	close(release)
	res := <-slow
	if res == nil {
		t.FailNow()
	}
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if res.StatusCode != http.StatusNotFound || len(body) == 0 {
		// /slow is not a route: reaching the real handler's 404 proves the
		// request ran to its end through the full chain.
		t.Fatalf("in-flight request: %d %s", res.StatusCode, body)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if err := a.DB.Ping(t.Context()); err == nil {
		t.Fatal("the database is still open after Serve returned")
	}
}

// TestSlowHeadersAreCutOff: a client that opens a connection and trickles
// its headers (slow loris) is disconnected once ReadHeaderTimeout passes,
// and other clients are served meanwhile.
func TestSlowHeadersAreCutOff(t *testing.T) {
	// A second proves the same as the default five.
	a := apptest.New(t, testdb.New(t, "sqlite"), "YOGAFLOW_READ_HEADER_TIMEOUT=1s")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	go func() { _ = a.Serve(ctx, ln) }()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := conn.Write([]byte("GET /health HTTP/1.1\r\nHost: yogaflow\r\nX-Slow: ")); err != nil {
		t.Fatal(err)
	}
	res, err := http.Get("http://" + ln.Addr().String() + "/health")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("another client while one trickles: %v %v", res, err)
	}
	_ = res.Body.Close()

	limit := a.Server().ReadHeaderTimeout
	if limit != time.Second {
		t.Fatalf("ReadHeaderTimeout = %v, want the configured 1s", limit)
	}
	_ = conn.SetReadDeadline(time.Now().Add(limit + 5*time.Second))
	_, err = io.ReadAll(conn) // the server answers 408 or just closes
	elapsed := time.Since(start)
	// The server starts its clock at accept, a moment before ours.
	if err != nil || elapsed < limit-250*time.Millisecond || elapsed > limit+4*time.Second {
		t.Fatalf("the trickling connection ended after %v (%v), want about %v", elapsed, err, limit)
	}
}

// TestStartUpFailuresAreErrors: a database that is not there at start is
// an error that says which, with what was opened closed again, never a
// panic. (Each failure's line and exit status: cmd/yogaflow.)
func TestStartUpFailuresAreErrors(t *testing.T) {
	port := testdb.FreePort(t)
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"PostgreSQL down": {map[string]string{"YOGAFLOW_DATABASE_URL": fmt.Sprintf("postgres://postgres@127.0.0.1:%d/test?sslmode=disable&connect_timeout=2", port)}, "127.0.0.1"},
	} {
		t.Run(name, func(t *testing.T) {
			environ := map[string]string{
				"YOGAFLOW_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "yogaflow.db"),
				"YOGAFLOW_JWT_SECRET":   "test-secret-test-secret-test-secret!",
			}
			maps.Copy(environ, tc.env)
			cfg, err := config.Load(environ)
			if err != nil {
				t.Fatal(err)
			}
			a, err := app.New(t.Context(), cfg, slog.New(slog.DiscardHandler), time.Now)
			if err == nil {
				_ = a.Close()
				t.Fatal("the service started without its dependency")
			}
			if a != nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New = %v, %q; want no service and an error naming %s", a, err, tc.want)
			}
		})
	}
}

// TestStartsDegradedWithoutRedis: Redis not answering at start is Redis
// gone later: the service starts and serves, the log says why it has less,
// and /health/ready names the cache and the limits' store as degraded.
func TestStartsDegradedWithoutRedis(t *testing.T) {
	port := testdb.FreePort(t)
	a := apptest.New(t, testdb.New(t, "sqlite"), fmt.Sprintf("YOGAFLOW_REDIS_URL=redis://127.0.0.1:%d/0", port))
	if !strings.Contains(a.Logs.String(), "Redis is not answering at start") {
		t.Errorf("the log does not say Redis is away:\n%s", a.Logs.String())
	}
	a.Do(t, "GET", "/api/v1/poses", nil).Check(t, apptest.Scenario{Status: http.StatusOK})
	a.Do(t, "GET", "/health/ready", nil).Check(t, apptest.Scenario{Status: http.StatusOK, JSON: map[string]any{
		"status": "degraded", "checks.database.status": "ok", "checks.cache.status": "degraded", "checks.ratelimit.status": "degraded"}})
}

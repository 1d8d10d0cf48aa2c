package main

import (
	"bytes"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/yogaflow/yogaflow/internal/apptest"
	"github.com/yogaflow/yogaflow/internal/platform/testdb"
	"github.com/yogaflow/yogaflow/internal/store"
)

const password = "Load-test-Passw0rd"

// TestScenarios runs each scenario briefly against the whole service on
// SQLite (whose limits apptest raises) and checks that every endpoint of
// the scenario was counted, with no error; and that an attack at a rate
// the service cannot keep up with still ends when it was told to.
func TestScenarios(t *testing.T) {
	a := apptest.New(t, testdb.New(t, "sqlite"))
	ctx := t.Context()
	if _, _, err := a.Library.Seed(ctx, false); err != nil {
		t.Fatal(err)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	w := store.Workload{Users: 4, Sessions: 20, EmailPrefix: "load", PasswordHash: string(hash), Now: a.Clock.Now(), Seed: 1}
	if _, err := a.DB.Generate(ctx, w, nil); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)

	browse := []string{"GET /api/v1/poses", "GET /api/v1/poses/{pose}", "GET /api/v1/sequences", "GET /api/v1/sequences/{sequence}"}
	practice := []string{"POST /api/v1/auth/login", "GET /api/v1/sessions/current", "POST /api/v1/sessions",
		"POST /api/v1/sessions/{id}/progress", "POST /api/v1/sessions/{id}/pause", "POST /api/v1/sessions/{id}/resume",
		"POST /api/v1/sessions/{id}/complete", "GET /api/v1/history", "GET /api/v1/history/stats"}
	signIn := []string{"POST /api/v1/auth/login", "POST /api/v1/auth/login (wrong password)"}
	for _, tc := range []struct {
		scenario string
		load     []string
		routes   []string
	}{
		{"browse", []string{"-rate", "40"}, browse},
		// Practice twice: the second run's practitioners complete the
		// sessions the first one left open when it stopped. A practice is
		// nine calls in turn: on a loaded CI machine 600 ms may not see
		// one through, so these run longer.
		{"practice", []string{"-workers", "4", "-duration", "2s"}, practice},
		{"practice", []string{"-rate", "200", "-duration", "2s"}, practice},
		{"signin", []string{"-rate", "40"}, signIn},
		{"mixed", []string{"-rate", "100"}, append(browse, "POST /api/v1/auth/login")},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			args := append([]string{"-url", srv.URL, "-scenario", tc.scenario, "-duration", "600ms", "-users", "4",
				"-password-stdin"}, tc.load...)
			var out bytes.Buffer
			rep, err := run(ctx, args, noEnv, strings.NewReader(password+"\n"), &out, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			t.Log("\n" + out.String())
			for _, route := range tc.routes {
				if rep.figures(route).requests() == 0 {
					t.Errorf("no request to %s", route)
				}
			}
			if n := rep.figures("").errorCount(); n != 0 {
				t.Errorf("%d errors", n)
			}
			for _, want := range append([]string{"total", "p99"}, tc.routes...) {
				if !strings.Contains(out.String(), want) {
					t.Errorf("the report does not name %q", want)
				}
			}
		})
	}

	t.Run("stops at the duration", func(t *testing.T) {
		start := time.Now()
		rep, err := run(ctx, []string{"-url", srv.URL, "-workers", "8", "-duration", "500ms"}, noEnv, nil, io.Discard, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took > 2500*time.Millisecond {
			t.Errorf("a 500ms attack took %v", took)
		}
		if rep.figures("").requests() == 0 {
			t.Error("no request was sent")
		}
	})
}

// TestRefuses: no traffic without a URL, nor with settings that make no
// sense; a password never comes from a flag.
func TestRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no url", []string{"-scenario", "browse"}, nil, "-url is required"},
		{"not http", []string{"-url", "ftp://example.test"}, nil, "want http(s)"},
		{"unknown scenario", []string{"-url", "http://127.0.0.1:1", "-scenario", "dance"}, nil, "want one of"},
		{"rate and workers", []string{"-url", "http://127.0.0.1:1", "-rate", "5", "-workers", "5"}, nil, "not both"},
		{"no password", []string{"-url", "http://127.0.0.1:1", "-scenario", "signin"}, nil, "YOGAFLOW_LOAD_PASSWORD"},
		{"more workers than users", []string{"-url", "http://127.0.0.1:1", "-scenario", "practice", "-workers", "5", "-users", "4"},
			map[string]string{passwordEnv: password}, "needs as many -users"},
		{"password flag", []string{"-url", "http://127.0.0.1:1", "-password", password}, nil, "not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			getenv := func(k string) string { return tc.env[k] }
			_, err := run(t.Context(), tc.args, getenv, strings.NewReader(""), io.Discard, &stderr)
			if !errors.Is(err, errUsage) {
				t.Fatalf("err = %v, want a usage error", err)
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr does not say %q:\n%s", tc.want, stderr.String())
			}
		})
	}
}

func noEnv(string) string { return "" }

// figures returns route's endpoint ("" for the total), empty when no
// request went there.
func (r *report) figures(route string) *endpoint {
	if route == "" {
		return &r.total
	}
	if ep := r.endpoints[route]; ep != nil {
		return ep
	}
	return &endpoint{}
}

func (e *endpoint) requests() uint64 { return e.metrics.Requests }

package main

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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

	// A storm: the reads alone, then beside sign-ins; both phases are
	// reported, the idle one with no sign-in, and the ratio of their p99s.
	t.Run("storm", func(t *testing.T) {
		args := []string{"-url", srv.URL, "-scenario", "storm", "-workers", "4", "-logins", "2", "-duration", "1s", "-users", "4",
			"-password-stdin"}
		var out bytes.Buffer
		rep, err := run(ctx, args, noEnv, strings.NewReader(password+"\n"), &out, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		t.Log("\n" + out.String())
		if rep.phase != "storm" || rep.baseline == nil || rep.baseline.phase != "idle" {
			t.Fatalf("phase %q, baseline %v: want the storm phase's report after the idle one", rep.phase, rep.baseline)
		}
		idle := rep.baseline
		if idle.figures(poseListRoute).requests() == 0 || rep.figures(poseListRoute).requests() == 0 {
			t.Errorf("reads: %d idle, %d in the storm; want some in both", idle.figures(poseListRoute).requests(),
				rep.figures(poseListRoute).requests())
		}
		if n := idle.figures(loginRoute).requests(); n != 0 {
			t.Errorf("%d sign-ins in the idle phase", n)
		}
		if rep.figures(loginRoute).requests() == 0 {
			t.Error("no sign-in in the storm phase")
		}
		if len(rep.endpoints) != 2 || len(idle.endpoints) != 1 {
			t.Errorf("endpoints: %v idle, %v in the storm; want only the pose list and the login", slices.Collect(maps.Keys(idle.endpoints)),
				slices.Collect(maps.Keys(rep.endpoints)))
		}
		if n := idle.figures("").errorCount() + rep.figures("").errorCount(); n != 0 {
			t.Errorf("%d errors", n)
		}
		for _, want := range []string{"scenario storm, idle phase,", "scenario storm, storm phase,", "4 workers + 2 signing in for 500ms",
			"sign-ins: ", "shed (503, hashing waited too long): 0 of", "\nstorm read p99 / idle read p99: "} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("the report does not say %q", want)
			}
		}
	})

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
		{"storm without password", []string{"-url", "http://127.0.0.1:1", "-scenario", "storm"}, nil, "YOGAFLOW_LOAD_PASSWORD"},
		{"no logins", []string{"-url", "http://127.0.0.1:1", "-scenario", "storm", "-logins", "0"},
			map[string]string{passwordEnv: password}, "-logins must be 1 or more"},
		{"logins not a number", []string{"-url", "http://127.0.0.1:1", "-scenario", "storm", "-logins", "many"}, nil, "invalid value"},
		{"logins without storm", []string{"-url", "http://127.0.0.1:1", "-scenario", "browse", "-logins", "4"}, nil,
			"-logins is for -scenario storm"},
		{"storm too short", []string{"-url", "http://127.0.0.1:1", "-scenario", "storm", "-duration", "1ns"},
			map[string]string{passwordEnv: password}, "too short to halve"},
		{"runs without startup", []string{"-runs", "3"}, nil, "-runs is for -startup"},
		{"no runs", []string{"-startup", os.Args[0], "-runs", "0"}, nil, "-runs must be 1 or more"},
		{"runs not a number", []string{"-startup", os.Args[0], "-runs", "ten"}, nil, "invalid value"},
		{"startup and url", []string{"-startup", os.Args[0], "-url", "http://127.0.0.1:1"}, nil, "-url makes no sense"},
		{"startup and scenario", []string{"-startup", os.Args[0], "-scenario", "storm"}, nil, "-scenario makes no sense"},
		{"startup no binary", []string{"-startup", filepath.Join(t.TempDir(), "yogaflow")}, nil, "no such file"},
		{"startup no timeout", []string{"-startup", os.Args[0], "-timeout", "0s"}, nil, "-timeout must be positive"},
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

// TestStartUp times the real yogaflow binary, built here, once; and fails
// clearly when the binary exits before it is ready, or is not ready in
// time.
func TestStartUp(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to build yogaflow with")
	}
	bin := filepath.Join(t.TempDir(), "yogaflow")
	build := exec.Command(goTool, "build", "-o", bin, "github.com/yogaflow/yogaflow/cmd/yogaflow") // #nosec G204 -- the go tool
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	t.Run("times", func(t *testing.T) {
		var out bytes.Buffer
		if _, err := run(t.Context(), []string{"-startup", bin, "-runs", "1"}, noEnv, nil, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		t.Log("\n" + out.String())
		for _, want := range []string{"start-up of " + bin + ", 1 run:", "database  min", "median", "max", "\nfresh ", "\nexisting "} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("the report does not say %q", want)
			}
		}
	})

	t.Run("exits early", func(t *testing.T) {
		t.Setenv("YOGAFLOW_BCRYPT_COST", "twelve") // inherited: the configuration is refused
		_, err := timeStartUp(t.Context(), options{startup: bin, runs: 1, timeout: 30 * time.Second})
		if err == nil || !strings.Contains(err.Error(), "exited before it was ready") || !strings.Contains(err.Error(), "YOGAFLOW_BCRYPT_COST") {
			t.Errorf("err = %v; want it to say the binary exited, with its last stderr line", err)
		}
		t.Log(err)
	})

	t.Run("never ready", func(t *testing.T) {
		sleeper := filepath.Join(t.TempDir(), "sleeper")
		if err := os.WriteFile(sleeper, []byte("#!/bin/sh\necho listening nowhere >&2\nexec sleep 30\n"), 0o700); err != nil { // #nosec G306 -- a script this test runs
			t.Fatal(err)
		}
		start := time.Now()
		_, err := timeStartUp(t.Context(), options{startup: sleeper, runs: 1, timeout: 300 * time.Millisecond})
		if err == nil || !strings.Contains(err.Error(), "did not answer 200 within 300ms") || !strings.Contains(err.Error(), "listening nowhere") {
			t.Errorf("err = %v; want it to say it was not ready in time, with its stderr", err)
		}
		t.Log(err)
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("a 300ms timeout took %v", took)
		}
	})
}

func noEnv(string) string { return "" }

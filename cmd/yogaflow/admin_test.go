package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/app"
	"github.com/yogaflow/yogaflow/internal/config"
	"github.com/yogaflow/yogaflow/internal/platform/testdb"
	"github.com/yogaflow/yogaflow/internal/seeddata"
)

func TestUserAndAPIKeyCommands(t *testing.T) {
	testdb.Run(t, func(t *testing.T, e testdb.Engine) {
		env := map[string]string{"YOGAFLOW_DATABASE_URL": e.URL, "YOGAFLOW_BCRYPT_COST": "4",
			"YOGAFLOW_JWT_SECRET": strings.Repeat("s", 32)}
		cmd := func(stdin string, args ...string) (string, error) {
			var stdout bytes.Buffer
			err := run(t.Context(), args, env, strings.NewReader(stdin), &stdout, &bytes.Buffer{})
			return stdout.String(), err
		}

		out, err := cmd("Tadasana-Sunrise-42\n", "user", "create", "--email", "Root@Example.com", "--role", "admin", "--role", "user", "--password-stdin")
		if err != nil || !strings.Contains(out, "root@example.com") || !strings.Contains(out, "admin") {
			t.Fatalf("user create: %v\n%s", err, out)
		}
		if _, err := cmd("Tadasana-Sunrise-42\n", "user", "create", "--email", "root@example.com", "--password-stdin"); err == nil {
			t.Error("a second account with the same email was made")
		}
		if _, err := cmd("password\n", "user", "create", "--email", "weak@example.com", "--password-stdin"); err == nil {
			t.Error("a weak password was accepted")
		}
		if _, err := cmd("", "user", "create", "--email", "x@example.com"); err == nil || !strings.Contains(err.Error(), "--password-stdin") {
			t.Errorf("without --password-stdin: %v", err)
		}

		out, err = cmd("", "apikey", "create", "--name", "ci", "--scope", "content:write", "--scope", "users:manage")
		if err != nil {
			t.Fatalf("apikey create: %v", err)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) < 2 || !strings.HasPrefix(lines[1], "yf_") {
			t.Fatalf("apikey create printed no key:\n%s", out)
		}
		if _, err := cmd("", "apikey", "create", "--name", "bad", "--scope", "root"); err == nil {
			t.Error("an unknown scope was accepted")
		}
		if _, err := cmd("", "apikey", "list"); !errors.Is(err, errUsage) {
			t.Errorf("apikey list: %v, want the usage", err)
		}
	})
}

func TestSeedCommand(t *testing.T) {
	testdb.Run(t, func(t *testing.T, e testdb.Engine) {
		env := map[string]string{"YOGAFLOW_DATABASE_URL": e.URL, "YOGAFLOW_JWT_SECRET": strings.Repeat("s", 32)}
		seed := func(args ...string) string {
			var stdout bytes.Buffer
			if err := run(t.Context(), append([]string{"seed"}, args...), env, strings.NewReader(""), &stdout, &bytes.Buffer{}); err != nil {
				t.Fatalf("seed %v: %v", args, err)
			}
			return stdout.String()
		}
		poses, _ := seeddata.Poses()
		sequences, _ := seeddata.Sequences()
		first := seed()
		if !strings.Contains(first, fmt.Sprintf("poses: %d added, 0 updated", len(poses))) ||
			!strings.Contains(first, fmt.Sprintf("sequences: %d added", len(sequences))) {
			t.Fatalf("first seed:\n%s", first)
		}
		again := seed()
		if !strings.Contains(again, fmt.Sprintf("poses: 0 added, 0 updated, %d unchanged", len(poses))) ||
			!strings.Contains(again, fmt.Sprintf("sequences: 0 added, 0 updated, %d unchanged", len(sequences))) {
			t.Fatalf("second seed is not a no-op:\n%s", again)
		}
	})
}

func TestGenerateCommand(t *testing.T) {
	testdb.Run(t, func(t *testing.T, e testdb.Engine) {
		environ := map[string]string{"YOGAFLOW_DATABASE_URL": e.URL, "YOGAFLOW_BCRYPT_COST": "4",
			"YOGAFLOW_JWT_SECRET": strings.Repeat("s", 32), "YOGAFLOW_LOG_LEVEL": "warn"}
		var stdout bytes.Buffer
		err := run(t.Context(), []string{"generate", "--users", "3", "--sessions", "31", "--sequences", "2", "--email-prefix", "cap", "--password-stdin"},
			environ, strings.NewReader("Tadasana-Sunrise-42\n"), &stdout, &bytes.Buffer{})
		if err != nil || !strings.Contains(stdout.String(), "generated 3 users, 31 sessions and 6 sequences") {
			t.Fatalf("generate: %v\n%s", err, stdout.String())
		}
		if err := run(t.Context(), []string{"generate", "--users", "0"}, environ, strings.NewReader(""), &stdout, &bytes.Buffer{}); err == nil {
			t.Error("generate --users 0 succeeded")
		}

		// The generated users sign in with the password and see their history.
		cfg, err := config.Load(environ)
		if err != nil {
			t.Fatal(err)
		}
		a, err := app.New(t.Context(), cfg, slog.New(slog.DiscardHandler), time.Now)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		do := func(method, path, body, token string) map[string]any {
			req := httptest.NewRequest(method, path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			rec := httptest.NewRecorder()
			a.Handler.ServeHTTP(rec, req)
			var doc map[string]any
			if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &doc) != nil {
				t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
			}
			return doc
		}
		login := do(http.MethodPost, "/api/v1/auth/login", `{"email": "cap-000002@example.test", "password": "Tadasana-Sunrise-42"}`, "")
		token, _ := login["access_token"].(string)
		stats := do(http.MethodGet, "/api/v1/history/stats", "", token)
		if stats["total_sessions"] != float64(10) || stats["current_streak_days"].(float64) < 1 {
			t.Errorf("the second user's stats: %v", stats)
		}
		mine, _ := do(http.MethodGet, "/api/v1/sequences?mine=true", "", token)["items"].([]any)
		if len(mine) != 2 {
			t.Fatalf("the second user has %d sequences of their own, want 2", len(mine))
		}
		// Eight minute-long steps, held on each side where the pose is
		// two-sided: the total follows the library's rule.
		for _, s := range mine {
			seq := do(http.MethodGet, "/api/v1/sequences/"+s.(map[string]any)["id"].(string), "", token)
			want := 0.0
			for _, st := range seq["steps"].([]any) {
				want += 60
				if st.(map[string]any)["pose"].(map[string]any)["two_sided"] == true {
					want += 60
				}
			}
			if seq["total_duration_seconds"] != want {
				t.Errorf("a generated sequence lasts %v, its steps %v", seq["total_duration_seconds"], want)
			}
		}
	})
}

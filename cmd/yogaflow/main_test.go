package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/yogaflow/yogaflow/internal/platform/testdb"
)

func TestMigrateCommands(t *testing.T) {
	testdb.Run(t, func(t *testing.T, e testdb.Engine) {
		env := map[string]string{"YOGAFLOW_DATABASE_URL": e.URL}
		cmd := func(args ...string) string {
			t.Helper()
			var stdout, stderr bytes.Buffer
			if err := run(t.Context(), args, env, strings.NewReader(""), &stdout, &stderr); err != nil {
				t.Fatalf("yogaflow %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
			}
			return stdout.String()
		}

		if out := cmd("migrate", "status"); !strings.Contains(out, "00001_roles.sql") || !strings.Contains(out, "pending") {
			t.Fatalf("status of a new database:\n%s", out)
		}
		if out := cmd("migrate", "up"); !strings.Contains(out, "migrated up") {
			t.Fatalf("migrate up said:\n%s", out)
		}
		out := cmd("migrate", "status")
		if strings.Contains(out, "pending") || !strings.Contains(out, "job queue schema: version") {
			t.Fatalf("status after up:\n%s", out)
		}
		if out := cmd("migrate", "down"); !strings.Contains(out, "rolled back") {
			t.Fatalf("migrate down said:\n%s", out)
		}
		if out := cmd("migrate", "status"); !strings.Contains(out, "pending") {
			t.Fatalf("status after down shows nothing pending:\n%s", out)
		}
	})
}

func TestCommandLineMistakes(t *testing.T) {
	env := map[string]string{"YOGAFLOW_DATABASE_URL": testdb.New(t, "sqlite").URL}
	for _, args := range [][]string{{"frobnicate"}, {"migrate"}, {"migrate", "sideways"}, {"serve", "now"}} {
		err := run(t.Context(), args, env, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
		if !errors.Is(err, errUsage) {
			t.Errorf("yogaflow %s: got %v, want the usage", strings.Join(args, " "), err)
		}
	}

	err := run(t.Context(), []string{"migrate", "up"}, map[string]string{"YOGAFLOW_LOG_LEVEL": "loud"}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "YOGAFLOW_LOG_LEVEL") {
		t.Errorf("bad configuration: got %v, want it to name YOGAFLOW_LOG_LEVEL", err)
	}

	var stdout bytes.Buffer
	if err := run(t.Context(), []string{"help"}, env, strings.NewReader(""), &stdout, &bytes.Buffer{}); err != nil || !strings.Contains(stdout.String(), "migrate status") {
		t.Errorf("help: %v\n%s", err, stdout.String())
	}
}

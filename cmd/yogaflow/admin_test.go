package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

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

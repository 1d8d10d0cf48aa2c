package main

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yogaflow/yogaflow/internal/platform/testdb"
)

// TestStartUpFailuresExitOne: each way `yogaflow` cannot start ends in
// one clear line on stderr and exit status 1, never a panic.
func TestStartUpFailuresExitOne(t *testing.T) {
	port := testdb.FreePort(t)

	// A database a newer release migrated: its schema version is past
	// this build's newest.
	newer := testdb.New(t, "sqlite").URL
	if err := run(t.Context(), []string{"migrate", "up"}, map[string]string{"YOGAFLOW_DATABASE_URL": newer}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", strings.TrimPrefix(newer, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, 1)`); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()

	for name, tc := range map[string]struct {
		env  []string
		want string
	}{
		"a bad database URL": {[]string{"YOGAFLOW_DATABASE_URL=mysql://db/yogaflow"}, "YOGAFLOW_DATABASE_URL: must start with sqlite: or postgres://"},
		"the database down": {[]string{fmt.Sprintf("YOGAFLOW_DATABASE_URL=postgres://postgres@127.0.0.1:%d/test?sslmode=disable&connect_timeout=2", port)},
			fmt.Sprintf("127.0.0.1:%d", port)},
		"a bad Redis URL":         {[]string{"YOGAFLOW_REDIS_URL=http://cache:6379"}, "redis"},
		"a schema from a release": {[]string{"YOGAFLOW_DATABASE_URL=" + newer}, "schema version 99999, newer than this build's"},
		"the address taken":       {[]string{"YOGAFLOW_ADDR=" + takenAddr(t)}, "address already in use"},
	} {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0]) // #nosec G204 -- this test's own binary
			cmd.Dir = t.TempDir()
			cmd.Env = append([]string{"YOGAFLOW_TEST_RUN_MAIN=1", "YOGAFLOW_ADDR=127.0.0.1:0", "YOGAFLOW_LOG_LEVEL=error",
				"YOGAFLOW_DATABASE_URL=sqlite:" + filepath.Join(t.TempDir(), "yogaflow.db")}, tc.env...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("exit: %v, want status 1; stderr:\n%s", err, stderr.String())
			}
			out := stderr.String()
			if strings.Contains(out, "panic") || strings.Contains(out, "goroutine ") {
				t.Fatalf("it panicked:\n%s", out)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "yogaflow: ") || !strings.Contains(last, tc.want) {
				t.Errorf("the last line is %q; want one line naming %q; stderr:\n%s", last, tc.want, out)
			}
		})
	}
}

// takenAddr is an address another listener holds until the test ends.
func takenAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	return ln.Addr().String()
}

package testdb

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// PgBouncerPoolSize is how many server connections the test's PgBouncer
// holds per database: fewer than the service's own pool, so that its
// transactions really share them.
const PgBouncerPoolSize = 4

// NewPgBouncer starts PgBouncer in transaction mode in front of c, stopped
// when the test ends, and returns a YOGAFLOW_DATABASE_URL through it for
// c's database, with the query mode that such a pool needs. With
// EnvPostgresURL set, a missing pgbouncer fails the test, as a missing
// pg_ctl does.
func (c *Cluster) NewPgBouncer() string {
	tb := c.tb
	tb.Helper()
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		bin = "/usr/sbin/pgbouncer" // Debian's, outside a user's PATH
		if _, err := os.Stat(bin); err != nil {
			if os.Getenv(EnvPostgresURL) != "" {
				tb.Fatalf("testdb: %s is set, but pgbouncer is not installed", EnvPostgresURL)
			}
			tb.Skipf("testdb: pgbouncer is not installed; set %s to require it", EnvPostgresURL)
		}
	}
	port := FreePort(tb)
	dir := filepath.Join(c.dir, "pgbouncer")
	conf := fmt.Sprintf(`[databases]
* = host=127.0.0.1 port=%d
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s/users
pool_mode = transaction
default_pool_size = %d
max_client_conn = 200
pidfile = %s/pid
logfile = %s/log
`, c.port, port, dir, PgBouncerPoolSize, dir, dir)
	if err := os.Mkdir(dir, 0o700); err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	for name, body := range map[string]string{"pgbouncer.ini": conf, "users": `"postgres" ""` + "\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			tb.Fatalf("testdb: %v", err)
		}
	}
	c.own(dir, "pgbouncer.ini", "users")

	cmd := c.runAs(bin, filepath.Join(dir, "pgbouncer.ini"))
	// A group of its own: runuser does not pass a kill on to pgbouncer.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("testdb: starting pgbouncer: %v", err)
	}
	tb.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(10 * time.Second); ; {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = conn.Close()
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "log")) // #nosec G304 -- the log of the PgBouncer this test started, in its own directory
			tb.Fatalf("testdb: pgbouncer does not listen on %s: %v\n%s", addr, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Sprintf("postgres://postgres@%s/postgres?sslmode=disable&default_query_exec_mode=exec", addr)
}

package testdb

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// Cluster is a PostgreSQL server of the test's own, made with the
// binaries of the one the run uses, so that a test can stop and start it
// (an outage) without touching the server every other test shares.
type Cluster struct {
	tb   testing.TB
	bin  string // the directory of pg_ctl and initdb
	dir  string // data directory and socket
	port int
	as   *user.User // the user the server runs as: never root
	// URL is a YOGAFLOW_DATABASE_URL for the cluster's empty database.
	URL string
}

// NewCluster starts a new cluster, stopped and removed when tb ends. With
// EnvPostgresURL set, missing binaries fail the test: the run promised
// PostgreSQL. Without it, the test is skipped, as every PostgreSQL run is.
func NewCluster(tb testing.TB) *Cluster {
	tb.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(bins) == 0 {
		if p, err := exec.LookPath("pg_ctl"); err == nil {
			bins = []string{p}
		}
	}
	if len(bins) == 0 {
		if os.Getenv(EnvPostgresURL) != "" {
			tb.Fatalf("testdb: %s is set, but pg_ctl is not installed", EnvPostgresURL)
		}
		tb.Skipf("testdb: PostgreSQL is not installed (pg_ctl); set %s to require it", EnvPostgresURL)
	}
	slices.Sort(bins) // the newest major version last
	c := &Cluster{tb: tb, bin: filepath.Dir(bins[len(bins)-1])}

	// initdb refuses to run as root: then the server runs as postgres.
	me, err := user.Current()
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	c.as = me
	if me.Uid == "0" {
		if c.as, err = user.Lookup("postgres"); err != nil {
			tb.Fatalf("testdb: running as root, and there is no postgres user to run PostgreSQL as: %v", err)
		}
	}
	// Not tb.TempDir: its parents are closed to other users.
	if c.dir, err = os.MkdirTemp("", "yogaflow-pg-"); err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	tb.Cleanup(func() { _ = os.RemoveAll(c.dir) })
	c.own(c.dir)
	c.port = FreePort(tb)
	c.run("initdb", "--pgdata", c.dir+"/data", "--username", "postgres", "--auth", "trust", "--no-sync", "--encoding", "UTF8")
	c.Start()
	tb.Cleanup(func() {
		_, _ = c.command("pg_ctl", "stop", "--pgdata", c.dir+"/data", "--mode", "immediate").CombinedOutput()
	})
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
	return c
}

// Start starts the server and waits until it takes connections.
func (c *Cluster) Start() {
	c.tb.Helper()
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c max_connections=50", c.port, c.dir)
	c.run("pg_ctl", "start", "--pgdata", c.dir+"/data", "--wait", "--log", c.dir+"/log", "-o", opts)
}

// Stop shuts the server down as a restart does: sessions are ended, the
// ones in a transaction rolled back, and new connections refused.
func (c *Cluster) Stop() {
	c.tb.Helper()
	c.run("pg_ctl", "stop", "--pgdata", c.dir+"/data", "--mode", "fast", "--wait")
}

func (c *Cluster) run(tool string, args ...string) {
	c.tb.Helper()
	if out, err := c.command(tool, args...).CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		c.tb.Fatalf("testdb: %s: %v\n%s\n%s", tool, err, out, log)
	}
}

// command runs one of PostgreSQL's tools as the cluster's user.
func (c *Cluster) command(tool string, args ...string) *exec.Cmd {
	return c.runAs(filepath.Join(c.bin, tool), args...)
}

// runAs is the command of the program at path, run as the server's user.
func (c *Cluster) runAs(path string, args ...string) *exec.Cmd {
	if os.Getuid() == 0 && c.as.Uid != "0" {
		return exec.Command("runuser", append([]string{"-u", c.as.Username, "--", path}, args...)...) // #nosec G204 -- PostgreSQL's and PgBouncer's own programs, arguments made here
	}
	return exec.Command(path, args...) // #nosec G204 -- as above
}

// own gives dir, and the files named in it, to the server's user.
func (c *Cluster) own(dir string, files ...string) {
	c.tb.Helper()
	if os.Getuid() != 0 {
		return // the server runs as us
	}
	uid, _ := strconv.Atoi(c.as.Uid)
	gid, _ := strconv.Atoi(c.as.Gid)
	for _, p := range append([]string{dir}, files...) {
		if p != dir {
			p = filepath.Join(dir, p)
		}
		if err := os.Chown(p, uid, gid); err != nil {
			c.tb.Fatalf("testdb: %v", err)
		}
	}
}

// FreePort is a TCP port on 127.0.0.1 that nothing listens on: the
// cluster's, or an address whose dial is refused (a dependency down).
func FreePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

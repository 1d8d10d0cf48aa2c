// Command yogaflow-load sends a named scenario of YogaFlow API traffic to
// the instances it is given, at a rate or a concurrency, for a duration,
// and reports throughput, latency percentiles and errors per endpoint.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// passwordEnv holds the generated accounts' password when it is not read
// from standard input: a flag would show it in the process list.
const passwordEnv = "YOGAFLOW_LOAD_PASSWORD" // #nosec G101 -- the name of a variable, not a password

// errUsage marks a command line that makes no sense: exit status 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	_, err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "yogaflow-load:", err)
		os.Exit(1)
	}
}

// options is a parsed command line.
type options struct {
	urls     []*url.URL
	scenario string
	rate     int
	workers  int
	duration time.Duration
	timeout  time.Duration
	users    int
	prefix   string
	password string
	// logins: the storm scenario's sign-ins in flight.
	logins int
	// startup, when set, is the yogaflow binary whose start-up is timed
	// instead of sending a scenario, runs times.
	startup string
	runs    int
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) (*report, error) {
	opts, err := parseOptions(args, getenv, stdin, stderr)
	if err != nil {
		return nil, err
	}
	if opts.startup != "" {
		times, err := timeStartUp(ctx, opts)
		if err != nil {
			return nil, err
		}
		times.write(stdout)
		return nil, nil
	}
	rep, err := attack(ctx, opts)
	if err != nil {
		return nil, err
	}
	rep.write(stdout)
	return rep, nil
}

func parseOptions(args []string, getenv func(string) string, stdin io.Reader, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("yogaflow-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, `yogaflow-load: load a YogaFlow service with a named scenario.

Usage: yogaflow-load -url http://127.0.0.1:8080 -scenario mixed [-rate N | -workers N] [-duration 30s]
       yogaflow-load -url http://127.0.0.1:8080 -scenario storm -workers R [-logins 8] [-duration 30s]
       yogaflow-load -startup /path/to/yogaflow [-runs 10]

Scenarios: %s.
practice, signin, mixed and storm sign in as accounts made by
'yogaflow generate --users N --email-prefix P --password-stdin'; their
password comes from standard input (-password-stdin) or $%s.

storm reads the pose list (GET /api/v1/poses, from the service's cache) at
-rate or -workers alone for half the duration, then as much again beside
-logins workers signing in without pause for the other half; it reports
both phases and the ratio of their read p99s.

-startup times the yogaflow binary from exec to its first 200 from
/health/ready, on SQLite in a new temporary directory and a free port of
127.0.0.1 (the rest of the environment is inherited): once on a new
database file ("fresh"), then again on that file ("existing"), per run.
It stops each start with SIGTERM and reports min, median and max.

`, strings.Join(scenarioNames(), ", "), passwordEnv)
		fs.PrintDefaults()
	}
	rawURL := fs.String("url", "", "base URL of the service; a comma-separated list sends requests to each in turn (required, save with -startup)")
	scenario := fs.String("scenario", "browse", "what to send: "+strings.Join(scenarioNames(), ", "))
	rate := fs.Int("rate", 0, "requests per second, paced evenly (50 when -workers is not given)")
	workers := fs.Int("workers", 0, "concurrency instead of a rate: this many requests in flight, each sent when the last one answered")
	duration := fs.Duration("duration", 30*time.Second, "how long to send requests")
	timeout := fs.Duration("timeout", 30*time.Second, "how long one request may take; with -startup, how long a start may take to be ready")
	users := fs.Int("users", 100, "how many of the generated accounts to use (PREFIX-000001 onwards)")
	prefix := fs.String("user-prefix", "load", "the accounts' email prefix, as given to yogaflow generate --email-prefix")
	passwordStdin := fs.Bool("password-stdin", false, "read the accounts' password from standard input")
	logins := fs.Int("logins", 8, "storm: how many sign-ins are in flight in its second half")
	startup := fs.String("startup", "", "time the start-up of this yogaflow binary instead of sending a scenario")
	runs := fs.Int("runs", 10, "-startup: how many times to start it on a fresh and on an existing database")
	if err := fs.Parse(args); err != nil {
		return options{}, errUsage
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	fail := func(format string, a ...any) (options, error) {
		fmt.Fprintf(stderr, "yogaflow-load: "+format+"\n", a...)
		fs.Usage()
		return options{}, errUsage
	}
	if fs.NArg() > 0 {
		return fail("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if *startup != "" || given["runs"] {
		return parseStartUp(*startup, *runs, *timeout, given, fail)
	}
	if *rawURL == "" {
		return fail("-url is required: the tool sends traffic only where it is told")
	}
	opts := options{scenario: *scenario, rate: *rate, workers: *workers, duration: *duration, timeout: *timeout,
		users: *users, prefix: *prefix, logins: *logins}
	for s := range strings.SplitSeq(*rawURL, ",") {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			return fail("-url %q: want http(s)://host[:port][/path]", s)
		}
		u.Path = strings.TrimSuffix(u.Path, "/")
		opts.urls = append(opts.urls, u)
	}
	sc, ok := scenarios[opts.scenario]
	switch {
	case !ok:
		return fail("-scenario %q: want one of %s", opts.scenario, strings.Join(scenarioNames(), ", "))
	case opts.rate < 0 || opts.workers < 0 || (opts.rate > 0 && opts.workers > 0):
		return fail("give -rate or -workers, positive, not both")
	case opts.duration <= 0 || opts.timeout <= 0:
		return fail("-duration and -timeout must be positive")
	case opts.users < 1:
		return fail("-users must be 1 or more")
	case given["logins"] && !sc.storm:
		return fail("-logins is for -scenario storm")
	case sc.storm && opts.logins < 1:
		return fail("-logins must be 1 or more")
	case sc.storm && opts.duration/2 <= 0:
		return fail("-duration %v is too short to halve into the storm's two phases", opts.duration)
	}
	if opts.rate == 0 && opts.workers == 0 {
		opts.rate = 50
	}
	// Each virtual user of a practice has one request in flight at a time.
	if sc.perUser && opts.workers > opts.users {
		return fail("-workers %d needs as many -users (each practises one step at a time), not %d", opts.workers, opts.users)
	}
	if sc.signsIn {
		if *passwordStdin {
			line, err := bufio.NewReader(stdin).ReadString('\n')
			if err != nil && !errors.Is(err, io.EOF) {
				return options{}, fmt.Errorf("reading the password: %w", err)
			}
			opts.password = strings.TrimRight(line, "\r\n")
		} else {
			opts.password = getenv(passwordEnv)
		}
		if opts.password == "" {
			return fail("-scenario %s signs in: give the accounts' password on standard input with -password-stdin, or in $%s",
				opts.scenario, passwordEnv)
		}
	}
	return opts, nil
}

// parseStartUp checks the options of -startup, which sends no scenario.
func parseStartUp(binary string, runs int, timeout time.Duration, given map[string]bool,
	fail func(string, ...any) (options, error)) (options, error) {
	if binary == "" {
		return fail("-runs is for -startup")
	}
	for _, name := range []string{"url", "scenario", "rate", "workers", "duration", "users", "user-prefix", "password-stdin", "logins"} {
		if given[name] {
			return fail("-startup starts its own service and sends no scenario: -%s makes no sense with it", name)
		}
	}
	path, err := exec.LookPath(binary)
	if err == nil {
		path, err = filepath.Abs(path) // it runs in a directory of its own
	}
	switch {
	case err != nil:
		return fail("-startup %q: %v", binary, err)
	case runs < 1:
		return fail("-runs must be 1 or more")
	case timeout <= 0:
		return fail("-timeout must be positive")
	}
	return options{startup: path, runs: runs, timeout: timeout}, nil
}

func scenarioNames() []string {
	names := make([]string, 0, len(scenarios))
	for name := range scenarios {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

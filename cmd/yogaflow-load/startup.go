package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

// startUpSecret signs the tokens of services started only to be timed.
const startUpSecret = "yogaflow-load-start-up-timer-not-secret!" // #nosec G101 -- a test value that guards nothing

// stopTimeout is how long a started service may take to stop after
// SIGTERM: it serves no one, so far less than its shutdown timeout.
const stopTimeout = 10 * time.Second

// startUpTimes are how long each start took to be ready: on a new
// database file, and again on the same file.
type startUpTimes struct {
	binary          string
	fresh, existing []time.Duration
}

// timeStartUp starts opts.startup opts.runs times on a new SQLite file in
// a new temporary directory, and once more on that file each time.
func timeStartUp(ctx context.Context, opts options) (*startUpTimes, error) {
	times := &startUpTimes{binary: opts.startup}
	for i := range opts.runs {
		fresh, existing, err := startTwice(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("run %d of %d: %w", i+1, opts.runs, err)
		}
		times.fresh, times.existing = append(times.fresh, fresh), append(times.existing, existing)
	}
	return times, nil
}

func startTwice(ctx context.Context, opts options) (fresh, existing time.Duration, err error) {
	dir, err := os.MkdirTemp("", "yogaflow-load-startup-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	if fresh, err = startOnce(ctx, opts, dir); err != nil {
		return 0, 0, fmt.Errorf("on a fresh database: %w", err)
	}
	if existing, err = startOnce(ctx, opts, dir); err != nil {
		return 0, 0, fmt.Errorf("on an existing database: %w", err)
	}
	return fresh, existing, nil
}

// errExited: the service ended before it answered ready.
var errExited = errors.New("it exited before it was ready")

// startOnce starts the binary on dir's database, and returns how long it
// took from exec to its first 200 from /health/ready, once it stopped
// after SIGTERM.
func startOnce(ctx context.Context, opts options, dir string) (time.Duration, error) {
	addr, err := freeAddr()
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(opts.startup) // #nosec G204 -- the binary the user asked to time
	cmd.Dir = dir
	// The last value of a name wins: these over any inherited.
	cmd.Env = append(os.Environ(), "YOGAFLOW_DATABASE_URL=sqlite:"+filepath.Join(dir, "yogaflow.db"), "YOGAFLOW_ADDR="+addr,
		"YOGAFLOW_JWT_SECRET="+startUpSecret, "YOGAFLOW_LOG_LEVEL=warn")
	stderr := &tail{}
	cmd.Stderr = stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()

	took, err := awaitReady(ctx, "http://"+addr+"/health/ready", start, opts.timeout, exited)
	switch {
	case errors.Is(err, errExited):
		return 0, fmt.Errorf("%w (%v); the last lines of its stderr:\n%s", err, waitErr, stderr.lines(10))
	case err != nil:
		_ = cmd.Process.Kill()
		<-exited
		return 0, fmt.Errorf("%w; the last lines of its stderr:\n%s", err, stderr.lines(10))
	}

	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(stopTimeout):
		_ = cmd.Process.Kill()
		<-exited
		return 0, fmt.Errorf("it did not stop within %v of SIGTERM; the last lines of its stderr:\n%s", stopTimeout, stderr.lines(10))
	}
	if waitErr != nil {
		return 0, fmt.Errorf("it stopped with %v after SIGTERM; the last lines of its stderr:\n%s", waitErr, stderr.lines(10))
	}
	return took, nil
}

// awaitReady asks url every millisecond until it answers 200, which on
// SQLite means the schema is migrated, the library loaded and the
// database answers (a critical check failing is 503; only checks it works
// without may fail in a 200). It returns the time since start.
func awaitReady(ctx context.Context, url string, start time.Time, timeout time.Duration, exited <-chan struct{}) (time.Duration, error) {
	client := &http.Client{Timeout: min(time.Second, timeout), Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.NewTimer(timeout - time.Since(start))
	defer deadline.Stop()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return 0, err
		}
		if res, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-exited:
			return 0, errExited
		case <-deadline.C:
			return 0, fmt.Errorf("GET %s did not answer 200 within %v (-timeout)", url, timeout)
		case <-tick.C:
		}
	}
}

// freeAddr is an address of 127.0.0.1 that nothing listened on a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// tail keeps the end of what is written to it: a process's stderr. It is
// read once the process has ended and exec has copied all of it.
type tail struct{ buf []byte }

const tailBytes = 64 << 10

func (t *tail) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - tailBytes; over > 0 {
		t.buf = t.buf[over:]
	}
	return len(p), nil
}

// lines is the last n lines, indented.
func (t *tail) lines(n int) string {
	text := strings.TrimRight(string(t.buf), "\n")
	if text == "" {
		return "  (nothing)"
	}
	lines := strings.Split(text, "\n")
	return "  " + strings.Join(lines[max(0, len(lines)-n):], "\n  ")
}

func (t *startUpTimes) write(w io.Writer) {
	runs := fmt.Sprintf("%d runs", len(t.fresh))
	if len(t.fresh) == 1 {
		runs = "1 run"
	}
	fmt.Fprintf(w, "start-up of %s, %s: from exec to the first 200 of GET /health/ready, on SQLite\n\n", t.binary, runs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "database\tmin\tmedian\tmax")
	for _, row := range []struct {
		name  string
		times []time.Duration
	}{{"fresh", t.fresh}, {"existing", t.existing}} {
		s := slices.Sorted(slices.Values(row.times))
		median := (s[(len(s)-1)/2] + s[len(s)/2]) / 2
		fmt.Fprintf(tw, "%s\t%v\t%v\t%v\n", row.name, round(s[0]), round(median), round(s[len(s)-1]))
	}
	_ = tw.Flush()
}

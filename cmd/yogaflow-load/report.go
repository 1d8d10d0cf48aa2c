package main

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// report holds what an attack saw, per endpoint and in total.
type report struct {
	opts options
	// phase is the storm scenario's "idle" or "storm", "" elsewhere; a
	// storm phase's baseline is the idle phase before it: the same reads
	// without the sign-ins.
	phase     string
	baseline  *report
	started   time.Time
	elapsed   time.Duration
	endpoints map[string]*endpoint
	total     endpoint
	// netErrors counts answers that never came, by cause.
	netErrors map[string]int
}

// endpoint is one route's figures. A status is an error when the call did
// not expect it: any non-2xx, save a wrong password's 401 and no current
// session's 404. Status 0 is no answer at all.
type endpoint struct {
	metrics  vegeta.Metrics
	statuses map[int]int
	errors   map[int]int
}

func newReport(opts options, phase string) *report {
	return &report{opts: opts, phase: phase, started: time.Now(), endpoints: map[string]*endpoint{}, netErrors: map[string]int{}}
}

func (r *report) add(c *call, res *vegeta.Result) {
	route, ok := "(not sent)", false
	if c != nil {
		route, ok = c.route, c.ok(int(res.Code))
	}
	if res.Code == 0 {
		r.netErrors[res.Error]++
	}
	ep := r.endpoints[route]
	if ep == nil {
		ep = &endpoint{}
		r.endpoints[route] = ep
	}
	for _, e := range []*endpoint{ep, &r.total} {
		e.metrics.Add(res)
		if e.statuses == nil {
			e.statuses, e.errors = map[int]int{}, map[int]int{}
		}
		e.statuses[int(res.Code)]++
		if !ok {
			e.errors[int(res.Code)]++
		}
	}
}

func (r *report) close() {
	r.elapsed = time.Since(r.started)
	for _, ep := range r.endpoints {
		ep.metrics.Close()
	}
	r.total.metrics.Close()
}

func (e *endpoint) errorCount() int {
	n := 0
	for _, c := range e.errors {
		n += c
	}
	return n
}

func (r *report) write(w io.Writer) {
	if r.baseline != nil {
		r.baseline.write(w)
		fmt.Fprintln(w)
	}
	name, load := r.opts.scenario, fmt.Sprintf("%d req/s", r.opts.rate)
	if r.opts.workers > 0 {
		load = fmt.Sprintf("%d workers", r.opts.workers)
	}
	if r.phase != "" {
		name += ", " + r.phase + " phase,"
	}
	if r.phase == "storm" {
		load += fmt.Sprintf(" + %d signing in", r.opts.logins)
	}
	urls := make([]string, len(r.opts.urls))
	for i, u := range r.opts.urls {
		urls[i] = u.String()
	}
	fmt.Fprintf(w, "scenario %s against %s, %s for %v: %d requests in %v\n\n", name,
		strings.Join(urls, " "), load, r.opts.duration, r.total.metrics.Requests, r.elapsed.Round(time.Millisecond))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "endpoint\trequests\treq/s\tp50\tp95\tp99\tmax\terrors\tstatuses")
	line := func(name string, ep *endpoint) {
		l := ep.metrics.Latencies
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%v\t%v\t%v\t%v\t%s\t%s\n", name, ep.metrics.Requests,
			r.perSecond(ep.metrics.Requests), round(l.P50), round(l.P95), round(l.P99), round(l.Max),
			ep.errorSummary(), counts(ep.statuses))
	}
	for _, route := range slices.Sorted(maps.Keys(r.endpoints)) {
		line(route, r.endpoints[route])
	}
	line("total", &r.total)
	_ = tw.Flush()
	for _, msg := range slices.Sorted(maps.Keys(r.netErrors)) {
		fmt.Fprintf(w, "no answer ×%d: %s\n", r.netErrors[msg], msg)
	}
	if r.baseline != nil {
		r.compare(w)
	}
}

// compare writes what the storm phase's sign-ins did to its reads, beside
// the idle phase's.
func (r *report) compare(w io.Writer) {
	in := r.figures(loginRoute)
	fmt.Fprintf(w, "\nsign-ins: %.1f/s, p99 %v; shed (503, hashing waited too long): %d of %d\n",
		r.perSecond(in.requests()), round(in.metrics.Latencies.P99), in.statuses[http.StatusServiceUnavailable],
		in.requests())
	storm, idle := r.figures(poseListRoute).metrics.Latencies.P99, r.baseline.figures(poseListRoute).metrics.Latencies.P99
	ratio := "n/a (no idle reads)"
	if idle > 0 {
		ratio = fmt.Sprintf("%.2f", float64(storm)/float64(idle))
	}
	fmt.Fprintf(w, "storm read p99 / idle read p99: %s (%v / %v)\n", ratio, round(storm), round(idle))
}

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

// perSecond is a rate over the time requests were sent: not the wait for
// the last answers after it, which slow sign-ins beside fast reads would
// stretch by seconds.
func (r *report) perSecond(n uint64) float64 {
	return float64(n) / min(r.elapsed, r.opts.duration).Seconds()
}

// errorSummary is the error count with its statuses: "3 (429×2 net×1)".
func (e *endpoint) errorSummary() string {
	if n := e.errorCount(); n > 0 {
		return fmt.Sprintf("%d (%s)", n, counts(e.errors))
	}
	return "0"
}

// counts writes statuses and their counts in order: "200×480 404×20".
func counts(m map[int]int) string {
	parts := make([]string, 0, len(m))
	for _, code := range slices.Sorted(maps.Keys(m)) {
		name := strconv.Itoa(code)
		if code == 0 {
			name = "net"
		}
		parts = append(parts, fmt.Sprintf("%s×%d", name, m[code]))
	}
	return strings.Join(parts, " ")
}

// round keeps three significant digits: 1.23ms, 45.6µs.
func round(d time.Duration) time.Duration {
	unit := time.Duration(1)
	for d >= unit*1000 {
		unit *= 10
	}
	return d.Round(unit)
}

package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// attack runs the scenario until the duration is over or ctx is done, and
// reports what it saw. A storm is two phases of half the duration each:
// its report is the second's, with the first's as its baseline.
func attack(ctx context.Context, opts options) (*report, error) {
	s, err := newSender(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer s.tr.base.CloseIdleConnections()

	sc := scenarios[opts.scenario]
	traffic := load{next: sc.next, rate: opts.rate, workers: opts.workers}
	if sc.perUser {
		traffic.users = opts.users
	}
	if !sc.storm {
		return s.fire(ctx, opts, "", traffic), nil
	}
	half := opts
	half.duration = opts.duration / 2
	idle := s.fire(ctx, half, "idle", traffic)
	if ctx.Err() != nil {
		return idle, nil
	}
	rep := s.fire(ctx, half, "storm", traffic, load{next: (*env).login, workers: opts.logins})
	rep.baseline = idle
	return rep, nil
}

// sender sends the calls of the scenarios to the instances in turn, over
// one pool of connections.
type sender struct {
	e      *env
	tr     *transport
	client *http.Client
	bases  []string
	// ids numbers the calls, for the X-Request-ID that ties each to its result.
	ids atomic.Uint64
}

func newSender(ctx context.Context, opts options) (*sender, error) {
	// Never follow a redirect: traffic goes only where it was told.
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	setup := &http.Client{Timeout: opts.timeout, CheckRedirect: noRedirect}
	e, err := newEnv(ctx, setup, opts.urls[0].String(), opts)
	if err != nil {
		return nil, err
	}
	tr := &transport{base: &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		MaxIdleConnsPerHost: 1024, // as many as requests in flight: no reconnecting under load
		IdleConnTimeout:     90 * time.Second,
	}}
	s := &sender{e: e, tr: tr, client: &http.Client{Timeout: opts.timeout, CheckRedirect: noRedirect, Transport: tr}}
	for _, u := range opts.urls {
		s.bases = append(s.bases, u.String())
	}
	return s, nil
}

// load is one stream of a scenario's calls: at a rate, paced evenly, or
// from a number of workers that each send a call when their last one was
// answered.
type load struct {
	next          func(e *env) *call
	rate, workers int
	// users, when set, bounds the concurrency of a rate: each call belongs
	// to one of so many virtual users, who have one in flight at a time.
	users int
}

func (l load) pacer() (p vegeta.Pacer, workers, maxWorkers uint64) {
	if l.workers > 0 {
		// A zero pacer sends as fast as the workers are free.
		return vegeta.ConstantPacer{}, uint64(l.workers), uint64(l.workers) // #nosec G115 -- -workers and -logins are checked positive
	}
	workers, maxWorkers = vegeta.DefaultWorkers, vegeta.DefaultMaxWorkers
	if l.users > 0 {
		workers, maxWorkers = min(workers, uint64(l.users)), uint64(l.users) // #nosec G115 -- -users is checked positive
	}
	return vegeta.ConstantPacer{Freq: l.rate, Per: time.Second}, workers, maxWorkers
}

// fire sends the loads side by side for opts.duration, or until ctx is
// done, and reports what they saw together.
func (s *sender) fire(ctx context.Context, opts options, phase string, loads ...load) *report {
	rep := newReport(opts, phase)
	results := make(chan *vegeta.Result)
	var wg sync.WaitGroup
	for i, l := range loads {
		pacer, workers, maxWorkers := l.pacer()
		atk := vegeta.NewAttacker(vegeta.Client(s.client), vegeta.Workers(workers), vegeta.MaxWorkers(maxWorkers),
			vegeta.MaxBody(0)) // answers are read, when needed, by the transport
		// Each attack numbers its results from 0: its name tells them apart.
		name := opts.scenario + " " + phase + " " + strconv.Itoa(i)
		attackResults := atk.Attack(s.targeter(l.next), pacer, opts.duration, name)
		stop := context.AfterFunc(ctx, func() { atk.Stop() })
		defer stop()
		wg.Go(func() {
			for res := range attackResults {
				results <- res
			}
		})
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	for res := range results {
		rep.add(s.tr.callOf(res), res)
	}
	rep.close()
	return rep
}

func (s *sender) targeter(next func(e *env) *call) vegeta.Targeter {
	return func(t *vegeta.Target) error {
		c := next(s.e)
		n := s.ids.Add(1)
		id := "yogaflow-load-" + strconv.FormatUint(n, 10)
		s.tr.pending.Store(id, c)
		t.Method = c.method
		t.URL = s.bases[n%uint64(len(s.bases))] + c.path
		t.Body = c.body
		t.Header = http.Header{}
		t.Header.Set("X-Request-ID", id)
		if c.body != nil {
			t.Header.Set("Content-Type", "application/json")
		}
		if c.token != "" {
			t.Header.Set("Authorization", "Bearer "+c.token)
		}
		return nil
	}
}

// transport ties each request vegeta sends to the call it was made from,
// and hands a virtual user the answer to their call before vegeta reports
// it, so their next call can depend on it (a token, a session ID).
type transport struct {
	base *http.Transport
	// pending: request ID → call, until sent; sent: the attack's name and
	// its sequence number of the result → call.
	pending, sent sync.Map
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	v, ok := t.pending.LoadAndDelete(req.Header.Get("X-Request-ID"))
	if !ok {
		return nil, errors.New("yogaflow-load: a request that no scenario made")
	}
	c := v.(*call)
	t.sent.Store(req.Header.Get("X-Vegeta-Attack")+"#"+req.Header.Get("X-Vegeta-Seq"), c)
	res, err := t.base.RoundTrip(req)
	if c.done == nil {
		return res, err
	}
	if err != nil {
		c.done(0, nil)
		return nil, err
	}
	body, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if err != nil {
		c.done(0, nil)
		return nil, err
	}
	c.done(res.StatusCode, body)
	res.Body = io.NopCloser(bytes.NewReader(body))
	return res, nil
}

// callOf returns the call a result answers, nil when it was never sent.
func (t *transport) callOf(res *vegeta.Result) *call {
	v, ok := t.sent.LoadAndDelete(res.Attack + "#" + strconv.FormatUint(res.Seq, 10))
	if !ok {
		return nil
	}
	return v.(*call)
}

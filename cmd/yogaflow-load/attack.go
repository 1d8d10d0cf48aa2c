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
// reports what it saw.
func attack(ctx context.Context, opts options) (*report, error) {
	// Never follow a redirect: traffic goes only where it was told.
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	setup := &http.Client{Timeout: opts.timeout, CheckRedirect: noRedirect}
	sc := scenarios[opts.scenario]
	e, err := newEnv(ctx, setup, opts.urls[0].String(), opts)
	if err != nil {
		return nil, err
	}

	tr := &transport{base: &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		MaxIdleConnsPerHost: 1024, // as many as requests in flight: no reconnecting under load
		IdleConnTimeout:     90 * time.Second,
	}}
	defer tr.base.CloseIdleConnections()
	client := &http.Client{Timeout: opts.timeout, CheckRedirect: noRedirect, Transport: tr}

	pacer := vegeta.ConstantPacer{Freq: opts.rate, Per: time.Second}
	var workers, maxWorkers uint64 = vegeta.DefaultWorkers, vegeta.DefaultMaxWorkers
	if sc.perUser {
		workers, maxWorkers = min(workers, uint64(opts.users)), uint64(opts.users) // #nosec G115 -- -users is checked positive
	}
	if opts.workers > 0 {
		// A zero pacer sends as fast as the workers are free.
		pacer, workers, maxWorkers = vegeta.ConstantPacer{}, uint64(opts.workers), uint64(opts.workers)
	}
	atk := vegeta.NewAttacker(vegeta.Client(client), vegeta.Workers(workers), vegeta.MaxWorkers(maxWorkers),
		vegeta.MaxBody(0)) // answers are read, when needed, by the transport

	bases := make([]string, len(opts.urls))
	for i, u := range opts.urls {
		bases[i] = u.String()
	}
	var next atomic.Uint64
	targeter := func(t *vegeta.Target) error {
		c := sc.next(e)
		n := next.Add(1)
		id := "yogaflow-load-" + strconv.FormatUint(n, 10)
		tr.pending.Store(id, c)
		t.Method = c.method
		t.URL = bases[n%uint64(len(bases))] + c.path
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

	rep := newReport(opts)
	results := atk.Attack(targeter, pacer, opts.duration, opts.scenario)
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()
	for res := range results {
		rep.add(tr.callOf(res.Seq), res)
	}
	rep.close()
	return rep, nil
}

// transport ties each request vegeta sends to the call it was made from,
// and hands a virtual user the answer to their call before vegeta reports
// it, so their next call can depend on it (a token, a session ID).
type transport struct {
	base *http.Transport
	// pending: request ID → call, until sent; bySeq: vegeta's sequence
	// number of the result → call.
	pending, bySeq sync.Map
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	v, ok := t.pending.LoadAndDelete(req.Header.Get("X-Request-ID"))
	if !ok {
		return nil, errors.New("yogaflow-load: a request that no scenario made")
	}
	c := v.(*call)
	t.bySeq.Store(req.Header.Get("X-Vegeta-Seq"), c)
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
func (t *transport) callOf(seq uint64) *call {
	v, ok := t.bySeq.LoadAndDelete(strconv.FormatUint(seq, 10))
	if !ok {
		return nil
	}
	return v.(*call)
}

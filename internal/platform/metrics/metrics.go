// Package metrics declares every Prometheus metric of the service, under the
// yogaflow namespace, on a registry of its own (no global state).
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "yogaflow"

// Metrics holds the service's metrics and the registry that exposes them.
type Metrics struct {
	registry *prometheus.Registry

	HTTPRequests     *prometheus.CounterVec
	HTTPDuration     *prometheus.HistogramVec
	HTTPInFlight     prometheus.Gauge
	HTTPResponseSize *prometheus.HistogramVec

	SessionsStarted   prometheus.Counter
	SessionsCompleted prometheus.Counter
	SessionsAbandoned prometheus.Counter
	PracticeSeconds   prometheus.Counter

	FlagEvaluations *prometheus.CounterVec

	RateLimitRejections *prometheus.CounterVec

	DBQueryDuration *prometheus.HistogramVec

	CacheRequests *prometheus.CounterVec
	JobRuns       *prometheus.CounterVec
	SignUps       prometheus.Counter
	Logins        *prometheus.CounterVec
}

// New creates the metrics, with the Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		HTTPRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "http", Name: "requests_total",
			Help: "HTTP requests served, by method, route pattern and status code.",
		}, []string{"method", "route", "status"}),
		HTTPDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "http", Name: "request_duration_seconds",
			Help:    "Time to serve an HTTP request, by method, route pattern and status code.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "status"}),
		HTTPInFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: "http", Name: "requests_in_flight",
			Help: "HTTP requests being served now.",
		}),
		HTTPResponseSize: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "http", Name: "response_size_bytes",
			Help:    "Size of HTTP response bodies, by route pattern.",
			Buckets: prometheus.ExponentialBuckets(64, 4, 8),
		}, []string{"route"}),
		SessionsStarted: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "sessions_started_total", Help: "Practice sessions started.",
		}),
		SessionsCompleted: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "sessions_completed_total", Help: "Practice sessions completed, live or logged offline.",
		}),
		SessionsAbandoned: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "sessions_abandoned_total", Help: "Practice sessions abandoned.",
		}),
		PracticeSeconds: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "practice_seconds_total", Help: "Active practice time of ended sessions, in seconds.",
		}),
		FlagEvaluations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "flag_evaluations_total", Help: "Feature flag evaluations, by flag key and the variant given.",
		}, []string{"flag", "variant"}),
		RateLimitRejections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "ratelimit_rejections_total", Help: "Requests refused with a 429, by the limit policy that refused them.",
		}, []string{"policy"}),
		DBQueryDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "db", Name: "query_duration_seconds",
			Help:    "Time to run a statement, by query name (the store method that runs it) and result (ok or error); _count counts them.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"query", "result"}),
		CacheRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "cache", Name: "requests_total",
			Help: "Cache lookups, by cache (principals, stats, library) and result (hit or miss).",
		}, []string{"cache", "result"}),
		JobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "jobs", Name: "runs_total",
			Help: "Background job runs on this instance, by kind and result (completed or failed; a failed run may be retried).",
		}, []string{"kind", "result"}),
		SignUps: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "signups_total", Help: "Accounts registered.",
		}),
		Logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "logins_total", Help: "Password sign-ins, by result (ok or failed).",
		}, []string{"result"}),
	}
	m.registry.MustRegister(
		m.HTTPRequests, m.HTTPDuration, m.HTTPInFlight, m.HTTPResponseSize,
		m.SessionsStarted, m.SessionsCompleted, m.SessionsAbandoned, m.PracticeSeconds, m.FlagEvaluations,
		m.RateLimitRejections, m.DBQueryDuration, m.CacheRequests, m.JobRuns, m.SignUps, m.Logins,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Registry returns the registry, for tests that read values back.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// WatchDBPools exports the figures of the database connection pools that
// stats returns (by pool name), read at every scrape.
func (m *Metrics) WatchDBPools(stats func() map[string]sql.DBStats) {
	m.registry.MustRegister(&dbPoolCollector{stats: stats})
}

var (
	dbOpen = prometheus.NewDesc(namespace+"_db_connections_open",
		"Open connections in the pool.", []string{"pool"}, nil)
	dbInUse = prometheus.NewDesc(namespace+"_db_connections_in_use",
		"Connections in use.", []string{"pool"}, nil)
	dbIdle = prometheus.NewDesc(namespace+"_db_connections_idle",
		"Idle connections.", []string{"pool"}, nil)
	dbMaxOpen = prometheus.NewDesc(namespace+"_db_connections_max_open",
		"Most connections the pool may open.", []string{"pool"}, nil)
	dbWaits = prometheus.NewDesc(namespace+"_db_connection_waits_total",
		"Times a query waited for a free connection.", []string{"pool"}, nil)
	dbWaitSeconds = prometheus.NewDesc(namespace+"_db_connection_wait_seconds_total",
		"Time spent waiting for a free connection.", []string{"pool"}, nil)
)

type dbPoolCollector struct {
	stats func() map[string]sql.DBStats
}

func (c *dbPoolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{dbOpen, dbInUse, dbIdle, dbMaxOpen, dbWaits, dbWaitSeconds} {
		ch <- d
	}
}

func (c *dbPoolCollector) Collect(ch chan<- prometheus.Metric) {
	for pool, s := range c.stats() {
		ch <- prometheus.MustNewConstMetric(dbOpen, prometheus.GaugeValue, float64(s.OpenConnections), pool)
		ch <- prometheus.MustNewConstMetric(dbInUse, prometheus.GaugeValue, float64(s.InUse), pool)
		ch <- prometheus.MustNewConstMetric(dbIdle, prometheus.GaugeValue, float64(s.Idle), pool)
		ch <- prometheus.MustNewConstMetric(dbMaxOpen, prometheus.GaugeValue, float64(s.MaxOpenConnections), pool)
		ch <- prometheus.MustNewConstMetric(dbWaits, prometheus.CounterValue, float64(s.WaitCount), pool)
		ch <- prometheus.MustNewConstMetric(dbWaitSeconds, prometheus.CounterValue, s.WaitDuration.Seconds(), pool)
	}
}

// CacheRecorder counts the lookups of the cache called name.
func (m *Metrics) CacheRecorder(name string) func(hit bool) {
	hits, misses := m.CacheRequests.WithLabelValues(name, "hit"), m.CacheRequests.WithLabelValues(name, "miss")
	return func(hit bool) {
		if hit {
			hits.Inc()
		} else {
			misses.Inc()
		}
	}
}

var jobQueueDepth = prometheus.NewDesc(namespace+"_jobs_queue_depth",
	"Background jobs waiting, by state (available, retryable, scheduled), from the database: the same on every instance.",
	[]string{"state"}, nil)

// WatchJobQueue exports yogaflow_jobs_queue_depth, read by count.
func (m *Metrics) WatchJobQueue(count func(ctx context.Context) (map[string]int, error)) {
	m.registry.MustRegister(&dbGauges{desc: jobQueueDepth, read: func(ctx context.Context) (map[string]float64, error) {
		depth, err := count(ctx)
		out := map[string]float64{}
		for _, state := range []string{"available", "retryable", "scheduled"} {
			out[state] = float64(depth[state])
		}
		return out, err
	}})
}

// activeUsersWindows are the windows of yogaflow_active_users.
var activeUsersWindows = []struct {
	label string
	span  time.Duration
}{{"day", 24 * time.Hour}, {"week", 7 * 24 * time.Hour}}

var activeUsers = prometheus.NewDesc(namespace+"_active_users",
	"People who started a practice session within the window (day: 24 hours, week: 7 days), from the database, so every instance reports the same.",
	[]string{"window"}, nil)

// WatchActiveUsers exports yogaflow_active_users, counted by count
// (distinct users with a session started since the instant it is given).
func (m *Metrics) WatchActiveUsers(count func(ctx context.Context, since time.Time) (int, error), now func() time.Time) {
	m.registry.MustRegister(&dbGauges{desc: activeUsers, read: func(ctx context.Context) (map[string]float64, error) {
		out := map[string]float64{}
		for _, w := range activeUsersWindows {
			n, err := count(ctx, now().Add(-w.span))
			if err != nil {
				return nil, err
			}
			out[w.label] = float64(n)
		}
		return out, nil
	}})
}

// dbGaugesTTL is how long figures read from the database are reused:
// /metrics answers anyone, and a scrape must not be a way to load the
// database.
const dbGaugesTTL = 15 * time.Second

// dbGauges is a gauge with one label, its values read from the database at
// most once per dbGaugesTTL. A failed read leaves the gauge out of the
// scrape rather than failing it.
type dbGauges struct {
	desc *prometheus.Desc
	read func(ctx context.Context) (map[string]float64, error)

	mu     sync.Mutex
	readAt time.Time
	values map[string]float64
}

func (g *dbGauges) Describe(ch chan<- *prometheus.Desc) { ch <- g.desc }

func (g *dbGauges) Collect(ch chan<- prometheus.Metric) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if time.Since(g.readAt) >= dbGaugesTTL {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		values, err := g.read(ctx)
		cancel()
		g.values, g.readAt = values, time.Now()
		if err != nil {
			g.values = nil
		}
	}
	for label, v := range g.values {
		ch <- prometheus.MustNewConstMetric(g.desc, prometheus.GaugeValue, v, label)
	}
}

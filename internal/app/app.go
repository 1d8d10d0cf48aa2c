// Package app is the composition root: it builds the service from a Config.
// cmd/yogaflow runs it and the tests build it the same way, so what is
// tested is what runs.
package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/redis/go-redis/v9"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/riverqueue/rivercontrib/otelriver"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"

	"github.com/yogaflow/yogaflow/internal/account"
	"github.com/yogaflow/yogaflow/internal/config"
	"github.com/yogaflow/yogaflow/internal/flags"
	"github.com/yogaflow/yogaflow/internal/httpapi"
	"github.com/yogaflow/yogaflow/internal/library"
	"github.com/yogaflow/yogaflow/internal/platform/cache"
	"github.com/yogaflow/yogaflow/internal/platform/errtrack"
	"github.com/yogaflow/yogaflow/internal/platform/mail"
	"github.com/yogaflow/yogaflow/internal/platform/metrics"
	"github.com/yogaflow/yogaflow/internal/platform/password"
	"github.com/yogaflow/yogaflow/internal/platform/ratelimit"
	"github.com/yogaflow/yogaflow/internal/platform/tracing"
	"github.com/yogaflow/yogaflow/internal/practice"
	"github.com/yogaflow/yogaflow/internal/store"
)

// Version is the service version, set at build time with -ldflags.
var Version = "dev"

// App is a built service: its database, its background workers and its
// HTTP handler.
type App struct {
	Config   config.Config
	Logger   *slog.Logger
	DB       *store.DB
	Metrics  *metrics.Metrics
	Accounts *account.Service
	Library  *library.Service
	Flags    *flags.Service
	Handler  http.Handler
	workers  *river.Client[*sql.Tx]
	closers  []func() error
}

// OpenDB opens the configured database, for commands that need only it.
func OpenDB(ctx context.Context, cfg config.Config) (*store.DB, error) {
	return store.Open(ctx, cfg.DatabaseURL)
}

// Option changes how New builds the service.
type Option func(*options)

type options struct {
	tracing trace.TracerProvider
}

// WithTracerProvider traces with tp whatever OTEL_EXPORTER_OTLP_ENDPOINT
// says (tests give one that keeps spans in memory). The caller shuts it
// down.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(o *options) { o.tracing = tp }
}

// New opens and migrates the database and builds the service. now is the
// clock (time.Now; tests pass a fake).
func New(ctx context.Context, cfg config.Config, logger *slog.Logger, now func() time.Time, opts ...Option) (a *App, err error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	db, err := OpenDB(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a = &App{Config: cfg, Logger: logger, DB: db, Metrics: metrics.New()}
	// Not a: every early return sets it to nil before this runs.
	built := a
	defer func() {
		if err != nil {
			_ = built.Close()
		}
	}()
	if err := db.MigrateUp(ctx); err != nil {
		return nil, err
	}
	tp, err := a.tracing(ctx, o.tracing)
	if err != nil {
		return nil, err
	}
	sentryClient, err := a.errorTracking()
	if err != nil {
		return nil, err
	}
	hook := queryObserver(logger, a.Metrics, cfg.SlowQuery)
	// Each background job is a span, linked to the request that enqueued
	// it through the trace context River keeps in the job's metadata.
	var jobMiddleware []rivertype.Middleware
	if tp != nil {
		hook = traceQueries(hook, tp, db.Engine())
		jobMiddleware = append(jobMiddleware, otelriver.NewMiddleware(&otelriver.MiddlewareConfig{
			TracerProvider: tp, MeterProvider: noop.NewMeterProvider(),
			EnableTracePropagation: true, EnableWorkSpanJobKindSuffix: true,
		}))
	}
	db.SetQueryHook(hook)
	a.Metrics.WatchDBPools(db.PoolStats)
	a.Metrics.WatchActiveUsers(db.Practice().ActiveUsers, now)
	checks := []httpapi.Check{{Name: "database", Critical: true, Run: db.Ping}}

	shared, redisClient, err := a.sharedCache(ctx)
	if err != nil {
		return nil, err
	}
	responses, libraryVersion := a.libraryCache(redisClient)
	if shared != nil {
		// The service works without its cache (it asks the database).
		checks = append(checks, httpapi.Check{Name: "cache", Run: shared.Ping})
	}

	limits, limitsCheck, err := a.rateLimits()
	if err != nil {
		return nil, err
	}
	if limitsCheck != nil {
		checks = append(checks, *limitsCheck)
	}
	a.Metrics.WatchJobQueue(db.QueueBacklog)
	checks = append(checks, httpapi.Check{Name: "jobs", Run: func(ctx context.Context) error {
		depth, err := db.QueueBacklog(ctx)
		if err == nil && depth["available"]+depth["retryable"] > jobBacklogLimit {
			err = fmt.Errorf("%d jobs waiting", depth["available"]+depth["retryable"])
		}
		return err
	}})
	proxies, err := config.ParsePrefixes(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}

	// An insert-only client for the store: jobs are enqueued in the store's
	// transactions. The working client below needs the store first.
	inserter, err := river.NewClient(db.QueueDriver(), &river.Config{Logger: logger, Middleware: jobMiddleware})
	if err != nil {
		return nil, err
	}
	accountStore := db.Accounts(inserter)
	hasher := password.NewHasher(cfg.BcryptCost, cfg.HashSlotsValue(), cfg.HashWait)
	a.Accounts, err = account.NewService(account.Config{
		JWTSecret: []byte(cfg.JWTSecret), AccessTTL: cfg.AccessTokenTTL, RefreshTTL: cfg.RefreshTokenTTL, RefreshGrace: cfg.RefreshReuseGrace,
		VerifyTTL: cfg.VerifyTokenTTL, ResetTTL: cfg.ResetTokenTTL,
	}, accountStore, hasher, cache.Observed(shared, a.Metrics.CacheRecorder("principals")), logger, now)
	if err != nil {
		return nil, err
	}

	sender, mailCheck, err := a.mailSender()
	if err != nil {
		return nil, err
	}
	if mailCheck != nil {
		checks = append(checks, *mailCheck)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, a.Accounts.NewEmailWorker(sender, cfg.PublicURL))
	river.AddWorker(workers, a.Accounts.NewResetRequestWorker())
	a.workers, err = river.NewClient(db.QueueDriver(), &river.Config{
		Logger:                      logger,
		Queues:                      map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}},
		Workers:                     workers,
		Middleware:                  jobMiddleware,
		FetchPollInterval:           250 * time.Millisecond,
		CompletedJobRetentionPeriod: time.Hour,
	})
	if err != nil {
		return nil, err
	}

	a.Library = library.NewService(db.Library(), libraryVersion, logger, now)
	a.Flags = flags.NewService(db.Flags(), a.version(redisClient, "flags"), func(key, variant string) flags.Counter {
		return a.Metrics.FlagEvaluations.WithLabelValues(key, variant)
	}, logger, now)
	a.Handler = httpapi.New(httpapi.Deps{
		Logger:      logger,
		Metrics:     a.Metrics,
		Version:     Version,
		CORSOrigins: cfg.CORSOrigins,
		Checks:      checks,
		Accounts:    a.Accounts,
		Library:     a.Library,
		Practice: practice.NewService(db.Practice(), a.Library, a.Accounts, sessionEvents{logger: logger, metrics: a.Metrics}, a.Flags,
			cache.Observed(shared, a.Metrics.CacheRecorder("stats")), now),
		Flags:          a.Flags,
		Idempotency:    db.Idempotency(),
		LibraryCache:   cache.Observed(responses, a.Metrics.CacheRecorder("library")),
		LibraryVersion: libraryVersion,
		Limits:         limits,
		TrustedProxies: proxies,
		Tracing:        tp,
		Sentry:         sentryClient,
	})
	return a, nil
}

// tracing returns the tracer provider: the one given, else one exporting
// over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (Close flushes and
// shuts it down), else nil: tracing is off and costs nothing.
func (a *App) tracing(ctx context.Context, given trace.TracerProvider) (trace.TracerProvider, error) {
	if given != nil || a.Config.OTLPEndpoint == "" {
		return given, nil
	}
	tp, err := tracing.New(ctx, a.Config.OTLPEndpoint, Version)
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return tp.Shutdown(ctx)
	})
	return tp, nil
}

// errorTracking returns the Sentry client when YOGAFLOW_SENTRY_DSN is set
// (Close sends what it still holds), else nil.
func (a *App) errorTracking() (*sentry.Client, error) {
	if a.Config.SentryDSN == "" {
		return nil, nil
	}
	client, err := errtrack.New(errtrack.Config{
		DSN: a.Config.SentryDSN, TracesSampleRate: a.Config.SentryTracesSampleRate,
		Environment: a.Config.Env, Release: Version,
	})
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, func() error {
		if !client.Flush(5 * time.Second) {
			return errors.New("sentry: events still unsent after 5s")
		}
		return nil
	})
	return client, nil
}

// sharedCache picks the cache of what writes must invalidate everywhere at
// once (authenticated principals, users' stats): Redis when configured (so
// an invalidation is seen by every instance); in-process on SQLite (one
// instance by nature); none on PostgreSQL without Redis, where several
// instances could not see each other's invalidations. It also returns the
// Redis client, when there is one.
func (a *App) sharedCache(ctx context.Context) (cache.Cache, *redis.Client, error) {
	switch {
	case a.Config.RedisURL != "":
		client, err := cache.NewRedisClient(a.Config.RedisURL)
		if err != nil {
			return nil, nil, fmt.Errorf("redis: %w", err)
		}
		a.closers = append(a.closers, client.Close)
		// Redis away at start is Redis away later: the service starts
		// degraded (the database in the cache's stead, each instance
		// counting its own limits) and says so; /health/ready too.
		if err := client.Ping(ctx).Err(); err != nil {
			a.Logger.Warn("Redis is not answering at start: serving without the shared cache, each instance counting its own rate limits, until it answers",
				slog.String("error", err.Error()))
		}
		return cache.NewRedis(client, a.Config.RedisPrefix), client, nil
	case a.DB.Engine() == store.SQLite:
		return cache.NewMemory(100_000), nil, nil
	}
	return nil, nil, nil
}

// rateLimits counts requests in Redis when configured, so every instance
// shares the limits (each counting its own while Redis is away, which the
// log and /health/ready tell), else in this process.
func (a *App) rateLimits() (*httpapi.Limits, *httpapi.Check, error) {
	var client *redis.Client
	if a.Config.RedisURL != "" {
		c, err := ratelimit.NewRedisClient(a.Config.RedisURL)
		if err != nil {
			return nil, nil, fmt.Errorf("redis: %w", err)
		}
		client = c
	}
	st := ratelimit.NewStore(client, a.Config.RedisPrefix, func(shared bool) {
		if shared {
			a.Logger.Info("Redis answers again: rate limits are shared by every instance")
		} else {
			a.Logger.Warn("Redis is unreachable: each instance counts rate limits on its own until it returns")
		}
	})
	if client != nil {
		a.closers = append(a.closers, func() error { st.Close(); return client.Close() })
	}
	limits := &httpapi.Limits{
		Auth:           st.Limiter("auth", a.Config.RateLimitAuth),
		Account:        st.Limiter("account", a.Config.RateLimitAccount),
		AccountCeiling: st.Limiter("account_ceiling", a.Config.RateLimitAccountCeiling),
		Reset:          st.Limiter("reset", a.Config.RateLimitReset),
		DeviceKey:      deviceKey(a.Config.JWTSecret),
		Public:         st.Limiter("public", a.Config.RateLimitPublic),
		User:           st.Limiter("user", a.Config.RateLimitUser),
	}
	if client == nil {
		return limits, nil, nil
	}
	return limits, &httpapi.Check{Name: "ratelimit", Run: st.Check}, nil
}

// deviceKey signs device cookies: derived from the JWT secret, which
// every instance shares, under a name of its own so that neither key can
// stand for the other.
func deviceKey(secret string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("yogaflow device cookie"))
	return m.Sum(nil)
}

// libraryCache keeps encoded library responses in this process, under the
// library's version, which is shared (in Redis when configured): an entry
// of an older version is never read again, so an edit shows at once on
// every instance, and a cached page costs one small Redis GET rather than
// its bytes.
func (a *App) libraryCache(client *redis.Client) (cache.Cache, cache.Version) {
	return cache.NewMemory(10_000), a.version(client, "library")
}

// version picks the counter called name that writers bump and readers of
// what they wrote check: in Redis when configured; else in this process
// (SQLite: one instance) or in the database (PostgreSQL: every instance
// reads the one counter).
func (a *App) version(client *redis.Client, name string) cache.Version {
	switch {
	case client != nil:
		return cache.NewRedisVersion(client, a.Config.RedisPrefix+"version:"+name)
	case a.DB.Engine() == store.SQLite:
		return &cache.MemoryVersion{}
	}
	return a.DB.Version(name)
}

// mailSender sends through SMTP when configured, else writes mail to the
// log (with the body, so links can be followed, only in development).
func (a *App) mailSender() (mail.Sender, *httpapi.Check, error) {
	if a.Config.SMTPURL == "" {
		return mail.NewLog(a.Logger, a.Config.Env == config.EnvDevelopment), nil, nil
	}
	host := "localhost"
	if u, err := url.Parse(a.Config.PublicURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	smtp, err := mail.NewSMTP(a.Config.SMTPURL, "YogaFlow <no-reply@"+host+">")
	if err != nil {
		return nil, nil, err
	}
	return smtp, &httpapi.Check{Name: "mail", Run: smtp.Ping}, nil
}

// Start starts the background workers.
func (a *App) Start(ctx context.Context) error {
	events, unsubscribe := a.workers.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	a.closers = append(a.closers, func() error { unsubscribe(); return nil })
	go func() {
		for e := range events {
			result := "completed"
			if e.Kind == river.EventKindJobFailed {
				result = "failed"
			}
			a.Metrics.JobRuns.WithLabelValues(e.Job.Kind, result).Inc()
		}
	}()
	return a.workers.Start(ctx)
}

// jobBacklogLimit is how many due jobs (emails) may wait before readiness
// reports the workers far behind; the service still serves (not critical).
const jobBacklogLimit = 1000

// Server returns the HTTP server with timeouts that bound slow clients.
func (a *App) Server() *http.Server {
	return &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: a.Config.ReadHeaderTimeout,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn),
	}
}

// Serve serves on ln until ctx is done, then stops gracefully: the listener
// closes at once (new connections are refused), requests in flight get up to
// ShutdownTimeout to finish, and the database closes last.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	if err := a.Start(ctx); err != nil {
		return errors.Join(fmt.Errorf("starting workers: %w", err), a.Close())
	}
	srv := a.Server()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Logger.Info("serving", slog.String("addr", ln.Addr().String()))

	var serveErr error
	select {
	case err := <-errc:
		serveErr = fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
		a.Logger.Info("shutting down: finishing requests in flight", slog.Duration("timeout", a.Config.ShutdownTimeout))
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.Config.ShutdownTimeout)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			serveErr = fmt.Errorf("shutting down: %w", err)
		}
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			serveErr = errors.Join(serveErr, err)
		}
	}
	return errors.Join(serveErr, a.Close())
}

// StopWorkers stops the background workers, letting running jobs finish
// briefly. Close calls it first; stopping twice is harmless.
func (a *App) StopWorkers() error {
	if a.workers == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.workers.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// Close stops the workers and then releases the cache and, last, the
// database. Serve calls it; tests that never serve do.
func (a *App) Close() error {
	errs := []error{a.StopWorkers()}
	for _, c := range a.closers {
		errs = append(errs, c())
	}
	return errors.Join(append(errs, a.DB.Close())...)
}

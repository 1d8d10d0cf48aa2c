// Package app is the composition root: it builds the service from a Config.
// cmd/yogaflow runs it and the tests build it the same way, so what is
// tested is what runs.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/yogaflow/yogaflow/internal/config"
	"github.com/yogaflow/yogaflow/internal/httpapi"
	"github.com/yogaflow/yogaflow/internal/platform/metrics"
	"github.com/yogaflow/yogaflow/internal/store"
)

// Version is the service version, set at build time with -ldflags.
var Version = "dev"

// App is a built service: its database and its HTTP handler.
type App struct {
	Config  config.Config
	Logger  *slog.Logger
	DB      *store.DB
	Metrics *metrics.Metrics
	Handler http.Handler
}

// OpenDB opens the configured database, for commands that need only it.
func OpenDB(ctx context.Context, cfg config.Config) (*store.DB, error) {
	u, err := config.ParseDatabaseURL(cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, u)
}

// New opens and migrates the database and builds the HTTP handler.
func New(ctx context.Context, cfg config.Config, logger *slog.Logger) (*App, error) {
	db, err := OpenDB(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := db.MigrateUp(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	m := metrics.New()
	m.WatchDBPools(db.PoolStats)
	handler := httpapi.New(httpapi.Deps{
		Logger:      logger,
		Metrics:     m,
		Version:     Version,
		CORSOrigins: cfg.CORSOrigins,
		Checks: []httpapi.Check{
			{Name: "database", Critical: true, Run: db.Ping},
		},
	})
	return &App{Config: cfg, Logger: logger, DB: db, Metrics: m, Handler: handler}, nil
}

// Server returns the HTTP server with timeouts that bound slow clients.
func (a *App) Server() *http.Server {
	return &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 5 * time.Second,
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

// Close releases the database. Serve calls it; tests that never serve do.
func (a *App) Close() error { return a.DB.Close() }

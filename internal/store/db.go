// Package store is the SQL implementation of every domain's Store, on SQLite
// (embedded, pure Go) and PostgreSQL.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/yogaflow/yogaflow/internal/config"
)

func init() {
	// SQLite's own lower() folds ASCII letters only, so "élodie" would not
	// find "Élodie" as it does on PostgreSQL; this one folds every letter.
	sqlite.MustRegisterDeterministicScalarFunction("lower", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		if s, ok := args[0].(string); ok {
			return strings.ToLower(s), nil
		}
		return args[0], nil
	})
}

// Engine names a database engine.
type Engine string

// The engines YogaFlow runs on.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB holds the connections of one database.
//
// SQLite allows one writer at a time, so writes go through a pool of exactly
// one connection (no SQLITE_BUSY between our own writers) while reads use a
// pool of read-only connections that WAL lets run beside it. On PostgreSQL
// both are the same pool, and pgx also serves the job queue from it.
type DB struct {
	engine  Engine
	write   *pool
	read    *pool
	pgx     *pgxpool.Pool // PostgreSQL only
	queries atomic.Int64
	hook    QueryHook
}

// QueryCount is how many statements have run outside transactions so far.
func (db *DB) QueryCount() int64 { return db.queries.Load() }

func newDB(engine Engine, write, read *sql.DB, pgx *pgxpool.Pool) *DB {
	db := &DB{engine: engine, pgx: pgx}
	db.write = &pool{DB: write, db: db}
	db.read = db.write
	if read != write {
		db.read = &pool{DB: read, db: db}
	}
	return db
}

// Open connects to the database named by rawURL (sqlite:PATH or
// postgres://...). It does not migrate.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	u, err := config.ParseDatabaseURL(rawURL)
	if err != nil {
		return nil, err
	}
	switch u.Engine {
	case string(SQLite):
		return openSQLite(ctx, u.Path)
	case string(Postgres):
		return openPostgres(ctx, u.DSN)
	}
	return nil, fmt.Errorf("store: unknown engine %q", u.Engine)
}

// sqlitePragmas are applied to every connection: busy_timeout first, so the
// pragmas after it already wait rather than fail on a lock.
const sqlitePragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
	"&_pragma=synchronous(NORMAL)&_txlock=immediate&_time_format=sqlite&_timezone=UTC"

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: creating %s: %w", dir, err)
		}
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + sqlitePragmas
	write, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// The writer opens (and so creates) the file before any reader does.
	if err := write.PingContext(ctx); err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}

	read, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}
	readers := max(4, runtime.NumCPU())
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	read.SetConnMaxIdleTime(5 * time.Minute)
	return newDB(SQLite, write, read, nil), nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, errors.New("store: YOGAFLOW_DATABASE_URL is not a valid PostgreSQL URL")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connecting to PostgreSQL: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connecting to PostgreSQL: %w", err)
	}
	// One pool for everything: database/sql borrows pgx's connections.
	sqlDB := stdlib.OpenDBFromPool(pool)
	return newDB(Postgres, sqlDB, sqlDB, pool), nil
}

// Engine says which engine this is.
func (db *DB) Engine() Engine { return db.engine }

// Ping checks that the database answers, on every pool.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return err
	}
	if db.read != db.write {
		return db.read.PingContext(ctx)
	}
	return nil
}

// PoolStats returns the figures of each connection pool by name.
func (db *DB) PoolStats() map[string]sql.DBStats {
	if db.read == db.write {
		return map[string]sql.DBStats{"main": db.write.Stats()}
	}
	return map[string]sql.DBStats{"write": db.write.Stats(), "read": db.read.Stats()}
}

// Close closes every pool. Call it last, after the server and workers stop.
func (db *DB) Close() error {
	var errs []error
	if db.read != db.write {
		errs = append(errs, db.read.Close())
	}
	errs = append(errs, db.write.Close())
	if db.pgx != nil {
		db.pgx.Close()
	}
	return errors.Join(errs...)
}

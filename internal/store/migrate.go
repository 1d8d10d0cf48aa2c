package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// MigrationStatus is the state of one schema migration.
type MigrationStatus struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time // zero when not applied
}

func (db *DB) migrator() (*goose.Provider, error) {
	dir, err := fs.Sub(migrations, "migrations/"+string(db.engine))
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	opts := []goose.ProviderOption{goose.WithGoMigrations(indexPoseSearch)}
	if db.engine == Postgres {
		dialect = goose.DialectPostgres
		// Instances starting together take turns: the first migrates, the
		// others then find nothing left to do. The lock is a row with a
		// lease, not a session's advisory lock, which PgBouncer in
		// transaction mode could leave held on a server connection that
		// someone else's statements then borrow.
		locker, err := lock.NewPostgresTableLocker(lock.WithTableLockTimeout(100*time.Millisecond, 3000))
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithLocker(locker))
	}
	return goose.NewProvider(dialect, db.write.DB, dir, opts...)
}

// MigrateUp applies every pending schema migration, then the job queue's own.
func (db *DB) MigrateUp(ctx context.Context) error {
	p, err := db.migrator()
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrating up: %w", err)
	}
	// A schema this build does not know (a newer release migrated it) is
	// refused: its queries would fail in ways no test has seen.
	sources := p.ListSources()
	newest := sources[len(sources)-1].Version
	if current, err := p.GetDBVersion(ctx); err != nil {
		return fmt.Errorf("store: reading the schema version: %w", err)
	} else if current > newest {
		return fmt.Errorf("store: the database is at schema version %d, newer than this build's %d: run the release that migrated it, or roll it back with that release's migrate down", current, newest)
	}
	if err := db.migrateQueue(ctx); err != nil {
		return fmt.Errorf("store: migrating the job queue: %w", err)
	}
	return nil
}

// MigrateDown rolls back the newest applied schema migration. The job
// queue's tables stay: they hold no data of ours and cost nothing idle.
func (db *DB) MigrateDown(ctx context.Context) (MigrationStatus, error) {
	p, err := db.migrator()
	if err != nil {
		return MigrationStatus{}, fmt.Errorf("store: migrations: %w", err)
	}
	res, err := p.Down(ctx)
	if errors.Is(err, goose.ErrNoNextVersion) {
		return MigrationStatus{}, errors.New("store: no migration to roll back")
	}
	if err != nil {
		return MigrationStatus{}, fmt.Errorf("store: migrating down: %w", err)
	}
	return MigrationStatus{Version: res.Source.Version, Name: res.Source.Path}, nil
}

// Migrations lists every schema migration, applied or pending.
func (db *DB) Migrations(ctx context.Context) ([]MigrationStatus, error) {
	p, err := db.migrator()
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migration status: %w", err)
	}
	out := make([]MigrationStatus, len(st))
	for i, s := range st {
		out[i] = MigrationStatus{
			Version:   s.Source.Version,
			Name:      s.Source.Path,
			Applied:   s.State == goose.StateApplied,
			AppliedAt: s.AppliedAt,
		}
	}
	return out, nil
}

func (db *DB) migrateQueue(ctx context.Context) error {
	m, err := rivermigrate.New(db.QueueDriver(), nil)
	if err != nil {
		return err
	}
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return err
}

// QueueSchema reports the job queue's applied and newest schema versions.
func (db *DB) QueueSchema(ctx context.Context) (applied, newest int, err error) {
	m, err := rivermigrate.New(db.QueueDriver(), nil)
	if err != nil {
		return 0, 0, err
	}
	existing, err := m.ExistingVersions(ctx)
	if err != nil {
		return 0, 0, err
	}
	if len(existing) > 0 {
		applied = existing[len(existing)-1].Version
	}
	all := m.AllVersions()
	return applied, all[len(all)-1].Version, nil
}

// QueueDriver is the job queue's driver on this database. Both engines use
// database/sql transactions, so a job is enqueued in the same *sql.Tx as
// the rows it is about. SQLite's driver gets the single writer connection,
// as its authors ask.
func (db *DB) QueueDriver() riverdriver.Driver[*sql.Tx] {
	if db.engine == Postgres {
		return riverdatabasesql.New(db.write.DB)
	}
	return riversqlite.New(db.write.DB)
}

// QueueBacklog counts the background jobs waiting, by state: available
// (due), retryable (failed, to be tried again) and scheduled (later).
func (db *DB) QueueBacklog(ctx context.Context) (map[string]int, error) {
	type stateCount struct {
		state string
		n     int
	}
	rows, err := queryAll(ctx, db.read, func(r rowScanner) (stateCount, error) {
		var v stateCount
		return v, r.Scan(&v.state, &v.n)
	}, `SELECT state, COUNT(*) FROM river_job WHERE state IN ('available', 'retryable', 'scheduled') GROUP BY state`)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.state] = r.n
	}
	return out, nil
}

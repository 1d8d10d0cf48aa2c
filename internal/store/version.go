package store

import (
	"context"
	"database/sql"
	"errors"
)

// Version is a cache.Version kept in the database, for instances that
// share a database but no Redis.
type Version struct {
	db   *DB
	name string
}

// Version returns the counter called name.
func (db *DB) Version(name string) *Version { return &Version{db: db, name: name} }

// Current reads the counter: one primary-key lookup.
func (v *Version) Current(ctx context.Context) (int64, error) {
	var n int64
	err := v.db.read.QueryRowContext(ctx, `SELECT version FROM cache_versions WHERE name = $1`, v.name).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

// Bump increments the counter.
func (v *Version) Bump(ctx context.Context) error {
	_, err := v.db.write.ExecContext(ctx, `INSERT INTO cache_versions (name, version) VALUES ($1, 1)
ON CONFLICT (name) DO UPDATE SET version = cache_versions.version + 1`, v.name)
	return err
}

// Package storetest runs the store's behaviour suite on every engine and
// gives other packages' tests a migrated database of their own.
package storetest

import (
	"testing"

	"github.com/yogaflow/yogaflow/internal/platform/testdb"
	"github.com/yogaflow/yogaflow/internal/store"
)

// Open opens and migrates a fresh database on engine e, closed when tb ends.
func Open(tb testing.TB, e testdb.Engine) *store.DB {
	tb.Helper()
	db, err := store.Open(tb.Context(), e.URL)
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	if err := db.MigrateUp(tb.Context()); err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	return db
}

// Run runs fn on a fresh, migrated database per engine.
func Run(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	testdb.Run(t, func(t *testing.T, e testdb.Engine) { fn(t, Open(t, e)) })
}

package storetest_test

import (
	"testing"

	"github.com/yogaflow/yogaflow/internal/store"
	"github.com/yogaflow/yogaflow/internal/store/storetest"
)

func TestMigrationsRoundTrip(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		all := mustMigrations(t, db)
		if len(all) == 0 {
			t.Fatal("no migrations embedded")
		}
		for _, m := range all {
			if !m.Applied || m.AppliedAt.IsZero() {
				t.Fatalf("after MigrateUp, %s is not applied: %+v", m.Name, m)
			}
		}

		if err := db.MigrateUp(ctx); err != nil {
			t.Fatalf("second MigrateUp must be a no-op, got %v", err)
		}

		newest := all[len(all)-1]
		down, err := db.MigrateDown(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if down.Version != newest.Version {
			t.Fatalf("MigrateDown rolled back %d, want the newest %d", down.Version, newest.Version)
		}
		after := mustMigrations(t, db)
		if after[len(after)-1].Applied {
			t.Fatalf("migration %d still applied after MigrateDown", newest.Version)
		}

		if err := db.MigrateUp(ctx); err != nil {
			t.Fatalf("re-applying after down: %v", err)
		}
		if again := mustMigrations(t, db); !again[len(again)-1].Applied {
			t.Fatal("newest migration not re-applied")
		}
	})
}

func TestMigrateDownPastTheFirst(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		for range mustMigrations(t, db) {
			if _, err := db.MigrateDown(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.MigrateDown(t.Context()); err == nil {
			t.Fatal("MigrateDown with nothing applied: want an error")
		}
	})
}

func TestQueueSchemaIsCurrent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		applied, newest, err := db.QueueSchema(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if applied == 0 || applied != newest {
			t.Fatalf("job queue schema at %d, newest %d: MigrateUp must apply it all", applied, newest)
		}
	})
}

func TestPingAndClose(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		if err := db.Ping(t.Context()); err != nil {
			t.Fatalf("Ping: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := db.Ping(t.Context()); err == nil {
			t.Fatal("Ping after Close: want an error")
		}
	})
}

func mustMigrations(t *testing.T, db *store.DB) []store.MigrationStatus {
	t.Helper()
	st, err := db.Migrations(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

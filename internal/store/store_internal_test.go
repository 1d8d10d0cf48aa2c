package store

import (
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/platform/testdb"
)

// These tests reach inside the store (its pools and error helpers), so they
// open databases themselves instead of through storetest.
func openTestDB(t *testing.T, e testdb.Engine) *DB {
	t.Helper()
	db, err := Open(t.Context(), e.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.MigrateUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestSQLitePragmasOnEveryPool(t *testing.T) {
	db := openTestDB(t, testdb.New(t, "sqlite"))
	want := map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "5000"}
	for poolName, pool := range map[string]*sql.DB{"write": db.write.DB, "read": db.read.DB} {
		for pragma, value := range want {
			var got string
			if err := pool.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != value {
				t.Errorf("%s pool: PRAGMA %s = %q, want %q", poolName, pragma, got, value)
			}
		}
	}
	if n := db.write.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("SQLite write pool allows %d connections, want exactly 1", n)
	}
}

func TestSQLiteReadPoolRefusesWrites(t *testing.T) {
	db := openTestDB(t, testdb.New(t, "sqlite"))
	_, err := db.read.ExecContext(t.Context(), "INSERT INTO permissions (name, description) VALUES ('x:y', 'z')")
	if err == nil {
		t.Fatal("a write through the read pool succeeded; it must be query_only")
	}
}

func TestSQLiteConcurrentWritesAndReads(t *testing.T) {
	db := openTestDB(t, testdb.New(t, "sqlite"))
	const writers = 40
	var wg sync.WaitGroup
	errs := make(chan error, 2*writers)
	for i := range writers {
		wg.Go(func() {
			_, err := db.write.ExecContext(t.Context(),
				"INSERT INTO permissions (name, description) VALUES ($1, 'load')", fmt.Sprintf("load:%d", i))
			errs <- err
		})
		wg.Go(func() {
			var n int
			errs <- db.read.QueryRowContext(t.Context(), "SELECT count(*) FROM permissions").Scan(&n)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent access: %v", err)
		}
	}
	var n int
	if err := db.read.QueryRowContext(t.Context(), "SELECT count(*) FROM permissions WHERE description = 'load'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != writers {
		t.Fatalf("%d rows written, want %d", n, writers)
	}
}

func TestConstraintErrorsAreRecognised(t *testing.T) {
	testdb.Run(t, func(t *testing.T, e testdb.Engine) {
		db := openTestDB(t, e)
		ctx := t.Context()

		_, err := db.write.ExecContext(ctx, "INSERT INTO roles (name, description) VALUES ('admin', 'again')")
		if !isUniqueViolation(err) || isForeignKeyViolation(err) {
			t.Errorf("duplicate key: got %v, want a unique violation only", err)
		}

		_, err = db.write.ExecContext(ctx, "INSERT INTO role_permissions (role, permission) VALUES ('nobody', 'content:write')")
		if !isForeignKeyViolation(err) || isUniqueViolation(err) {
			t.Errorf("dangling reference: got %v, want a foreign key violation only", err)
		}

		_, err = db.write.ExecContext(ctx, "SELECT * FROM no_such_table")
		if err == nil || isUniqueViolation(err) || isForeignKeyViolation(err) {
			t.Errorf("other error: got %v, want it classified as neither", err)
		}
	})
}

func TestTimestampsRoundTripInUTC(t *testing.T) {
	testdb.Run(t, func(t *testing.T, e testdb.Engine) {
		db := openTestDB(t, e)
		ctx := t.Context()
		if _, err := db.write.ExecContext(ctx, "CREATE TABLE stamps (at TIMESTAMP NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		tokyo := time.FixedZone("JST", 9*3600)
		in := time.Date(2026, 1, 31, 16, 15, 0, 123456000, tokyo)
		if _, err := db.write.ExecContext(ctx, "INSERT INTO stamps (at) VALUES ($1)", in.UTC()); err != nil {
			t.Fatal(err)
		}
		var out time.Time
		if err := db.read.QueryRowContext(ctx, "SELECT at FROM stamps").Scan(&out); err != nil {
			t.Fatal(err)
		}
		if !out.Equal(in) || out.Location() != time.UTC {
			t.Fatalf("stored %v, read back %v (%v); want the same instant in UTC", in, out, out.Location())
		}
	})
}

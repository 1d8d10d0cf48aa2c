package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for a refused dial

	"github.com/yogaflow/yogaflow/internal/platform/outage"
)

// TestClassify: the failures that pass are outage.ErrUnavailable, still
// unwrapping to their cause; every other error is returned as it was.
func TestClassify(t *testing.T) {
	refused := func() error {
		db, err := sql.Open("pgx", "postgres://nobody@127.0.0.1:1/none?connect_timeout=2")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		return db.PingContext(t.Context())
	}()
	for _, tc := range []struct {
		name        string
		err         error
		unavailable bool
	}{
		{"a refused dial", refused, true},
		{"an admin shutdown (57P01)", &pgconn.PgError{Code: "57P01"}, true},
		{"the server starting (57P03)", &pgconn.PgError{Code: "57P03"}, true},
		{"too many connections (53300)", &pgconn.PgError{Code: "53300"}, true},
		{"a read-only server (25006)", &pgconn.PgError{Code: "25006"}, true},
		{"a connection failure (08006)", fmt.Errorf("store: listing: %w", &pgconn.PgError{Code: "08006"}), true},
		{"a serialization failure (40001)", &pgconn.PgError{Code: "40001"}, true},
		{"a pool wait past its deadline", context.DeadlineExceeded, true},
		{"a bad connection", driver.ErrBadConn, true},
		{"a unique violation (23505)", &pgconn.PgError{Code: "23505"}, false},
		{"a syntax error (42601)", &pgconn.PgError{Code: "42601"}, false},
		{"no rows", sql.ErrNoRows, false},
		{"a cancelled request", context.Canceled, false},
		{"a bug", errors.New("scan: converting NULL to string"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := classify(tc.err)
			if errors.Is(got, outage.ErrUnavailable) != tc.unavailable {
				t.Errorf("classify(%v) is unavailable: %v, want %v", tc.err, !tc.unavailable, tc.unavailable)
			}
			if !errors.Is(got, tc.err) {
				t.Errorf("classify(%v) = %v lost its cause", tc.err, got)
			}
		})
	}
	if classify(nil) != nil {
		t.Error("classify(nil) is not nil")
	}
}

// TestSQLiteBusyIsUnavailable: a write that waits out busy_timeout behind
// another writer's lock is an outage, not a bug: seen through the store's
// own statement path, as every store method sees it.
func TestSQLiteBusyIsUnavailable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	dsn := "file:" + path + "?_pragma=busy_timeout(50)&_pragma=journal_mode(WAL)&_txlock=immediate"
	holder, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := holder.Exec(`CREATE TABLE t (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	lock, err := holder.BeginTx(t.Context(), nil) // BEGIN IMMEDIATE: the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = lock.Rollback() }()

	other, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	db := newDB(SQLite, other, other, nil)
	_, err = db.write.ExecContext(t.Context(), `INSERT INTO t VALUES (1)`)
	if !errors.Is(err, outage.ErrUnavailable) {
		t.Fatalf("a write behind another's lock: %v, want unavailable", err)
	}
}

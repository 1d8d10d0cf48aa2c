// Package testdb hands each test a fresh, empty database on every engine the
// run can reach: an SQLite file in t.TempDir() always, and a new PostgreSQL
// schema when YOGAFLOW_TEST_DATABASE_URL is set.
package testdb

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// EnvPostgresURL names the variable that turns the PostgreSQL runs on. When
// it is set, a database that cannot be reached fails the test: CI must never
// pass by skipping.
const EnvPostgresURL = "YOGAFLOW_TEST_DATABASE_URL"

// Engine is one database a test runs against.
type Engine struct {
	Name string // "sqlite" or "postgres"
	URL  string // a YOGAFLOW_DATABASE_URL value for a fresh, empty database
}

// Run runs fn as a subtest per engine, each with its own fresh database.
func Run(t *testing.T, fn func(t *testing.T, e Engine)) {
	t.Helper()
	names := []string{"sqlite"}
	if os.Getenv(EnvPostgresURL) != "" {
		names = append(names, "postgres")
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) { fn(t, New(t, name)) })
	}
}

// New makes a fresh database on the named engine, removed when t ends.
func New(tb testing.TB, name string) Engine {
	tb.Helper()
	switch name {
	case "sqlite":
		return Engine{Name: name, URL: "sqlite:" + filepath.Join(tb.TempDir(), "yogaflow.db")}
	case "postgres":
		return Engine{Name: name, URL: newSchema(tb)}
	}
	tb.Fatalf("testdb: unknown engine %q", name)
	return Engine{}
}

// newSchema creates a schema of its own for the test and returns a URL whose
// search_path points at it, so everything the test creates lands there and
// is dropped with it.
func newSchema(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvPostgresURL)
	if base == "" {
		tb.Fatalf("testdb: %s is not set", EnvPostgresURL)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("testdb: opening %s: %v", EnvPostgresURL, err)
	}
	defer admin.Close()

	buf := make([]byte, 8)
	_, _ = rand.Read(buf)
	schema := "test_" + hex.EncodeToString(buf)
	if _, err := admin.ExecContext(tb.Context(), "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("testdb: PostgreSQL at %s is not usable: %v", EnvPostgresURL, err)
	}
	tb.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			tb.Errorf("testdb: dropping %s: %v", schema, err)
			return
		}
		defer db.Close()
		if _, err := db.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			tb.Errorf("testdb: dropping %s: %v", schema, err)
		}
	})

	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("testdb: %s is not a URL: %v", EnvPostgresURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

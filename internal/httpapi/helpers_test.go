package httpapi_test

import (
	"crypto/rand"
	"os"
	"testing"

	"github.com/yogaflow/yogaflow/internal/platform/testdb"
)

// sqliteEngine is for tests of HTTP behaviour that no database changes.
func sqliteEngine(t *testing.T) testdb.Engine { return testdb.New(t, "sqlite") }

// instanceSetups are the ways several instances share state: one
// PostgreSQL database alone, and with one Redis when configured (under a
// key prefix of the test's own). It skips without PostgreSQL: SQLite is a
// single instance by nature.
func instanceSetups(t *testing.T) map[string][]string {
	t.Helper()
	if os.Getenv(testdb.EnvPostgresURL) == "" {
		t.Skip("several instances need a shared database: set " + testdb.EnvPostgresURL)
	}
	setups := map[string][]string{"postgres alone": nil}
	if redis := os.Getenv("YOGAFLOW_TEST_REDIS_URL"); redis != "" {
		setups["postgres and redis"] = []string{"YOGAFLOW_REDIS_URL=" + redis, "YOGAFLOW_REDIS_PREFIX=yogaflow-test:" + rand.Text() + ":"}
	}
	return setups
}

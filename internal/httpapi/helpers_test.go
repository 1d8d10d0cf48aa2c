// The tests of the HTTP layer, through the real handler on a real database
// (both engines where PostgreSQL is configured), are grouped by concern in
// the name of their file:
//
//	accounts_*  sign-up, sign-in, tokens, email flows, hashing, admin
//	library_*   poses, sequences, search, generated practices, pictures, the library cache
//	practice_*  sessions, resume, settings, history and stats
//	flags_*     feature flags and experiments
//	contract_*  what every operation holds to: the OpenAPI document, problems, bodies, idempotency, fuzzing
//	security_*  each threat of the threat model, one file each
//	ops_*       running it: metrics, logs, traces, error reports, outages, many instances, PgBouncer
//	perf_*      query counts per request and whole-request benchmarks (a concern's own are its *_bench_test.go)
//
// helpers_test.go holds what they share.
package httpapi_test

import (
	"crypto/rand"
	"os"
	"strings"
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
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

// checkMetrics fails for each line /metrics does not hold.
func checkMetrics(t *testing.T, a *apptest.App, lines ...string) {
	t.Helper()
	text := string(a.Do(t, "GET", "/metrics", nil).Body)
	for _, line := range lines {
		if !strings.Contains(text, line) {
			t.Errorf("/metrics lacks %q", line)
		}
	}
}

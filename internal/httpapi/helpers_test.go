package httpapi_test

import (
	"testing"

	"github.com/yogaflow/yogaflow/internal/platform/testdb"
)

// sqliteEngine is for tests of HTTP behaviour that no database changes.
func sqliteEngine(t *testing.T) testdb.Engine { return testdb.New(t, "sqlite") }

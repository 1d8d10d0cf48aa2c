package flags_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/yogaflow/yogaflow/internal/apptest"
	"github.com/yogaflow/yogaflow/internal/flags"
	"github.com/yogaflow/yogaflow/internal/platform/testdb"
)

// BenchmarkVariant20Flags evaluates 20 flags for one user, as a request
// that branches on each would, in the service as it is built to run: the
// flags come from memory, and not one query reaches the database.
func BenchmarkVariant20Flags(b *testing.B) {
	a := apptest.New(b, testdb.New(b, "sqlite"))
	enabled, rollout := true, 50
	keys := make([]string, 20)
	for i := range keys {
		keys[i] = fmt.Sprintf("experiment_%02d", i)
		in := flags.Input{Enabled: &enabled, RolloutPercent: &rollout,
			Variants: []flags.Variant{{Name: "control", Weight: 2}, {Name: "short", Weight: 1}, {Name: "long", Weight: 1}}}
		if _, err := a.Flags.Create(b.Context(), nil, keys[i], in, ""); err != nil {
			b.Fatal(err)
		}
	}
	u := flags.User{ID: uuid.Must(uuid.NewV7()).String(), Roles: []string{"user"}}
	a.Flags.Variant(b.Context(), u, keys[0]) // the first evaluation loads the flags
	before := a.DB.QueryCount()
	for b.Loop() {
		for _, key := range keys {
			if a.Flags.Variant(b.Context(), u, key) == "" {
				b.Fatal("no variant")
			}
		}
	}
	if n := a.DB.QueryCount() - before; n != 0 {
		b.Fatalf("%d queries while evaluating, want none", n)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(keys)), "ns/flag")
}

package storetest_test

import (
	"testing"

	"github.com/yogaflow/yogaflow/internal/store"
	"github.com/yogaflow/yogaflow/internal/store/storetest"
)

func TestVersionCounts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		v, other := db.Version("library"), db.Version("flags")
		for want := int64(0); want < 3; want++ {
			got, err := v.Current(t.Context())
			if err != nil || got != want {
				t.Fatalf("Current = %d, %v; want %d", got, err, want)
			}
			if err := v.Bump(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := other.Current(t.Context()); err != nil || n != 0 {
			t.Fatalf("another counter moved: %d, %v", n, err)
		}
	})
}

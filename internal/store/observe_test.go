package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/account"
	"github.com/yogaflow/yogaflow/internal/platform/testdb"
	"github.com/yogaflow/yogaflow/internal/practice"
)

// TestStatementsAreNamedAfterTheirStoreMethod: the hook sees every
// statement, in a transaction or not, named after the store method that
// runs it, however deep the helpers it goes through.
func TestStatementsAreNamedAfterTheirStoreMethod(t *testing.T) {
	testdb.Run(t, func(t *testing.T, e testdb.Engine) {
		db := openTestDB(t, e)
		ctx := t.Context()
		var mu sync.Mutex
		seen := map[string]int{}
		var failed []string
		db.SetQueryHook(func(ctx context.Context, name string) (context.Context, func(error)) {
			return ctx, func(err error) {
				mu.Lock()
				defer mu.Unlock()
				seen[name]++
				if err != nil && !errors.Is(err, context.Canceled) {
					failed = append(failed, name)
				}
			}
		})
		if _, err := db.Practice().History(ctx, practice.HistoryFilter{UserID: "nobody", Limit: 5}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Practice().Stats(ctx, practice.StatsQuery{UserID: "nobody"}); err != nil {
			t.Fatal(err)
		}
		w := Workload{Users: 1, Sessions: 3, EmailPrefix: "named", PasswordHash: "x", Now: time.Now(), Seed: 1}
		if _, err := db.Generate(ctx, w, nil); err != nil {
			t.Fatal(err)
		}
		entry := account.AuditEntry{ID: "a1", At: time.Now(), Action: "test.named", TargetType: "user", TargetID: "u1"}
		if err := db.Accounts(nil).AddAudit(ctx, entry); err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"Practice.History": 1, "Practice.Stats": 6, "DB.Generate": 1, "DB.generateUsers": 3, "Accounts.AddAudit": 1}
		for name, n := range want {
			if seen[name] < n {
				t.Errorf("%s: %d statements seen, want %d (all: %v)", name, seen[name], n, seen)
			}
		}
		for name := range seen {
			if _, ok := want[name]; !ok {
				t.Errorf("a statement named %q", name)
			}
		}
		if len(failed) > 0 {
			t.Errorf("statements reported failing: %v", failed)
		}
	})
}

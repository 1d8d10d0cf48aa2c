package httpapi_test

import (
	"database/sql"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
	"github.com/yogaflow/yogaflow/internal/platform/testdb"
)

// TestThroughPgBouncer: the service runs through PgBouncer in transaction
// mode, which many instances need to share a database's connections: it
// migrates, signs people up (with their email job), practises and logs,
// and serves more requests at once than PgBouncer has connections.
func TestThroughPgBouncer(t *testing.T) {
	cluster := testdb.NewCluster(t)
	through := testdb.Engine{Name: "postgres", URL: cluster.NewPgBouncer()}
	a := apptest.New(t, through)
	// A second instance starts, and migrates, through PgBouncer too: the
	// first's migration lock did not outlive its start.
	apptest.New(t, through).Do(t, "GET", "/health/ready", nil).Check(t, apptest.Scenario{Status: 200})
	direct, err := sql.Open("pgx", cluster.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()
	var held int
	if err := direct.QueryRowContext(t.Context(), `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'`).Scan(&held); err != nil || held != 0 {
		t.Fatalf("after two starts through PgBouncer, %d advisory locks are held (%v)", held, err)
	}
	a.Do(t, "GET", "/health/ready", nil).Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"checks.database.status": "ok"}})
	user := practiceSetup(t, a)
	id := startSession(t, a, user)
	for _, verb := range []string{"pause", "resume"} {
		a.Do(t, "POST", "/api/v1/sessions/"+id+"/"+verb, nil, bearer(user.access)...).Check(t, apptest.Scenario{Status: 200})
	}
	a.Do(t, "POST", "/api/v1/sessions/"+id+"/complete", map[string]any{"rating": 4}, bearer(user.access)...).
		Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"status": "completed"}})

	// Several times as many requests in flight as PgBouncer's connections,
	// writes among them: each transaction gets a connection of its own.
	const writers, readers = 3 * testdb.PgBouncerPoolSize, 3 * testdb.PgBouncerPoolSize
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for i := range writers + readers {
		wg.Go(func() {
			for j := range 5 {
				var res *apptest.Response
				if i < writers {
					res = a.Do(t, "POST", "/api/v1/history", map[string]any{"started_at": "2026-12-01T07:00:00Z",
						"duration_seconds": 600, "notes": fmt.Sprintf("writer %d, practice %d", i, j)}, bearer(user.access)...)
				} else {
					res = a.Do(t, "GET", "/api/v1/history/stats", nil, bearer(user.access)...)
				}
				mu.Lock()
				statuses[res.Status]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if statuses[http.StatusCreated] != 5*writers || statuses[http.StatusOK] != 5*readers {
		t.Fatalf("through PgBouncer: %v, want %d logged and %d stats read", statuses, 5*writers, 5*readers)
	}
	a.Do(t, "GET", "/api/v1/history/stats", nil, bearer(user.access)...).
		Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"total_sessions": 1 + 5*writers}})
}

package httpapi_test

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/yogaflow/yogaflow/internal/apptest"
	"github.com/yogaflow/yogaflow/internal/platform/testdb"
	"github.com/yogaflow/yogaflow/internal/practice"
	"github.com/yogaflow/yogaflow/internal/store"
)

// BenchmarkHistoryAtScale measures one practitioner's first page of
// history and their stats with 100 sessions in a table of 10,000, and with
// 10,000 in a table of 1,000,000 on PostgreSQL (100,000 on SQLite: it
// loads ten times slower). Everybody practises about once a day, so the
// long history reaches back decades. The target: the large case costs less
// than twice the small one.
//
// "GET stats" is the endpoint as served: the first call computes and the
// per-user cache answers the rest until the user writes. "stats query" is
// the database's share on a miss, which reads the user's whole range of the
// days index, and so grows with their history.
//
// Before timing, the PostgreSQL tables just loaded are vacuumed and
// analysed, so that autovacuum has nothing left to do on the new rows
// while the loops are timed, and every request is sent warmUp times, so
// the pages it reads are in PostgreSQL's buffers with their hint bits set.
// Set YOGAFLOW_BENCH_COLD=1 to time as it did before: no VACUUM, no
// warm-up (BENCHMARKS.md (c) found the two the same within noise).
func BenchmarkHistoryAtScale(b *testing.B) {
	engines := map[string]int{"sqlite": 100_000}
	if os.Getenv(testdb.EnvPostgresURL) != "" {
		engines["postgres"] = 1_000_000
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		large, ok := engines[engine]
		if !ok {
			continue
		}
		b.Run(engine, func(b *testing.B) {
			for _, size := range []struct{ each, total int }{{100, 10_000}, {10_000, large}} {
				b.Run(fmt.Sprintf("sessions=%d_of_%d", size.each, size.total), func(b *testing.B) {
					benchHistoryAtScale(b, engine, size.each, size.total)
				})
			}
		})
	}
}

// warmUp is how many times each request is sent before its timing starts.
const warmUp = 200

func benchHistoryAtScale(b *testing.B, engine string, each, total int) {
	// PostgreSQL as it is deployed for many instances: with Redis, which
	// caches principals and stats.
	var env []string
	if redis := os.Getenv("YOGAFLOW_TEST_REDIS_URL"); redis != "" && engine == "postgres" {
		env = append(env, "YOGAFLOW_REDIS_URL="+redis)
	}
	db := testdb.New(b, engine)
	a := apptest.New(b, db, env...)
	cold := os.Getenv("YOGAFLOW_BENCH_COLD") == "1"
	warm := warmUp
	if cold {
		warm = 0
	}
	ctx := b.Context()
	if _, _, err := a.Library.Seed(ctx, false); err != nil {
		b.Fatal(err)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(goodPassword), bcrypt.MinCost)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	w := store.Workload{Users: total / each, Sessions: total, EmailPrefix: "scale", PasswordHash: string(hash),
		Now: a.Clock.Now(), Seed: 1}
	if _, err := a.DB.Generate(ctx, w, nil); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: generated %d users' %d sessions in %v", engine, w.Users, total, time.Since(start).Round(time.Millisecond))
	var pg *sql.DB
	if engine == "postgres" {
		if pg, err = sql.Open("pgx", db.URL); err != nil {
			b.Fatal(err)
		}
		defer pg.Close()
		if !cold {
			start := time.Now()
			if _, err := pg.ExecContext(ctx, "VACUUM (ANALYZE) users, practice_sessions"); err != nil {
				b.Fatal(err)
			}
			b.Logf("postgres: VACUUM (ANALYZE) in %v", time.Since(start).Round(time.Millisecond))
		}
	}

	access := benchSignIn(b, a, "scale-000001@example.test")
	me := a.Do(b, http.MethodGet, "/api/v1/users/me", nil, bearer(access)...)
	id, _ := apptest.Field(me.JSON(b), "id")
	userID, _ := id.(string)
	if userID == "" {
		b.Fatalf("GET /api/v1/users/me: %d %s", me.Status, me.Body)
	}
	month := a.Clock.Now().AddDate(0, 0, -30).Format(time.DateOnly)

	get := func(path string, check func(res *apptest.Response)) func(b *testing.B) {
		return func(b *testing.B) {
			res := a.Do(b, http.MethodGet, path, nil, bearer(access)...)
			if res.Status != http.StatusOK {
				b.Fatalf("GET %s: %d %s", path, res.Status, res.Body)
			}
			check(res)
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("Authorization", "Bearer "+access)
			for range warm {
				w := &discardWriter{header: make(http.Header, 8)}
				a.Handler.ServeHTTP(w, req)
			}
			b.ReportAllocs()
			before := a.DB.QueryCount()
			b.ResetTimer()
			for b.Loop() {
				w := &discardWriter{header: make(http.Header, 8)}
				a.Handler.ServeHTTP(w, req)
				if w.code != http.StatusOK {
					b.Fatalf("status %d", w.code)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(a.DB.QueryCount()-before)/float64(b.N), "queries/op")
		}
	}
	b.Run("GET_history", get("/api/v1/history?limit=20", func(res *apptest.Response) {
		if n := len(res.Column(b, "items.id")); n != 20 {
			b.Fatalf("the first page holds %d sessions, want 20", n)
		}
	}))
	b.Run("GET_stats", get("/api/v1/history/stats", func(res *apptest.Response) {
		if n, _ := apptest.Field(res.JSON(b), "total_sessions"); n != float64(each) {
			b.Fatalf("total_sessions = %v, want %d", n, each)
		}
	}))
	b.Run("GET_stats_month", get("/api/v1/history/stats?from="+month, func(*apptest.Response) {}))
	b.Run("stats_query", func(b *testing.B) {
		today := practice.DayNumber(a.Clock.Now(), time.UTC)
		q := practice.StatsQuery{UserID: userID, Today: today, ByDayFrom: today - practice.ByDayWindow + 1}
		for range warm / 20 {
			if _, err := a.DB.Practice().Stats(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		b.ReportAllocs()
		for b.Loop() {
			st, err := a.DB.Practice().Stats(ctx, q)
			if err != nil || st.TotalSessions != each {
				b.Fatalf("Stats: %d sessions, %v", st.TotalSessions, err)
			}
		}
	})
	if pg != nil {
		// Whether autovacuum ran on the new rows while the loops were timed.
		var autovacuums, autoanalyzes int64
		if err := pg.QueryRowContext(ctx, `SELECT autovacuum_count, autoanalyze_count FROM pg_stat_user_tables
			WHERE relname = 'practice_sessions' AND schemaname = current_schema()`).Scan(&autovacuums, &autoanalyzes); err != nil {
			b.Fatal(err)
		}
		b.Logf("postgres: practice_sessions autovacuumed %d, autoanalysed %d times since the load", autovacuums, autoanalyzes)
	}
}

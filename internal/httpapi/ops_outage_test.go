package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/apptest"
	"github.com/yogaflow/yogaflow/internal/platform/testdb"
)

// outcome is one request of the load.
type outcome struct {
	at         time.Time
	status     int
	retryAfter string
	note       string // of a write
	body       string
}

// TestDatabaseRestartUnderLoad: PostgreSQL restarts while readers and
// writers keep asking. Every answer is a success or a 503 unavailable
// with Retry-After, never a 500; every write acknowledged is in the
// history afterwards; and the service answers again by itself once the
// database is back.
func TestDatabaseRestartUnderLoad(t *testing.T) {
	cluster := testdb.NewCluster(t)
	a := apptest.New(t, testdb.Engine{Name: "postgres", URL: cluster.URL})
	_, tok := newUser(t, a)
	auth := bearer(tok.access)

	var (
		mu       sync.Mutex
		outcomes []outcome
		stop     = make(chan struct{})
		wg       sync.WaitGroup
	)
	record := func(res *apptest.Response, note string) {
		mu.Lock()
		defer mu.Unlock()
		outcomes = append(outcomes, outcome{time.Now(), res.Status, res.Header.Get("Retry-After"), note, string(res.Body)})
	}
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if w%2 == 0 {
					note := fmt.Sprintf("writer %d, practice %d", w, i)
					record(a.Do(t, "POST", "/api/v1/history", map[string]any{
						"started_at": "2026-12-01T07:00:00Z", "duration_seconds": 600, "notes": note}, auth...), note)
				} else {
					record(a.Do(t, "GET", "/api/v1/history?limit=5", nil, auth...), "")
				}
				time.Sleep(2 * time.Millisecond)
			}
		}()
	}

	time.Sleep(300 * time.Millisecond)
	down := time.Now()
	cluster.Stop()
	time.Sleep(1500 * time.Millisecond)
	cluster.Start()
	up := time.Now()
	// The service finds the database again by itself: no restart, no call.
	var recovered time.Time
	for deadline := up.Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		last := outcomes[len(outcomes)-1]
		mu.Unlock()
		if last.at.After(up) && last.status < 300 {
			recovered = last.at
			break
		}
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()

	counts := map[int]int{}
	acked := map[string]bool{}
	for _, o := range outcomes {
		counts[o.status]++
		switch {
		case o.status == http.StatusServiceUnavailable && (o.retryAfter == "" || !strings.Contains(o.body, `"code":"unavailable"`) ||
			strings.Contains(o.body, "dial") || strings.Contains(o.body, "SQLSTATE")):
			t.Errorf("a 503 without Retry-After, or telling internals, at %v: %s", o.at.Sub(down), o.body)
		case o.status == http.StatusCreated:
			acked[o.note] = true
		case o.status != http.StatusOK && o.status != http.StatusServiceUnavailable:
			t.Errorf("status %d at %v into the outage", o.status, o.at.Sub(down))
		}
	}
	t.Logf("%d requests: %v by status; the database was down %v; answering again %v after it was back",
		len(outcomes), counts, up.Sub(down).Round(time.Millisecond), recovered.Sub(up).Round(time.Millisecond))
	if counts[http.StatusServiceUnavailable] == 0 {
		t.Error("no request met the outage: the test measured nothing")
	}
	if recovered.IsZero() {
		t.Fatal("the service did not answer again within 10 s of the database's return")
	}

	// What was acknowledged was kept; a write that got a 503 may or may
	// not have landed (the client retries it with an Idempotency-Key).
	kept := map[string]bool{}
	for cursor := ""; ; {
		res := a.Do(t, "GET", "/api/v1/history?limit=100&cursor="+cursor, nil, auth...)
		res.Check(t, apptest.Scenario{Status: http.StatusOK})
		doc := res.JSON(t)
		items, _ := apptest.Field(doc, "items")
		for _, it := range items.([]any) {
			if n, ok := it.(map[string]any)["notes"].(string); ok {
				kept[n] = true
			}
		}
		next, _ := apptest.Field(doc, "next_cursor")
		if next == nil {
			break
		}
		cursor = next.(string)
	}
	for note := range acked {
		if !kept[note] {
			t.Errorf("acknowledged but lost: %q", note)
		}
	}
}

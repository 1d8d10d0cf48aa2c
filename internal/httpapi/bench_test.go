package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
	"github.com/yogaflow/yogaflow/internal/platform/testdb"
)

// BenchmarkHealth is the baseline for every endpoint: GET /health through
// the whole middleware chain (request ID, logging, metrics, security
// headers, body limit, router, huma), without the network.
func BenchmarkHealth(b *testing.B) {
	a := apptest.New(b, testdb.New(b, "sqlite"))
	req := httptest.NewRequest(http.MethodGet, "/health", nil)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := httptest.NewRecorder()
			a.Handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d", rec.Code)
			}
		}
	})
}

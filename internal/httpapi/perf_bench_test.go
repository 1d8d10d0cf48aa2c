package httpapi_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

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

// BenchmarkLogin compares a full sign-in at the default bcrypt cost (12)
// with the bare bcrypt comparison it is built on, in one run: the target is
// 90% of bare bcrypt's throughput or better.
func BenchmarkLogin(b *testing.B) {
	hash, err := bcrypt.GenerateFromPassword([]byte(goodPassword), 12)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("bare-bcrypt", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := bcrypt.CompareHashAndPassword(hash, []byte(goodPassword)); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("login", func(b *testing.B) {
		a := apptest.New(b, testdb.New(b, "sqlite"), "YOGAFLOW_BCRYPT_COST=12", "YOGAFLOW_HASH_WAIT=1m")
		email := "bench@example.com"
		if _, err := a.Accounts.CreateUser(b.Context(), email, goodPassword, []string{"user"}); err != nil {
			b.Fatal(err)
		}
		body := []byte(`{"email":"` + email + `","password":"` + goodPassword + `"}`)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				a.Handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("login: %d %s", rec.Code, rec.Body)
				}
			}
		})
	})
}

// BenchmarkHealthDuringLoginFlood measures a cheap endpoint while logins at
// the default cost keep every hashing slot busy; compare with
// BenchmarkHealth. p99-ns is the 99th percentile latency.
func BenchmarkHealthDuringLoginFlood(b *testing.B) {
	a := apptest.New(b, testdb.New(b, "sqlite"), "YOGAFLOW_BCRYPT_COST=12", "YOGAFLOW_HASH_WAIT=100ms")
	email := "flood@example.com"
	if _, err := a.Accounts.CreateUser(b.Context(), email, goodPassword, []string{"user"}); err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"email":"` + email + `","password":"wrong-Password-1"}`)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				a.Handler.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
	time.Sleep(200 * time.Millisecond) // let the flood fill the slots
	latencies := make([]time.Duration, 0, b.N)
	req := httptest.NewRequest(http.MethodGet, "/health", nil)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		rec := httptest.NewRecorder()
		a.Handler.ServeHTTP(rec, req)
		latencies = append(latencies, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
	b.StopTimer()
	close(stop)
	wg.Wait()
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Nanoseconds()), "p99-ns")
}

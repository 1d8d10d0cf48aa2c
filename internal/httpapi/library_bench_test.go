package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/apptest"
	"github.com/yogaflow/yogaflow/internal/platform/testdb"
	"github.com/yogaflow/yogaflow/internal/seeddata"
	"github.com/yogaflow/yogaflow/internal/store"
)

// BenchmarkLibraryCachedPoses compares an anonymous GET /api/v1/poses
// served from the response cache with GET /health, through the same
// middleware of the same service, in one run: the target is half of
// health's throughput or better. poses-304 revalidates with the ETag.
func BenchmarkLibraryCachedPoses(b *testing.B) {
	// Every request comes from one address: a limit apptest's 100,000 a
	// minute would stop a run of a few seconds.
	a := apptest.New(b, testdb.New(b, "sqlite"), "YOGAFLOW_RATE_LIMIT_PUBLIC=1000000000/1m")
	ctx := b.Context()
	if _, _, err := a.Library.Seed(ctx, false); err != nil {
		b.Fatal(err)
	}
	const path = "/api/v1/poses"
	warm := a.Do(b, http.MethodGet, path, nil)
	etag := warm.Header.Get("ETag")
	if warm.Status != http.StatusOK || etag == "" || warm.Header.Get("Cache-Control") != "public, no-cache" {
		b.Fatalf("warming %s: %d, ETag %q, Cache-Control %q", path, warm.Status, etag, warm.Header.Get("Cache-Control"))
	}
	// Served from the cache: the database is not asked again.
	before := a.DB.QueryCount()
	if again := a.Do(b, http.MethodGet, path, nil); again.Status != http.StatusOK || !bytes.Equal(again.Body, warm.Body) {
		b.Fatalf("GET %s again: %d", path, again.Status)
	}
	if n := a.DB.QueryCount() - before; n != 0 {
		b.Fatalf("a warmed GET %s ran %d queries: it is not served from the cache", path, n)
	}

	serve := func(b *testing.B, req *http.Request, want, size int) {
		b.ReportAllocs()
		b.SetBytes(int64(size))
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				w := &discardWriter{header: make(http.Header, 8)}
				a.Handler.ServeHTTP(w, req)
				if w.code != want {
					b.Fatalf("status %d, want %d", w.code, want)
				}
			}
		})
	}
	b.Run("health", func(b *testing.B) {
		serve(b, httptest.NewRequest(http.MethodGet, "/health", nil), http.StatusOK, 0)
	})
	b.Run("poses", func(b *testing.B) {
		serve(b, httptest.NewRequest(http.MethodGet, path, nil), http.StatusOK, len(warm.Body))
	})
	b.Run("poses-304", func(b *testing.B) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("If-None-Match", etag)
		serve(b, req, http.StatusNotModified, 0)
	})
}

// discardWriter sends the body nowhere, as a connection hands it to the
// kernel: httptest's recorder would instead grow a buffer for every 24 KB
// page, and measure itself more than the service.
type discardWriter struct {
	header http.Header
	code   int
}

func (w *discardWriter) Header() http.Header { return w.header }
func (w *discardWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
func (w *discardWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return len(b), nil
}

// BenchmarkSequenceListAvoid measures a signed-in viewer's filtered list of
// sequences (presets and their own, none holding a pose with the avoided
// tags) with 100 and with 10,000 custom sequences of other users in the
// database. The response depends on the viewer, so it is not cached: the
// database does the work every time. The target: others=10000 costs less
// than twice others=100, on every engine.
func BenchmarkSequenceListAvoid(b *testing.B) {
	engines := []string{"sqlite"}
	if os.Getenv(testdb.EnvPostgresURL) != "" {
		engines = append(engines, "postgres")
	}
	sizes := []struct{ owners, perOwner int }{{100, 1}, {1000, 10}}
	for _, engine := range engines {
		b.Run(engine, func(b *testing.B) {
			for _, size := range sizes {
				b.Run(fmt.Sprintf("others=%d", size.owners*size.perOwner), func(b *testing.B) {
					benchSequenceListAvoid(b, engine, size.owners, size.perOwner)
				})
			}
		})
	}
}

// benchSequenceListAvoid runs once (b.Loop), so the database is loaded once.
func benchSequenceListAvoid(b *testing.B, engine string, owners, perOwner int) {
	a := apptest.New(b, testdb.New(b, engine))
	ctx := b.Context()
	if _, _, err := a.Library.Seed(ctx, false); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	poses := loadOtherUsersSequences(b, a, owners, perOwner)
	load := time.Since(start)

	email := "viewer@example.com"
	if _, err := a.Accounts.CreateUser(ctx, email, goodPassword, []string{"user"}); err != nil {
		b.Fatal(err)
	}
	access := benchSignIn(b, a, email)
	// The viewer's own: three free of the avoided tags, two not. (With
	// the seeded library no preset is: 81 of the 104 poses carry one.)
	for i := range 5 {
		slugs := poses.safe
		if i%2 == 1 {
			slugs = poses.avoided
		}
		steps := make([]map[string]any, 8)
		for j := range steps {
			steps[j] = map[string]any{"pose_slug": slugs[(i*5+j)%len(slugs)], "duration_seconds": 45}
		}
		body := map[string]any{"name": fmt.Sprintf("My Flow %d", i+1), "difficulty": "beginner", "style": "vinyasa",
			"focus_area": "full_body", "steps": steps}
		if res := a.Do(b, http.MethodPost, "/api/v1/sequences", body, bearer(access)...); res.Status != http.StatusCreated {
			b.Fatalf("creating the viewer's sequence: %d %s", res.Status, res.Body)
		}
	}

	const path = "/api/v1/sequences?avoid=pregnancy,knee_injury&limit=20"
	res := a.Do(b, http.MethodGet, path, nil, bearer(access)...)
	if res.Status != http.StatusOK {
		b.Fatalf("GET %s: %d %s", path, res.Status, res.Body)
	}
	if cc := res.Header.Get("Cache-Control"); cc == "public, no-cache" {
		b.Fatalf("GET %s as a signed-in viewer is shared (Cache-Control %q)", path, cc)
	}
	var page struct {
		Items []struct {
			OwnerID           *string  `json:"owner_id"`
			Contraindications []string `json:"contraindications"`
		} `json:"items"`
	}
	if err := json.Unmarshal(res.Body, &page); err != nil {
		b.Fatal(err)
	}
	own := 0
	for _, it := range page.Items {
		if it.OwnerID != nil {
			own++
		}
		for _, tag := range it.Contraindications {
			if tag == "pregnancy" || tag == "knee_injury" {
				b.Fatalf("the list holds a sequence tagged %s", tag)
			}
		}
	}
	if own != 3 {
		b.Fatalf("the page holds %d of the viewer's sequences, want the 3 free of the avoided tags: %s", own, res.Body)
	}
	// Not cached: every request asks the database.
	before := a.DB.QueryCount()
	a.Do(b, http.MethodGet, path, nil, bearer(access)...)
	queries := a.DB.QueryCount() - before
	if queries == 0 {
		b.Fatalf("GET %s ran no query: it was served from a cache", path)
	}
	b.Logf("%s: loaded %d users' %d sequences in %v; the page holds %d sequences (%d the viewer's); %d queries a request",
		engine, owners, owners*perOwner, load.Round(time.Millisecond), len(page.Items), own, queries)

	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+access)
	b.ReportAllocs()
	before = a.DB.QueryCount()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		rec := httptest.NewRecorder()
		a.Handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		n++
	}
	b.StopTimer()
	b.ReportMetric(float64(a.DB.QueryCount()-before)/float64(n), "queries/op")
}

// benchSignIn logs in and returns the access token.
func benchSignIn(b *testing.B, a *apptest.App, email string) string {
	b.Helper()
	res := a.Do(b, http.MethodPost, "/api/v1/auth/login", map[string]any{"email": email, "password": goodPassword})
	if res.Status != http.StatusOK {
		b.Fatalf("login %s: %d %s", email, res.Status, res.Body)
	}
	var tok struct {
		Access string `json:"access_token"`
	}
	if err := json.Unmarshal(res.Body, &tok); err != nil || tok.Access == "" {
		b.Fatalf("login %s: no access token (%v): %s", email, err, res.Body)
	}
	return tok.Access
}

// seededPoses are the built-in poses' slugs, with or without the tags the
// benchmark avoids.
type seededPoses struct{ safe, avoided []string }

// loadOtherUsersSequences makes owners users with perOwner sequences of
// their own each, with the generator (there is no bulk API, and going
// through the service would take minutes), and returns the built-in
// poses the viewer's sequences are made of.
func loadOtherUsersSequences(b *testing.B, a *apptest.App, owners, perOwner int) seededPoses {
	b.Helper()
	w := store.Workload{Users: owners, SequencesEach: perOwner, EmailPrefix: "other", PasswordHash: "x", Now: a.Clock.Now()}
	if _, err := a.DB.Generate(b.Context(), w, nil); err != nil {
		b.Fatal(err)
	}
	all, err := seeddata.Poses()
	if err != nil {
		b.Fatal(err)
	}
	var poses seededPoses
	for _, p := range all {
		if slices.Contains(p.Contraindications, "pregnancy") || slices.Contains(p.Contraindications, "knee_injury") {
			poses.avoided = append(poses.avoided, p.Slug)
		} else {
			poses.safe = append(poses.safe, p.Slug)
		}
	}
	if len(poses.safe) < 8 || len(poses.avoided) < 8 {
		b.Fatalf("built-in poses: %d safe, %d to avoid", len(poses.safe), len(poses.avoided))
	}
	return poses
}

package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/yogaflow/yogaflow/internal/platform/cache"
)

// libraryRoutes are the reads whose responses carry an ETag and, when they
// are the same for every caller, are kept encoded in the cache.
var libraryRoutes = map[string]bool{
	BasePath + "/poses":                true,
	BasePath + "/poses/{pose}":         true,
	BasePath + "/sequences":            true,
	BasePath + "/sequences/{sequence}": true,
}

// responseCacheTTL bounds memory; freshness comes from the version in the
// key, which every editorial write bumps.
const responseCacheTTL = 10 * time.Minute

// libraryCache serves library reads: the encoded bytes and their ETag are
// cached under the library's current version, and If-None-Match is
// answered with 304. A response that depends on who asks (a signed-in
// caller's sequences) gets its ETag but is not shared.
func libraryCache(mux *chi.Mux, store cache.Cache, version cache.Version, shape func() string, logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead || !libraryPath(r.URL.Path) {
				next.ServeHTTP(w, r)
				return
			}
			pattern := mux.Find(chi.NewRouteContext(), http.MethodGet, r.URL.Path)
			if !libraryRoutes[pattern] {
				next.ServeHTTP(w, r)
				return
			}
			key := ""
			if shared(r, pattern) {
				if v, err := version.Current(r.Context()); err == nil {
					key = fmt.Sprintf("http:library:%s:%d:%s?%s", shape(), v, r.URL.Path, r.URL.Query().Encode())
				} else {
					logger.WarnContext(r.Context(), "library version unavailable: not caching", slog.String("error", err.Error()))
				}
			}
			if key != "" {
				if b, ok, err := store.Get(r.Context(), key); err == nil && ok {
					if e, ok := decodeEntry(b); ok {
						// Served without routing: name the route for the log and metrics.
						if rctx := chi.RouteContext(r.Context()); rctx != nil {
							rctx.RoutePatterns = append(rctx.RoutePatterns, pattern)
						}
						e.write(w, r, true)
						return
					}
				}
			}
			rec := &recorder{header: make(http.Header)}
			next.ServeHTTP(rec, r)
			if rec.status != http.StatusOK {
				rec.replay(w)
				return
			}
			sum := sha256.Sum256(rec.body.Bytes())
			e := entry{etag: `"` + hex.EncodeToString(sum[:16]) + `"`, contentType: rec.header.Get("Content-Type"), body: rec.body.Bytes()}
			for k, v := range rec.header {
				if k != "Content-Type" && k != "Content-Length" {
					w.Header()[k] = v
				}
			}
			if key != "" {
				_ = store.Set(r.Context(), key, e.encode(), responseCacheTTL)
			}
			e.write(w, r, key != "")
		})
	}
}

// libraryPath is a cheap first test, so other requests pay no routing.
func libraryPath(p string) bool {
	return strings.HasPrefix(p, BasePath+"/poses") || strings.HasPrefix(p, BasePath+"/sequences")
}

// shared says whether a library read is the same for every caller.
func shared(r *http.Request, pattern string) bool {
	if strings.HasPrefix(pattern, BasePath+"/poses") || principalFrom(r.Context()) == nil {
		return true
	}
	return pattern == BasePath+"/sequences" && r.URL.Query().Get("preset") == "true"
}

type entry struct {
	etag        string
	contentType string
	body        []byte
}

func (e entry) write(w http.ResponseWriter, r *http.Request, public bool) {
	h := w.Header()
	h.Set("ETag", e.etag)
	if public {
		// Anyone may keep it, but must ask again: edits show at once. Sent
		// with a credential, only the caller's own cache may: a shared one
		// must not answer others with what it fetched on someone's token.
		if principalFrom(r.Context()) != nil {
			h.Set("Cache-Control", "private, no-cache")
		} else {
			h.Set("Cache-Control", "public, no-cache")
		}
	}
	if etagMatches(r.Header.Get("If-None-Match"), e.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", e.contentType)
	h.Set("Content-Length", strconv.Itoa(len(e.body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(e.body)
	}
}

// etagMatches applies If-None-Match's weak comparison (RFC 9110 §13.1.2).
func etagMatches(header, etag string) bool {
	for _, candidate := range strings.Split(header, ",") {
		candidate = strings.TrimPrefix(strings.TrimSpace(candidate), "W/")
		if candidate == "*" || candidate == etag {
			return true
		}
	}
	return false
}

// encode lays an entry out as ETag, newline, content type, newline, body.
func (e entry) encode() []byte {
	var b bytes.Buffer
	b.Grow(len(e.etag) + len(e.contentType) + len(e.body) + 2)
	b.WriteString(e.etag)
	b.WriteByte('\n')
	b.WriteString(e.contentType)
	b.WriteByte('\n')
	b.Write(e.body)
	return b.Bytes()
}

func decodeEntry(b []byte) (entry, bool) {
	etag, rest, ok := bytes.Cut(b, []byte{'\n'})
	if !ok {
		return entry{}, false
	}
	ct, body, ok := bytes.Cut(rest, []byte{'\n'})
	return entry{etag: string(etag), contentType: string(ct), body: body}, ok
}

// recorder keeps a response to look at before it is sent.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// replay sends the recorded response as it was.
func (r *recorder) replay(w http.ResponseWriter) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body.Bytes())
}

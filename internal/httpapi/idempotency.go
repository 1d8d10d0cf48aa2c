package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/yogaflow/yogaflow/internal/platform/idempotency"
)

// keyProblem is the 422 of an Idempotency-Key that cannot be used.
func keyProblem(detail, message string) *Problem {
	return &Problem{Type: "about:blank", Title: http.StatusText(http.StatusUnprocessableEntity),
		Status: http.StatusUnprocessableEntity, Code: CodeValidationFailed, Detail: detail,
		Errors: []FieldError{{Field: "header.Idempotency-Key", Message: message}}}
}

// idempotentPaths are the POSTs whose retries, with the same
// Idempotency-Key, get the first response instead of acting twice.
func idempotentPath(p string) bool {
	return strings.HasPrefix(p, BasePath+"/sessions") || p == BasePath+"/history"
}

const (
	maxIdempotencyKeyLen = 200
	// pendingWait bounds how long a retry waits for the first request with
	// its key to finish before it is told to come back.
	pendingWait = 10 * time.Second
)

// idempotent answers a retried POST (same user, same Idempotency-Key) with
// the first response; the same key with another request is a 422. The
// record is claimed before the first request runs, so two concurrent
// requests with one key act once: the second waits for the first.
func idempotent(store idempotency.Store) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key := r.Header.Get("Idempotency-Key")
			p := principalFrom(r.Context())
			if r.Method != http.MethodPost || key == "" || p == nil || p.UserID == "" || !idempotentPath(r.URL.Path) {
				next.ServeHTTP(w, r)
				return
			}
			if !saneKey(key) {
				writeProblem(w, keyProblem("The Idempotency-Key is not valid.", "must be 1 to 200 printable ASCII characters"))
				return
			}
			body, err := io.ReadAll(r.Body)
			if err != nil {
				writeProblem(w, newProblem(http.StatusRequestEntityTooLarge, "", "The request body is too large."))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			sum := sha256.Sum256([]byte(r.Method + "\n" + r.URL.Path + "\n" + string(body)))
			hash := hex.EncodeToString(sum[:])

			deadline := time.Now().Add(pendingWait)
			for {
				claim, err := store.Claim(r.Context(), p.UserID, key, hash, time.Now().UTC())
				switch {
				case err != nil:
					writeFailure(w, r, err)
					return
				case claim.Outcome == idempotency.Claimed:
					serveAndKeep(w, r, next, store, p.UserID, key)
					return
				case claim.Outcome == idempotency.Mismatch:
					writeProblem(w, keyProblem("This Idempotency-Key was used with another request.", "was used with another request"))
					return
				case claim.Outcome == idempotency.Replay:
					rec := claim.Record
					w.Header().Set("Content-Type", rec.ContentType)
					w.Header().Set("Idempotent-Replayed", "true")
					w.WriteHeader(rec.Status)
					_, _ = w.Write(rec.Body) // #nosec G705 -- the response this handler wrote the first time, with its own Content-Type; nosniff is set
					return
				}
				if time.Now().After(deadline) {
					writeProblem(w, newProblem(http.StatusConflict, CodeConflict, "A request with this Idempotency-Key is still being served; retry shortly."))
					return
				}
				select {
				case <-r.Context().Done():
					return
				case <-time.After(25 * time.Millisecond):
				}
			}
		})
	}
}

// serveAndKeep runs the first request with a key and keeps its response;
// one that failed on our side is forgotten, so a retry runs again.
func serveAndKeep(w http.ResponseWriter, r *http.Request, next http.Handler, store idempotency.Store, userID, key string) {
	rec := &recorder{header: make(http.Header)}
	next.ServeHTTP(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	var err error
	if rec.status >= 500 {
		err = store.Release(r.Context(), userID, key)
	} else {
		err = store.Finish(r.Context(), userID, key, rec.status, rec.header.Get("Content-Type"), rec.body.Bytes())
	}
	if err != nil {
		noteError(r.Context(), errors.Join(errors.New("keeping an idempotent response"), err))
	}
	rec.replay(w)
}

func saneKey(k string) bool {
	if len(k) > maxIdempotencyKeyLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

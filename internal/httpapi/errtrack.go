package httpapi

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/getsentry/sentry-go"
)

// errorTracker sends to Sentry what an operator must hear about, panics
// and 5xx responses, with the request's context; and requests as
// transactions, at the client's traces sample rate. A nil tracker does
// nothing.
type errorTracker struct{ hub *sentry.Hub }

func newErrorTracker(client *sentry.Client) *errorTracker {
	if client == nil {
		return nil
	}
	return &errorTracker{hub: sentry.NewHub(client, sentry.NewScope())}
}

// start gives the request a hub of its own, so that what one request
// records stays out of another's events, and begins its transaction. A
// sentry-trace header from the caller is not continued: a client must not
// decide what is sampled.
func (t *errorTracker) start(r *http.Request) (*http.Request, *sentry.Span) {
	if t == nil {
		return r, nil
	}
	ctx := sentry.SetHubOnContext(r.Context(), t.hub.Clone())
	tx := sentry.StartTransaction(ctx, methodName(r.Method), sentry.WithOpName("http.server"), sentry.WithTransactionSource(sentry.SourceRoute))
	return r.WithContext(tx.Context()), tx
}

// finish ends the transaction under the route's name and, after a panic
// (recovered, non-nil) or a 5xx, sends one event. Called from observe's
// deferred function, so a panic's stack is still the one it happened on.
func (t *errorTracker) finish(r *http.Request, tx *sentry.Span, route string, status int, info *requestInfo, recovered any) {
	if t == nil {
		return
	}
	name := methodName(r.Method) + " " + route
	tx.Name = name
	tx.Status = sentry.HTTPtoSpanStatus(status)
	tx.SetData("http.response.status_code", status)
	defer tx.Finish()
	// Readiness answers 503 every few seconds while a dependency is down:
	// the log and the checks tell that, not one event per probe.
	if recovered == nil && (status < http.StatusInternalServerError || polled[r.URL.Path]) {
		return
	}

	hub := sentry.GetHubFromContext(r.Context())
	var event *sentry.Event
	switch {
	case recovered != nil:
		err, ok := recovered.(error)
		if !ok {
			err = fmt.Errorf("%v", recovered)
		}
		event = hub.Client().EventFromException(err, sentry.LevelFatal)
		last := &event.Exception[len(event.Exception)-1]
		last.Stacktrace = sentry.NewStacktrace()
		last.Mechanism = &sentry.Mechanism{Type: "panic", Handled: sentry.Pointer(false)}
	case info.err != nil:
		event = hub.Client().EventFromException(info.err, sentry.LevelError)
	default:
		event = hub.Client().EventFromMessage(strconv.Itoa(status)+" "+http.StatusText(status), sentry.LevelError)
	}
	event.Transaction = name
	event.Tags = map[string]string{"method": methodName(r.Method), "route": route, "status": strconv.Itoa(status), "request_id": info.id}
	event.User = sentry.User{ID: info.userID}
	event.Request = sentry.NewRequest(r)
	hub.CaptureEvent(event)
}

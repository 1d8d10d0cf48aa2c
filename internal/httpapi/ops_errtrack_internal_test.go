package httpapi

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/yogaflow/yogaflow/internal/platform/errtrack"
)

// sentEvents is a Sentry transport that keeps what would have been sent.
type sentEvents struct {
	mu     sync.Mutex
	events []*sentry.Event
}

func (s *sentEvents) SendEvent(e *sentry.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, e)
}

func (s *sentEvents) take() []*sentry.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.events
	s.events = nil
	return out
}

func (*sentEvents) Flush(time.Duration) bool              { return true }
func (*sentEvents) FlushWithContext(context.Context) bool { return true }
func (*sentEvents) Configure(sentry.ClientOptions)        {}
func (*sentEvents) Close()                                {}

var emailLike = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)

// TestSentryReceivesServerErrorsScrubbed: a panic and a handler error each
// send one event with the route, request ID and user ID, and with no
// credential header, cookie or email address anywhere in it; a 4xx sends
// nothing; and requests become transactions at the traces sample rate.
func TestSentryReceivesServerErrorsScrubbed(t *testing.T) {
	for _, rate := range []float64{0, 1} {
		sent := &sentEvents{}
		client, err := errtrack.New(errtrack.Config{
			DSN: "https://public@sentry.example.invalid/1", TracesSampleRate: rate, Transport: sent,
		})
		if err != nil {
			t.Fatal(err)
		}
		handler, _ := newProbeServer(t, client)
		secrets := []string{"Bearer tok-authorization-secret", "session=tok-cookie-secret", "yf_tok-api-key-secret"}
		serve := func(method, path, body string) (*httptest.ResponseRecorder, []*sentry.Event) {
			req := httptest.NewRequest(method, path+"?email=jane.doe%40example.com&token=tok-query-secret", strings.NewReader(body))
			req.Host = "api.yogaflow.test"
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", secrets[0])
			req.Header.Set("Cookie", secrets[1])
			req.Header.Set("X-API-Key", secrets[2])
			req.Header.Set("From", "jane.doe@example.com")
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			client.Flush(time.Second)
			return rec, sent.take()
		}

		for _, tc := range []struct{ name, path, exception string }{
			{"panic", "/probe/panic", "password authentication failed"},
			{"handler error", "/probe/fail", "password authentication failed"},
		} {
			rec, events := serve("GET", tc.path, "")
			var errs, txs []*sentry.Event
			for _, e := range events {
				if e.Type == "transaction" {
					txs = append(txs, e)
				} else {
					errs = append(errs, e)
				}
			}
			if len(txs) != int(rate) || len(txs) == 1 && txs[0].Transaction != "GET "+tc.path {
				t.Errorf("%s at traces sample rate %g: %d transactions", tc.name, rate, len(txs))
			}
			if len(errs) != 1 {
				t.Fatalf("%s: %d error events, want 1", tc.name, len(errs))
			}
			e := errs[0]
			if e.Tags["route"] != tc.path || e.Tags["method"] != "GET" || e.Tags["status"] != "500" ||
				e.Tags["request_id"] != rec.Header().Get("X-Request-ID") || e.User.ID != probeUser || e.Transaction != "GET "+tc.path {
				t.Errorf("%s: event lacks the request's context: tags %v, user %+v, transaction %q", tc.name, e.Tags, e.User, e.Transaction)
			}
			if len(e.Exception) == 0 || !strings.Contains(e.Exception[len(e.Exception)-1].Value, tc.exception) {
				t.Errorf("%s: exception %+v, want it to say %q", tc.name, e.Exception, tc.exception)
			}
			if tc.name == "panic" {
				last := e.Exception[len(e.Exception)-1]
				if last.Mechanism == nil || last.Mechanism.Handled == nil || *last.Mechanism.Handled || last.Stacktrace == nil {
					t.Errorf("panic: not marked unhandled with its stack: %+v", last)
				}
			}
			raw, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			for _, leak := range append(secrets, "tok-", "jane.doe", "example.com") {
				if strings.Contains(string(raw), leak) {
					t.Errorf("%s: the event holds %q: %s", tc.name, leak, raw)
				}
			}
			if m := emailLike.FindString(string(raw)); m != "" {
				t.Errorf("%s: the event holds an email address %q", tc.name, m)
			}
		}

		for _, tc := range []struct{ method, path, body string }{
			{"GET", "/no/such/thing", ""},
			{"POST", "/probe", `{"name":"far too long a name"}`},
		} {
			rec, events := serve(tc.method, tc.path, tc.body)
			for _, e := range events {
				if e.Type != "transaction" {
					t.Errorf("%s %s answered %d, yet an event was sent: %s", tc.method, tc.path, rec.Code, e.Message)
				}
			}
		}
	}
}

package httpapi_test

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/yogaflow/yogaflow/internal/app"
	"github.com/yogaflow/yogaflow/internal/apptest"
)

// spanNamed is the first span called name in trace (any trace when
// trace is invalid), or nil.
func spanNamed(spans tracetest.SpanStubs, name string, traceID trace.TraceID) *tracetest.SpanStub {
	for i, s := range spans {
		if s.Name == name && (!traceID.IsValid() || s.SpanContext.TraceID() == traceID) {
			return &spans[i]
		}
	}
	return nil
}

func attr(s *tracetest.SpanStub, key attribute.Key) attribute.Value {
	for _, kv := range s.Attributes {
		if kv.Key == key {
			return kv.Value
		}
	}
	return attribute.Value{}
}

// TestSpanTreeOfARequest: with tracing on, a request is a server span named
// after its route that continues the caller's W3C trace context, each
// statement it runs a child span named after its query (and without its
// arguments), and its log line carries the trace ID; the verification
// email a sign-up enqueues is worked in a job span linked to the sign-up's
// trace, with its own statements beneath it.
func TestSpanTreeOfARequest(t *testing.T) {
	exporter := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	a := apptest.NewWith(t, sqliteEngine(t), []app.Option{app.WithTracerProvider(tp)})

	email, user := newUser(t, a)
	signUp := spanNamed(exporter.GetSpans(), "POST /api/v1/auth/register", trace.TraceID{})
	if signUp == nil {
		t.Fatalf("no server span for the sign-up among %v", names(exporter.GetSpans()))
	}
	var job *tracetest.SpanStub
	for deadline := time.Now().Add(10 * time.Second); job == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		job = spanNamed(exporter.GetSpans(), "river.work/account_email", trace.TraceID{})
	}
	if job == nil {
		t.Fatalf("no job span for the verification email among %v", names(exporter.GetSpans()))
	}
	if len(job.Links) != 1 || job.Links[0].SpanContext.TraceID() != signUp.SpanContext.TraceID() {
		t.Errorf("the job span is not linked to the sign-up's trace: %+v", job.Links)
	}
	statements := 0
	for _, s := range exporter.GetSpans() {
		if s.Parent.SpanID() == job.SpanContext.SpanID() && s.SpanKind == trace.SpanKindClient {
			statements++
		}
	}
	if statements == 0 {
		t.Errorf("the job's statements are not children of its span: %v", names(exporter.GetSpans()))
	}

	exporter.Reset()
	caller := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
		SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
		TraceFlags: trace.FlagsSampled,
	})
	res := a.Do(t, "GET", "/api/v1/history?status=completed", nil, append(bearer(user.access),
		"traceparent", "00-"+caller.TraceID().String()+"-"+caller.SpanID().String()+"-01")...)
	res.Check(t, apptest.Scenario{Status: 200})

	spans := exporter.GetSpans()
	server := spanNamed(spans, "GET /api/v1/history", caller.TraceID())
	if server == nil {
		t.Fatalf("no server span in the caller's trace among %v", names(spans))
	}
	if server.SpanKind != trace.SpanKindServer || server.Parent.SpanID() != caller.SpanID() ||
		attr(server, "http.route").AsString() != "/api/v1/history" || attr(server, "http.response.status_code").AsInt64() != 200 {
		t.Errorf("server span %s: kind %v, parent %v, attributes %v", server.Name, server.SpanKind, server.Parent.SpanID(), server.Attributes)
	}
	children := map[string]*tracetest.SpanStub{}
	for i, s := range spans {
		if s.Parent.SpanID() == server.SpanContext.SpanID() {
			if s.SpanContext.TraceID() != caller.TraceID() {
				t.Errorf("child %s is in another trace", s.Name)
			}
			children[s.Name] = &spans[i]
		}
	}
	history := children["Practice.History"]
	if history == nil {
		t.Fatalf("no Practice.History child span among %v", names(spans))
	}
	if attr(history, "db.system.name").AsString() != "sqlite" || attr(history, "db.operation.name").AsString() != "Practice.History" ||
		history.SpanKind != trace.SpanKindClient || len(history.Attributes) != 2 {
		t.Errorf("Practice.History span attributes %v, kind %v", history.Attributes, history.SpanKind)
	}
	for _, s := range spans {
		for _, kv := range s.Attributes {
			if v := kv.Value.String(); v == email || v == "completed" {
				t.Errorf("span %s carries a request's value in %s", s.Name, kv.Key)
			}
		}
	}

	var line map[string]any
	for _, l := range logLines(t, a, "request") {
		if l["request_id"] == res.Header.Get("X-Request-ID") {
			line = l
		}
	}
	if line["trace_id"] != caller.TraceID().String() {
		t.Errorf("the request's log line has trace_id %v, want %s", line["trace_id"], caller.TraceID())
	}

	// Off, nothing is traced and the log line says nothing of traces.
	off := apptest.New(t, sqliteEngine(t))
	off.Do(t, "GET", "/api/v1/poses", nil, "traceparent", "00-"+caller.TraceID().String()+"-"+caller.SpanID().String()+"-01")
	for _, l := range logLines(t, off, "request") {
		if _, ok := l["trace_id"]; ok {
			t.Errorf("tracing is off, yet the log line has a trace_id: %v", l)
		}
	}
}

func names(spans tracetest.SpanStubs) []string {
	out := make([]string, 0, len(spans))
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}

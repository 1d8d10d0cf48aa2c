package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/getsentry/sentry-go"

	"github.com/yogaflow/yogaflow/internal/platform/metrics"
)

// The error machinery is shared by every operation, so it is checked here
// on probe operations mounted on the real router, middleware and huma
// configuration: one that validates a body and a query, one that panics and
// one that fails with an unexpected error.
type probeInput struct {
	Limit int `query:"limit" minimum:"1" maximum:"100" default:"20"`
	Body  struct {
		Name  string `json:"name" minLength:"1" maxLength:"10"`
		Notes string `json:"notes,omitempty"`
	}
}

type probeOutput struct {
	Body struct {
		Name string `json:"name"`
	}
}

var errSecret = errors.New("dial tcp 10.0.0.7:5432: password authentication failed for user jane.doe@example.com")

// probeUser is who the failing probes act for, as authenticate records a
// signed-in caller.
const probeUser = "0190f0c2-probe-user"

func actAsProbeUser(ctx context.Context) { infoFrom(ctx).userID = probeUser }

// newProbeServer mounts the probes; errors go to Sentry through tracker's
// client when it is not nil.
func newProbeServer(t *testing.T, tracker *sentry.Client) (http.Handler, *bytes.Buffer) {
	t.Helper()
	logs := &bytes.Buffer{}
	r, api := newRouter(Deps{Logger: slog.New(slog.NewJSONHandler(logs, nil)), Metrics: metrics.New(), Version: "test", Sentry: tracker}, nil)
	register(api, huma.Operation{OperationID: "probe", Method: http.MethodPost, Path: "/probe", MaxBodyBytes: MaxBodyBytes},
		func(_ context.Context, in *probeInput) (*probeOutput, error) {
			out := &probeOutput{}
			out.Body.Name = in.Body.Name
			return out, nil
		})
	register(api, huma.Operation{OperationID: "probe-panic", Method: http.MethodGet, Path: "/probe/panic"},
		func(ctx context.Context, _ *struct{}) (*probeOutput, error) { actAsProbeUser(ctx); panic(errSecret) })
	register(api, huma.Operation{OperationID: "probe-fail", Method: http.MethodGet, Path: "/probe/fail"},
		func(ctx context.Context, _ *struct{}) (*probeOutput, error) {
			actAsProbeUser(ctx)
			return nil, errSecret
		})
	return r, logs
}

func TestErrorResponsesAreProblems(t *testing.T) {
	handler, logs := newProbeServer(t, nil)
	big := `{"name":"ok"` + strings.Repeat(" ", MaxBodyBytes) + `}`
	exactly := `{"name":"ok"` + strings.Repeat(" ", MaxBodyBytes-len(`{"name":"ok"}`)) + `}`

	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        string
		chunked     bool // send the body without a Content-Length
		status      int
		code        string // "" for a success
		field       string // the first errors[].field, when set
	}{
		{name: "valid", method: "POST", path: "/probe", body: `{"name":"tree"}`, status: 200},
		{name: "body of exactly 1 MiB", method: "POST", path: "/probe", body: exactly, status: 200},
		{name: "unknown route", method: "GET", path: "/no/such/thing", status: 404, code: "not_found"},
		{name: "wrong method", method: "DELETE", path: "/probe", status: 405, code: "method_not_allowed"},
		{name: "body over 1 MiB", method: "POST", path: "/probe", body: big, status: 413, code: "payload_too_large"},
		{name: "chunked body over 1 MiB", method: "POST", path: "/probe", body: big, chunked: true, status: 413, code: "payload_too_large"},
		{name: "wrong content type", method: "POST", path: "/probe", contentType: "text/plain", body: `{"name":"x"}`, status: 415, code: "unsupported_media_type"},
		{name: "malformed JSON", method: "POST", path: "/probe", body: `{"name":`, status: 400, code: "malformed_request"},
		{name: "schema violation", method: "POST", path: "/probe", body: `{"name":"far too long a name"}`, status: 422, code: "validation_failed", field: "name"},
		{name: "missing required field", method: "POST", path: "/probe", body: `{}`, status: 422, code: "validation_failed"},
		{name: "unknown field", method: "POST", path: "/probe", body: `{"name":"x","roles":["admin"]}`, status: 422, code: "validation_failed"},
		{name: "query out of range", method: "POST", path: "/probe?limit=0", body: `{"name":"x"}`, status: 422, code: "validation_failed", field: "query.limit"},
		{name: "panic", method: "GET", path: "/probe/panic", status: 500, code: "internal"},
		{name: "unexpected error", method: "GET", path: "/probe/fail", status: 500, code: "internal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
				if tc.chunked {
					body = io.MultiReader(body) // hides the length from httptest
				}
			}
			req := httptest.NewRequest(tc.method, tc.path, body)
			if tc.chunked {
				req.ContentLength = -1
			}
			if tc.body != "" {
				ct := tc.contentType
				if ct == "" {
					ct = "application/json"
				}
				req.Header.Set("Content-Type", ct)
			}
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)

			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tc.status, rec.Body)
			}
			if tc.code == "" {
				return
			}
			if ct := rec.Header().Get("Content-Type"); ct != ProblemContentType {
				t.Errorf("Content-Type %q, want %q", ct, ProblemContentType)
			}
			var p Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatalf("body is not a problem document: %v: %s", err, rec.Body)
			}
			if p.Code != tc.code || p.Status != tc.status || p.Title != http.StatusText(tc.status) || p.Type == "" {
				t.Errorf("problem %+v, want code %q and status %d", p, tc.code, tc.status)
			}
			if tc.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != tc.field) {
				t.Errorf("errors %+v, want the first about %q", p.Errors, tc.field)
			}
			for _, leak := range []string{"10.0.0.7", "password", "jane.doe", "panic", "goroutine", "far too long"} {
				if strings.Contains(rec.Body.String(), leak) {
					t.Errorf("body leaks %q: %s", leak, rec.Body)
				}
			}
			if tc.status == 405 && rec.Header().Get("Allow") != "POST" {
				t.Errorf("Allow %q, want POST", rec.Header().Get("Allow"))
			}
		})
	}

	// What the body must not say, the log must: the operator needs it.
	for _, want := range []string{"password authentication failed", "panic:"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

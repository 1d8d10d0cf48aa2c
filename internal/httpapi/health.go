package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
)

// Check is one dependency that /health/ready looks at.
type Check struct {
	Name string
	// Critical checks turn readiness to 503 when they fail; the others are
	// reported but the service can work without them.
	Critical bool
	Run      func(ctx context.Context) error
}

// checkTimeout bounds each readiness check: a load balancer polls often and
// must not pile up requests behind a hung dependency.
const checkTimeout = 2 * time.Second

// healthDocs are the probes' pages.
func healthDocs() map[string]huma.Operation {
	return map[string]huma.Operation{
		"health": {Summary: "Liveness", Description: "200 while the process serves requests. It checks nothing else."},
		"ready": {Summary: "Readiness",
			Description: "Checks each dependency with a short timeout and reuses its answer for a second. 503 `unavailable` when one the service cannot work without fails (the database); 200 `degraded` when only one it works without fails (Redis: caches and rate limits per instance; mail; the job backlog); `checks` names it.",
			Responses: map[string]*huma.Response{
				"503": {
					Description: "A dependency the service cannot work without is failing.",
					Content:     map[string]*huma.MediaType{"application/json": {Schema: &huma.Schema{Ref: "#/components/schemas/Readiness"}}},
				},
			},
		},
	}
}

type healthHandlers struct {
	checks []Check
	logger *slog.Logger

	// The last answer, reused for readyReuse: /health/ready is open to
	// anyone, and each answer costs a query, pings and an SMTP dial.
	mu      sync.Mutex
	last    *readyOutput
	checked time.Time
}

// readyReuse is how long one readiness answer serves: well under any load
// balancer's probe interval.
const readyReuse = time.Second

type liveOutput struct {
	Body struct {
		Status string `json:"status" enum:"ok" example:"ok" doc:"Always ok: the process serves."`
	}
}

func (h *healthHandlers) live(context.Context, *struct{}) (*liveOutput, error) {
	out := &liveOutput{}
	out.Body.Status = "ok"
	return out, nil
}

type checkResult struct {
	Status    string  `json:"status" enum:"ok,degraded,down" example:"ok" doc:"ok; down when a critical check failed; degraded when one the service works without failed (it serves with less: per-instance caches and limits without Redis, mail queued)."`
	Critical  bool    `json:"critical" example:"true" doc:"Whether the service is unready while this check fails."`
	LatencyMS float64 `json:"latency_ms" example:"0.42" doc:"How long the check took, in milliseconds."`
	Error     string  `json:"error,omitempty" example:"timed out" doc:"Why the check failed, in general terms (details are in the log)."`
}

type readiness struct {
	Status string                 `json:"status" enum:"ok,degraded,unavailable" example:"ok" doc:"ok when every check passes; degraded (still 200) when only checks the service works without fail; unavailable (503) when a critical one fails."`
	Checks map[string]checkResult `json:"checks" doc:"Each dependency by name: database, and cache and mail where configured."`
}

type readyOutput struct {
	Status int
	Body   readiness
}

func (h *healthHandlers) ready(ctx context.Context, _ *struct{}) (*readyOutput, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.last != nil && time.Since(h.checked) < readyReuse {
		return h.last, nil
	}
	out := &readyOutput{Status: http.StatusOK, Body: readiness{Status: "ok", Checks: make(map[string]checkResult, len(h.checks))}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range h.checks {
		wg.Go(func() {
			res := h.run(ctx, c)
			mu.Lock()
			defer mu.Unlock()
			out.Body.Checks[c.Name] = res
			switch {
			case res.Status == "ok":
			case c.Critical:
				out.Status = http.StatusServiceUnavailable
				out.Body.Status = "unavailable"
			case out.Body.Status == "ok":
				out.Body.Status = "degraded"
			}
		})
	}
	wg.Wait()
	h.last, h.checked = out, time.Now()
	return out, nil
}

func (h *healthHandlers) run(ctx context.Context, c Check) checkResult {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	start := time.Now()
	err := c.Run(ctx)
	res := checkResult{Status: "ok", Critical: c.Critical, LatencyMS: float64(time.Since(start).Microseconds()) / 1000}
	if err != nil {
		res.Status = "down"
		if !c.Critical {
			res.Status = "degraded"
		}
		res.Error = "unreachable"
		if errors.Is(err, context.DeadlineExceeded) {
			res.Error = "timed out"
		}
		h.logger.LogAttrs(ctx, slog.LevelWarn, "readiness check failed",
			slog.String("check", c.Name), slog.String("error", err.Error()), slog.String("request_id", RequestID(ctx)))
	}
	return res
}

package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/yogaflow/yogaflow/internal/httpapi"
	"github.com/yogaflow/yogaflow/internal/platform/metrics"
	"github.com/yogaflow/yogaflow/internal/practice"
	"github.com/yogaflow/yogaflow/internal/store"
)

// sessionEvents reports practice sessions to the log and the metrics.
type sessionEvents struct {
	logger  *slog.Logger
	metrics *metrics.Metrics
}

var _ practice.Observer = sessionEvents{}

func (e sessionEvents) Started(ctx context.Context, s practice.Session) {
	e.metrics.SessionsStarted.Inc()
	e.logger.InfoContext(ctx, "session started", slog.String("session_id", s.ID), slog.String("user_id", s.UserID),
		slog.String("sequence", s.SequenceName))
}

func (e sessionEvents) Ended(ctx context.Context, s practice.Session, active time.Duration) {
	if s.Status == practice.Completed {
		e.metrics.SessionsCompleted.Inc()
	} else {
		e.metrics.SessionsAbandoned.Inc()
	}
	e.metrics.PracticeSeconds.Add(active.Seconds())
	e.logger.InfoContext(ctx, "session "+s.Status, slog.String("session_id", s.ID), slog.String("user_id", s.UserID),
		slog.Int("duration_seconds", int(active/time.Second)))
}

// queryObserver times every statement: into the query metrics by name,
// into the request's log line (count and time), and into the log on its
// own when slower than slow, with its name and the request's ID but never
// its arguments, which can carry personal data.
func queryObserver(logger *slog.Logger, m *metrics.Metrics, slow time.Duration) store.QueryHook {
	return func(ctx context.Context, name string) (context.Context, func(error)) {
		start := time.Now()
		return ctx, func(err error) {
			d := time.Since(start)
			result := "ok"
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				result = "error"
			}
			m.DBQueryDuration.WithLabelValues(name, result).Observe(d.Seconds())
			httpapi.NoteQuery(ctx, d)
			if d >= slow {
				logger.LogAttrs(ctx, slog.LevelWarn, "slow query", slog.String("query", name),
					slog.Float64("duration_ms", float64(d.Microseconds())/1000), slog.String("request_id", httpapi.RequestID(ctx)))
			}
		}
	}
}

// traceQueries makes each statement a child span of the request's or the
// job's, named after the query, around next (whose slow-query lines then
// carry the span). Never the SQL's arguments: they can carry personal data.
func traceQueries(next store.QueryHook, tp trace.TracerProvider, engine store.Engine) store.QueryHook {
	tracer := tp.Tracer("github.com/yogaflow/yogaflow/internal/store")
	system := semconv.DBSystemNameSQLite
	if engine == store.Postgres {
		system = semconv.DBSystemNamePostgreSQL
	}
	return func(ctx context.Context, name string) (context.Context, func(error)) {
		ctx, span := tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(system, semconv.DBOperationName(name)))
		ctx, done := next(ctx, name)
		return ctx, func(err error) {
			done(err)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				// The error's type, not its text, which can quote values.
				span.SetStatus(codes.Error, "")
				span.SetAttributes(semconv.ErrorTypeKey.String(fmt.Sprintf("%T", err)))
			}
			span.End()
		}
	}
}

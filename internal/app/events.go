package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/yogaflow/yogaflow/internal/platform/metrics"
	"github.com/yogaflow/yogaflow/internal/practice"
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

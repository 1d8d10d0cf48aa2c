package account

import (
	"context"
	"errors"
	"log/slog"

	"github.com/riverqueue/river"

	"github.com/yogaflow/yogaflow/internal/platform/logging"
)

// ResetRequestJob is a password reset asked for an email, not yet looked
// up. The request only enqueues it, the same one insert whether the email
// has an account or not, so neither its answer nor its time tells; the
// worker finds the account and makes the link. The email travels sealed,
// like the tokens.
type ResetRequestJob struct {
	SealedEmail string `json:"sealed_email"`
}

// Kind names the job in the queue.
func (ResetRequestJob) Kind() string { return "password_reset_request" }

// InsertOpts: a lookup that fails is tried again for a while; the link it
// makes is valid for an hour from then.
func (ResetRequestJob) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 5} }

// ResetRequestWorker turns a reset request into a reset email.
type ResetRequestWorker struct {
	river.WorkerDefaults[ResetRequestJob]
	svc *Service
}

// NewResetRequestWorker builds the worker of the service's reset requests.
func (s *Service) NewResetRequestWorker() *ResetRequestWorker { return &ResetRequestWorker{svc: s} }

// Work makes the reset link of an account and enqueues its email; for an
// email without an account it does nothing.
func (w *ResetRequestWorker) Work(ctx context.Context, job *river.Job[ResetRequestJob]) error {
	email, err := w.svc.sealer.open(job.Args.SealedEmail)
	if err != nil {
		return river.JobCancel(err) // a changed server secret: never readable
	}
	s := w.svc
	u, _, err := s.store.UserCredentials(ctx, email)
	if errors.Is(err, ErrNotFound) {
		s.logger.InfoContext(ctx, "password reset requested", slog.String("email", logging.MaskEmail(email)), slog.Bool("known", false))
		return nil
	}
	if err != nil {
		return err
	}
	t, mail := s.emailToken(u.ID, PurposeResetPassword, s.clock())
	if err := s.store.CreateEmailToken(ctx, t, mail); err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "password reset requested", slog.String("user_id", u.ID), slog.Bool("known", true))
	return nil
}

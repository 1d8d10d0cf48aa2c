package account

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/yogaflow/yogaflow/internal/platform/mail"
)

// EmailJob asks for one account email to be sent. The token travels
// sealed: the job table never holds it in the clear.
type EmailJob struct {
	Purpose     EmailPurpose `json:"purpose"`
	UserID      string       `json:"user_id"`
	SealedToken string       `json:"sealed_token"`
}

// Kind names the job in the queue.
func (EmailJob) Kind() string { return "account_email" }

// InsertOpts bounds the retries: River backs off between attempts, and an
// email still undelivered after a day of trying is no use.
func (EmailJob) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 12} }

// EmailWorker sends the account emails.
type EmailWorker struct {
	river.WorkerDefaults[EmailJob]
	store     Store
	sender    mail.Sender
	sealer    *sealer
	publicURL string
	verifyTTL time.Duration
	resetTTL  time.Duration
}

// NewEmailWorker builds the worker for the service's emails.
func (s *Service) NewEmailWorker(sender mail.Sender, publicURL string) *EmailWorker {
	return &EmailWorker{
		store: s.store, sender: sender, sealer: s.sealer, publicURL: strings.TrimRight(publicURL, "/"),
		verifyTTL: s.cfg.VerifyTTL, resetTTL: s.cfg.ResetTTL,
	}
}

// Work sends one email. An error makes River try again later.
func (w *EmailWorker) Work(ctx context.Context, job *river.Job[EmailJob]) error {
	u, err := w.store.UserByID(ctx, job.Args.UserID)
	if errors.Is(err, ErrNotFound) {
		return river.JobCancel(fmt.Errorf("user %s is gone", job.Args.UserID))
	}
	if err != nil {
		return err
	}
	token, err := w.sealer.open(job.Args.SealedToken)
	if err != nil {
		// A changed server secret: this token can never be delivered.
		return river.JobCancel(err)
	}
	var msg mail.Message
	switch job.Args.Purpose {
	case PurposeVerifyEmail:
		msg = VerificationEmail(u.Email, u.DisplayName, w.link("/verify-email", token), w.verifyTTL)
	case PurposeResetPassword:
		msg = ResetEmail(u.Email, u.DisplayName, w.link("/reset-password", token), w.resetTTL)
	default:
		return river.JobCancel(fmt.Errorf("unknown email purpose %q", job.Args.Purpose))
	}
	return w.sender.Send(ctx, msg)
}

// link is built from the configured public URL, never from a request's
// Host header, which an attacker could set.
func (w *EmailWorker) link(path, token string) string {
	return w.publicURL + path + "?token=" + url.QueryEscape(token)
}
